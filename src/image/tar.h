/*
 * image/tar.h: a streaming reader of tar as container layers write it.
 *
 * Layers are written by Go's archive/tar, GNU tar, BuildKit, Python's tarfile
 * and libarchive: POSIX ustar headers, pax extended headers ('x', and 'g',
 * which is read and ignored) for long names, big sizes and ids, GNU long
 * names ('L', 'K') and base-256 numbers, and old v7 headers. That is what this
 * reads. It refuses what a layer has no business holding: GNU sparse files
 * (the data is not the file), multi-volume continuations, and anything
 * malformed (a bad checksum, a number that is not one, a pax record that does
 * not parse, a truncated entry), with one message naming the offset.
 *
 * It reads the uncompressed stream in chunks handed over by the caller and
 * copies only headers that straddle two chunks: file data is skipped without
 * being touched unless the caller reads it. Memory is one 512-byte block plus
 * the extension headers of the current entry, each at most BW_MAX_TAR_EXT_BYTES
 * (util/limits.h).
 *
 * Names and link targets come back raw (NUL-free bytes, not canonicalised):
 * the caller checks them (util/path.h bw_path_from_tar).
 */
#ifndef BW_IMAGE_TAR_H
#define BW_IMAGE_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "image/analyzer.h"
#include "util/buf.h"
#include "util/limits.h"

/*
 * The next chunk of the stream: >0 its length (*data valid until the next
 * call), 0 at the end, <0 an error the callback has already reported.
 */
typedef ssize_t (*bw_tar_source)(void *ctx, const uint8_t **data);

typedef struct bw_tar_entry {
	const char *path;  /* as the archive names it; valid until the next bw_tar_next */
	size_t path_len;
	const char *link;  /* hard link or symlink target, else NULL */
	size_t link_len;
	bw_ftype type;     /* BW_FT_*, never BW_FT_SOCKET (tar has no sockets) */
	uint32_t mode;     /* permission bits (07777) */
	uint64_t uid, gid;
	uint64_t size;     /* bytes of data that follow in the archive */
	uint64_t offset;   /* of the entry's header in the stream (for messages) */
} bw_tar_entry;

typedef struct bw_tar {
	bw_tar_source source;
	void *ctx;
	const char *what;  /* names the archive in messages */
	const uint8_t *chunk;
	size_t chunk_len, chunk_off;
	uint64_t offset;   /* bytes of the stream consumed */
	uint64_t entry_at; /* offset of the current entry's header */
	uint64_t data_left, pad_left; /* of the current entry */
	bool at_end;       /* the end-of-archive marker, or the stream, has been reached */
	bool failed;
	uint8_t block[512];
	char name[256 + 1 + 1];  /* ustar prefix '/' name */
	char linkname[100 + 1];
	bw_buf long_name, long_link, pax; /* pending extensions for the next entry */
	bw_buf pax_path, pax_link;
	bool have_pax_size, have_pax_uid, have_pax_gid;
	uint64_t pax_size, pax_uid, pax_gid;
} bw_tar;

void bw_tar_init(bw_tar *t, bw_tar_source source, void *ctx, const char *what);
void bw_tar_free(bw_tar *t);

/*
 * The next entry: 1 with *e filled, 0 at the end of the archive (the marker
 * or a clean end of the stream), <0 an error (BW_EINPUT, set). Unread data of
 * the previous entry is skipped first. After 0 the stream may hold more
 * bytes (trailing blocks); the reader has not read them.
 */
int bw_tar_next(bw_tar *t, bw_tar_entry *e);

/* Up to cap bytes of the current entry's data: >0, 0 at its end, <0 error (set). */
ssize_t bw_tar_read(bw_tar *t, void *buf, size_t cap);

#endif
