/* `bulwark base add|list|rm`: record base images' layer chains for attribution
 * (docs/base-images.md). */
#include <getopt.h>
#include <string.h>

#include "bulwark/state.h"
#include "cli.h"

static const char usage[] =
	"usage: bulwark base add IMAGE [--name NAME]\n"
	"       bulwark base list [--format table|json]\n"
	"       bulwark base rm NAME\n"
	"\n"
	"Records a base image's layer chain (its diff_ids) in the local state store, so that\n"
	"`scan` marks what an image inherited from it (--ignore-base, --only-base).\n"
	"--name NAME   what findings will say (default: IMAGE as given)\n"
	CLI_REGISTRY_USAGE;

int cmd_base(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "platform", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	const char *name = NULL;
	bw_format format = BW_FORMAT_TABLE;
	bw_state *st = NULL;
	bw_image *img = NULL;
	int c, status = 0;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "rm"))
		return cli_usage("base: unknown subcommand \"%s\" (add, list, rm)", sub);
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'p': opts.platform = optarg; break;
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: {
			int r = cli_registry_or_usage(c, usage);
			if (r)
				return r;
		}
		}
	}
	int want_args = !strcmp(sub, "list") ? 0 : 1;
	if (argc - optind != want_args) {
		fputs(usage, stderr);
		return 2;
	}
	if (!opts.platform)
		opts.platform = g_cli.platform;
	opts.registry = cli_registry();
	if (!strcmp(sub, "add")) {
		/* the image first: a bad reference leaves the store untouched (and uncreated) */
		if (bw_image_open(&img, argv[optind], &opts) < 0 || bw_state_open(&st, g_cli.state_path) < 0 ||
		    bw_base_add(st, img, name) < 0) {
			status = cli_fail();
			goto out;
		}
		const bw_image_info *in = bw_image_get_info(img);
		if (!g_cli.quiet)
			fprintf(stderr, "bulwark: recorded base \"%s\": %zu layer%s of %s\n", name ? name : argv[optind],
				in->n_layers, in->n_layers == 1 ? "" : "s", in->manifest_digest ? in->manifest_digest : argv[optind]);
	} else if (!strcmp(sub, "rm")) {
		if (bw_state_open(&st, g_cli.state_path) < 0 || bw_base_remove(st, argv[optind]) < 0)
			status = cli_fail();
	} else {
		if (bw_state_open(&st, g_cli.state_path) < 0 || bw_report_base_list(stdout, st, format) < 0)
			status = cli_fail();
	}
out:
	bw_image_free(img);
	bw_state_close(st);
	return status;
}
