/* cli/cli.h: what the command files share. The CLI only wires arguments to library calls. */
#ifndef BW_CLI_H
#define BW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "bulwark/bulwark.h"

typedef struct cli_global {
	bool quiet;
	bool offline;
} cli_global;

extern cli_global g_cli;

/* Prints "bulwark: MESSAGE" for the last library error and returns its exit status. */
int cli_fail(void);
/* Records a usage error and returns exit status 2. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Output to -o FILE is written to a temporary file beside it and renamed into
 * place only when complete, so a failed run never leaves a partial report
 * that looks whole. With path NULL, stdout.
 */
typedef struct cli_output {
	FILE *f;
	char *path, *tmp;
} cli_output;

int cli_output_open(cli_output *o, const char *path);
/* ok: keep the result; otherwise discard it. Returns 0 or an exit status. */
int cli_output_close(cli_output *o, bool ok);

/* Parses a size such as 100M, 2G, 512K or a byte count; -1 when invalid. */
long long cli_parse_size(const char *s);

int cmd_inspect(int argc, char **argv);
int cmd_sbom(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_db(int argc, char **argv);

#endif
