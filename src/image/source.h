/*
 * image/source.h: where an image's bytes come from.
 *
 * A source hands out the named files of an image container: for an OCI layout
 * directory the files below it, for oci-archive and docker-archive the
 * members of the tar file; for a registry, manifests and blobs fetched over
 * HTTP (registry/source.c). Names are relative ("index.json",
 * "blobs/sha256/<hex>", "<id>/layer.tar"). Members are read in place: a tar
 * archive is never unpacked to disk; each stream opens its own handle so
 * layers can be read by several threads at once.
 *
 * Nothing here verifies content: the caller checks every blob against its
 * digest as it streams (image/layer.c, image/image.c).
 */
#ifndef BW_IMAGE_SOURCE_H
#define BW_IMAGE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bulwark/registry.h"
#include "crypto/digest.h"
#include "image/ref.h"
#include "util/buf.h"

typedef struct bw_source bw_source;
typedef struct bw_stream bw_stream;

/* Classifies a tar file as oci-archive (has oci-layout and index.json) or docker-archive. */
int bw_archive_classify(const char *path, bw_transport *out);

int bw_source_open(bw_source **out, const bw_ref *ref);
/* The same, with how to reach registries (NULL: defaults) for a registry reference. */
int bw_source_open_registry(bw_source **out, const bw_ref *ref, const bw_registry_options *reg_opts);
/*
 * Registry images only: fetches and verifies the manifest or index the
 * reference names; it is then member "manifests/<digest>". Other members:
 * "manifests/<digest>" for any manifest, "blobs/<alg>/<hex>" for blobs.
 */
int bw_source_registry_top(bw_source *s, bw_digest *digest, uint64_t *size, char **media_type);
void bw_source_free(bw_source *s);

/* The text used in messages for this source, e.g. "oci-archive:img.tar". */
const char *bw_source_name(const bw_source *s);

/* true when the member exists; *size is its size in bytes when known. */
bool bw_source_has(bw_source *s, const char *member, uint64_t *size);

/*
 * Reads a whole member into out (which must be empty); errors with BW_EINPUT
 * when it is missing ("... is missing") or larger than max.
 */
int bw_source_read(bw_source *s, const char *member, size_t max, bw_buf *out);

int bw_source_open_stream(bw_source *s, const char *member, bw_stream **out);
/* Bytes read (0 at the end), or a negative bw error code. */
ssize_t bw_stream_read(bw_stream *st, void *buf, size_t cap);
void bw_stream_close(bw_stream *st);

/* Packs the files under dir into a tar file (written beside it, renamed into place). */
int bw_archive_pack_dir(const char *dir, const char *tarpath);
/* Removes the regular files directly in dir (cleaning up a staging directory). */
void bw_remove_dir_files(const char *dir);

#endif
