/*
 * inventory/sbom_in.h: an image whose packages come from an SBOM file
 * (`sbom:FILE`, CycloneDX 1.4-1.6 or SPDX 2.3 JSON). It has no layers and no
 * files; scanning it matches the SBOM's package URLs.
 */
#ifndef BW_INVENTORY_SBOM_IN_H
#define BW_INVENTORY_SBOM_IN_H

#include "util/limits.h"

typedef struct bw_image bw_image;

#define BW_SBOM_MAX_BYTES       (512 * BW_MiB)
#define BW_SBOM_MAX_COMPONENTS  1000000
#define BW_SBOM_MAX_NESTING     32

/* Reads path into img's package list and OS. BW_EINPUT for a file that is
 * not a CycloneDX or SPDX JSON SBOM, or is over the bounds. */
int bw_sbom_image_open(bw_image *img, const char *path);

#endif
