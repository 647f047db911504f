/*
 * misconfig/analyzer.c: the layer-pass side of the misconfig checks. Buffers
 * /etc/passwd, /etc/group, /etc/shadow, /etc/sudoers and the files of /etc/sudoers.d
 * of each layer (docs/analyzers.md: buffered delivery), and in finish()
 * parses the copies that survived into the merged filesystem and keeps them
 * on the image for bw_misconfig_check_image() and bw_image_runs_as_root().
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "misconfig/misconfig_int.h"
#include "util/log.h"

enum { F_PASSWD, F_GROUP, F_SHADOW, F_SUDOERS, N_FIXED };

static const char *const wanted[N_FIXED + 1] = { "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/sudoers",
						  NULL };

#define SUDOERS_D "/etc/sudoers.d/"

typedef struct held {
	char *path;
	char *data;
	size_t len;
	bool truncated;
} held;

typedef struct mc_layer {
	held fixed[N_FIXED];
	held *sudo_d;
	size_t n_sudo_d;
	size_t sudo_d_dropped;
} mc_layer;

static void *mc_layer_new(void)
{
	return calloc(1, sizeof(mc_layer));
}

static void held_clear(held *h)
{
	free(h->path);
	free(h->data);
	memset(h, 0, sizeof(*h));
}

static void mc_layer_free(void *state)
{
	mc_layer *s = state;
	if (!s)
		return;
	for (int i = 0; i < N_FIXED; i++)
		held_clear(&s->fixed[i]);
	for (size_t i = 0; i < s->n_sudo_d; i++)
		held_clear(&s->sudo_d[i]);
	free(s->sudo_d);
	free(s);
}

static bool mc_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	return e->type == BW_FT_FILE && e->path_len > sizeof(SUDOERS_D) - 1 &&
	       !memcmp(e->path, SUDOERS_D, sizeof(SUDOERS_D) - 1) &&
	       !memchr(e->path + sizeof(SUDOERS_D) - 1, '/', e->path_len - (sizeof(SUDOERS_D) - 1));
}

static int hold(held *h, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	held_clear(h);
	if (!(h->path = strdup(e->path)) || !(h->data = malloc(len + 1)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (len)
		memcpy(h->data, content, len);
	h->data[len] = '\0';
	h->len = len;
	h->truncated = truncated;
	return 0;
}

static int mc_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	mc_layer *s = state;

	for (int i = 0; i < N_FIXED; i++)
		if (!strcmp(e->path, wanted[i]))
			return e->type == BW_FT_FILE && content ? hold(&s->fixed[i], e, content, len, truncated) : 0;
	if (e->type != BW_FT_FILE || !content)
		return 0;
	if (s->n_sudo_d >= BW_SUDOERS_MAX_FILES) {
		s->sudo_d_dropped++;
		return 0;
	}
	held *v = realloc(s->sudo_d, (s->n_sudo_d + 1) * sizeof(*v));
	if (!v)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	s->sudo_d = v;
	memset(&v[s->n_sudo_d], 0, sizeof(*v));
	return hold(&v[s->n_sudo_d++], e, content, len, truncated);
}

/* The layer copy of path that the merged filesystem kept (through links), or NULL. */
static const held *surviving(bw_image *img, void *const *states, size_t n_layers, const char *path)
{
	bw_fsnode *node = NULL;
	if (bw_fs_resolve(bw_image_fs(img), path, true, &node) < 0 || !node || !node->data_path ||
	    node->data_layer >= n_layers || !states[node->data_layer])
		return NULL;
	const mc_layer *s = states[node->data_layer];
	for (int i = 0; i < N_FIXED; i++)
		if (s->fixed[i].path && !strcmp(s->fixed[i].path, node->data_path))
			return &s->fixed[i];
	for (size_t i = 0; i < s->n_sudo_d; i++)
		if (!strcmp(s->sudo_d[i].path, node->data_path))
			return &s->sudo_d[i];
	return NULL;
}

static void accounts_free(void *p)
{
	bw_accounts__free(p);
	free(p);
}

static int mc_finish(bw_image *img, void *const *states, size_t n_layers)
{
	bw_accounts *a = calloc(1, sizeof(*a));
	char warn[512];
	const held *h;
	int rc = 0;

	if (!a)
		return bw_error_set(BW_EINTERNAL, "out of memory");
#define PARSE(idx, fn)                                                                          \
	if ((h = surviving(img, states, n_layers, wanted[idx]))) {                              \
		if ((rc = fn(a, h->data, h->len, h->truncated, warn, sizeof(warn))) < 0)        \
			goto done;                                                              \
		if (warn[0])                                                                    \
			bw_warn("%s: misconfig: %s", bw_image_name(img), warn);                 \
	}
	PARSE(F_PASSWD, bw_accounts__passwd)
	PARSE(F_GROUP, bw_accounts__group)
	PARSE(F_SHADOW, bw_accounts__shadow)
#undef PARSE
	if ((h = surviving(img, states, n_layers, wanted[F_SUDOERS]))) {
		if ((rc = bw_accounts__sudoers(a, wanted[F_SUDOERS], h->data, h->len, h->truncated, warn,
					       sizeof(warn))) < 0)
			goto done;
		if (warn[0])
			bw_warn("%s: misconfig: %s", bw_image_name(img), warn);
	}
	/* sudoers.d: every layer's files that are still the merged tree's */
	for (size_t l = 0; l < n_layers; l++) {
		const mc_layer *s = states[l];
		if (!s)
			continue;
		if (s->sudo_d_dropped)
			bw_warn("%s: misconfig: layer %zu: more than %d files in %s; %zu not checked",
				bw_image_name(img), l + 1, BW_SUDOERS_MAX_FILES, SUDOERS_D, s->sudo_d_dropped);
		for (size_t i = 0; i < s->n_sudo_d; i++) {
			bw_fsnode *node = bw_fs_get(bw_image_fs(img), s->sudo_d[i].path);
			if (!node || node->data_layer != l || !node->data_path ||
			    strcmp(node->data_path, s->sudo_d[i].path))
				continue;
			h = &s->sudo_d[i];
			if ((rc = bw_accounts__sudoers(a, h->path, h->data, h->len, h->truncated, warn, sizeof(warn))) < 0)
				goto done;
			if (warn[0])
				bw_warn("%s: misconfig: %s", bw_image_name(img), warn);
		}
	}
	if (img->misconfig_free)
		img->misconfig_free(img->misconfig);
	img->misconfig = a;
	img->misconfig_free = accounts_free;
	a = NULL;
done:
	if (a)
		accounts_free(a);
	return rc;
}

const bw_accounts *bw_misconfig__image_accounts(const bw_image *img)
{
	return img && img->misconfig_free == accounts_free ? img->misconfig : NULL;
}

const bw_analyzer bw_analyzer_misconfig = {
	.name = "misconfig",
	.version = 1,
	.kind = BW_ANALYZE_MISCONFIG,
	.paths = wanted,
	.wants = mc_wants,
	.content_max = BW_ACCOUNTS_MAX_BYTES,
	.layer_new = mc_layer_new,
	.entry = mc_entry,
	.layer_free = mc_layer_free,
	.finish = mc_finish,
};
