/*
 * diff/files.h: flat, path-sorted lists of filesystem entries and their
 * comparison, shared by image diff (two images) and drift (an image and a
 * directory on the host). Internal to src/diff.
 */
#ifndef BW_DIFF_FILES_H
#define BW_DIFF_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/image.h"

typedef struct bw_fentry {
	char *path;       /* "/etc/passwd" */
	char type;        /* bw_file_info.type; a hard link counts as 'f' */
	uint32_t mode;    /* 07777 */
	uint64_t uid, gid, size;
	char *link;       /* symlink target, or NULL */
	char *digest;     /* content digest of a regular file, or NULL */
} bw_fentry;

typedef struct bw_flist {
	bw_fentry *v;
	size_t n, cap;
} bw_flist;

/* What differs between two entries of the same path. */
#define BW_FCHANGE_TYPE    (1u << 0)
#define BW_FCHANGE_CONTENT (1u << 1)
#define BW_FCHANGE_MODE    (1u << 2)
#define BW_FCHANGE_OWNER   (1u << 3)
#define BW_FCHANGE_LINK    (1u << 4)

int bw_flist_add(bw_flist *l, const char *path, char type, uint32_t mode, uint64_t uid, uint64_t gid,
		 uint64_t size, const char *link, const char *digest);
/* The merged filesystem of a scanned image (BW_ANALYZE_DIGESTS for digests). */
int bw_flist_from_image(const bw_image *img, bw_flist *out);
void bw_flist_sort(bw_flist *l);
void bw_flist_free(bw_flist *l);
/* The BW_FCHANGE_* bits; directories compare by type and owner only when dir_modes is false. */
unsigned bw_fentry_compare(const bw_fentry *a, const bw_fentry *b, bool dir_modes);

/* Walks both sorted lists in step: fn(a, NULL) removed, fn(NULL, b) added,
 * fn(a, b) present in both (changes may be 0). */
int bw_flist_merge(const bw_flist *a, const bw_flist *b, int (*fn)(const bw_fentry *a, const bw_fentry *b, void *ctx),
		   void *ctx);

/* Writes the BW_FCHANGE_* bits as "content,mode" into buf. */
const char *bw_fchange_text(unsigned changes, char *buf, size_t cap);

#endif
