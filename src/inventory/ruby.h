/*
 * inventory/ruby.h: Ruby gems.
 *
 * Installed gems are the specifications/NAME-VERSION.gemspec stubs RubyGems writes
 * (specifications/default/ for Ruby's default gems); Gemfile.lock lists
 * what Bundler resolved for an application.
 *
 * Both parsers append to OUT (inventory/langpkg.h; the caller frees it, also
 * after an error) and return 0, BW_EINPUT naming WHAT, or BW_EINTERNAL.
 */
#ifndef BW_INVENTORY_RUBY_H
#define BW_INVENTORY_RUBY_H

#include <stddef.h>

#include "inventory/langpkg.h"

/*
 * A gemspec as RubyGems writes it: `Gem::Specification.new do |VAR|`, then
 * `VAR.name = "..."`, `VAR.version = "..."` (".freeze" allowed),
 * `VAR.licenses = ["...", ...]` or `VAR.license = "..."`. The file is Ruby
 * code: it is not run, only these lines are read. BW_EINPUT when there is no
 * such block, or no name or version assigned to its variable.
 */
int bw_ruby_parse_gemspec(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

/* Gemfile.lock: the "name (version)" lines of the GEM section's specs (platform suffix dropped). */
int bw_ruby_parse_gemfile_lock(const char *what, const char *data, size_t len, bw_lang_pkgs *out);

#endif
