/*
 * image/fs.h: the merged ("squashed") filesystem of an image, in memory.
 *
 * Layers are applied in order with the OCI whiteout rules: `.wh.NAME`
 * removes NAME (and everything below it) from the lower layers,
 * `.wh..wh..opq` in a directory removes all of that directory's lower-layer
 * children; neither affects entries of its own layer. An entry replaces what
 * was at its path, except that a directory over a directory keeps the
 * children. Every node remembers the layer it came from.
 *
 * Symbolic links are resolved on this tree, never on the host, with a limit
 * of BW_MAX_LINK_HOPS hops: a loop is an error, not a hang.
 */
#ifndef BW_IMAGE_FS_H
#define BW_IMAGE_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/analyzer.h"

typedef struct bw_fsnode {
	const char *path;
	const char *link;
	/* Where this node's content lives: its own path and layer for a file; for a
	 * hard link, the target's, captured when the link was added (both names are
	 * one inode, so a later layer replacing or deleting the target path does not
	 * change what the link holds). NULL for a dangling link. */
	const char *data_path;
	uint64_t size;
	/* fs.c's node ids (0: none); walk children with bw_fs_first_child/next_sibling */
	uint32_t parent, first_child, next, prev;
	uint32_t uid, gid;  /* Linux ids are 32 bits; the layer pass refuses wider ones */
	uint32_t mode;
	uint32_t layer;
	uint32_t data_layer;
	uint32_t hash;     /* fs.c: the path's hash, for the path table */
	uint32_t path_len;
	char type;
	/* 80 bytes on LP64: a million-file image holds a million of these */
} bw_fsnode;

typedef struct bw_fs bw_fs;

/* Whiteout markers as the layer pass records them. */
typedef enum bw_rec_kind {
	BW_REC_ENTRY = 0,
	BW_REC_WHITEOUT, /* path = the path removed */
	BW_REC_OPAQUE,   /* path = the directory made opaque */
} bw_rec_kind;

bw_fs *bw_fs_new(bool keep_deleted);
void bw_fs_free(bw_fs *fs);

/*
 * Applying layer L: first every whiteout and opaque marker of L
 * (bw_fs_whiteout), then every other entry of L in tar order (bw_fs_add), so
 * that markers only ever remove what lower layers put there.
 */
int bw_fs_whiteout(bw_fs *fs, bw_rec_kind kind, const char *path, uint32_t layer);
int bw_fs_add(bw_fs *fs, const bw_entry *e);

bw_fsnode *bw_fs_get(const bw_fs *fs, const char *path);

/* A directory's children, in no particular order: NULL after the last. */
bw_fsnode *bw_fs_first_child(const bw_fs *fs, const bw_fsnode *dir);
bw_fsnode *bw_fs_next_sibling(const bw_fs *fs, const bw_fsnode *n);
/* The directory holding n; NULL for the root. */
bw_fsnode *bw_fs_parent(const bw_fs *fs, const bw_fsnode *n);

/*
 * Resolves path through symlinks (in every component, and in the last one
 * when follow_last) and hard links. *out is NULL when the path does not
 * exist. A hard link resolves to its target node while that still holds the
 * content it was linked to, else to the link node itself (see data_path). Errors: BW_EINPUT "too many levels of symbolic links".
 */
int bw_fs_resolve(const bw_fs *fs, const char *path, bool follow_last, bw_fsnode **out);

size_t bw_fs_count(const bw_fs *fs);

/* Sorted walks (root excluded). */
int bw_fs_walk(const bw_fs *fs, int (*fn)(const bw_fsnode *n, void *ctx), void *ctx);

typedef struct bw_fs_deleted {
	const char *path;
	uint32_t layer, from_layer;
} bw_fs_deleted;

int bw_fs_walk_deleted(const bw_fs *fs, int (*fn)(const bw_fs_deleted *d, void *ctx), void *ctx);

#endif
