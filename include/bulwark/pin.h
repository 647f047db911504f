/*
 * bulwark/pin.h: immutability. Finding image references in deployment files
 * and pinning them to digests (`bulwark pin`), so that the image tested is
 * byte for byte the image deployed.
 *
 *   bw_pin_find()         the image references of a Kubernetes / Helm-rendered /
 *                         docker-compose YAML file or a Dockerfile, with the
 *                         byte range each occupies
 *   bw_pin_resolve()      a tag to its digest through the registry client
 *   bw_pin_apply()        replaces byte ranges, keeping every other byte
 *   bw_pin_unified_diff() a unified diff (`diff -u` / `patch` format) of the change
 *   bw_pin_write_file()   atomic in-place rewrite (temp file + rename, mode kept)
 *
 * Everything read is hostile: files larger than BW_PIN_MAX_FILE_BYTES are
 * refused, YAML anchors and aliases are refused (a billion-laughs file is an
 * error, not a hang), and every reference passes bw_pin_check_reference()
 * before it goes near the registry, a diff or a file.
 */
#ifndef BULWARK_PIN_H
#define BULWARK_PIN_H

#include <stdbool.h>
#include <stddef.h>

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bw_registry_options;

#define BW_PIN_MAX_FILE_BYTES (16u * 1024 * 1024) /* one manifest, Dockerfile or compose file */
#define BW_PIN_DIGEST_MAX 160

typedef enum bw_pin_kind {
	BW_PIN_AUTO,        /* by file name: Dockerfile*, *.Dockerfile, Containerfile* -> Dockerfile; else YAML */
	BW_PIN_YAML,        /* Kubernetes (all workload kinds, multi-document, Helm-rendered) and compose */
	BW_PIN_DOCKERFILE,
} bw_pin_kind;

typedef struct bw_pin_ref {
	const char *reference;  /* as written, NUL-terminated */
	size_t start, end;      /* the bytes of the input that hold it */
	size_t line;            /* 1-based */
	const char *where;      /* "containers", "initContainers", "ephemeralContainers", "services",
	                           "FROM", "COPY --from" */
	bool pinned;            /* carries @digest already */
	bool in_place;          /* false: the text is not the value as written (YAML escapes,
	                           folded or block scalars), so it cannot be rewritten in place */
	bool variable;          /* a template ("$TAG", "${BASE:-x}": Dockerfile ARG, compose or
	                           envsubst interpolation): cannot be resolved or pinned here */
} bw_pin_ref;

/* The kind of a file by its name (BW_PIN_AUTO resolved). */
BW_EXTERN bw_pin_kind bw_pin_kind_of(const char *path);

/*
 * Calls fn for every image reference of the file, in file order. YAML: every
 * `image:` of an item of `containers`, `initContainers` or
 * `ephemeralContainers` at any depth (Pod, Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, CronJob jobTemplate, custom resources embedding pod specs),
 * and `services.NAME.image` of compose files. Dockerfile: FROM (not "scratch",
 * not an earlier stage's name) and COPY --from= (not a stage name or index).
 * A template (bw_pin_is_template) is reported with `variable` set; any other
 * reference that fails bw_pin_check_reference() is an error (BW_EINPUT
 * naming the file and line). fn's non-zero return stops and is returned.
 */
BW_EXTERN int bw_pin_find(const char *what, const void *data, size_t len, bw_pin_kind kind,
			  int (*fn)(const bw_pin_ref *ref, void *ctx), void *ctx);

/*
 * 0 when ref is a well-formed image reference ([HOST/]NAME[:TAG][@DIGEST]);
 * BW_EINPUT "WHAT:LINE: image reference "...": ..." otherwise, naming a shell
 * metacharacter or control character when there is one (printed escaped).
 */
BW_EXTERN int bw_pin_check_reference(const char *what, size_t line, const char *ref);

/*
 * The digest REF's tag names now. Without platform: the digest of what the tag
 * points to (the index digest for a multi-platform image, *is_index true);
 * with platform ("os/arch[/variant]"): the digest of that platform's manifest.
 * out gets at least BW_PIN_DIGEST_MAX bytes. BW_ENET for registry errors.
 */
BW_EXTERN int bw_pin_resolve(const char *ref, const char *platform, const struct bw_registry_options *opts,
			     char *out, bool *is_index);

/* True when ref is "$NAME" / "${NAME}" / "${NAME:-default}" interpolation around
 * reference characters (no "$(...)", no other shell metacharacter). */
BW_EXTERN bool bw_pin_is_template(const char *ref);

/* "REPO:TAG@DIGEST" for ref (":latest" added when ref has no tag) into out. */
BW_EXTERN int bw_pin_pinned_text(const char *ref, const char *digest, char *out, size_t cap);

typedef struct bw_pin_edit {
	size_t start, end;      /* bytes replaced */
	const char *text;       /* their replacement */
} bw_pin_edit;

/* New text with edits applied (edits sorted by start, not overlapping);
 * *out malloc'd and NUL-terminated. */
BW_EXTERN int bw_pin_apply(const char *what, const void *data, size_t len, const bw_pin_edit *edits, size_t n,
			   char **out, size_t *out_len);

/* A unified diff (3 lines of context, "--- a/PATH" / "+++ b/PATH") of old ->
 * new; *out malloc'd ("" when equal). */
BW_EXTERN int bw_pin_unified_diff(const char *path, const char *old_text, size_t old_len, const char *new_text,
				  size_t new_len, char **out, size_t *out_len);

/* Replaces path's content atomically: a temporary file in the same
 * directory, the original's mode (and owner, when permitted), fsync, rename. */
BW_EXTERN int bw_pin_write_file(const char *path, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
