/*
 * image/analyzer.h: the analyzer interface. Every scanner that looks at
 * files (OS and language packages, secrets, licenses, file hygiene) plugs in
 * here; see docs/analyzers.md for why it is shaped this way.
 *
 * The layer pass (image/layer.c) reads each layer once. For every tar member
 * it asks each analyzer whether it wants it: by exact path (`paths`, looked
 * up in a hash table, free for entries nobody wants) or by `wants()`, which
 * also sees the first BW_HEAD_BYTES of a regular file's content for magic
 * numbers (ELF, zip). A wanted entry is delivered once, during the pass:
 *   - buffered: `entry()` receives the whole content, up to content_max bytes
 *     (`truncated` set when the file was larger);
 *   - streamed: when `chunk()` is set, it receives the content in order, in
 *     pieces, then `entry()` is called with content NULL.
 * Non-regular entries (directories, links) are delivered with no content.
 *
 * State is per layer (`layer_new`), so layers run in parallel and a layer's
 * results depend only on that layer: they can be cached by diff_id and
 * analyzer version. After all layers, `finish()` sees the merged filesystem
 * (whiteouts applied, links resolvable) and every layer's state in order, and
 * keeps what survived to the final image.
 *
 * Errors: an analyzer returning BW_EINPUT from entry() has its message logged
 * as a warning naming the file, and the pass goes on (one bad file does not
 * sink a scan). BW_EINTERNAL aborts the pass.
 */
#ifndef BW_IMAGE_ANALYZER_H
#define BW_IMAGE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/wire.h"

typedef struct bw_image bw_image;

typedef enum bw_ftype {
	BW_FT_FILE = 'f',
	BW_FT_DIR = 'd',
	BW_FT_SYMLINK = 'l',
	BW_FT_HARDLINK = 'h',
	BW_FT_CHAR = 'c',
	BW_FT_BLOCK = 'b',
	BW_FT_FIFO = 'p',
	BW_FT_SOCKET = 's',
} bw_ftype;

typedef struct bw_entry {
	const char *path;    /* canonical image path, "/etc/os-release" */
	size_t path_len;
	const char *name;    /* last component */
	char type;           /* bw_ftype */
	uint32_t mode;       /* 07777 bits */
	uint64_t uid, gid;
	uint64_t size;       /* regular files: content bytes */
	const char *link;    /* symlink target as written; hard link: canonical target path */
	size_t layer;        /* 0-based layer index */
} bw_entry;

typedef struct bw_analyzer {
	const char *name;
	uint32_t version;                 /* bump when results change: keys the layer cache */
	uint32_t kind;                    /* BW_ANALYZE_* (bulwark/image.h): selectable by callers */
	const char *const *paths;         /* exact canonical paths, NULL-terminated; may be NULL */
	bool (*wants)(const bw_entry *e, const uint8_t *head, size_t head_len); /* optional */
	size_t content_max;               /* bytes to buffer for entry(); 0: metadata only */
	void *(*layer_new)(void);         /* NULL on ENOMEM */
	int (*chunk)(void *layer_state, const bw_entry *e, const uint8_t *data, size_t len);
	int (*entry)(void *layer_state, const bw_entry *e, const uint8_t *content, size_t len,
		     bool truncated);
	void (*layer_free)(void *layer_state);
	int (*finish)(bw_image *img, void *const *layer_states, size_t n_layers);
	/*
	 * The layer cache (image/layercache.c) records what buffered analyzers are
	 * handed and replays it; a streaming analyzer (chunk) sees every byte, which
	 * is not recorded, so it saves its finished per-layer state instead and loads
	 * it into a fresh one (a buffered analyzer may too: cheaper than parsing its
	 * files again). A streaming analyzer without these turns the cache off for
	 * the images it scans. load() gets a state from layer_new(). Bump version
	 * when the saved form changes.
	 */
	int (*save)(void *layer_state, bw_buf *out);
	int (*load)(void *layer_state, bw_cursor *in);
	/*
	 * Optional: the analyzer's configuration when its results depend on more
	 * than its version (the secret scanner's rule set and size limit), written
	 * into out; part of every cache key. false: no usable signature, so the
	 * caches are off for the run.
	 */
	bool (*config_signature)(char *out, size_t n);
} bw_analyzer;

/* The analyzers compiled in, NULL-terminated (image/image.c). */
extern const bw_analyzer *const bw_analyzers[];

#endif
