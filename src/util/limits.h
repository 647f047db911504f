/*
 * util/limits.h: every bound bulwark puts on untrusted input, in one place.
 *
 * Each limit is a hard ceiling: input past it is rejected with BW_EINPUT and a
 * message naming the limit, never truncated silently. The ones a user may
 * need to raise for a legitimate image are also fields of bw_image_options.
 */
#ifndef BW_UTIL_LIMITS_H
#define BW_UTIL_LIMITS_H

#define BW_KiB (1024ULL)
#define BW_MiB (1024ULL * 1024ULL)
#define BW_GiB (1024ULL * 1024ULL * 1024ULL)

/* JSON documents of the image format */
#define BW_MAX_MANIFEST_BYTES     (4 * BW_MiB)   /* manifest, index, index.json */
#define BW_MAX_CONFIG_BYTES       (8 * BW_MiB)   /* image config (history can be long) */
#define BW_MAX_ARCHIVE_MANIFEST   (1 * BW_MiB)   /* docker-archive manifest.json */
#define BW_MAX_JSON_DEPTH         64             /* nesting of arrays and objects */
#define BW_MAX_INDEX_DEPTH        8              /* index -> index -> ... -> manifest */
#define BW_MAX_INDEX_ENTRIES      1024           /* descriptors in one index */
#define BW_MAX_PLATFORMS          64             /* --platform all: entries of one index */
#define BW_MAX_LAYERS             256            /* Docker caps at 127; overlayfs near 500 */
#define BW_MAX_HISTORY            4096           /* history entries in a config */
#define BW_MAX_DIGEST_TEXT        (7 + 128)      /* "sha512:" + 128 hex */

/* YAML documents (util/yaml.h); nesting shares BW_MAX_JSON_DEPTH */
#define BW_MAX_YAML_NODES         1000000        /* nodes per stream, alias expansions included */
#define BW_MAX_YAML_DOCUMENTS     10000          /* documents in one "---" stream */
#define BW_MAX_YAML_KEY_BYTES     1024           /* one mapping key (Kubernetes keys are <= 317) */

/* Layers */
#define BW_DEFAULT_MAX_LAYER_BYTES  (32 * BW_GiB)  /* decompressed bytes per layer */
#define BW_DEFAULT_MAX_FILE_BYTES   (16 * BW_GiB)  /* one tar member */
#define BW_MAX_TRAILING_BYTES       (1 * BW_MiB)   /* data after the tar end-of-archive blocks */
#define BW_DEFAULT_MAX_ENTRIES      (2000000)      /* tar members per layer */
#define BW_MAX_TAR_EXT_BYTES        (1 * BW_MiB)   /* one pax header or GNU long name */
#define BW_MAX_TAR_EXT_HEADERS      16             /* extension headers before one tar entry */
#define BW_MAX_PATH_BYTES           4096           /* PATH_MAX */
#define BW_MAX_NAME_BYTES           255            /* NAME_MAX */
#define BW_MAX_LINK_HOPS            40             /* as Linux's MAXSYMLINKS */

/* Archives holding whole images (oci-archive, docker-archive) */
#define BW_MAX_ARCHIVE_MEMBERS    100000

/* Advisories */
#define BW_MAX_CVSS_VECTOR        256            /* one CVSS vector; the longest valid one (4.0, every metric) is 178 bytes */

/* Analyzers */
#define BW_MAX_ANALYZER_CONTENT   (64 * BW_MiB)  /* largest whole-file buffer any analyzer may ask for */
#define BW_HEAD_BYTES             4096           /* bytes peeked for magic-based dispatch */

#endif
