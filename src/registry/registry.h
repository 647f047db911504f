/*
 * registry/registry.h: the OCI distribution client inside libbulwark.
 *
 *   ref.c        registry references, Docker Hub's defaults
 *   auth.c       WWW-Authenticate challenges, token responses, credentials
 *                (auth files, credential helpers), Link headers
 *   client.c     one registry: TLS, auth flow and token cache, retries with
 *                backoff, redirects without leaking Authorization
 *   pull.c       manifests and blobs, verified against their digests
 *   push.c       blob uploads (monolithic, chunked, cross-repository mount), manifests
 *   referrers.c  the referrers API and the sha256-<hex> fallback tag
 *   source.c     a registry image as the member interface of image/source.h
 *   copy.c       bw_copy between any two references
 *
 * Everything a registry sends is hostile: sizes are bounded before bytes are
 * read, digests verified before content is trusted, every parser fuzzed
 * (tests/fuzz/fuzz_registry.c). Messages name "HOST/REPOSITORY" and the
 * problem on one line; credentials and tokens never appear in them.
 */
#ifndef BW_REGISTRY_REGISTRY_H
#define BW_REGISTRY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bulwark/registry.h"
#include "crypto/digest.h"
#include "http/http.h"
#include "util/base64.h"
#include "util/buf.h"

#define BW_REG_MAX_HOST 256
#define BW_REG_MAX_NAME 256   /* repository names; the spec's practical limit */
#define BW_REG_MAX_TAG 128    /* [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} */
#define BW_REG_MAX_TOKEN_RESPONSE (1024 * 1024)
#define BW_REG_MAX_TOKEN (64 * 1024)
#define BW_REG_MAX_ERROR_BODY (16 * 1024)
#define BW_REG_MAX_AUTH_FILE (1024 * 1024)
#define BW_REG_MAX_REDIRECTS 5
#define BW_REG_MAX_REFERRERS_PAGES 64
#define BW_REG_MAX_RETRY_AFTER 60   /* seconds we are willing to wait when told to */

#define BW_REG_ACCEPT_MANIFESTS                                                                    \
	"Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.docker.distribution.manifest.v2+json"

/* ------------------------------------------------------------ references (ref.c) */

typedef struct bw_reg_ref {
	char host[BW_REG_MAX_HOST];   /* where to connect: "registry-1.docker.io", "127.0.0.1:5000" */
	char name[BW_REG_MAX_NAME];   /* repository: "library/alpine" */
	char tag[BW_REG_MAX_TAG + 1]; /* "" when the reference has none */
	bool has_digest;
	bw_digest digest;
	char display[BW_REG_MAX_HOST + BW_REG_MAX_NAME + 2]; /* "host/name" for messages */
} bw_reg_ref;

/*
 * "[docker://]HOST/NAME[:TAG][@DIGEST]" -> ref. A first component without
 * '.', ':' or "localhost" is a Docker Hub repository (docker.io, "library/"
 * for single names); no tag and no digest means "latest". BW_EUSAGE when malformed.
 */
int bw_reg_ref_parse(const char *text, bw_reg_ref *out);
/* "tag" or "sha256:..." to put in a /manifests/ URL (the digest wins). */
const char *bw_reg_ref_reference(const bw_reg_ref *r);

/* --------------------------------------------------- protocol parsers (auth.c) */

typedef struct bw_reg_challenge {
	char scheme[16];   /* "bearer" or "basic", lowercase */
	char *realm, *service, *scope, *error;
} bw_reg_challenge;

/*
 * Parses a WWW-Authenticate value (RFC 7235; several challenges may share one
 * header). Picks the Bearer challenge if there is one, else Basic. BW_EINPUT
 * for a malformed header, an unknown scheme alone, or a Bearer without realm.
 */
int bw_reg_challenge_parse(const char *what, const char *header, bw_reg_challenge *out);
void bw_reg_challenge_free(bw_reg_challenge *c);

/* A token server's JSON: "token" or "access_token", "expires_in" (default 60 s). */
int bw_reg_token_parse(const char *what, const void *data, size_t len, char **token, long *expires_in);

/* The URL of rel="next" in a Link header (RFC 8288), malloc'd, or NULL (none or malformed). */
char *bw_reg_link_next(const char *link);

typedef struct bw_reg_referrer {
	bw_digest digest;
	char *media_type, *artifact_type;
	uint64_t size;
	size_t n_annotations;
	char **keys, **values;
} bw_reg_referrer;

typedef struct bw_reg_referrers {
	size_t n, cap;
	bw_reg_referrer *v;
} bw_reg_referrers;

/* Appends the manifests of an OCI index (a referrers response) to list. */
int bw_reg_referrers_parse(const char *what, const void *data, size_t len, bw_reg_referrers *list);
void bw_reg_referrers_free(bw_reg_referrers *list);


/* ------------------------------------------------------- credentials (auth.c) */

typedef struct bw_reg_creds {
	char *user, *secret;
	/* secret is an identity token (an OAuth2 refresh token: docker config's
	 * "identitytoken", or a credential helper's "<token>" user), exchanged at
	 * the token realm by POST grant_type=refresh_token; user is "<token>" */
	bool identity_token;
} bw_reg_creds;

/*
 * Finds credentials for host (see bulwark/registry.h for the order). 1 when
 * found, 0 when none, or a negative error (a malformed auth file, a failing
 * credential helper). Never logs the secret.
 */
int bw_reg_creds_find(const char *host, const bw_registry_options *opts, bw_reg_creds *out);
void bw_reg_creds_free(bw_reg_creds *c);

/* ------------------------------------------------------------ client (client.c) */

typedef struct bw_reg_client bw_reg_client;

int bw_reg_client_new(bw_reg_client **out, const char *host, const bw_registry_options *opts);
void bw_reg_client_free(bw_reg_client *c);
const bw_registry_options *bw_reg_client_options(const bw_reg_client *c);

typedef struct bw_reg_request {
	const char *method;
	const char *path;         /* "/v2/..." on the registry, or an absolute URL (upload locations) */
	const char *scope;        /* token scopes, ' '-separated: "repository:NAME:pull" */
	const char *what;         /* "HOST/NAME" for messages */
	const char *const *headers;
	size_t n_headers;
	const void *body;         /* in-memory body: the request may be retried */
	size_t body_len;
	bw_http_body_fn body_fn;  /* streamed body: sent once, never retried */
	void *body_ctx;
	uint64_t body_size;
} bw_reg_request;

/*
 * Sends a request: adds credentials (after a 401 challenge, or at once when
 * the registry is known to want them), follows redirects (dropping
 * Authorization on another host), retries 429/5xx and network errors with
 * backoff, honouring Retry-After. On 0, *out is the final response, whatever
 * its status. A 401 after authenticating is BW_ENET "authentication failed".
 */
int bw_reg_do(bw_reg_client *c, const bw_reg_request *req, bw_http_stream **out);

/* An error for an unexpected status, with the registry's error code/message if it sent JSON. */
int bw_reg_status_error(bw_http_stream *s, const char *what, const char *doing);

/* ------------------------------------------------------------ pull (pull.c) */

typedef struct bw_reg_manifest {
	bw_buf body;              /* exactly as served */
	char *media_type;         /* Content-Type, or the document's mediaType */
	bw_digest digest;         /* computed over body */
} bw_reg_manifest;

/*
 * GET /v2/NAME/manifests/REFERENCE. Bounded by max; a digest reference is
 * verified; a tag's Docker-Content-Digest, when sent, must match the content.
 * BW_EINPUT for bad content, BW_ENET for transport and "not found".
 */
int bw_reg_get_manifest(bw_reg_client *c, const bw_reg_ref *r, const char *reference, size_t max,
			bw_reg_manifest *out);
void bw_reg_manifest_free(bw_reg_manifest *m);
/* HEAD of a manifest: 1 exists (digest filled when sent), 0 missing, <0 error. */
int bw_reg_head_manifest(bw_reg_client *c, const bw_reg_ref *r, const char *reference, bw_digest *digest);

/* GET of a blob: the response stream positioned at the body (status 200). */
/* How many times a failed request is tried again (--retries; default 4). */
unsigned bw_reg_client_retries(const bw_reg_client *c);
int bw_reg_blob_open(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, bw_http_stream **out);
/*
 * The same from byte offset on (Range: bytes=OFFSET-), to resume a download
 * that broke. *partial: the registry answered 206 from exactly that offset;
 * false: it sent the whole blob (200), whose first offset bytes the caller
 * skips. A 206 for another range is BW_ENET.
 */
int bw_reg_blob_open_at(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, uint64_t offset,
			bw_http_stream **out, bool *partial);
/* HEAD of a blob: 1 exists (*size when known), 0 missing, <0 error. */
int bw_reg_blob_exists(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, uint64_t *size);

/* ------------------------------------------------------------ push (push.c) */

/*
 * Uploads a blob of known digest and size, reading it with body_fn. Skips it
 * when the repository has it (known_missing: the caller just asked); tries a cross-repository mount from
 * mount_from (another repository on the same registry) first when given.
 * *how: "exists", "mounted" or "uploaded".
 */
int bw_reg_push_blob(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *d, uint64_t size,
		     bw_http_body_fn body_fn, void *body_ctx, const char *mount_from, bool known_missing,
		     const char **how);
/* PUT /v2/NAME/manifests/REFERENCE with the exact bytes given; the registry's digest must match. */
int bw_reg_put_manifest(bw_reg_client *c, const bw_reg_ref *r, const char *reference, const char *media_type,
			const void *data, size_t len, bool *subject_indexed);

/* ------------------------------------------------------ referrers (referrers.c) */

/* The referrers of digest in r's repository, through the API or the fallback tag. */
int bw_reg_list_referrers(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, const char *artifact_type,
		     bw_reg_referrers *out);
/* Adds an artifact's descriptor (JSON) to the fallback tag's index of subject, unless listed. */
int bw_reg_fallback_add(bw_reg_client *c, const bw_reg_ref *r, const bw_digest *subject, const char *desc_json,
			const bw_digest *artifact);

/* ------------------------------------------------- image source glue (source.c) */

typedef struct bw_reg_source bw_reg_source;
typedef struct bw_reg_stream bw_reg_stream;

/* Opens the registry image `reference`; fails with BW_ENET when opts->offline. */
int bw_reg_source_open(bw_reg_source **out, const char *reference, const bw_registry_options *opts);
void bw_reg_source_free(bw_reg_source *s);
const char *bw_reg_source_name(const bw_reg_source *s);
/*
 * Fetches the manifest (or index) the reference names, verifies it, keeps it
 * as member "manifests/<digest>", and returns that digest, size and media type.
 */
int bw_reg_source_top(bw_reg_source *s, bw_digest *digest, uint64_t *size, char **media_type);
/*
 * Members: "manifests/<digest>" (a manifest, read whole) and
 * "blobs/<alg>/<hex>" (a blob, streamed; from the blob cache when configured).
 */
bool bw_reg_source_has(bw_reg_source *s, const char *member, uint64_t *size);
int bw_reg_source_read(bw_reg_source *s, const char *member, size_t max, bw_buf *out);
int bw_reg_source_open_stream(bw_reg_source *s, const char *member, bw_reg_stream **out);
ssize_t bw_reg_stream_read(bw_reg_stream *st, void *buf, size_t cap);
void bw_reg_stream_close(bw_reg_stream *st);

#endif
