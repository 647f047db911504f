/* `bulwark db import|info`: the local vulnerability database. */
#include <getopt.h>
#include <string.h>

#include "bulwark/vulndb.h"
#include "cli.h"

static const char usage[] =
	"usage: bulwark db import PATH... [--db FILE] [--source NAME]\n"
	"       bulwark db info [--db FILE] [--format table|json]\n"
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

typedef struct info_ctx {
	FILE *out;
	bool json;
	int n;
} info_ctx;

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static int print_source(const bw_vulndb_source_info *s, void *p)
{
	info_ctx *c = p;
	if (c->json) {
		fputs(c->n ? ",\n    {" : "\n    {", c->out);
		fputs("\"name\": ", c->out); json_str(c->out, s->name);
		fputs(", \"format\": ", c->out); json_str(c->out, s->format);
		fputs(", \"location\": ", c->out); json_str(c->out, s->location);
		fputs(", \"imported_at\": ", c->out); json_str(c->out, s->imported_at);
		fprintf(c->out, ", \"records\": %llu, \"skipped\": %llu, \"affected\": %llu}",
			(unsigned long long)s->records, (unsigned long long)s->skipped,
			(unsigned long long)s->affected);
	} else {
		fprintf(c->out, "%-44s %-20s %9llu %9llu %8llu  %s\n", s->name, s->format,
			(unsigned long long)s->records, (unsigned long long)s->affected,
			(unsigned long long)s->skipped, s->imported_at);
	}
	c->n++;
	return 0;
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
	info_ctx ctx = { .out = stdout };
	bw_vulndb *db = NULL;
	uint64_t advisories, affected;
	int c, schema;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'f':
			if (!strcmp(optarg, "json"))
				ctx.json = true;
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
	if (bw_vulndb_open(&db, path, BW_VULNDB_READ) < 0 || bw_vulndb_stats(db, &schema, &advisories, &affected) < 0) {
		bw_vulndb_close(db);
		return cli_fail();
	}
	if (ctx.json) {
		fputs("{\"path\": ", stdout);
		json_str(stdout, path);
		printf(", \"schema\": %d, \"advisories\": %llu, \"affected\": %llu, \"sources\": [", schema,
		       (unsigned long long)advisories, (unsigned long long)affected);
	} else {
		printf("database  %s\nschema    %d\nrecords   %llu advisories, %llu affected packages\n\n", path,
		       schema, (unsigned long long)advisories, (unsigned long long)affected);
		printf("%-44s %-20s %9s %9s %8s  %s\n", "SOURCE", "FORMAT", "RECORDS", "AFFECTED", "SKIPPED",
		       "IMPORTED");
	}
	int rc = bw_vulndb_each_source(db, print_source, &ctx);
	if (ctx.json)
		fputs(ctx.n ? "\n  ]}\n" : "]}\n", stdout);
	bw_vulndb_close(db);
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
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	return cli_usage("db: unknown subcommand \"%s\" (import, info)", argv[1]);
}
