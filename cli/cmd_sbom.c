/* `bulwark sbom IMAGE`: the packages in an image. */
#include <getopt.h>

#include "cli.h"

static const char usage[] =
	"usage: bulwark sbom IMAGE [--format table|json|cyclonedx|spdx] [-o FILE] [--platform os/arch[/variant]]\n"
	CLI_REGISTRY_USAGE;

int cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "platform", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	bw_format format = BW_FORMAT_TABLE;
	const char *outpath = NULL;
	bw_image *img = NULL;
	cli_output out;
	int c, status;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON && format != BW_FORMAT_CYCLONEDX &&
			    format != BW_FORMAT_SPDX)
				return cli_usage("sbom --format %s: use table, json, cyclonedx or spdx (%s is a scan report: "
						 "bulwark scan --format %s)", optarg, optarg, optarg);
			break;
		case 'o': outpath = optarg; break;
		case 'p': opts.platform = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: {
			int st = cli_registry_or_usage(c, usage);
			if (st)
				return st;
			break;
		}
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (!opts.platform)
		opts.platform = g_cli.platform;
	opts.registry = cli_registry();
	/* an SBOM lists packages: the misconfig analyzer's account files are not needed, and
	 * with only package analyzers a warm run loads the finished result (imagecache.c) */
	opts.analyzers = BW_ANALYZE_OS | BW_ANALYZE_PACKAGES;
	bw_state *state = NULL;
	if (cli_state_open(&opts, &state) < 0 || bw_image_open(&img, argv[optind], &opts) < 0 ||
	    bw_image_scan(img) < 0 || cli_attribute_base(img, state) < 0) {
		status = cli_fail();
		bw_image_free(img);
		bw_state_close(state);
		return status;
	}
	bw_state_close(state); /* the scan is done: the cache is no longer needed */
	state = NULL;
	if ((status = cli_output_open(&out, outpath)) != 0) {
		bw_image_free(img);
		return status;
	}
	bool ok = bw_report_sbom(out.f, img, format) == 0;
	status = cli_output_close(&out, ok);
	if (!ok && status == 0)
		status = cli_fail();
	bw_image_free(img);
	return status;
}
