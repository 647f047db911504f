/*
 * inventory/php.h: PHP packages installed by Composer.
 *
 * vendor/composer/installed.json is what Composer installed (a top-level
 * array in Composer 1, {"packages": [...]} in Composer 2); composer.lock is
 * what a project resolved ("packages" and "packages-dev").
 *
 * The parser appends to OUT (inventory/langpkg.h; the caller frees it, also
 * after an error) and returns 0, BW_EINPUT naming WHAT, or BW_EINTERNAL.
 * Package names are "vendor/name" as Composer writes them; licenses are the
 * "license" array (or a single string) as written, SPDX in practice.
 */
#ifndef BW_INVENTORY_PHP_H
#define BW_INVENTORY_PHP_H

#include <stddef.h>

#include "inventory/langpkg.h"

/* Either file: the shape decides (array, or an object with packages / packages-dev). */
int bw_php_parse_composer(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

#endif
