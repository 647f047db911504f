/* inventory/golang.h: Go binaries' build information (module path, dependencies, toolchain). */
#ifndef BW_INVENTORY_GOLANG_H
#define BW_INVENTORY_GOLANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BW_GO_MAX_MODINFO  (1024 * 1024) /* bytes of the modinfo string */
#define BW_GO_MAX_MODULES  20000         /* mod + dep lines */

typedef struct bw_go_mod {
	char *path, *version;
	bool main;           /* the main module ("mod" line) */
} bw_go_mod;

typedef struct bw_go_info {
	char *go_version;    /* "go1.19.8"; NULL when the binary has no build info */
	bw_go_mod *mods;
	size_t n_mods;
} bw_go_info;

void bw_go_info_free(bw_go_info *info);

/*
 * Parses a modinfo string (the text `go version -m` prints: "path", "mod",
 * "dep", "=>" and "build" lines, tab-separated). A "=>" line replaces the
 * module before it by its replacement's path and version. Appends to info.
 */
int bw_go_modinfo_parse(const char *what, const char *text, size_t len, bw_go_info *info);

/*
 * The streaming reader the analyzer uses, exposed for tests and the fuzzer:
 * bw_go_reader_new(), feed the file's bytes in order in pieces of any size
 * with bw_go_reader_feed(), then bw_go_reader_finish() fills *info (go_version
 * NULL: not a Go binary, or one without build info). BW_EINPUT names `what`
 * for a malformed ELF (truncated, tables past the end of the file) or build
 * info that cannot be read.
 */
typedef struct bw_go_reader bw_go_reader;
bw_go_reader *bw_go_reader_new(void);
void bw_go_reader_free(bw_go_reader *r);
int bw_go_reader_feed(bw_go_reader *r, const uint8_t *data, size_t len);
int bw_go_reader_finish(bw_go_reader *r, const char *what, bw_go_info *info);

#endif
