/*
 * image/ref.h: image references as users type them (DESIGN.md §5).
 *
 *   oci:DIR[:TAG]  oci-archive:FILE[:TAG]  docker-archive:FILE  dir:ROOTFS
 *   docker://REF   REGISTRY/REPO[:TAG][@DIGEST]   or a bare path (auto-detected)
 */
#ifndef BW_IMAGE_REF_H
#define BW_IMAGE_REF_H

typedef enum bw_transport {
	BW_TRANSPORT_OCI_DIR,
	BW_TRANSPORT_OCI_ARCHIVE,
	BW_TRANSPORT_DOCKER_ARCHIVE,
	BW_TRANSPORT_ROOTFS_DIR,
	BW_TRANSPORT_REGISTRY,
} bw_transport;

typedef struct bw_ref {
	bw_transport transport;
	char *path;  /* file or directory; for a registry, the reference */
	char *tag;   /* OCI layout tag (ref.name), or NULL */
} bw_ref;

const char *bw_transport_name(bw_transport t);

/*
 * Parses a reference. A bare path is classified by looking at it: a directory
 * with an oci-layout file is an OCI layout, another directory a root
 * filesystem, a file a tar archive (OCI layout inside -> oci-archive, else a
 * docker-archive). Errors: BW_EUSAGE for a malformed reference, BW_EINPUT
 * when the path does not exist or is neither kind.
 */
int bw_ref_parse(const char *text, bw_ref *out);
void bw_ref_free(bw_ref *r);

#endif
