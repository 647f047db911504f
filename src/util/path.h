/*
 * util/path.h: image paths. Paths inside an image are data: they are never
 * opened on the host. This module turns tar member names into one canonical
 * form, "/dir/name", and refuses names that try to leave the image root.
 */
#ifndef BW_UTIL_PATH_H
#define BW_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef enum bw_path_status {
	BW_PATH_OK = 0,
	BW_PATH_EMPTY,      /* "" */
	BW_PATH_ABSOLUTE,   /* "/etc/x": no tool that writes layers makes these */
	BW_PATH_DOTDOT,     /* a ".." component: could escape the root */
	BW_PATH_TOO_LONG,   /* longer than BW_MAX_PATH_BYTES */
	BW_PATH_NAME_TOO_LONG, /* a component longer than BW_MAX_NAME_BYTES */
} bw_path_status;

/* A short phrase for messages, e.g. "escapes the image root (\"..\")". */
const char *bw_path_status_str(bw_path_status st);

/*
 * Canonical image path of a tar member name: "./a//b/" -> "/a/b", "." -> "/".
 * out must hold BW_MAX_PATH_BYTES + 2 bytes. On success *out_len is the length.
 */
bw_path_status bw_path_from_tar(const char *name, char *out, size_t *out_len);

/*
 * Joins a symlink target onto the directory holding the link and normalizes
 * the result lexically; ".." stops at the root, as the kernel does inside a
 * chroot. dir is canonical ("/usr/bin"). Returns 0, or -1 if too long.
 */
int bw_path_join_link(const char *dir, const char *target, char *out, size_t outsz);

/*
 * Steps to the next component of a '/'-separated path: skips slashes, sets
 * *comp and *len, and advances *p past the component. false at the end.
 */
static inline bool bw_path_next(const char **p, const char **comp, size_t *len)
{
	while (**p == '/')
		(*p)++;
	if (!**p)
		return false;
	const char *end = strchr(*p, '/');
	*comp = *p;
	*len = end ? (size_t)(end - *p) : strlen(*p);
	*p += *len;
	return true;
}

static inline bool bw_path_is_dot(const char *c, size_t n) { return n == 1 && c[0] == '.'; }
static inline bool bw_path_is_dotdot(const char *c, size_t n) { return n == 2 && c[0] == '.' && c[1] == '.'; }

/* The parent directory of a canonical path ("/a/b" -> "/a", "/a" -> "/"), in place. */
void bw_path_dirname(char *path);

/*
 * Host paths (files bulwark itself writes: databases, caches). mkdir -p of the
 * directory holding path, mode 0755. 0, or BW_EINPUT naming the directory.
 */
int bw_host_mkdir_parents(const char *path);
/* mkdir -p of dir itself. */
int bw_host_mkdir(const char *dir);
/* Where bulwark keeps its file `name`: $env_var when set (env_var may be NULL),
 * else $XDG_CACHE_HOME/bulwark/name, else $HOME/.cache/bulwark/name. Returns out. */
const char *bw_host_cache_path(char *out, size_t n, const char *env_var, const char *name);

#endif
