/*
 * diff/files.c: flat filesystem lists and their comparison (diff/files.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "diff/files.h"

int bw_flist_add(bw_flist *l, const char *path, char type, uint32_t mode, uint64_t uid, uint64_t gid,
		 uint64_t size, const char *link, const char *digest)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		bw_fentry *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	bw_fentry *e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->type = type == 'h' ? 'f' : type;
	e->mode = mode & 07777;
	e->uid = uid;
	e->gid = gid;
	e->size = size;
	if (!(e->path = strdup(path)) || (link && !(e->link = strdup(link))) || (digest && !(e->digest = strdup(digest)))) {
		free(e->path);
		free(e->link);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	l->n++;
	return 0;
}

static int from_image(const bw_file_info *f, void *arg)
{
	return bw_flist_add(arg, f->path, f->type, f->mode, f->uid, f->gid, f->size,
			    f->type == 'l' ? f->link : NULL, f->digest);
}

int bw_flist_from_image(const bw_image *img, bw_flist *out)
{
	memset(out, 0, sizeof(*out));
	return bw_image_files(img, from_image, out);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const bw_fentry *)a)->path, ((const bw_fentry *)b)->path);
}

void bw_flist_sort(bw_flist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
}

void bw_flist_free(bw_flist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].link);
		free(l->v[i].digest);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

unsigned bw_fentry_compare(const bw_fentry *a, const bw_fentry *b, bool dir_modes)
{
	unsigned c = 0;

	if (a->type != b->type)
		return BW_FCHANGE_TYPE;
	if (a->uid != b->uid || a->gid != b->gid)
		c |= BW_FCHANGE_OWNER;
	if (a->type == 'd' && !dir_modes)
		return c;
	if (a->type != 'l' && a->mode != b->mode)
		c |= BW_FCHANGE_MODE;
	if (a->type == 'f' && (a->size != b->size || !str_eq(a->digest, b->digest)))
		c |= BW_FCHANGE_CONTENT;
	if (a->type == 'l' && !str_eq(a->link, b->link))
		c |= BW_FCHANGE_LINK;
	return c;
}

int bw_flist_merge(const bw_flist *a, const bw_flist *b, int (*fn)(const bw_fentry *a, const bw_fentry *b, void *ctx),
		   void *ctx)
{
	size_t i = 0, k = 0;
	int rc;

	while (i < a->n || k < b->n) {
		int c = i >= a->n ? 1 : k >= b->n ? -1 : strcmp(a->v[i].path, b->v[k].path);
		if (c < 0)
			rc = fn(&a->v[i++], NULL, ctx);
		else if (c > 0)
			rc = fn(NULL, &b->v[k++], ctx);
		else
			rc = fn(&a->v[i++], &b->v[k++], ctx);
		if (rc)
			return rc;
	}
	return 0;
}

const char *bw_fchange_text(unsigned changes, char *buf, size_t cap)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ BW_FCHANGE_TYPE, "type" }, { BW_FCHANGE_CONTENT, "content" }, { BW_FCHANGE_MODE, "mode" },
		{ BW_FCHANGE_OWNER, "owner" }, { BW_FCHANGE_LINK, "link" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (changes & names[i].bit) {
			int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", names[i].name);
			if (w < 0 || (size_t)w >= cap - n)
				break;
			n += (size_t)w;
		}
	return buf;
}
