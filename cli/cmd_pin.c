/*
 * `bulwark pin FILE... [--write] [--check] [--platform P]`: image references
 * in Kubernetes / Helm-rendered / compose YAML and Dockerfiles pinned to
 * digests (bulwark/pin.h). Prints a unified diff, or rewrites the files in
 * place; --check only reports references without a digest (exit 1: a CI gate).
 * Every file is read and every tag resolved before any file is written.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bulwark/pin.h"
#include "cli.h"
#include "util/buf.h"

static const char pin_usage[] =
	"usage: bulwark pin FILE... [--write] [--check] [--platform os/arch[/variant]]\n"
	"  FILE: Kubernetes or Helm-rendered YAML (multi-document), docker-compose YAML, or a\n"
	"        Dockerfile/Containerfile (by name). Tags are resolved through the registry to the\n"
	"        digest they name now: the index digest, or with --platform that platform's\n"
	"        manifest digest. Default: print a unified diff. --write: rewrite the files in place\n"
	"        as REPO:TAG@DIGEST. --check: list references without a digest, exit 1 if any.\n"
	CLI_REGISTRY_USAGE;

#define MAX_FILE_REFS 10000

typedef struct found {
	char *reference;
	size_t start, end, line;
	const char *where;
	bool pinned, in_place, variable;
} found;

typedef struct pin_file {
	const char *path;
	bw_buf text;
	found *refs;
	size_t n_refs;
	char *new_text;
	size_t new_len;
	size_t n_pinned_now;
} pin_file;

typedef struct resolved {
	char *reference, *digest;
	bool is_index;
} resolved;

static resolved *cache;
static size_t n_cache;

static int collect(const bw_pin_ref *r, void *arg)
{
	pin_file *f = arg;
	if (f->n_refs >= MAX_FILE_REFS)
		return bw_error_set(BW_EINPUT, "%s: more than %d image references", f->path, MAX_FILE_REFS);
	found *grown = realloc(f->refs, (f->n_refs + 1) * sizeof(*grown));
	if (!grown)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	f->refs = grown;
	found *x = &f->refs[f->n_refs];
	if (!(x->reference = strdup(r->reference)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	x->start = r->start;
	x->end = r->end;
	x->line = r->line;
	x->where = r->where;
	x->pinned = r->pinned;
	x->in_place = r->in_place;
	x->variable = r->variable;
	f->n_refs++;
	return 0;
}

static int resolve_cached(const char *ref, const char *platform, const resolved **out)
{
	for (size_t i = 0; i < n_cache; i++)
		if (!strcmp(cache[i].reference, ref)) {
			*out = &cache[i];
			return 0;
		}
	char digest[BW_PIN_DIGEST_MAX];
	bool is_index;
	int rc = bw_pin_resolve(ref, platform, cli_registry(), digest, &is_index);
	if (rc < 0)
		return rc;
	resolved *grown = realloc(cache, (n_cache + 1) * sizeof(*grown));
	if (!grown)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	cache = grown;
	cache[n_cache].reference = strdup(ref);
	cache[n_cache].digest = strdup(digest);
	cache[n_cache].is_index = is_index;
	if (!cache[n_cache].reference || !cache[n_cache].digest)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*out = &cache[n_cache++];
	return 0;
}

static int pin_one(pin_file *f, const char *platform)
{
	bw_pin_edit *edits = calloc(f->n_refs ? f->n_refs : 1, sizeof(*edits));
	char **texts = calloc(f->n_refs ? f->n_refs : 1, sizeof(*texts));
	size_t n = 0;
	int rc = 0;

	if (!edits || !texts) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < f->n_refs; i++) {
		found *x = &f->refs[i];
		const resolved *r = NULL;
		if (x->pinned)
			continue;
		if (x->variable) {
			fprintf(stderr, "bulwark: warning: %s:%zu: %s uses a variable; not pinned\n", f->path,
				x->line, x->reference);
			continue;
		}
		if ((rc = resolve_cached(x->reference, platform, &r)) < 0) {
			bw_error_prefix("%s:%zu", f->path, x->line);
			goto done;
		}
		if (!x->in_place) {
			fprintf(stderr, "bulwark: warning: %s:%zu: %s is written with escapes or folding; "
				"not rewritten in place (pin it to %s by hand)\n", f->path, x->line, x->reference, r->digest);
			continue;
		}
		if (!(texts[n] = malloc(BW_PIN_DIGEST_MAX + strlen(x->reference) + 16))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if ((rc = bw_pin_pinned_text(x->reference, r->digest, texts[n],
					     BW_PIN_DIGEST_MAX + strlen(x->reference) + 16)) < 0)
			goto done;
		edits[n].start = x->start;
		edits[n].end = x->end;
		edits[n].text = texts[n];
		n++;
		if (!g_cli.quiet)
			fprintf(stderr, "bulwark: %s:%zu: %s -> %s (%s)\n", f->path, x->line, x->reference, r->digest,
				platform ? platform : r->is_index ? "index digest" : "manifest digest, single-platform image");
	}
	f->n_pinned_now = n;
	rc = bw_pin_apply(f->path, f->text.data, f->text.len, edits, n, &f->new_text, &f->new_len);
done:
	for (size_t i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
	free(edits);
	return rc;
}

int cmd_pin(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "write", no_argument, NULL, 'w' },
		{ "check", no_argument, NULL, 'c' },
		{ "platform", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *platform = g_cli.platform;
	bool write = false, check = false;
	pin_file *files = NULL;
	size_t n_files = 0, unpinned = 0;
	int c, status = 0;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "hwc", longopts, NULL)) != -1) {
		switch (c) {
		case 'w': write = true; break;
		case 'c': check = true; break;
		case 'p': platform = optarg; break;
		case 'h': fputs(pin_usage, stdout); return 0;
		default:
			if ((status = cli_registry_or_usage(c, pin_usage)) != 0)
				return status;
		}
	}
	if (optind >= argc) {
		fputs(pin_usage, stderr);
		return 2;
	}
	if (write && check)
		return cli_usage("pin: --write and --check do not go together");
	n_files = (size_t)(argc - optind);
	if (!(files = calloc(n_files, sizeof(*files)))) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		return cli_fail();
	}
	for (size_t i = 0; i < n_files; i++) {
		pin_file *f = &files[i];
		f->path = argv[optind + (int)i];
		f->text = (bw_buf)BW_BUF_INIT(BW_PIN_MAX_FILE_BYTES);
		if (bw_buf_read_file(&f->text, f->path, BW_EINPUT, "a file to pin") < 0 ||
		    bw_pin_find(f->path, f->text.data ? (const char *)f->text.data : "", f->text.len, BW_PIN_AUTO,
				collect, f) < 0) {
			status = cli_fail();
			goto done;
		}
	}
	if (check) {
		size_t total = 0;
		for (size_t i = 0; i < n_files; i++)
			total += files[i].n_refs;
		for (size_t i = 0; i < n_files; i++)
			for (size_t k = 0; k < files[i].n_refs; k++) {
				found *x = &files[i].refs[k];
				if (x->pinned)
					continue;
				unpinned++;
				printf("%s:%zu: %s: %s\n", files[i].path, x->line, x->reference,
				       x->variable ? "uses a variable, cannot be checked" : "not pinned to a digest");
			}
		if (!g_cli.quiet)
			fprintf(stderr, "bulwark: %zu of %zu image references not pinned\n", unpinned, total);
		status = unpinned ? 1 : 0;
		goto done;
	}
	/* every file must be replaceable before any is replaced */
	for (size_t i = 0; write && i < n_files; i++) {
		struct stat st;
		if (lstat(files[i].path, &st) < 0 || !S_ISREG(st.st_mode)) {
			bw_error_set(BW_EINPUT, "%s: not a regular file (a symlink is not rewritten)", files[i].path);
			status = cli_fail();
			goto done;
		}
	}
	for (size_t i = 0; i < n_files; i++)
		if (pin_one(&files[i], platform) < 0) {
			status = cli_fail();
			goto done;
		}
	for (size_t i = 0; i < n_files; i++) {
		pin_file *f = &files[i];
		if (write) {
			if (f->n_pinned_now && bw_pin_write_file(f->path, f->new_text, f->new_len) < 0) {
				status = cli_fail();
				goto done;
			}
			if (!g_cli.quiet)
				fprintf(stderr, "bulwark: %s: %zu reference%s pinned\n", f->path, f->n_pinned_now,
					f->n_pinned_now == 1 ? "" : "s");
			continue;
		}
		char *diff;
		size_t dlen;
		if (bw_pin_unified_diff(f->path, (const char *)(f->text.data ? (const char *)f->text.data : ""), f->text.len,
					f->new_text, f->new_len, &diff, &dlen) < 0) {
			status = cli_fail();
			goto done;
		}
		fwrite(diff, 1, dlen, stdout);
		free(diff);
	}
done:
	for (size_t i = 0; i < n_files; i++) {
		for (size_t k = 0; k < files[i].n_refs; k++)
			free(files[i].refs[k].reference);
		free(files[i].refs);
		free(files[i].new_text);
		bw_buf_free(&files[i].text);
	}
	free(files);
	for (size_t i = 0; i < n_cache; i++) {
		free(cache[i].reference);
		free(cache[i].digest);
	}
	free(cache);
	cache = NULL;
	n_cache = 0;
	return status;
}
