/*
 * `bulwark diff FROM TO [--format table|json] [--db PATH] [-o FILE]`: what a
 * reviewer reads before promoting or rolling back (bulwark/diff.h). Exit 0
 * whatever changed; the summary counts are in the report.
 */
#include <getopt.h>
#include <sys/stat.h>

#include "bulwark/diff.h"
#include "cli.h"

static const char diff_usage[] =
	"usage: bulwark diff FROM TO [--format table|json] [--db PATH] [--platform P] [-o FILE]\n"
	"  Packages added/removed/upgraded/downgraded, vulnerabilities fixed/introduced (with a\n"
	"  database: --db, $BULWARK_DB or the default path when it exists), files added/removed/\n"
	"  changed (content digest, mode, owner), config changes and the layers shared.\n"
	CLI_REGISTRY_USAGE;

/* Opens and scans an image for diff/drift: packages, OS and file digests, through the
 * layer cache (the digests are saved per layer like any analyzer's state). */
int cli_open_for_diff(const char *ref, const char *platform, bw_image **out)
{
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	bw_state *state = NULL;
	opts.platform = platform;
	opts.analyzers = BW_DIFF_ANALYZERS;
	opts.registry = cli_registry();
	*out = NULL;
	if (cli_state_open(&opts, &state) < 0 || bw_image_open(out, ref, &opts) < 0 || bw_image_scan(*out) < 0) {
		bw_image_free(*out);
		*out = NULL;
		bw_state_close(state);
		return -1;
	}
	bw_state_close(state); /* the scan is done: the cache is no longer needed */
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "platform", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_format format = BW_FORMAT_TABLE;
	const char *dbpath = NULL, *outpath = NULL, *platform = g_cli.platform;
	bw_image *a = NULL, *b = NULL;
	bw_vulndb *db = NULL;
	cli_output o = { 0 };
	int c, status = 0;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "hf:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON)
				return cli_usage("diff --format %s: use table or json", optarg);
			break;
		case 'd': dbpath = optarg; break;
		case 'p': platform = optarg; break;
		case 'o': outpath = optarg; break;
		case 'h': fputs(diff_usage, stdout); return 0;
		default:
			if ((status = cli_registry_or_usage(c, diff_usage)) != 0)
				return status;
		}
	}
	if (optind != argc - 2) {
		fputs(diff_usage, stderr);
		return 2;
	}
	if (!dbpath) {
		struct stat st;
		const char *def = bw_vulndb_default_path();
		if (def && stat(def, &st) == 0)
			dbpath = def;
	}
	if (dbpath && bw_vulndb_open(&db, dbpath, BW_VULNDB_READ) < 0)
		return cli_fail();
	if (cli_open_for_diff(argv[optind], platform, &a) < 0 || cli_open_for_diff(argv[optind + 1], platform, &b) < 0) {
		status = cli_fail();
		goto done;
	}
	if ((status = cli_output_open(&o, outpath)) != 0)
		goto done;
	if (bw_diff_report(o.f, a, b, db, format, NULL) < 0) {
		cli_output_close(&o, false);
		status = cli_fail();
		goto done;
	}
	status = cli_output_close(&o, true);
done:
	bw_image_free(a);
	bw_image_free(b);
	if (db)
		bw_vulndb_close(db);
	return status;
}
