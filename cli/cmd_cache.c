/* `bulwark cache info|prune|clear`: the layer result cache in the state store
 * (docs/layer-cache.md). */
#include <getopt.h>
#include <string.h>

#include "bulwark/state.h"
#include "cli.h"

static const char usage[] =
	"usage: bulwark cache info [--format table|json]\n"
	"       bulwark cache prune [--max-size SIZE]\n"
	"       bulwark cache clear\n"
	"\n"
	"The layer result cache: analyzer input per layer, keyed by diff_id and analyzer set, so a\n"
	"re-scan reads no layer it has seen. prune evicts least-recently-used entries down to\n"
	"--max-size (default: --cache-size, else 1G); clear removes every entry.\n"
	"--state FILE, $BULWARK_STATE or ~/.cache/bulwark/state.sqlite: where it lives.\n";

int cmd_cache(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_format format = BW_FORMAT_TABLE;
	long long max_size = -1;
	bw_state *st = NULL;
	bw_cache_stats stats;
	int c, status = 0;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "info") && strcmp(sub, "prune") && strcmp(sub, "clear"))
		return cli_usage("cache: unknown subcommand \"%s\" (info, prune, clear)", sub);
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON)
				return cli_usage("cache info: --format table or json");
			break;
		case 'm':
			if ((max_size = cli_parse_size(optarg)) < 0)
				return cli_usage("cache prune: --max-size: a size such as 512M or 2G, not \"%s\"", optarg);
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: {
			int r = cli_registry_or_usage(c, usage);
			if (r)
				return r;
		}
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (bw_state_open(&st, g_cli.state_path) < 0)
		return cli_fail();
	if (!strcmp(sub, "clear")) {
		status = bw_cache_prune(st, 0) < 0 ? cli_fail() : 0;
	} else if (!strcmp(sub, "prune")) {
		unsigned long long cap = max_size >= 0 ? (unsigned long long)max_size
				       : g_cli.cache_size ? g_cli.cache_size : 1ULL << 30;
		status = bw_cache_prune(st, cap) < 0 ? cli_fail() : 0;
	}
	if (status == 0) {
		if (bw_cache_stats_get(st, &stats) < 0) {
			status = cli_fail();
		} else if (format == BW_FORMAT_JSON) {
			printf("{\"entries\": %llu, \"layers\": %llu, \"images\": %llu, \"bytes\": %llu}\n",
			       (unsigned long long)stats.entries, (unsigned long long)(stats.entries - stats.images),
			       (unsigned long long)stats.images, (unsigned long long)stats.bytes);
		} else {
			printf("cache: %llu entries (%llu layers, %llu image results), %.1f MiB\n",
			       (unsigned long long)stats.entries, (unsigned long long)(stats.entries - stats.images),
			       (unsigned long long)stats.images, (double)stats.bytes / (1 << 20));
		}
	}
	bw_state_close(st);
	return status;
}
