/*
 * inventory/osrelease.c: the operating system of an image, from os-release.
 *
 * The first analyzer, and the example of the interface: it asks for two
 * exact paths, keeps their content per layer, and in finish() resolves
 * /etc/os-release through the merged filesystem (it is often a symlink to
 * ../usr/lib/os-release, possibly from another layer) to pick the copy that
 * survived. The full OS detection (older release files, families) is the
 * OS-inventory module's job; this fills artifact.os.
 */
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/fs.h"
#include "image/image_int.h"
#include "util/log.h"

#define OS_RELEASE_MAX (64 * 1024)

static const char *const wanted[] = { "/etc/os-release", "/usr/lib/os-release", NULL };

typedef struct os_layer {
	char *content[2]; /* by index in wanted[] */
	size_t len[2];
} os_layer;

static void *os_layer_new(void)
{
	return calloc(1, sizeof(os_layer));
}

static void os_layer_free(void *state)
{
	os_layer *s = state;
	if (!s)
		return;
	free(s->content[0]);
	free(s->content[1]);
	free(s);
}

static int os_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	os_layer *s = state;
	int slot = strcmp(e->path, wanted[0]) == 0 ? 0 : 1;

	free(s->content[slot]);
	s->content[slot] = NULL;
	if (e->type != BW_FT_FILE)
		return 0;
	if (truncated)
		return bw_error_set(BW_EINPUT, "larger than %d bytes; ignored", OS_RELEASE_MAX);
	if (!(s->content[slot] = malloc(len + 1)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memcpy(s->content[slot], content, len);
	s->content[slot][len] = '\0';
	s->len[slot] = len;
	return 0;
}

/* One value of KEY=value / KEY="value" in os-release syntax; NULL if absent. */
static char *os_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		const char *v = line + klen + 1, *end = strchr(v, '\n');
		size_t n = end ? (size_t)(end - v) : strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		char *out = malloc(n + 1);
		if (!out)
			return NULL;
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '\\' && i + 1 < n)
				i++;
			out[o++] = v[i];
		}
		out[o] = '\0';
		return out;
	}
	return NULL;
}

static int os_finish(bw_image *img, void *const *states, size_t n_layers)
{
	bw_fsnode *node = NULL;
	const char *content = NULL;
	int rc;

	for (int k = 0; k < 2 && !content; k++) {
		if ((rc = bw_fs_resolve(bw_image_fs(img), wanted[k], true, &node)) < 0)
			return rc; /* e.g. a symlink loop: reported as a warning by the caller */
		if (!node || (node->type != BW_FT_FILE && node->type != BW_FT_HARDLINK))
			continue;
		if (!node || !node->data_path)
			continue;
		int slot = strcmp(node->data_path, wanted[0]) == 0 ? 0 : strcmp(node->data_path, wanted[1]) == 0 ? 1 : -1;
		if (slot < 0 || node->data_layer >= n_layers || !states[node->data_layer])
			continue;
		content = ((os_layer *)states[node->data_layer])->content[slot];
	}
	if (!content)
		return 0;
	char *id = os_value(content, "ID"), *ver = os_value(content, "VERSION_ID"),
	     *code = os_value(content, "VERSION_CODENAME"), *pretty = os_value(content, "PRETTY_NAME");
	rc = bw_image_set_os(img, id, ver, code, pretty);
	free(id);
	free(ver);
	free(code);
	free(pretty);
	return rc;
}

const bw_analyzer bw_analyzer_osrelease = {
	.name = "os-release",
	.version = 1,
	.paths = wanted,
	.content_max = OS_RELEASE_MAX,
	.layer_new = os_layer_new,
	.entry = os_entry,
	.layer_free = os_layer_free,
	.finish = os_finish,
};
