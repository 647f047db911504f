/* inventory/rust.h: Rust crates (Cargo.lock files, cargo-auditable data in binaries). */
#ifndef BW_INVENTORY_RUST_H
#define BW_INVENTORY_RUST_H

#include <stddef.h>
#include <stdint.h>

#define BW_CARGO_MAX_LOCK     (16 * 1024 * 1024) /* bytes of a Cargo.lock */
#define BW_CARGO_MAX_AUDIT    (8 * 1024 * 1024)  /* inflated bytes of a .dep-v0 payload */
#define BW_CARGO_MAX_PKGS     100000

typedef struct bw_cargo_pkg {
	char *name, *version, *source; /* source may be NULL (a local crate) */
	char **deps;                   /* Cargo.lock "dependencies", resolved to "name@version" */
	size_t n_deps;
} bw_cargo_pkg;

void bw_cargo_free(bw_cargo_pkg *v, size_t n);

/* Cargo.lock: the [[package]] tables (name, version, source) of the TOML file. */
int bw_cargo_lock_parse(const char *what, const char *text, size_t len, bw_cargo_pkg **out, size_t *n_out);
/* The JSON of cargo-auditable: {"packages": [{"name", "version", "source", ...}]}. */
int bw_cargo_audit_parse(const char *what, const char *json, size_t len, bw_cargo_pkg **out, size_t *n_out);

/*
 * Finds cargo-auditable data in a file streamed in pieces, without section
 * headers: a zlib stream that inflates to {"packages": ...} (see rust.c).
 * finish() returns 0 with *json NULL when there is none; the caller frees *json.
 */
typedef struct bw_cargo_scanner bw_cargo_scanner;
bw_cargo_scanner *bw_cargo_scanner_new(void);
void bw_cargo_scanner_free(bw_cargo_scanner *s);
int bw_cargo_scanner_feed(bw_cargo_scanner *s, const uint8_t *data, size_t len);
int bw_cargo_scanner_finish(bw_cargo_scanner *s, const char *what, char **json, size_t *len);

#endif
