#include <string.h>

#include "util/limits.h"
#include "util/path.h"

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
