/*
 * inventory/python.h: Python packages.
 *
 * Installed distributions are read from NAME-VER.dist-info/METADATA,
 * NAME.egg-info/PKG-INFO and NAME.egg-info when it is a plain file (core
 * metadata: RFC 822 style headers). Lock files (poetry.lock, uv.lock,
 * Pipfile.lock, pinned requirements*.txt) count only for packages that no
 * installed metadata in the image lists.
 *
 * Every parser appends to OUT (inventory/langpkg.h; the caller frees it,
 * also after an error) and returns 0, BW_EINPUT naming WHAT, or BW_EINTERNAL.
 */
#ifndef BW_INVENTORY_PYTHON_H
#define BW_INVENTORY_PYTHON_H

#include <stddef.h>

#include "inventory/langpkg.h"

/*
 * Core metadata: Name and Version are required (BW_EINPUT without them, or
 * with a NUL byte in the headers). Licenses: License-Expression, else the
 * "License ::" classifiers (mapped to SPDX ids where the classifier names one
 * license version), else a one-line License field other than UNKNOWN.
 */
int bw_python_parse_metadata(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

/* requirements*.txt: only "name==version" pins (extras, markers, hashes allowed); other lines ignored. */
int bw_python_parse_requirements(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

/* Pipfile.lock (JSON): "default" and "develop", versions "==X". */
int bw_python_parse_pipfile_lock(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

/* poetry.lock and uv.lock (TOML): name and version of each [[package]] table. */
int bw_python_parse_toml_lock(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

/* The PEP 503 normalised name: lowercase, each run of "-", "_", "." one "-". */
void bw_python_normalize(char *out, size_t outsz, const char *name);

/* The SPDX id of a "License :: ..." classifier's last part, or NULL when it names none exactly. */
const char *bw_python_classifier_spdx(const char *text, size_t len);

#endif
