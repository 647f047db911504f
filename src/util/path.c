#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/limits.h"
#include "util/path.h"
#include "bulwark/errors.h"

const char *bw_path_status_str(bw_path_status st)
{
	switch (st) {
	case BW_PATH_OK: return "ok";
	case BW_PATH_EMPTY: return "has an empty name";
	case BW_PATH_ABSOLUTE: return "is an absolute path";
	case BW_PATH_DOTDOT: return "escapes the image root (a \"..\" component)";
	case BW_PATH_TOO_LONG: return "is longer than the path limit of 4096 bytes";
	case BW_PATH_NAME_TOO_LONG: return "has a component longer than 255 bytes";
	}
	return "is invalid";
}

bw_path_status bw_path_from_tar(const char *name, char *out, size_t *out_len)
{
	size_t o = 0;
	const char *p = name;

	if (!name || !*name)
		return BW_PATH_EMPTY;
	if (*name == '/')
		return BW_PATH_ABSOLUTE;
	const char *c;
	size_t n;
	while (bw_path_next(&p, &c, &n)) {
		if (bw_path_is_dot(c, n))
			continue;
		if (bw_path_is_dotdot(c, n))
			return BW_PATH_DOTDOT;
		if (n > BW_MAX_NAME_BYTES)
			return BW_PATH_NAME_TOO_LONG;
		if (o + 1 + n > BW_MAX_PATH_BYTES)
			return BW_PATH_TOO_LONG;
		out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	*out_len = o;
	return BW_PATH_OK;
}

int bw_path_join_link(const char *dir, const char *target, char *out, size_t outsz)
{
	size_t o = 0;
	const char *parts[2] = { target[0] == '/' ? "" : dir, target };

	if (outsz < 2)
		return -1;
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k], *c;
		size_t n;
		while (bw_path_next(&p, &c, &n)) {
			if (bw_path_is_dot(c, n))
				continue;
			if (bw_path_is_dotdot(c, n)) {
				while (o > 0 && out[o - 1] != '/')
					o--;
				if (o > 0)
					o--;
				continue;
			}
			if (o + 1 + n + 1 > outsz)
				return -1;
			out[o++] = '/';
			memcpy(out + o, c, n);
			o += n;
		}
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

void bw_path_dirname(char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		path[0] = '/', path[1] = '\0';
	else
		*slash = '\0';
}

int bw_host_mkdir(const char *dir)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len >= sizeof(buf))
		return bw_error_set(BW_EINPUT, "%.100s...: path too long", dir);
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return bw_error_set(BW_EINPUT, "%s: cannot create directory: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return bw_error_set(BW_EINPUT, "%s: cannot create directory: %s", buf, strerror(errno));
	return 0;
}

int bw_host_mkdir_parents(const char *path)
{
	char dir[4096];
	size_t len = strlen(path);

	if (len >= sizeof(dir))
		return bw_error_set(BW_EINPUT, "%.100s...: path too long", path);
	memcpy(dir, path, len + 1);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return bw_host_mkdir(dir);
}

const char *bw_host_cache_path(char *out, size_t n, const char *env_var, const char *name)
{
	const char *env = env_var ? getenv(env_var) : NULL, *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (env && *env)
		snprintf(out, n, "%s", env);
	else if (xdg && *xdg)
		snprintf(out, n, "%s/bulwark/%s", xdg, name);
	else
		snprintf(out, n, "%s/.cache/bulwark/%s", home && *home ? home : ".", name);
	return out;
}
