/* libFuzzer harness: the Composer installed.json / composer.lock parser (inventory/php.h). */
#include "inventory/php.h"
#include "lang_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const lang_parser parsers[] = {
		bw_php_parse_composer,
	};
	return lang_fuzz_run(parsers, sizeof(parsers) / sizeof(parsers[0]), data, size);
}
