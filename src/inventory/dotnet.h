/*
 * inventory/dotnet.h: .NET packages from an application's NAME.deps.json.
 *
 * The "libraries" object lists "Name/Version" keys with a "type"; entries of
 * type "package" (NuGet) and "project" (the application and its projects)
 * are packages. A library that the runtime target
 * (targets[runtimeTarget.name]) lists with no runtime, runtimeTargets or
 * native assets is compile-time only and is left out; one the target does
 * not list at all is kept, as it may still be loaded.
 *
 * The parser appends to OUT (inventory/langpkg.h; the caller frees it, also
 * after an error) and returns 0, BW_EINPUT naming WHAT, or BW_EINTERNAL.
 */
#ifndef BW_INVENTORY_DOTNET_H
#define BW_INVENTORY_DOTNET_H

#include <stddef.h>

#include "inventory/langpkg.h"

int bw_dotnet_parse_deps_json(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

#endif
