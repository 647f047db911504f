/*
 * inventory/node.h: Node.js packages.
 *
 * Installed copies are read from node_modules/<name>/package.json (and
 * node_modules/@scope/<name>/package.json); lock files (package-lock.json and
 * npm-shrinkwrap.json v1/v2/v3, yarn.lock v1 and berry, pnpm-lock.yaml 5.x,
 * 6.x, 9.x) describe a project directory that has no node_modules.
 *
 * Every parser takes the whole file, returns 0 with a caller-owned array
 * (free it with bw_node_free), or BW_EINPUT naming WHAT and the problem, or
 * BW_EINTERNAL on ENOMEM. Lock file parsers list each (name, version) once.
 */
#ifndef BW_INVENTORY_NODE_H
#define BW_INVENTORY_NODE_H

#include <stdbool.h>
#include <stddef.h>

#define BW_NODE_PACKAGE_JSON_MAX (4u * 1024u * 1024u)  /* one installed package.json */
#define BW_NODE_LOCK_MAX         (32u * 1024u * 1024u) /* one yarn.lock / pnpm-lock.yaml (package-lock: no limit) */
#define BW_NODE_MAX_LINE         (1024u * 1024u)       /* one yarn.lock / pnpm-lock.yaml line */
#define BW_NODE_MAX_PACKAGES     1000000               /* packages in one lock file */
#define BW_NODE_MAX_DEPS         100000                /* dependency names of one package */
#define BW_NODE_MAX_LICENSES     64                    /* licenses of one package.json */
#define BW_NODE_MAX_STRING       4096                  /* a name or a version */

typedef struct bw_node_pkg {
	char *name;          /* "@scope/name" or "name" */
	char *version;
	char **licenses;     /* as written (SPDX ids or expressions in practice) */
	size_t n_licenses;
	char **deps;         /* names this package depends on, for SBOM relationships */
	size_t n_deps;
	bool deps_resolved;  /* deps were resolved to "name@version" (package-lock v2/v3) */
	bool dev;            /* only needed for development (lock files that say so) */
} bw_node_pkg;

void bw_node_free(bw_node_pkg *v, size_t n);

/*
 * An installed package.json: 0 packages when it has no name or no version
 * (e.g. a {"type": "module"} marker), else 1. license may be a string, an
 * object {type}, or (legacy) an array of either; "licenses" likewise.
 */
int bw_node_parse_package_json(const char *what, const char *data, size_t len, bw_node_pkg **out,
			       size_t *n_out);

/*
 * package-lock.json / npm-shrinkwrap.json: v2/v3 "packages" keyed by
 * node_modules path (the "" root, "link": true entries and workspace folders
 * are not packages), else v1 nested "dependencies".
 */
int bw_node_parse_package_lock(const char *what, const char *data, size_t len, bw_node_pkg **out,
			       size_t *n_out);

/*
 * The same, streamed: feed the file in pieces of any size, then finish. Memory
 * is bounded by the entries kept (at most BW_NODE_MAX_PACKAGES, their strings
 * at most 1 GiB), never by the file, so there is no size limit. what must
 * outlive the stream. finish returns what bw_node_parse_package_lock would;
 * after a feed error it returns that error. new returns NULL on ENOMEM.
 */
typedef struct bw_node_lock_stream bw_node_lock_stream;
bw_node_lock_stream *bw_node_lock_stream_new(const char *what);
int bw_node_lock_stream_feed(bw_node_lock_stream *s, const void *data, size_t len);
int bw_node_lock_stream_finish(bw_node_lock_stream *s, bw_node_pkg **out, size_t *n_out);
void bw_node_lock_stream_free(bw_node_lock_stream *s);

/* yarn.lock, v1 ("name@range", name@range: / version "x") or berry ("name@npm:range": / version: x). */
int bw_node_parse_yarn_lock(const char *what, const char *data, size_t len, bw_node_pkg **out,
			    size_t *n_out);

/* pnpm-lock.yaml: the "packages:" keys (/name/1.2.3, /name@1.2.3, name@1.2.3, peer suffixes cut). */
int bw_node_parse_pnpm_lock(const char *what, const char *data, size_t len, bw_node_pkg **out,
			    size_t *n_out);

#endif
