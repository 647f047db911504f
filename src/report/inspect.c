/*
 * report/inspect.c: the `inspect` document, as JSON (DESIGN.md §6: schema,
 * tool, artifact, and files / deleted on request) and as a table.
 * The JSON is streamed: a file list of any length costs no memory here.
 */
#include <inttypes.h>
#include <string.h>

#include "bulwark/bulwark.h"
#include "util/jsonw.h"
#include "util/redact.h"
#include "report/report_int.h"

int bw_format_parse(const char *name, bw_format *out)
{
	if (!strcmp(name, "table"))
		*out = BW_FORMAT_TABLE;
	else if (!strcmp(name, "json"))
		*out = BW_FORMAT_JSON;
	else if (!strcmp(name, "cyclonedx") || !strcmp(name, "cyclonedx-json"))
		*out = BW_FORMAT_CYCLONEDX;
	else if (!strcmp(name, "spdx") || !strcmp(name, "spdx-json"))
		*out = BW_FORMAT_SPDX;
	else if (!strcmp(name, "sarif"))
		*out = BW_FORMAT_SARIF;
	else if (!strcmp(name, "junit"))
		*out = BW_FORMAT_JUNIT;
	else if (!strcmp(name, "html"))
		*out = BW_FORMAT_HTML;
	else
		return bw_error_set(BW_EUSAGE, "unknown format \"%s\" (table, json, cyclonedx, spdx, sarif, junit, html)",
				    name);
	return 0;
}

static const char *type_name(char t)
{
	switch (t) {
	case 'f': return "file";
	case 'd': return "dir";
	case 'l': return "symlink";
	case 'h': return "hardlink";
	case 'c': return "char";
	case 'b': return "block";
	case 'p': return "fifo";
	case 's': return "socket";
	}
	return "unknown";
}

static void mode_text(uint32_t mode, char out[8])
{
	snprintf(out, 8, "%04o", mode & 07777);
}

static void jw_strings(bw_jsonw *w, const char *key, const char *const *v, size_t n)
{
	bw_jw_key(w, key);
	bw_jw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		bw_jw_string(w, v[i]);
	bw_jw_array_end(w);
}

typedef struct list_ctx {
	bw_jsonw *w;
	FILE *out;
	const bw_image_info *info;
} list_ctx;

static const char *layer_id(const bw_image_info *in, size_t layer)
{
	return layer < in->n_layers ? in->layers[layer].diff_id : NULL;
}

static int json_file(const bw_file_info *f, void *arg)
{
	list_ctx *c = arg;
	char mode[8];
	mode_text(f->mode, mode);
	bw_jw_object_begin(c->w);
	bw_jw_kv_string(c->w, "path", f->path);
	bw_jw_kv_string(c->w, "type", type_name(f->type));
	bw_jw_kv_string(c->w, "mode", mode);
	bw_jw_kv_uint(c->w, "uid", f->uid);
	bw_jw_kv_uint(c->w, "gid", f->gid);
	bw_jw_kv_uint(c->w, "size", f->size);
	if (f->link)
		bw_jw_kv_string(c->w, "link", f->link);
	bw_jw_kv_string(c->w, "layer", layer_id(c->info, f->layer));
	bw_jw_kv_uint(c->w, "layer_index", f->layer + 1);
	bw_jw_object_end(c->w);
	return 0;
}

static int json_deleted(const bw_deleted_info *d, void *arg)
{
	list_ctx *c = arg;
	bw_jw_object_begin(c->w);
	bw_jw_kv_string(c->w, "path", d->path);
	bw_jw_kv_string(c->w, "layer", layer_id(c->info, d->layer));
	bw_jw_kv_uint(c->w, "layer_index", d->layer + 1);
	bw_jw_kv_uint(c->w, "from_layer_index", d->from_layer + 1);
	bw_jw_object_end(c->w);
	return 0;
}

/* The members every report starts with: schema, tool, artifact (DESIGN.md §6). */
void bw_report__json_head(bw_jsonw *w, const bw_image *img)
{
	const bw_image_info *in = bw_image_get_info(img);
	char platform[128];

	bw_jw_kv_uint(w, "schema", 1);
	bw_jw_key(w, "tool");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "name", "bulwark");
	bw_jw_kv_string(w, "version", bw_version());
	bw_jw_object_end(w);

	bw_jw_key(w, "artifact");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "reference", in->reference);
	bw_jw_kv_string(w, "transport", in->transport);
	bw_jw_kv_string(w, "manifest_digest", in->manifest_digest);
	bw_jw_kv_string(w, "manifest_media_type", in->manifest_media_type);
	if (in->index_digest)
		bw_jw_kv_string(w, "index_digest", in->index_digest);
	bw_jw_kv_string(w, "config_digest", in->config_digest);
	if (in->os && in->architecture) {
		if (in->variant)
			snprintf(platform, sizeof(platform), "%s/%s/%s", in->os, in->architecture, in->variant);
		else
			snprintf(platform, sizeof(platform), "%s/%s", in->os, in->architecture);
		bw_jw_kv_string(w, "platform", platform);
	} else {
		bw_jw_kv_string(w, "platform", NULL);
	}
	bw_jw_kv_string(w, "created", in->created);
	bw_jw_key(w, "os");
	if (in->os_family) {
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "family", in->os_family);
		bw_jw_kv_string(w, "version", in->os_version);
		if (in->os_codename)
			bw_jw_kv_string(w, "codename", in->os_codename);
		if (in->os_pretty_name)
			bw_jw_kv_string(w, "name", in->os_pretty_name);
		bw_jw_object_end(w);
	} else {
		bw_jw_null(w);
	}
	if (in->n_repo_tags)
		jw_strings(w, "repo_tags", in->repo_tags, in->n_repo_tags);
	if (in->base_name || in->base_annotation_name || in->base_annotation_digest) {
		/* docs/base-images.md: the recorded chain that prefixes this image, and
		 * what the manifest's annotations claim (unverified by themselves) */
		bw_jw_key(w, "base");
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "name", in->base_name);
		bw_jw_kv_uint(w, "layers", in->base_layers);
		if (in->base_annotation_name)
			bw_jw_kv_string(w, "annotation_name", in->base_annotation_name);
		if (in->base_annotation_digest)
			bw_jw_kv_string(w, "annotation_digest", in->base_annotation_digest);
		bw_jw_object_end(w);
	}

	bw_jw_key(w, "config");
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "user", in->user ? in->user : "");
	bw_jw_key(w, "env");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < in->n_env; i++) {
		char masked[8192];
		bw_redact(in->env[i], true, masked, sizeof(masked));
		bw_jw_string(w, masked);
	}
	bw_jw_array_end(w);
	jw_strings(w, "entrypoint", in->entrypoint, in->n_entrypoint);
	jw_strings(w, "cmd", in->cmd, in->n_cmd);
	bw_jw_key(w, "labels");
	bw_jw_object_begin(w);
	for (size_t i = 0; i < in->n_labels; i++) {
		char masked[8192];
		snprintf(masked, sizeof(masked), "%s", in->label_values[i]);
		if (bw_secret_name(in->label_keys[i], strlen(in->label_keys[i])))
			bw_mask_value(masked, strlen(masked));
		bw_jw_kv_string(w, in->label_keys[i], masked);
	}
	bw_jw_object_end(w);
	jw_strings(w, "exposed_ports", in->exposed_ports, in->n_exposed_ports);
	jw_strings(w, "volumes", in->volumes, in->n_volumes);
	bw_jw_kv_string(w, "working_dir", in->working_dir ? in->working_dir : "");
	bw_jw_kv_bool(w, "healthcheck", in->has_healthcheck);
	bw_jw_object_end(w);

	bw_jw_key(w, "layers");
	bw_jw_array_begin(w);
	for (size_t i = 0; i < in->n_layers; i++) {
		const bw_layer_info *l = &in->layers[i];
		bw_jw_object_begin(w);
		bw_jw_kv_string(w, "digest", l->digest);
		bw_jw_kv_string(w, "diff_id", l->diff_id);
		bw_jw_kv_uint(w, "size", l->size);
		bw_jw_kv_string(w, "media_type", l->media_type);
		if (l->created_by) {
			char masked[8192];
			bw_redact(l->created_by, false, masked, sizeof(masked));
			bw_jw_kv_string(w, "created_by", masked);
		} else {
			bw_jw_kv_string(w, "created_by", NULL);
		}
		bw_jw_kv_uint(w, "entries", l->entries);
		bw_jw_kv_uint(w, "file_bytes", l->file_bytes);
		if (l->skipped)
			bw_jw_kv_string(w, "skipped", l->skipped);
		bw_jw_object_end(w);
	}
	bw_jw_array_end(w);
	bw_jw_kv_uint(w, "files_count", in->n_files);
	bw_jw_object_end(w); /* artifact */
}

static int inspect_json(FILE *out, const bw_image *img, const bw_inspect_report_options *o)
{
	const bw_image_info *in = bw_image_get_info(img);
	bw_jsonw w;
	list_ctx c = { &w, out, in };

	bw_jw_init(&w, out, true);
	bw_jw_object_begin(&w);
	bw_report__json_head(&w, img);

	if (o && o->files) {
		bw_jw_key(&w, "files");
		bw_jw_array_begin(&w);
		if (bw_image_files(img, json_file, &c) < 0)
			return BW_EINTERNAL;
		bw_jw_array_end(&w);
	}
	if (o && o->deleted) {
		bw_jw_key(&w, "deleted");
		bw_jw_array_begin(&w);
		if (bw_image_deleted(img, json_deleted, &c) < 0)
			return BW_EINTERNAL;
		bw_jw_array_end(&w);
	}
	bw_jw_object_end(&w);
	if (bw_jw_finish(&w) < 0)
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}

/* ------------------------------------------------------------ table */

static void human_size(uint64_t n, char *out, size_t len)
{
	const char *units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%" PRIu64 " B", n);
	else
		snprintf(out, len, "%.1f %s", v, units[u]);
}

static void short_digest(const char *d, char *out, size_t len)
{
	if (!d) {
		snprintf(out, len, "-");
		return;
	}
	const char *colon = strchr(d, ':');
	snprintf(out, len, "%.*s", (int)((colon ? (size_t)(colon - d) + 1 : 0) + 12), d);
}

/* Prints s with control characters replaced, cut to width columns. */
static void put_clean(FILE *out, const char *s, size_t width)
{
	size_t n = 0;
	for (; s && *s && n < width; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	if (s && *s)
		fputs("...", out);
}

static int table_file(const bw_file_info *f, void *arg)
{
	list_ctx *c = arg;
	char mode[8], size[32];
	mode_text(f->mode, mode);
	human_size(f->size, size, sizeof(size));
	fprintf(c->out, "%c %s %5" PRIu64 " %5" PRIu64 " %10s  L%-3zu ", f->type, mode, f->uid, f->gid, size,
		f->layer + 1);
	put_clean(c->out, f->path, 4096);
	if (f->link) {
		fputs(f->type == 'h' ? " => " : " -> ", c->out);
		put_clean(c->out, f->link, 4096);
	}
	fputc('\n', c->out);
	return 0;
}

static int table_deleted(const bw_deleted_info *d, void *arg)
{
	list_ctx *c = arg;
	fprintf(c->out, "L%-3zu (from L%zu)  ", d->layer + 1, d->from_layer + 1);
	put_clean(c->out, d->path, 4096);
	fputc('\n', c->out);
	return 0;
}

static int inspect_table(FILE *out, const bw_image *img, const bw_inspect_report_options *o)
{
	const bw_image_info *in = bw_image_get_info(img);
	list_ctx c = { NULL, out, in };
	const char *bold = o && o->color ? "\033[1m" : "", *reset = o && o->color ? "\033[0m" : "";

	fprintf(out, "%sImage%s       ", bold, reset);
	put_clean(out, in->reference, 200);
	fprintf(out, "\nTransport   %s\n", in->transport);
	fprintf(out, "Manifest    %s\n", in->manifest_digest ? in->manifest_digest : "-");
	if (in->index_digest)
		fprintf(out, "Index       %s\n", in->index_digest);
	fprintf(out, "Config      %s\n", in->config_digest ? in->config_digest : "-");
	if (in->os)
		fprintf(out, "Platform    %s/%s%s%s\n", in->os, in->architecture ? in->architecture : "?",
			in->variant ? "/" : "", in->variant ? in->variant : "");
	if (in->created)
		fprintf(out, "Created     %s\n", in->created);
	fputs("OS          ", out);
	if (in->os_pretty_name)
		put_clean(out, in->os_pretty_name, 80);
	else if (in->os_family)
		fprintf(out, "%s %s", in->os_family, in->os_version ? in->os_version : "");
	else
		fputs("unknown", out);
	fprintf(out, "\n\n%sConfig%s\n", bold, reset);
	fprintf(out, "  User        %s\n", in->user && *in->user ? in->user : "(unset: root)");
	fprintf(out, "  WorkingDir  %s\n", in->working_dir && *in->working_dir ? in->working_dir : "-");
#define LINE(label, v, n)                                         \
	do {                                                      \
		fprintf(out, "  %-11s ", label);                  \
		if (!(n))                                         \
			fputs("-", out);                          \
		for (size_t i = 0; i < (n); i++) {                \
			if (i) fputc(' ', out);                   \
			put_clean(out, (v)[i], 200);              \
		}                                                 \
		fputc('\n', out);                                 \
	} while (0)
	LINE("Entrypoint", in->entrypoint, in->n_entrypoint);
	LINE("Cmd", in->cmd, in->n_cmd);
	LINE("Ports", in->exposed_ports, in->n_exposed_ports);
	LINE("Volumes", in->volumes, in->n_volumes);
#undef LINE
	for (size_t i = 0; i < in->n_env; i++) {
		char masked[8192];
		bw_redact(in->env[i], true, masked, sizeof(masked));
		fprintf(out, "  %-11s ", i ? "" : "Env");
		put_clean(out, masked, 90);
		fputc('\n', out);
	}
	for (size_t i = 0; i < in->n_labels; i++) {
		fprintf(out, "  %-11s ", i ? "" : "Labels");
		put_clean(out, in->label_keys[i], 60);
		fputc('=', out);
		char masked[8192];
		snprintf(masked, sizeof(masked), "%s", in->label_values[i]);
		if (bw_secret_name(in->label_keys[i], strlen(in->label_keys[i])))
			bw_mask_value(masked, strlen(masked));
		put_clean(out, masked, 60);
		fputc('\n', out);
	}
	fprintf(out, "\n%sLayers%s (%zu)\n", bold, reset, in->n_layers);
	fprintf(out, "  %-3s %-19s %-19s %10s %8s  %s\n", "#", "DIGEST", "DIFF_ID", "SIZE", "ENTRIES", "CREATED BY");
	for (size_t i = 0; i < in->n_layers; i++) {
		const bw_layer_info *l = &in->layers[i];
		char d1[32], d2[32], size[32];
		short_digest(l->digest, d1, sizeof(d1));
		short_digest(l->diff_id, d2, sizeof(d2));
		human_size(l->size, size, sizeof(size));
		fprintf(out, "  %-3zu %-19s %-19s %10s %8" PRIu64 "  ", i + 1, d1, d2, size, l->entries);
		char masked[8192];
		bw_redact(l->skipped ? l->skipped : l->created_by ? l->created_by : "", false, masked, sizeof(masked));
		put_clean(out, masked, 40);
		fputc('\n', out);
	}
	fprintf(out, "\n%" PRIu64 " paths in the final filesystem\n", in->n_files);
	if (o && o->files) {
		fprintf(out, "\n%sFiles%s\n", bold, reset);
		if (bw_image_files(img, table_file, &c) < 0)
			return BW_EINTERNAL;
	}
	if (o && o->deleted) {
		fprintf(out, "\n%sDeleted by whiteouts%s\n", bold, reset);
		if (bw_image_deleted(img, table_deleted, &c) < 0)
			return BW_EINTERNAL;
	}
	if (ferror(out))
		return bw_error_set(BW_EINTERNAL, "writing the report failed");
	return 0;
}

int bw_report_inspect(FILE *out, const bw_image *img, bw_format format, const bw_inspect_report_options *o)
{
	return format == BW_FORMAT_JSON ? inspect_json(out, img, o) : inspect_table(out, img, o);
}
