/* `bulwark db import|info`: the local vulnerability database. */
#include <getopt.h>
#include <string.h>

#include "bulwark/report.h"
#include "bulwark/vulndb.h"
#include "cli.h"

static const char usage[] =
	"usage: bulwark db import PATH... [--db FILE] [--source NAME]\n"
	"       bulwark db info [--db FILE] [--format table|json]\n"
	"       bulwark db update [--db FILE] [--mirror DIR] [--feeds FILE] [--only NAME,...] [--list]\n"
	"\n"
	"PATH: an OSV tree, .tar.gz or .zip (JSON or YAML records), one OSV file or {\"vulns\":[...]},\n"
	"      the Debian tracker JSON export, a DSA/DLA list, an Alpine/Wolfi secdb JSON or YAML.\n"
	"FILE: default $BULWARK_DB, else ~/.cache/bulwark/vulndb.sqlite.\n";

static int db_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *source = NULL;
	bw_vulndb *db = NULL;
	int c, status = 0;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 's': source = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind >= argc)
		return cli_usage("db import: no PATH given");
	if (source && argc - optind > 1)
		return cli_usage("db import: --source names one source; give one PATH with it");
	if (bw_vulndb_open(&db, path, BW_VULNDB_WRITE) < 0)
		return cli_fail();
	for (int i = optind; i < argc; i++) {
		bw_vulndb_import_result r;
		if (bw_vulndb_import(db, argv[i], source, &r) < 0) {
			status = cli_fail();
			break;
		}
		if (!g_cli.quiet)
			fprintf(stderr, "imported %s: source %s (%s), %llu advisories, %llu skipped, %llu not applicable\n",
				argv[i], r.source, r.format, (unsigned long long)r.records,
				(unsigned long long)r.skipped, (unsigned long long)r.ignored);
		if (r.skipped)
			fprintf(stderr, "bulwark: warning: %s: %llu malformed records skipped; first: %s\n", argv[i],
				(unsigned long long)r.skipped, r.first_skip);
	}
	bw_vulndb_close(db);
	return status;
}

static int db_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bw_format format = BW_FORMAT_TABLE;
	bw_vulndb *db = NULL;
	int c;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'f':
			if (!strcmp(optarg, "json"))
				format = BW_FORMAT_JSON;
			else if (strcmp(optarg, "table"))
				return cli_usage("db info: unknown format \"%s\" (table or json)", optarg);
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc)
		return cli_usage("db info: unexpected argument \"%s\"", argv[optind]);
	if (!path)
		path = bw_vulndb_default_path();
	int rc = bw_vulndb_open(&db, path, BW_VULNDB_READ);
	if (rc == 0)
		rc = bw_report_db_info(stdout, db, path, format);
	bw_vulndb_close(db);
	return rc < 0 ? cli_fail() : 0;
}

static int print_update(const bw_vulndb_update_event *ev, void *ctx)
{
	(void)ctx;
	if (ev->error)
		fprintf(stderr, "bulwark: warning: %s\n", ev->error);
	else if (g_cli.quiet)
		return 0;
	else if (ev->skipped)
		fprintf(stderr, "%-24s not in the mirror, skipped\n", ev->feed->name);
	else if (ev->unchanged)
		fprintf(stderr, "%-24s unchanged since the last update\n", ev->feed->name);
	else
		fprintf(stderr, "%-24s %llu advisories (%llu skipped)\n", ev->feed->name,
			(unsigned long long)ev->result.records, (unsigned long long)ev->result.skipped);
	return 0;
}

static int db_update(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "only", required_argument, NULL, 'O' },
		{ "list", no_argument, NULL, 'l' },
		{ "feeds", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_vulndb_update_options o = { .offline = g_cli.offline };
	const char *path = NULL, *only = NULL, *feeds_file = NULL;
	bool list = false;
	bw_vulndb *db = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'm': o.mirror = optarg; break;
		case 'O': only = optarg; break;
		case 'l': list = true; break;
		case 'F': feeds_file = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: {
			int st = cli_registry_or_usage(c, usage);
			if (st)
				return st;
			break;
		}
		}
	}
	if (optind != argc)
		return cli_usage("db update: unexpected argument \"%s\"", argv[optind]);
	o.offline = o.offline || g_cli.offline;
	size_t n_all;
	const bw_vulndb_feed *all = bw_vulndb_default_feeds(&n_all);
	bw_vulndb_feeds *custom = NULL;
	if (feeds_file) {
		if (bw_vulndb_feeds_load(feeds_file, &custom) < 0)
			return cli_fail();
		all = bw_vulndb_feeds_list(custom, &n_all);
		o.feeds = all;
		o.n_feeds = n_all;
	}
	bw_vulndb_feed chosen[64];
	if (only) {
		size_t n = 0;
		for (size_t i = 0; i < n_all && n < 64; i++) {
			size_t len = strlen(all[i].name);
			for (const char *p = only; *p;) {
				size_t w = strcspn(p, ",");
				if (w == len && !strncmp(p, all[i].name, len)) {
					chosen[n++] = all[i];
					break;
				}
				p += w + (p[w] == ',');
			}
		}
		if (n == 0) {
			bw_vulndb_feeds_free(custom);
			return cli_usage("db update: --only names no known feed (see db update --list)");
		}
		o.feeds = chosen;
		o.n_feeds = n;
	}
	if (list) {
		for (size_t i = 0; i < n_all; i++)
			printf("%-24s %s\n", all[i].name, all[i].url);
		bw_vulndb_feeds_free(custom);
		return 0;
	}
	int rc = bw_vulndb_open(&db, path, BW_VULNDB_WRITE);
	if (rc == 0)
		rc = bw_vulndb_update(db, &o, print_update, NULL);
	bw_vulndb_close(db);
	bw_vulndb_feeds_free(custom);
	return rc < 0 ? cli_fail() : 0;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "import"))
		return db_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return db_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "update"))
		return db_update(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	return cli_usage("db: unknown subcommand \"%s\" (import, info, update)", argv[1]);
}
