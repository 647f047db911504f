/* `bulwark inspect IMAGE`: manifest, config, layers, and the merged filesystem. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"usage: bulwark inspect IMAGE [--format table|json] [-o FILE] [--files] [--deleted]\n"
	"                       [--platform os/arch[/variant]] [--max-layer-size SIZE] [--max-file-size SIZE]\n"
	CLI_REGISTRY_USAGE;

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "files", no_argument, NULL, 'F' },
		{ "deleted", no_argument, NULL, 'D' },
		{ "platform", required_argument, NULL, 'p' },
		{ "max-layer-size", required_argument, NULL, 'L' },
		{ "max-file-size", required_argument, NULL, 'M' },
		{ "threads", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	opts.analyzers = BW_ANALYZE_OS; /* inspect shows no packages: do not read their databases */
	bw_inspect_report_options ro = { 0 };
	bw_format format = BW_FORMAT_TABLE;
	const char *outpath = NULL;
	bw_image *img = NULL;
	cli_output out;
	int c, status;
	long long v;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "f:o:hj:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON)
				return cli_usage("inspect --format %s: use table or json (SBOM formats: bulwark sbom)", optarg);
			break;
		case 'o': outpath = optarg; break;
		case 'F': ro.files = true; break;
		case 'D': ro.deleted = true; opts.keep_deleted = true; break;
		case 'p': opts.platform = optarg; break;
		case 'L':
		case 'M':
			if ((v = cli_parse_size(optarg)) <= 0)
				return cli_usage("--%s %s: not a size (e.g. 512M, 8G)",
						 c == 'L' ? "max-layer-size" : "max-file-size", optarg);
			*(c == 'L' ? &opts.max_layer_bytes : &opts.max_file_bytes) = (uint64_t)v;
			break;
		case 'j':
			if ((v = cli_parse_size(optarg)) <= 0 || v > 64)
				return cli_usage("--threads %s: a number from 1 to 64", optarg);
			opts.threads = (unsigned)v;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
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
	ro.color = format == BW_FORMAT_TABLE && !outpath && isatty(STDOUT_FILENO);
	if ((status = cli_output_open(&out, outpath)) != 0) {
		bw_image_free(img);
		return status;
	}
	bool ok = bw_report_inspect(out.f, img, format, &ro) == 0;
	status = cli_output_close(&out, ok);
	if (!ok && status == 0)
		status = cli_fail();
	bw_image_free(img);
	return status;
}
