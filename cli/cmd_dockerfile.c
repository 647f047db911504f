/* `bulwark dockerfile FILE`: the Dockerfile misconfiguration checks (docs/misconfig.md);
 * also what `scan --scanners misconfig` does when given a Dockerfile. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "bulwark/misconfig.h"
#include "bulwark/scan.h"
#include "cli.h"

static const char usage[] =
	"usage: bulwark dockerfile FILE [--format table|json|sarif] [-o FILE] [--severity LIST] [--exit-code N]\n"
	"\n"
	"--severity LIST   keep only these severities (CRITICAL,HIGH,MEDIUM,LOW)\n"
	"--exit-code N     exit with N when any finding is reported (as scan --exit-code)\n";

bool cli_is_dockerfile(const char *path)
{
	struct stat st;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	return strcasestr(base, "dockerfile") || strcasestr(base, "containerfile") ||
	       (n > 11 && !strcasecmp(base + n - 11, ".dockerfile"));
}

int cli_dockerfile_run(const char *path, int format, const char *outpath, unsigned severities, int exit_code)
{
	bw_misconfigs *m = NULL;
	cli_output out;
	int status;

	if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON && format != BW_FORMAT_SARIF)
		return cli_usage("dockerfile: --format table, json or sarif for a Dockerfile");
	if (bw_misconfig_check_dockerfile(&m, path, NULL) < 0)
		return cli_fail();
	bw_misconfigs_filter(m, severities);
	if ((status = cli_output_open(&out, outpath)) != 0)
		goto done;
	bool ok = bw_report_misconfigs(out.f, m, path, (bw_format)format) == 0;
	status = cli_output_close(&out, ok);
	if (!ok && status == 0)
		status = cli_fail();
	if (status == 0 && exit_code && bw_misconfigs_count(m))
		status = exit_code;
done:
	bw_misconfigs_free(m);
	return status;
}

int cmd_dockerfile(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "severity", required_argument, NULL, 's' },
		{ "exit-code", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bw_format format = BW_FORMAT_TABLE;
	const char *outpath = NULL;
	unsigned severities = 0;
	int exit_code = 0, c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			break;
		case 'o': outpath = optarg; break;
		case 's':
			if (bw_severity_parse_list(optarg, &severities) < 0)
				return cli_fail();
			break;
		case 'e': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 255)
				return cli_usage("dockerfile: --exit-code wants a number 0..255, not \"%s\"", optarg);
			exit_code = (int)v;
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	return cli_dockerfile_run(argv[optind], format, outpath, severities, exit_code);
}
