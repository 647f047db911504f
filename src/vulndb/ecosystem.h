/*
 * vulndb/ecosystem.h: the keys under which advisories are stored and looked
 * up (docs/matching.md): an ecosystem key ("debian:12", "alpine:3.18",
 * "pypi", "go", ...) and a normalised package name. Importers and the
 * matcher both go through here, so a name is normalised the same way on both
 * sides.
 */
#ifndef BW_VULNDB_ECOSYSTEM_H
#define BW_VULNDB_ECOSYSTEM_H

#include <stdbool.h>
#include <stddef.h>

#define BW_ECO_KEY_MAX   64
#define BW_PKG_KEY_MAX   512

/* OSV ecosystem ("PyPI", "Debian:12", "Ubuntu:Pro:22.04:LTS", "Alpine:v3.18") ->
 * key. Returns false for ecosystems bulwark does not match (Bitnami, Root:*,
 * GIT-only, ...). *distro is true for distribution ecosystems. */
bool bw_eco_from_osv(const char *osv, char *key, size_t cap, bool *distro);

/* Distribution release -> key: ("debian", "12") -> "debian:12", ("alpine", "3.18.4")
 * -> "alpine:3.18", ("almalinux", "9.2") -> "almalinux:9", ("wolfi", *) -> "wolfi".
 * Debian codenames are accepted as the version ("bookworm" -> "debian:12"). */
bool bw_eco_for_distro(const char *family, const char *version, char *key, size_t cap);

/* Debian release codename -> number ("bookworm" -> "12"), or NULL. */
const char *bw_debian_release_number(const char *codename);

/* A bulwark package type ("pypi", "npm", ...) -> language ecosystem key, or
 * NULL for OS package types. */
const char *bw_eco_for_package_type(const char *type);

/* Normalised package key for matching: PEP 503 for pypi, lower case for
 * composer and nuget, as is otherwise. False when it does not fit. */
bool bw_eco_package_key(const char *eco_key, const char *name, char *out, size_t cap);

#endif
