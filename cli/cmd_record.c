/*
 * `bulwark record approve IMAGE --as NAME [--note TEXT] [--db PATH]`,
 * `record list NAME`, `record rollback NAME [--pin FILE]...`: the history of
 * approved digests per deployment name (bulwark/records.h). rollback prints
 * the previous known-good digest and, with --pin, rewrites the references of
 * that image's repository in the files to it (bulwark/pin.h, atomically).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/pin.h"
#include "bulwark/records.h"
#include "bulwark/scan.h"
#include "cli.h"
#include "util/buf.h"

static const char record_usage[] =
	"usage: bulwark record approve IMAGE --as NAME [--note TEXT] [--db PATH] [--store PATH]\n"
	"       bulwark record list NAME [--format table|json] [--store PATH]\n"
	"       bulwark record rollback NAME [--pin FILE]... [--store PATH]\n"
	"  approve: records IMAGE's digest (the index digest of a multi-platform image) as known-good\n"
	"           for NAME, with who, when and, with --db, the vulnerability counts by severity.\n"
	"  rollback: prints the newest approved digest of NAME that differs from the latest one;\n"
	"           --pin rewrites that repository's references in FILE to it.\n"
	"  --store: default $BULWARK_RECORDS, else records.sqlite beside the vulnerability database.\n"
	CLI_REGISTRY_USAGE;

#define MAX_PIN_FILES 64

/* "host/repo:tag@sha256:..." -> "host/repo" (into out). */
static void repository_of(const char *ref, char *out, size_t cap)
{
	if (!strncmp(ref, "docker://", 9))
		ref += 9;
	size_t n = strcspn(ref, "@");
	const char *slash = memrchr(ref, '/', n), *colon = memrchr(ref, ':', n);
	if (colon && (!slash || colon > slash))
		n = (size_t)(colon - ref);
	snprintf(out, cap, "%.*s", (int)n, ref);
}

static int approve(const char *image, const char *name, const char *note, const char *dbpath, const char *store,
		   const char *platform)
{
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	bw_image *img = NULL;
	bw_vulndb *db = NULL;
	bw_vulns *vulns = NULL;
	bw_records *r = NULL;
	char verdict[256], reference[1024];
	int status = 0;
	int64_t id;

	opts.platform = platform;
	opts.registry = cli_registry();
	opts.analyzers = BW_ANALYZE_OS | BW_ANALYZE_PACKAGES;
	if (dbpath && bw_vulndb_open(&db, dbpath, BW_VULNDB_READ) < 0)
		return cli_fail();
	if (bw_image_open(&img, image, &opts) < 0)
		goto fail;
	const bw_image_info *in = bw_image_get_info(img);
	const char *digest = in->index_digest ? in->index_digest : in->manifest_digest;
	if (!digest) {
		bw_error_set(BW_EINPUT, "%s: has no manifest digest to approve (a docker-archive has none; push it first)", image);
		goto fail;
	}
	bw_record rec = { .name = name, .digest = digest, .note = note };
	snprintf(reference, sizeof(reference), "%.*s", (int)strcspn(image, "@"), image);
	rec.reference = reference;
	if (db) {
		size_t counts[5] = { 0 };
		static const char *const sev[5] = { "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN" };
		bw_vuln_options vo = { 0 };
		if (bw_image_scan(img) < 0 || bw_vulns_match(&vulns, img, db, &vo) < 0)
			goto fail;
		for (size_t i = 0; i < bw_vulns_count(vulns); i++) {
			const bw_vuln *v = bw_vulns_at(vulns, i);
			if (v->suppressed_by)
				continue;
			size_t k = 4;
			for (size_t s = 0; s < 4; s++)
				if (v->severity && !strcmp(v->severity, sev[s]))
					k = s;
			counts[k]++;
		}
		snprintf(verdict, sizeof(verdict),
			 "{\"CRITICAL\": %zu, \"HIGH\": %zu, \"MEDIUM\": %zu, \"LOW\": %zu, \"UNKNOWN\": %zu}", counts[0],
			 counts[1], counts[2], counts[3], counts[4]);
		rec.verdict = verdict;
	}
	if (bw_records_open(&r, store, true) < 0 || bw_records_approve(r, &rec, &id) < 0)
		goto fail;
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: approved %s as %s (record %lld)%s%s\n", digest, name, (long long)id,
			rec.verdict ? ": " : "", rec.verdict ? rec.verdict : "");
	printf("%s\n", digest);
	goto done;
fail:
	status = cli_fail();
done:
	bw_records_close(r);
	bw_vulns_free(vulns);
	bw_image_free(img);
	if (db)
		bw_vulndb_close(db);
	return status;
}

typedef struct list_ctx {
	bw_format format;
	size_t n;
} list_ctx;

static void json_str(const char *s)
{
	if (!s) {
		printf("null");
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int print_record(const bw_record *rec, void *arg)
{
	list_ctx *x = arg;
	if (x->format == BW_FORMAT_JSON) {
		printf("%s\n    {\"id\": %lld, \"name\": ", x->n ? "," : "", (long long)rec->id);
		json_str(rec->name);
		printf(", \"digest\": ");
		json_str(rec->digest);
		printf(", \"reference\": ");
		json_str(rec->reference);
		printf(", \"who\": ");
		json_str(rec->who);
		printf(", \"when\": ");
		json_str(rec->when);
		/* the verdict was written by approve as a JSON object */
		printf(", \"verdict\": %s, \"note\": ", rec->verdict && rec->verdict[0] == '{' ? rec->verdict : "null");
		json_str(rec->note);
		printf("}");
	} else {
		if (x->n == 0)
			printf("%-20s %-12s %-71s %s\n", "WHEN", "WHO", "DIGEST", "VERDICT / NOTE");
		printf("%-20s %-12s %-71s %s%s%s\n", rec->when, rec->who, rec->digest, rec->verdict ? rec->verdict : "-",
		       rec->note ? "  " : "", rec->note ? rec->note : "");
	}
	x->n++;
	return 0;
}

typedef struct pin_ctx {
	const char *path;
	const char *repository;
	const char *digest;
	const char *reference;  /* the approved reference: what the rewritten ones become */
	bw_pin_edit edits[256];
	char *texts[256];
	size_t n;
} pin_ctx;

static int collect_edit(const bw_pin_ref *ref, void *arg)
{
	pin_ctx *p = arg;
	char repo[1024], bare[1024];
	if (ref->variable)
		return 0;
	repository_of(ref->reference, repo, sizeof(repo));
	if (strcmp(repo, p->repository) != 0)
		return 0;
	if (!ref->in_place)
		return bw_error_set(BW_EINPUT, "%s:%zu: %s cannot be rewritten in place", p->path, ref->line, ref->reference);
	if (p->n >= sizeof(p->edits) / sizeof(p->edits[0]))
		return bw_error_set(BW_EINPUT, "%s: too many references to rewrite", p->path);
	/* the approved tag comes back with its digest: repo:v1@<v1's digest>, never repo:v2@<v1's digest> */
	const char *approved = !strncmp(p->reference, "docker://", 9) ? p->reference + 9 : p->reference;
	snprintf(bare, sizeof(bare), "%.*s", (int)strcspn(approved, "@"), approved);
	size_t cap = strlen(bare) + BW_PIN_DIGEST_MAX + 16;
	if (!(p->texts[p->n] = malloc(cap)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (bw_pin_pinned_text(bare, p->digest, p->texts[p->n], cap) < 0)
		return -1;
	p->edits[p->n] = (bw_pin_edit){ ref->start, ref->end, p->texts[p->n] };
	p->n++;
	return 0;
}

typedef struct target {
	char digest[BW_PIN_DIGEST_MAX];
	char reference[BW_RECORD_MAX_TEXT + 1];
} target;

static int keep_target(const bw_record *rec, void *arg)
{
	target *t = arg;
	snprintf(t->digest, sizeof(t->digest), "%s", rec->digest);
	snprintf(t->reference, sizeof(t->reference), "%s", rec->reference);
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: previous known-good of %s: %s (%s, approved by %s at %s)\n", rec->name,
			rec->digest, rec->reference, rec->who, rec->when);
	return 0;
}

static int rollback(const char *name, const char *store, char **pins, size_t n_pins)
{
	bw_records *r = NULL;
	target t;
	char repo[1024];
	int status = 0;
	pin_ctx *ctx = calloc(n_pins ? n_pins : 1, sizeof(*ctx));
	bw_buf *texts = calloc(n_pins ? n_pins : 1, sizeof(*texts));
	char **outs = calloc(n_pins ? n_pins : 1, sizeof(*outs));
	size_t *lens = calloc(n_pins ? n_pins : 1, sizeof(*lens));

	if (!ctx || !texts || !outs || !lens) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	if (bw_records_open(&r, store, false) < 0 || bw_records_previous(r, name, keep_target, &t) < 0)
		goto fail;
	repository_of(t.reference, repo, sizeof(repo));
	/* every file rewritten in memory before any is replaced */
	for (size_t i = 0; i < n_pins; i++) {
		texts[i] = (bw_buf)BW_BUF_INIT(BW_PIN_MAX_FILE_BYTES);
		ctx[i].path = pins[i];
		ctx[i].repository = repo;
		ctx[i].digest = t.digest;
		ctx[i].reference = t.reference;
		if (bw_buf_read_file(&texts[i], pins[i], BW_EINPUT, "a file to pin") < 0 ||
		    bw_pin_find(pins[i], texts[i].data ? (const char *)texts[i].data : "", texts[i].len, BW_PIN_AUTO,
				collect_edit, &ctx[i]) < 0 ||
		    bw_pin_apply(pins[i], texts[i].data ? (const char *)texts[i].data : "", texts[i].len, ctx[i].edits,
				 ctx[i].n, &outs[i], &lens[i]) < 0)
			goto fail;
		if (ctx[i].n == 0)
			fprintf(stderr, "bulwark: warning: %s: no reference to %s\n", pins[i], repo);
	}
	for (size_t i = 0; i < n_pins; i++) {
		if (ctx[i].n && bw_pin_write_file(pins[i], outs[i], lens[i]) < 0)
			goto fail;
		if (ctx[i].n && !g_cli.quiet)
			fprintf(stderr, "bulwark: %s: %zu reference%s pinned to %s\n", pins[i], ctx[i].n,
				ctx[i].n == 1 ? "" : "s", t.digest);
	}
	printf("%s\n", t.digest);
	goto done;
fail:
	status = cli_fail();
done:
	for (size_t i = 0; ctx && i < n_pins; i++) {
		for (size_t k = 0; k < ctx[i].n; k++)
			free(ctx[i].texts[k]);
		bw_buf_free(&texts[i]);
		free(outs[i]);
	}
	free(ctx);
	free(texts);
	free(outs);
	free(lens);
	bw_records_close(r);
	return status;
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "note", required_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'd' },
		{ "store", required_argument, NULL, 's' },
		{ "pin", required_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'f' },
		{ "platform", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *note = NULL, *dbpath = NULL, *store = NULL, *platform = g_cli.platform;
	char *pins[MAX_PIN_FILES];
	size_t n_pins = 0;
	list_ctx x = { BW_FORMAT_TABLE, 0 };
	int c, status;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "hf:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': name = optarg; break;
		case 'n': note = optarg; break;
		case 'd': dbpath = optarg; break;
		case 's': store = optarg; break;
		case 'p': platform = optarg; break;
		case 'P':
			if (n_pins >= MAX_PIN_FILES)
				return cli_usage("record rollback: at most %d --pin files", MAX_PIN_FILES);
			pins[n_pins++] = optarg;
			break;
		case 'f':
			if (bw_format_parse(optarg, &x.format) < 0)
				return cli_fail();
			if (x.format != BW_FORMAT_TABLE && x.format != BW_FORMAT_JSON)
				return cli_usage("record --format %s: use table or json", optarg);
			break;
		case 'h': fputs(record_usage, stdout); return 0;
		default:
			if ((status = cli_registry_or_usage(c, record_usage)) != 0)
				return status;
		}
	}
	if (optind >= argc) {
		fputs(record_usage, stderr);
		return 2;
	}
	const char *sub = argv[optind];
	if (!store)
		store = bw_records_default_path();
	if (!strcmp(sub, "approve")) {
		if (optind + 2 != argc || !name)
			return cli_usage("usage: bulwark record approve IMAGE --as NAME [--note TEXT] [--db PATH]");
		return approve(argv[optind + 1], name, note, dbpath, store, platform);
	}
	if (!strcmp(sub, "list")) {
		bw_records *r = NULL;
		if (optind + 2 != argc)
			return cli_usage("usage: bulwark record list NAME [--format table|json]");
		if (bw_records_open(&r, store, false) < 0)
			return cli_fail();
		if (x.format == BW_FORMAT_JSON)
			printf("{\"records\": [");
		status = bw_records_list(r, argv[optind + 1], print_record, &x) < 0 ? cli_fail() : 0;
		if (x.format == BW_FORMAT_JSON)
			printf("%s]}\n", x.n ? "\n  " : "");
		else if (!status && x.n == 0)
			fprintf(stderr, "bulwark: no approvals recorded for %s\n", argv[optind + 1]);
		bw_records_close(r);
		return status;
	}
	if (!strcmp(sub, "rollback")) {
		if (optind + 2 != argc)
			return cli_usage("usage: bulwark record rollback NAME [--pin FILE]...");
		return rollback(argv[optind + 1], store, pins, n_pins);
	}
	return cli_usage("record: unknown subcommand \"%s\" (approve, list, rollback)", sub);
}
