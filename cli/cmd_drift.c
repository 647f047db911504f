/*
 * `bulwark drift IMAGE ROOTFS_DIR [--format table|json] [-o FILE]`: files of a
 * container's root filesystem that differ from its image (bulwark/diff.h).
 * Exit 1 on drift, 0 on none.
 */
#include <getopt.h>

#include "bulwark/diff.h"
#include "cli.h"

static const char drift_usage[] =
	"usage: bulwark drift IMAGE ROOTFS_DIR [--format table|json] [--platform P] [-o FILE]\n"
	"  ROOTFS_DIR: a container's root (/proc/PID/root), an exported or unpacked root filesystem.\n"
	"  Lists entries added, removed or modified (content digest, mode, owner, type, symlink\n"
	"  target), executables and sensitive paths marked. Exit 1 on drift, 0 on none.\n"
	CLI_REGISTRY_USAGE;

int cmd_drift(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "platform", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_format format = BW_FORMAT_TABLE;
	const char *outpath = NULL, *platform = g_cli.platform;
	bw_image *img = NULL;
	bw_drift_summary s;
	cli_output o = { 0 };
	int c, status = 0;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "hf:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON)
				return cli_usage("drift --format %s: use table or json", optarg);
			break;
		case 'p': platform = optarg; break;
		case 'o': outpath = optarg; break;
		case 'h': fputs(drift_usage, stdout); return 0;
		default:
			if ((status = cli_registry_or_usage(c, drift_usage)) != 0)
				return status;
		}
	}
	if (optind != argc - 2) {
		fputs(drift_usage, stderr);
		return 2;
	}
	if (cli_open_for_diff(argv[optind], platform, &img) < 0)
		return cli_fail();
	if ((status = cli_output_open(&o, outpath)) != 0)
		goto done;
	if (bw_drift_report(o.f, img, argv[optind + 1], format, &s) < 0) {
		cli_output_close(&o, false);
		status = cli_fail();
		goto done;
	}
	status = cli_output_close(&o, true);
	if (status == 0 && (s.added || s.removed || s.modified))
		status = 1;
done:
	bw_image_free(img);
	return status;
}
