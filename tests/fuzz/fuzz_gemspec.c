/* libFuzzer harness: the gemspec and Gemfile.lock parsers (inventory/ruby.h). */
#include "inventory/ruby.h"
#include "lang_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const lang_parser parsers[] = {
		bw_ruby_parse_gemspec,
		bw_ruby_parse_gemfile_lock,
	};
	return lang_fuzz_run(parsers, sizeof(parsers) / sizeof(parsers[0]), data, size);
}
