/*
 * bulwark/registry.h: talking to OCI / Docker registries.
 *
 * Registry references ("registry.example.com/team/app:1.2",
 * "docker://alpine@sha256:...") work wherever bulwark/image.h takes a
 * reference: set bw_image_options.registry to say how to reach registries
 * (credentials, TLS, offline). This header adds what only registries do:
 * copying images between any two references, and listing the artifacts
 * (signatures, SBOMs, attestations) that refer to an image.
 *
 * Credentials, in order: `creds` below, then the file named by `auth_file`,
 * $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, and
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json ("auths", "credHelpers",
 * "credsStore", the helpers run as `docker-credential-NAME get`). No
 * credential or token is ever written to a message or a log line.
 */
#ifndef BULWARK_REGISTRY_H
#define BULWARK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bw_registry_options {
	const char *const *insecure_hosts; /* "host[:port]": plain HTTP or unverified TLS allowed */
	size_t n_insecure_hosts;
	const char *creds;         /* "user:password" for every registry, or NULL */
	const char *auth_file;     /* a containers-auth.json / docker config.json, or NULL */
	const char *ca_file;       /* PEM certificates trusted besides the system store, or NULL */
	const char *certs_dirs;    /* ':'-separated per-host certificate dirs; NULL:
	                              /etc/containers/certs.d:/etc/docker/certs.d */
	const char *blob_cache;    /* directory keeping pulled blobs by digest, or NULL: none */
	bool offline;              /* any registry access is an error (BW_ENET) */
	unsigned timeout_s;        /* connect and stalled-transfer timeout; 0: 30 */
	int retries;               /* attempts after the first on 429/5xx/network errors; <0: none, 0: 4 */
	uint64_t chunk_size;       /* push blobs in PATCH chunks of this size; 0: one PUT */
	unsigned parallel;         /* blobs transferred at once by bw_copy; 0: 4 */
} bw_registry_options;

typedef struct bw_copy_options {
	const bw_registry_options *registry; /* NULL: defaults */
	const char *platform;      /* copy one image of an index; NULL: the whole index */
} bw_copy_options;

typedef struct bw_copy_result {
	char digest[160];          /* the digest of the manifest (or index) written */
	uint64_t blobs_copied, blobs_skipped, bytes_copied;
} bw_copy_result;

/*
 * Copies the image SRC to DST. Each may be a registry reference, oci:DIR[:TAG],
 * oci-archive:FILE[:TAG] or docker-archive:FILE (and SRC a bare path). Manifests
 * and blobs are copied byte for byte, so digests are preserved (except from a
 * docker-archive, which has no manifest: one is made as skopeo makes it).
 * Every blob is verified against its digest on the way. Blobs the destination
 * already has are skipped; on a registry, a blob in another repository of the
 * same registry is mounted instead of uploaded.
 */
BW_EXTERN int bw_copy(const char *src, const char *dst, const bw_copy_options *opts, bw_copy_result *result);

typedef struct bw_referrer {
	const char *digest;
	const char *media_type;
	const char *artifact_type; /* may be NULL */
	uint64_t size;
	size_t n_annotations;
	const char *const *annotation_keys, *const *annotation_values;
} bw_referrer;

/*
 * Lists the manifests whose subject is the image REFERENCE names (resolved to
 * its digest): the referrers API (/v2/<name>/referrers/<digest>), or, when the
 * registry lacks it, the fallback tag sha256-<hex>. With artifact_type, only
 * those of that type. fn's non-zero return stops and is returned.
 */
BW_EXTERN int bw_referrers(const char *reference, const char *artifact_type, const bw_registry_options *opts,
			   int (*fn)(const bw_referrer *r, void *ctx), void *ctx);

/*
 * Pushes a one-blob artifact (an SBOM, a signature) whose subject is the image
 * REFERENCE names, to that repository, and records it where bw_referrers()
 * finds it: the registry indexes it itself when it supports the referrers
 * API, otherwise the fallback tag's index is updated. *digest_out gets the
 * artifact manifest's digest (at least 160 bytes).
 */
BW_EXTERN int bw_registry_attach(const char *reference, const char *artifact_type, const char *blob_media_type,
				 const void *blob, size_t blob_len, const bw_registry_options *opts,
				 char *digest_out);

#ifdef __cplusplus
}
#endif
#endif
