/* cli/cli.h: what the command files share. The CLI only wires arguments to library calls. */
#ifndef BW_CLI_H
#define BW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <getopt.h>

#include "bulwark/bulwark.h"

#define CLI_MAX_INSECURE 32

typedef struct cli_global {
	bool quiet;
	bool offline;
	const char *platform;                 /* --platform before the command */
	const char *insecure[CLI_MAX_INSECURE];
	bw_registry_options registry;         /* --creds, --ca-file, --insecure-registry, ... */
	const char *state_path;               /* --state FILE */
	bool no_cache;                        /* --no-cache */
	unsigned long long cache_size;        /* --cache-size; 0: default */
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

/*
 * Options every command takes, before or after its name (DESIGN.md §5):
 * --insecure-registry HOST (repeatable), --creds USER:PASS, --ca-file FILE,
 * --auth-file FILE, --blob-cache DIR, --timeout SECONDS, --retries N, --offline.
 * Commands append CLI_REGISTRY_LONGOPTS to their getopt table and pass unknown
 * option codes to cli_registry_option().
 */
enum {
	CLI_OPT_INSECURE = 1000, CLI_OPT_CREDS, CLI_OPT_CA_FILE, CLI_OPT_AUTH_FILE, CLI_OPT_BLOB_CACHE,
	CLI_OPT_TIMEOUT, CLI_OPT_RETRIES, CLI_OPT_OFFLINE, CLI_OPT_STATE, CLI_OPT_NO_CACHE, CLI_OPT_CACHE_SIZE,
};
#define CLI_REGISTRY_LONGOPTS                                                                       \
	{ "insecure-registry", required_argument, NULL, CLI_OPT_INSECURE },                        \
	{ "creds", required_argument, NULL, CLI_OPT_CREDS },                                       \
	{ "ca-file", required_argument, NULL, CLI_OPT_CA_FILE },                                   \
	{ "auth-file", required_argument, NULL, CLI_OPT_AUTH_FILE },                               \
	{ "blob-cache", required_argument, NULL, CLI_OPT_BLOB_CACHE },                             \
	{ "timeout", required_argument, NULL, CLI_OPT_TIMEOUT },                                   \
	{ "retries", required_argument, NULL, CLI_OPT_RETRIES },                                   \
	{ "offline", no_argument, NULL, CLI_OPT_OFFLINE },                                         \
	{ "state", required_argument, NULL, CLI_OPT_STATE },                                       \
	{ "no-cache", no_argument, NULL, CLI_OPT_NO_CACHE },                                       \
	{ "cache-size", required_argument, NULL, CLI_OPT_CACHE_SIZE }
#define CLI_REGISTRY_USAGE                                                                          \
	"  registry options: [--insecure-registry HOST]... [--creds USER:PASS] [--ca-file FILE]\n"  \
	"                    [--auth-file FILE] [--blob-cache DIR] [--timeout SECONDS] [--retries N] [--offline]\n"  \
	"  state options:    [--state FILE] [--no-cache] [--cache-size SIZE] (the state store: base images,\n"  \
	"                    layer cache; default ~/.cache/bulwark/state.sqlite, cache cap 1G)\n"

/* 1: handled; 0: not a registry option; <0: the exit status (negated) of a bad value. */
int cli_registry_option(int code, const char *arg);
/* For a command's `default:` getopt case: 0 when code was a registry option,
 * else the exit status (the bad value's, or 2 after printing usage). */
int cli_registry_or_usage(int code, const char *usage);
/* The registry options to hand to the library. */
const bw_registry_options *cli_registry(void);

/*
 * For commands that read images: opens the state store (--state, $BULWARK_STATE or
 * the default) and points opts at it for the layer cache (unless --no-cache). With
 * --no-cache, an existing store is still opened for base attribution, and a missing
 * one is not created (*out NULL). 0, or a library error (report it with cli_fail()).
 */
int cli_state_open(bw_image_options *opts, bw_state **out);
/* Base-image attribution of img from st (NULL: none). */
int cli_attribute_base(bw_image *img, bw_state *st);

int cmd_inspect(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_referrers(int argc, char **argv);
int cmd_sbom(int argc, char **argv);
int cmd_scan(int argc, char **argv);
/* `scan --platform all` (scan_all.c): runs scan once per platform of the index and
 * puts the reports together; returns the worst exit status. */
int cli_scan_all_platforms(int argc, char **argv, const char *reference, const char *outpath, bw_format format,
			   const bw_image_options *opts, int (*scan)(int, char **));
int cmd_db(int argc, char **argv);
int cmd_base(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_pin(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_record(int argc, char **argv);
/* Opens and scans ref with packages and file digests (cmd_diff.c); -1 with the error set. */
int cli_open_for_diff(const char *ref, const char *platform, bw_image **out);
int cmd_key(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_attest(int argc, char **argv);
int cmd_verify_attestation(int argc, char **argv);
/* cmd_key.c: the password for an encrypted key: $BULWARK_PASSWORD, else a prompt on the
 * terminal, else NULL. *owned is set when the caller must wipe and free it. */
char *cli_password(const char *prompt, bool confirm, bool *owned);
/* cmd_sign.c: `scan --attest --key REF`: the scan (JSON) and its SBOM (CycloneDX) attested. */
int cli_scan_attest(const char *image, const char *key_ref, bool referrers, const bw_scan_results *results);
int cmd_verify_bundle(int argc, char **argv);
int cmd_dockerfile(int argc, char **argv);
/* `scan --scanners misconfig DOCKERFILE` and `dockerfile`: lint, report, exit status. */
int cli_dockerfile_run(const char *path, int format, const char *outpath, unsigned severities, int exit_code);
/* Is path a Dockerfile to lint rather than an image (a regular file named *Dockerfile*, *.dockerfile)? */
bool cli_is_dockerfile(const char *path);

#endif
