/*
 * image/fs.c: the merged filesystem tree (fs.h).
 *
 * Nodes live in a pool of 10 MiB blocks that never move and are named by
 * 32-bit ids (0: none), so the parent/child/sibling links are 4 bytes each;
 * their paths live in an arena. A path table of node ids (open addressing,
 * the hash kept in the node) finds a node by its full path: 4 bytes per slot
 * instead of a generic map's 24. Beside the ids, one control byte per slot
 * holds 7 bits of the path's hash (or empty / deleted): a probe reads those
 * bytes, 64 to a cache line, and looks at a node only when they match. A
 * probe that looked at every node it passed cost a cache miss per slot, and
 * adding a million new paths to a table three quarters full passes several.
 *
 * A big tree's memory comes in 2 MiB-aligned blocks that ask for transparent
 * huge pages: a million files touch some 120 MB, and at one fault per 4 KiB
 * page the kernel's share of the scan was a tenth of it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "util/arena.h"
#include "util/limits.h"
#include "util/path.h"
#include "util/strmap.h"

/* 2^17 nodes of 80 bytes are 10 MiB, five huge pages exactly. Only what is
 * touched costs memory: a small image uses a few KiB of the first block. */
#define POOL_SHIFT 17
#define POOL_NODES (1u << POOL_SHIFT)

struct bw_fs {
	uint32_t *slots;     /* path table: the id of every live node but the root */
	uint8_t *ctrl;       /* per slot: CTRL_EMPTY, CTRL_DELETED, or ctrl_tag() of the node's hash */
	size_t cap, used, live; /* cap a power of two; used = live + tombstones */
	bw_arena mem;        /* paths and link targets, until the tree is big */
	unsigned char *bump; /* then huge-page blocks: the current one's free space */
	size_t bump_left, small_bytes;
	void **huge;         /* every huge block, for bw_fs_free */
	size_t n_huge, cap_huge;
	size_t slots_bytes;  /* > 0: slots were mapped by huge_map() */
	bw_fsnode **pool;    /* node id i is pool[i >> POOL_SHIFT][i & (POOL_NODES - 1)] */
	size_t n_pool;
	uint32_t n_ids;      /* ids handed out: 1..n_ids (0 is "none", a slot never used) */
	uint32_t free_ids;   /* removed nodes, chained through next */
	uint32_t last_dir;   /* the parent ensure_parent() found last; 0 after any removal */
	bw_fsnode *root;     /* id 1 */
	bool keep_deleted;
	bw_fs_deleted *deleted;
	size_t n_deleted, cap_deleted;
};

#define HUGE_BYTES ((size_t)2 << 20)
/* Below this much, the ordinary arena (a small image does not pay for 2 MiB). */
#define SMALL_TREE_BYTES ((size_t)4 << 20)

/* size bytes (a multiple of HUGE_BYTES), zeroed, aligned for huge pages; NULL on ENOMEM. */
static void *huge_map(size_t size)
{
	size_t span = size + HUGE_BYTES;
	unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	uintptr_t start = (uintptr_t)p, at = (start + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1);
	if (at > start)
		munmap(p, at - start);
	if (start + span > at + size)
		munmap((void *)(at + size), start + span - (at + size));
	madvise((void *)at, size, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
	return (void *)at;
}

static inline bw_fsnode *node_at(const bw_fs *fs, uint32_t id)
{
	return &fs->pool[id >> POOL_SHIFT][id & (POOL_NODES - 1)];
}

static inline bw_fsnode *node_or_null(const bw_fs *fs, uint32_t id)
{
	return id ? node_at(fs, id) : NULL;
}

static void table_free(uint32_t *slots, size_t mapped_bytes)
{
	if (mapped_bytes)
		munmap(slots, mapped_bytes);
	else
		free(slots);
}

static void *fs_alloc(bw_fs *fs, size_t len)
{
	len = (len + 7) & ~(size_t)7;
	if (fs->small_bytes < SMALL_TREE_BYTES || len > HUGE_BYTES / 4) {
		fs->small_bytes += len;
		return bw_arena_alloc(&fs->mem, len);
	}
	if (fs->bump_left < len) {
		if (fs->n_huge == fs->cap_huge) {
			size_t cap = fs->cap_huge ? fs->cap_huge * 2 : 16;
			void **h = realloc(fs->huge, cap * sizeof(*h));
			if (!h)
				return NULL;
			fs->huge = h;
			fs->cap_huge = cap;
		}
		if (!(fs->bump = huge_map(HUGE_BYTES)))
			return NULL;
		fs->huge[fs->n_huge++] = fs->bump;
		fs->bump_left = HUGE_BYTES;
	}
	void *p = fs->bump;
	fs->bump += len;
	fs->bump_left -= len;
	return p;
}

static char *fs_strndup(bw_fs *fs, const char *s, size_t len)
{
	char *p = fs_alloc(fs, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * A fresh node's id, its memory zeroed; 0 when memory (or ids) ran out.
 * Removed nodes are reused first; else the next id, adding a pool block when
 * the last one is full (every block but the first asks for huge pages).
 */
static uint32_t node_alloc(bw_fs *fs)
{
	uint32_t id = fs->free_ids;
	if (id) {
		fs->free_ids = node_at(fs, id)->next;
	} else {
		if (fs->n_ids == UINT32_MAX)
			return 0;
		id = fs->n_ids + 1;
		size_t b = id >> POOL_SHIFT;
		if (b == fs->n_pool) {
			bw_fsnode **pool = realloc(fs->pool, (b + 1) * sizeof(*pool));
			if (!pool)
				return 0;
			fs->pool = pool;
			size_t bytes = (size_t)POOL_NODES * sizeof(bw_fsnode);
			void *p;
			if (b == 0) { /* small pages: most images never fill the first block */
				p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				if (p == MAP_FAILED)
					p = NULL;
			} else {
				p = huge_map(bytes);
			}
			if (!p)
				return 0;
			fs->pool[fs->n_pool++] = p;
		}
		fs->n_ids = id;
	}
	memset(node_at(fs, id), 0, sizeof(bw_fsnode));
	return id;
}

bw_fs *bw_fs_new(bool keep_deleted)
{
	bw_fs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	if (node_alloc(fs) != 1) {
		free(fs);
		return NULL;
	}
	fs->root = node_at(fs, 1);
	fs->root->path = "/";
	fs->root->path_len = 1;
	fs->root->type = BW_FT_DIR;
	fs->root->mode = 0755;
	fs->keep_deleted = keep_deleted;
	return fs;
}

void bw_fs_free(bw_fs *fs)
{
	if (!fs)
		return;
	table_free(fs->slots, fs->slots_bytes);
	free(fs->ctrl);
	for (size_t i = 0; i < fs->n_huge; i++)
		munmap(fs->huge[i], HUGE_BYTES);
	free(fs->huge);
	for (size_t b = 0; b < fs->n_pool; b++)
		munmap(fs->pool[b], (size_t)POOL_NODES * sizeof(bw_fsnode));
	free(fs->pool);
	bw_arena_free(&fs->mem);
	free(fs->deleted);
	free(fs);
}

size_t bw_fs_count(const bw_fs *fs)
{
	return fs->live;
}

#define CTRL_EMPTY 0
#define CTRL_DELETED 1

/* 7 bits of the hash that the slot index (its low bits) does not use up first. */
static inline uint8_t ctrl_tag(uint32_t h)
{
	return (uint8_t)(0x80 | (h >> 25));
}

static uint32_t path_hash(const char *path, size_t len)
{
	return (uint32_t)bw_strhash(path, len);
}

/* The id of the node at path, 0 when there is none. */
static uint32_t lookup(const bw_fs *fs, const char *path, size_t len, uint32_t h)
{
	if (!fs->cap)
		return 0;
	size_t mask = fs->cap - 1;
	uint8_t tag = ctrl_tag(h);
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		uint8_t c = fs->ctrl[i];
		if (c == CTRL_EMPTY)
			return 0;
		if (c == tag) {
			const bw_fsnode *n = node_at(fs, fs->slots[i]);
			if (n->hash == h && n->path_len == len && memcmp(n->path, path, len) == 0)
				return fs->slots[i];
		}
	}
}

static uint32_t lookup_id(const bw_fs *fs, const char *path, size_t len)
{
	return lookup(fs, path, len, path_hash(path, len));
}

static bw_fsnode *lookupn(const bw_fs *fs, const char *path, size_t len)
{
	return node_or_null(fs, lookup_id(fs, path, len));
}

static int table_grow(bw_fs *fs)
{
	size_t cap = fs->cap ? fs->cap * 2 : 1024;
	if (fs->cap && fs->live * 2 < fs->cap)
		cap = fs->cap; /* mostly tombstones: rehash at the same size */
	size_t bytes = cap * sizeof(uint32_t), mapped = 0;
	uint32_t *slots;
	uint8_t *ctrl = calloc(cap, 1);
	if (!ctrl)
		return -1;
	if (bytes >= HUGE_BYTES) {
		mapped = bytes;
		slots = huge_map(bytes);
	} else {
		slots = calloc(cap, sizeof(*slots));
	}
	if (!slots) {
		free(ctrl);
		return -1;
	}
	for (size_t i = 0; i < fs->cap; i++) {
		if (!(fs->ctrl[i] & 0x80))
			continue;
		size_t j = node_at(fs, fs->slots[i])->hash & (cap - 1);
		while (ctrl[j] != CTRL_EMPTY)
			j = (j + 1) & (cap - 1);
		slots[j] = fs->slots[i];
		ctrl[j] = fs->ctrl[i];
	}
	table_free(fs->slots, fs->slots_bytes);
	free(fs->ctrl);
	fs->slots = slots;
	fs->ctrl = ctrl;
	fs->slots_bytes = mapped;
	fs->cap = cap;
	fs->used = fs->live;
	return 0;
}

/* The node's path is not in the table yet (callers look it up first). */
static int table_put(bw_fs *fs, uint32_t id)
{
	if ((fs->used + 1) * 4 >= fs->cap * 3 && table_grow(fs) < 0)
		return -1;
	uint32_t h = node_at(fs, id)->hash;
	size_t mask = fs->cap - 1, i = h & mask;
	while (fs->ctrl[i] & 0x80)
		i = (i + 1) & mask;
	if (fs->ctrl[i] == CTRL_EMPTY)
		fs->used++;
	fs->slots[i] = id;
	fs->ctrl[i] = ctrl_tag(h);
	fs->live++;
	return 0;
}

static void table_del(bw_fs *fs, uint32_t id)
{
	size_t mask = fs->cap - 1;
	uint32_t h = node_at(fs, id)->hash;
	uint8_t tag = ctrl_tag(h);
	for (size_t i = h & mask; fs->ctrl[i] != CTRL_EMPTY; i = (i + 1) & mask)
		if (fs->ctrl[i] == tag && fs->slots[i] == id) {
			fs->ctrl[i] = CTRL_DELETED;
			fs->live--;
			return;
		}
}

bw_fsnode *bw_fs_get(const bw_fs *fs, const char *path)
{
	if (path[0] == '/' && path[1] == '\0')
		return fs->root;
	return lookupn(fs, path, strlen(path));
}

bw_fsnode *bw_fs_first_child(const bw_fs *fs, const bw_fsnode *dir)
{
	return node_or_null(fs, dir->first_child);
}

bw_fsnode *bw_fs_next_sibling(const bw_fs *fs, const bw_fsnode *n)
{
	return node_or_null(fs, n->next);
}

bw_fsnode *bw_fs_parent(const bw_fs *fs, const bw_fsnode *n)
{
	return node_or_null(fs, n->parent);
}

static void link_child(bw_fs *fs, uint32_t parent_id, uint32_t id)
{
	bw_fsnode *parent = node_at(fs, parent_id), *n = node_at(fs, id);
	n->parent = parent_id;
	n->prev = 0;
	n->next = parent->first_child;
	if (parent->first_child)
		node_at(fs, parent->first_child)->prev = id;
	parent->first_child = id;
}

static void unlink_child(bw_fs *fs, uint32_t id)
{
	bw_fsnode *n = node_at(fs, id);
	if (n->prev)
		node_at(fs, n->prev)->next = n->next;
	else if (n->parent)
		node_at(fs, n->parent)->first_child = n->next;
	if (n->next)
		node_at(fs, n->next)->prev = n->prev;
	n->parent = n->next = n->prev = 0;
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

/* Removes node id and everything below it, without recursion. */
static int remove_subtree(bw_fs *fs, uint32_t id, bool record, uint32_t layer)
{
	uint32_t cur = id;
	for (;;) {
		while (node_at(fs, cur)->first_child)
			cur = node_at(fs, cur)->first_child;
		bw_fsnode *n = node_at(fs, cur);
		uint32_t parent = n->parent;
		bool last = cur == id;
		if (record && record_deleted(fs, n, layer) < 0)
			return BW_EINTERNAL;
		unlink_child(fs, cur);
		table_del(fs, cur);
		fs->last_dir = 0;
		n->next = fs->free_ids; /* the path string stays in the arena: deleted[] may point at it */
		fs->free_ids = cur;
		if (last)
			return 0;
		cur = parent;
	}
}

int bw_fs_whiteout(bw_fs *fs, bw_rec_kind kind, const char *path, uint32_t layer)
{
	size_t len = strlen(path);
	bool root = len == 1 && path[0] == '/';
	uint32_t id = root ? 1 : lookup_id(fs, path, len);
	if (!id)
		return 0;
	if (kind == BW_REC_WHITEOUT)
		return root ? 0 : remove_subtree(fs, id, true, layer);
	if (node_at(fs, id)->type != BW_FT_DIR)
		return 0;
	while (node_at(fs, id)->first_child)
		if (remove_subtree(fs, node_at(fs, id)->first_child, true, layer) < 0)
			return BW_EINTERNAL;
	return 0;
}

/* A new node for path under parent_id, in the table; 0 when memory ran out. */
static uint32_t new_node(bw_fs *fs, uint32_t parent_id, const char *path, size_t len, uint32_t h)
{
	uint32_t id = node_alloc(fs);
	if (!id)
		return 0;
	bw_fsnode *n = node_at(fs, id);
	if (!(n->path = fs_strndup(fs, path, len)))
		return 0;
	n->hash = h;
	n->path_len = (uint32_t)len;
	if (table_put(fs, id) < 0)
		return 0;
	link_child(fs, parent_id, id);
	return id;
}

/*
 * The directory that will hold path, creating missing parents as implicit
 * directories (tar need not list them) and replacing a non-directory in the
 * way, as overlayfs shows a directory of an upper layer over a lower file.
 * Every ancestor of a live node is a directory, so when the immediate parent
 * is one, nothing above it needs looking at. 0 when memory ran out.
 */
static uint32_t ensure_parent(bw_fs *fs, const char *path, size_t len, uint32_t layer)
{
	uint32_t dir = 1;
	size_t i = 1;

	const char *last = memrchr(path, '/', len);
	if (!last || last == path)
		return dir;
	size_t dir_len = (size_t)(last - path);
	/* Tar lists a directory's entries together: most of the time the parent is the last one's. */
	if (fs->last_dir) {
		const bw_fsnode *p = node_at(fs, fs->last_dir);
		if (p->path_len == dir_len && memcmp(p->path, path, dir_len) == 0)
			return fs->last_dir;
	}
	uint32_t p = lookup_id(fs, path, dir_len);
	if (p && node_at(fs, p)->type == BW_FT_DIR)
		return fs->last_dir = p;
	for (;;) {
		const char *slash = memchr(path + i, '/', len - i);
		if (!slash)
			return fs->last_dir = dir;
		size_t plen = (size_t)(slash - path);
		uint32_t h = path_hash(path, plen);
		uint32_t n = lookup(fs, path, plen, h);
		if (n && node_at(fs, n)->type != BW_FT_DIR) {
			if (remove_subtree(fs, n, false, layer) < 0)
				return 0;
			n = 0;
		}
		if (!n) {
			if (!(n = new_node(fs, dir, path, plen, h)))
				return 0;
			bw_fsnode *d = node_at(fs, n);
			d->type = BW_FT_DIR;
			d->mode = 0755;
			d->layer = layer;
		}
		dir = n;
		i = plen + 1;
	}
}

int bw_fs_add(bw_fs *fs, const bw_entry *e)
{
	if (e->path_len == 1) { /* the root directory's own metadata */
		fs->root->mode = e->mode;
		fs->root->uid = (uint32_t)e->uid;
		fs->root->gid = (uint32_t)e->gid;
		fs->root->layer = (uint32_t)e->layer;
		return 0;
	}
	if (e->path_len > BW_MAX_PATH_BYTES)
		return bw_error_set(BW_EINPUT, "%.200s: path too long", e->path);
	uint32_t h = path_hash(e->path, e->path_len);
	uint32_t id = lookup(fs, e->path, e->path_len, h);
	if (id && node_at(fs, id)->type == BW_FT_DIR && e->type == BW_FT_DIR) {
		/* directory over directory: new metadata, children kept */
	} else {
		uint32_t parent;
		if (id && remove_subtree(fs, id, false, (uint32_t)e->layer) < 0)
			return BW_EINTERNAL;
		if (!(parent = ensure_parent(fs, e->path, e->path_len, (uint32_t)e->layer)) ||
		    !(id = new_node(fs, parent, e->path, e->path_len, h)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	bw_fsnode *n = node_at(fs, id);
	n->type = e->type;
	n->mode = e->mode;
	n->uid = (uint32_t)e->uid; /* the layer pass refuses wider ids (fs.h) */
	n->gid = (uint32_t)e->gid;
	n->size = e->size;
	n->layer = (uint32_t)e->layer;
	n->link = NULL;
	n->data_path = NULL;
	n->data_layer = n->layer;
	if (e->link && !(n->link = fs_strndup(fs, e->link, strlen(e->link))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (n->type == BW_FT_FILE) {
		n->data_path = n->path;
	} else if (n->type == BW_FT_HARDLINK && n->link) {
		const bw_fsnode *t = lookupn(fs, n->link, strlen(n->link));
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
	bw_fsnode *node = fs->root;
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
		node = lookupn(fs, res, rlen + 1 + n);
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
				node = node->link ? lookupn(fs, node->link, strlen(node->link)) : NULL;
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
	size_t n = 0, cap = fs->live;
	bw_fsnode **all = malloc((cap ? cap : 1) * sizeof(*all));
	int rc = 0;

	if (!all)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < fs->cap && n < cap; i++)
		if (fs->ctrl[i] & 0x80)
			all[n++] = node_at(fs, fs->slots[i]);
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

_Static_assert(sizeof(void *) != 8 || sizeof(bw_fsnode) == 80,
	       "bw_fsnode grew: a million-file image pays for every byte (fs.h)");
_Static_assert(sizeof(void *) != 8 || ((size_t)POOL_NODES * sizeof(bw_fsnode)) % HUGE_BYTES == 0,
	       "a pool block must be whole huge pages (huge_map)");
