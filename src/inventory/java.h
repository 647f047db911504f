/* inventory/java.h: Java archives (.jar .war .ear .jpi .hpi), nested ones included. */
#ifndef BW_INVENTORY_JAVA_H
#define BW_INVENTORY_JAVA_H

#include <stddef.h>
#include <stdint.h>

/* Bounds on one top-level archive (nested archives count against the same budget). */
#define BW_JAR_MAX_DEPTH      8                    /* archive in archive in ... */
#define BW_JAR_MAX_INFLATED   (128ULL * 1024 * 1024) /* decompressed bytes read, all levels */
#define BW_JAR_MAX_ENTRIES    200000               /* members per archive */
#define BW_JAR_MAX_PKGS       10000                /* packages per top-level archive */

typedef struct bw_jar_pkg {
	char *group;      /* NULL when unknown (MANIFEST.MF or the file name) */
	char *artifact;
	char *version;
	char *location;   /* "outer.jar" or "outer.jar!/BOOT-INF/lib/inner.jar" */
	const char *identified_by; /* "pom.properties", "MANIFEST.MF" or "filename" (static) */
} bw_jar_pkg;

/*
 * Reads one archive held in memory (a zip; no other format, no filters) and
 * the archives nested in it, to BW_JAR_MAX_DEPTH levels and
 * BW_JAR_MAX_INFLATED decompressed bytes. Per archive, every
 * META-INF/maven/G/A/pom.properties is a package (shaded jars have several);
 * without one, MANIFEST.MF's main section; without that, the file name
 * (name-1.2.3.jar). `location` names the archive (its image path).
 *
 * Returns 0, BW_EINTERNAL (nothing in *out), or BW_EINPUT with the message
 * naming the (nested) archive: then *out holds the packages found before the
 * problem. The caller frees *out with bw_jar_free() in every case.
 */
int bw_jar_parse(const char *location, const uint8_t *data, size_t len, bw_jar_pkg **out, size_t *n_out);
void bw_jar_free(bw_jar_pkg *v, size_t n);

/* Java .properties and MANIFEST.MF readers, exposed for the unit tests.
 * Both return a malloc'd value or NULL (absent, or out of memory: *oom set). */
char *bw_jar_property(const char *text, size_t len, const char *key, int *oom);
char *bw_jar_manifest_attr(const char *text, size_t len, const char *key, int *oom);

#endif
