/*
 * pin/resolve.c: a tag to the digest it names now (bw_pin_resolve), through
 * the registry client: the top manifest's digest (an index for multi-platform
 * images), or with a platform the digest of that platform's manifest, as
 * bw_image_open selects it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/image.h"
#include "bulwark/pin.h"
#include "registry/registry.h"

static bool is_index_type(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

int bw_pin_resolve(const char *ref, const char *platform, const bw_registry_options *opts, char *out,
		   bool *is_index)
{
	int rc;

	out[0] = '\0';
	*is_index = false;
	if ((rc = bw_pin_check_reference("reference", 0, ref)) < 0)
		return rc;
	if (platform) {
		bw_image_options io = BW_IMAGE_OPTIONS_INIT;
		bw_image *img = NULL;
		char full[600];
		io.platform = platform;
		io.registry = opts;
		/* docker:// makes bw_image_open read it from the registry, never as a path */
		snprintf(full, sizeof(full), "docker://%s", ref);
		if ((rc = bw_image_open(&img, full, &io)) < 0)
			return rc;
		snprintf(out, BW_PIN_DIGEST_MAX, "%s", bw_image_get_info(img)->manifest_digest);
		bw_image_free(img);
		return 0;
	}
	bw_reg_source *src = NULL;
	bw_digest d;
	uint64_t size;
	char *media_type = NULL;
	if ((rc = bw_reg_source_open(&src, ref, opts)) < 0)
		return rc;
	if ((rc = bw_reg_source_top(src, &d, &size, &media_type)) == 0) {
		snprintf(out, BW_PIN_DIGEST_MAX, "%s", d.text);
		*is_index = is_index_type(media_type);
	}
	free(media_type);
	bw_reg_source_free(src);
	return rc;
}
