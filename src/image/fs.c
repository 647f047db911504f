#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "util/arena.h"
#include "util/limits.h"
#include "util/path.h"
#include "util/strmap.h"

struct bw_fs {
	bw_strmap map;       /* path -> node, every live node but the root */
	bw_arena mem;        /* node paths, link targets, nodes */
	bw_fsnode *free_nodes;
	bw_fsnode root;
	bool keep_deleted;
	bw_fs_deleted *deleted;
	size_t n_deleted, cap_deleted;
};

bw_fs *bw_fs_new(bool keep_deleted)
{
	bw_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->root.path = "/";
	fs->root.type = BW_FT_DIR;
	fs->root.mode = 0755;
	fs->keep_deleted = keep_deleted;
	return fs;
}

void bw_fs_free(bw_fs *fs)
{
	if (!fs)
		return;
	bw_strmap_free(&fs->map);
	bw_arena_free(&fs->mem);
	free(fs->deleted);
	free(fs);
}

size_t bw_fs_count(const bw_fs *fs)
{
	return fs->map.live;
}

bw_fsnode *bw_fs_get(const bw_fs *fs, const char *path)
{
	if (path[0] == '/' && path[1] == '\0')
		return (bw_fsnode *)&fs->root;
	return bw_strmap_get(&fs->map, path);
}

static bw_fsnode *node_alloc(bw_fs *fs)
{
	bw_fsnode *n = fs->free_nodes;
	if (n)
		fs->free_nodes = n->next;
	else if (!(n = bw_arena_alloc(&fs->mem, sizeof(*n))))
		return NULL;
	memset(n, 0, sizeof(*n));
	return n;
}

static void link_child(bw_fsnode *parent, bw_fsnode *n)
{
	n->parent = parent;
	n->prev = NULL;
	n->next = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev = n;
	parent->first_child = n;
}

static void unlink_child(bw_fsnode *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else if (n->parent)
		n->parent->first_child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	n->parent = n->next = n->prev = NULL;
}

static int record_deleted(bw_fs *fs, const bw_fsnode *n, uint32_t layer)
{
	if (!fs->keep_deleted)
		return 0;
	if (fs->n_deleted == fs->cap_deleted) {
		size_t cap = fs->cap_deleted ? fs->cap_deleted * 2 : 256;
		bw_fs_deleted *d = realloc(fs->deleted, cap * sizeof(*d));
		if (!d)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		fs->deleted = d;
		fs->cap_deleted = cap;
	}
	fs->deleted[fs->n_deleted++] = (bw_fs_deleted){ n->path, layer, n->layer };
	return 0;
}

/* Removes node and everything below it, without recursion. */
static int remove_subtree(bw_fs *fs, bw_fsnode *node, bool record, uint32_t layer)
{
	bw_fsnode *cur = node;
	for (;;) {
		while (cur->first_child)
			cur = cur->first_child;
		bw_fsnode *parent = cur->parent;
		bool last = cur == node;
		if (record && record_deleted(fs, cur, layer) < 0)
			return BW_EINTERNAL;
		unlink_child(cur);
		bw_strmap_del(&fs->map, cur->path);
		cur->next = fs->free_nodes; /* the path string stays in the arena: deleted[] may point at it */
		fs->free_nodes = cur;
		if (last)
			return 0;
		cur = parent;
	}
}

int bw_fs_whiteout(bw_fs *fs, bw_rec_kind kind, const char *path, uint32_t layer)
{
	bw_fsnode *n = bw_fs_get(fs, path);
	if (!n)
		return 0;
	if (kind == BW_REC_WHITEOUT) {
		if (n == &fs->root)
			return 0;
		return remove_subtree(fs, n, true, layer);
	}
	if (n->type != BW_FT_DIR)
		return 0;
	while (n->first_child)
		if (remove_subtree(fs, n->first_child, true, layer) < 0)
			return BW_EINTERNAL;
	return 0;
}

static bw_fsnode *new_node(bw_fs *fs, bw_fsnode *parent, const char *path, size_t len)
{
	bw_fsnode *n = node_alloc(fs);
	if (!n || !(n->path = bw_arena_strndup(&fs->mem, path, len)))
		return NULL;
	if (bw_strmap_put(&fs->map, n->path, n) < 0)
		return NULL;
	link_child(parent, n);
	return n;
}

/*
 * The directory that will hold path, creating missing parents as implicit
 * directories (tar need not list them) and replacing a non-directory in the
 * way, as overlayfs shows a directory of an upper layer over a lower file.
 */
static bw_fsnode *ensure_parent(bw_fs *fs, const char *path, size_t len, uint32_t layer)
{
	bw_fsnode *dir = &fs->root;
	size_t i = 1;

	for (;;) {
		const char *slash = memchr(path + i, '/', len - i);
		if (!slash)
			return dir;
		size_t plen = (size_t)(slash - path);
		bw_fsnode *n = bw_strmap_getn(&fs->map, path, plen);
		if (n && n->type != BW_FT_DIR) {
			if (remove_subtree(fs, n, false, layer) < 0)
				return NULL;
			n = NULL;
		}
		if (!n) {
			if (!(n = new_node(fs, dir, path, plen)))
				return NULL;
			n->type = BW_FT_DIR;
			n->mode = 0755;
			n->layer = layer;
		}
		dir = n;
		i = plen + 1;
	}
}

int bw_fs_add(bw_fs *fs, const bw_entry *e)
{
	bw_fsnode *n, *parent;

	if (e->path_len == 1) { /* the root directory's own metadata */
		fs->root.mode = e->mode;
		fs->root.uid = e->uid;
		fs->root.gid = e->gid;
		fs->root.layer = (uint32_t)e->layer;
		return 0;
	}
	n = bw_strmap_getn(&fs->map, e->path, e->path_len);
	if (n && n->type == BW_FT_DIR && e->type == BW_FT_DIR) {
		/* directory over directory: new metadata, children kept */
	} else {
		if (n && remove_subtree(fs, n, false, (uint32_t)e->layer) < 0)
			return BW_EINTERNAL;
		if (!(parent = ensure_parent(fs, e->path, e->path_len, (uint32_t)e->layer)) ||
		    !(n = new_node(fs, parent, e->path, e->path_len)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	n->type = e->type;
	n->mode = e->mode;
	n->uid = e->uid;
	n->gid = e->gid;
	n->size = e->size;
	n->layer = (uint32_t)e->layer;
	n->link = NULL;
	n->data_path = NULL;
	n->data_layer = n->layer;
	if (e->link && !(n->link = bw_arena_strdup(&fs->mem, e->link)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (n->type == BW_FT_FILE) {
		n->data_path = n->path;
	} else if (n->type == BW_FT_HARDLINK && n->link) {
		const bw_fsnode *t = bw_strmap_get(&fs->map, n->link);
		if (t && (t->type == BW_FT_FILE || t->type == BW_FT_HARDLINK) && t->data_path) {
			n->data_path = t->data_path;
			n->data_layer = t->data_layer;
			n->size = t->size;
		}
	}
	return 0;
}

int bw_fs_resolve(const bw_fs *fs, const char *path, bool follow_last, bw_fsnode **out)
{
	char cur[BW_MAX_PATH_BYTES + 2], next[BW_MAX_PATH_BYTES + 2], res[BW_MAX_PATH_BYTES + 2];
	int hops = 0;

	*out = NULL;
	if (strlen(path) > BW_MAX_PATH_BYTES || path[0] != '/')
		return bw_error_set(BW_EINPUT, "%.200s: not a canonical image path", path);
	memcpy(cur, path, strlen(path) + 1);
restart:;
	size_t rlen = 0;
	const char *p = cur;
	bw_fsnode *node = (bw_fsnode *)&fs->root;
	res[0] = '\0';
	const char *comp;
	size_t n;
	while (bw_path_next(&p, &comp, &n)) {
		const char *rest = p;
		while (*rest == '/')
			rest++;
		bool last = *rest == '\0';
		if (rlen + 1 + n > BW_MAX_PATH_BYTES)
			return bw_error_set(BW_EINPUT, "%.200s: resolves to a path that is too long", path);
		res[rlen] = '/';
		memcpy(res + rlen + 1, comp, n);
		res[rlen + 1 + n] = '\0';
		node = bw_strmap_getn(&fs->map, res, rlen + 1 + n);
		if (!node)
			return 0;
		if (node->type == BW_FT_SYMLINK && (!last || follow_last)) {
			if (++hops > BW_MAX_LINK_HOPS)
				return bw_error_set(BW_EINPUT, "%.200s: too many levels of symbolic links",
						    path);
			char dir[BW_MAX_PATH_BYTES + 2];
			memcpy(dir, res, rlen);
			dir[rlen] = '\0';
			if (rlen == 0)
				dir[0] = '/', dir[1] = '\0';
			if (bw_path_join_link(dir, node->link ? node->link : "", next, sizeof(next)) < 0 ||
			    strlen(next) + 1 + strlen(rest) > BW_MAX_PATH_BYTES)
				return bw_error_set(BW_EINPUT, "%.200s: resolves to a path that is too long",
						    path);
			if (*rest) {
				size_t l = strlen(next);
				if (l > 1)
					next[l++] = '/';
				memcpy(next + l, rest, strlen(rest) + 1);
			}
			memcpy(cur, next, strlen(next) + 1);
			goto restart;
		}
		if (node->type == BW_FT_HARDLINK) {
			bw_fsnode *link = node;
			for (int h = 0; node && node->type == BW_FT_HARDLINK; h++) {
				if (h > BW_MAX_LINK_HOPS)
					return bw_error_set(BW_EINPUT, "%.200s: hard link chain too long", path);
				node = node->link ? bw_strmap_get(&fs->map, node->link) : NULL;
			}
			/* The target path now holds something else (or nothing): the link
			 * still holds the content it was made with. */
			if (!node || node->layer != link->data_layer || !link->data_path ||
			    strcmp(node->path, link->data_path) != 0)
				node = link->data_path ? link : NULL;
			if (!node)
				return 0;
		}
		if (!last && node->type != BW_FT_DIR)
			return 0;
		rlen += 1 + n;
		p = rest;
	}
	*out = node;
	return 0;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(bw_fsnode *const *)a)->path, (*(bw_fsnode *const *)b)->path);
}

int bw_fs_walk(const bw_fs *fs, int (*fn)(const bw_fsnode *n, void *ctx), void *ctx)
{
	size_t n = 0, cap = fs->map.live;
	bw_fsnode **all = malloc((cap ? cap : 1) * sizeof(*all));
	int rc = 0;

	if (!all)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < fs->map.cap && n < cap; i++) {
		const bw_strmap_slot *s = &fs->map.slots[i];
		if (s->key && s->value)
			all[n++] = s->value;
	}
	qsort(all, n, sizeof(*all), cmp_node);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fn(all[i], ctx);
	free(all);
	return rc;
}

static int cmp_deleted(const void *a, const void *b)
{
	const bw_fs_deleted *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->layer > y->layer) - (x->layer < y->layer);
}

int bw_fs_walk_deleted(const bw_fs *fs, int (*fn)(const bw_fs_deleted *d, void *ctx), void *ctx)
{
	int rc = 0;
	if (fs->n_deleted > 1)
		qsort(((bw_fs *)fs)->deleted, fs->n_deleted, sizeof(*fs->deleted), cmp_deleted);
	for (size_t i = 0; i < fs->n_deleted && rc == 0; i++)
		rc = fn(&fs->deleted[i], ctx);
	return rc;
}
