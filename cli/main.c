/* bulwark: the command line. Global flags, then one command per file in cli/. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"usage: bulwark [-q] [--offline] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  inspect IMAGE     manifest, config, layers and files of an image\n"
	"  sbom IMAGE        the packages in an image (OS and language packages)\n"
	"  scan IMAGE        vulnerabilities of the image's packages (local database)\n"
	"  db import|info    manage the local vulnerability database\n"
	"  version           print the version\n"
	"\n"
	"IMAGE: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, dir:ROOTFS,\n"
	"       or a path (detected). Exit codes: 0 ok, 1 policy/verification failed,\n"
	"       2 usage, 3 bad input, 4 network, 5 internal error.\n";

static void log_to_stderr(bw_log_level level, const char *line, void *ctx)
{
	(void)ctx;
	if (level >= BW_LOG_INFO && g_cli.quiet)
		return;
	if (level == BW_LOG_DEBUG && !getenv("BULWARK_DEBUG"))
		return;
	fprintf(stderr, "bulwark: %s%s\n", level <= BW_LOG_WARN ? "warning: " : "", line);
}

int main(int argc, char **argv)
{
	int i = 1;

	bw_set_log_callback(log_to_stderr, NULL);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			g_cli.quiet = true;
		else if (!strcmp(argv[i], "--offline"))
			g_cli.offline = true;
		else if (!strcmp(argv[i], "--version")) {
			printf("bulwark %s\n", bw_version());
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[i];
	argc -= i;
	argv += i;
	if (!strcmp(cmd, "inspect"))
		return cmd_inspect(argc, argv);
	if (!strcmp(cmd, "sbom"))
		return cmd_sbom(argc, argv);
	if (!strcmp(cmd, "scan"))
		return cmd_scan(argc, argv);
	if (!strcmp(cmd, "db"))
		return cmd_db(argc, argv);
	if (!strcmp(cmd, "version")) {
		printf("bulwark %s\n", bw_version());
		return 0;
	}
	return cli_usage("unknown command \"%s\" (see bulwark --help)", cmd);
}
