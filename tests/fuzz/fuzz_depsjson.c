/* libFuzzer harness: the .NET deps.json parser (inventory/dotnet.h). */
#include "inventory/dotnet.h"
#include "lang_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const lang_parser parsers[] = {
		bw_dotnet_parse_deps_json,
	};
	return lang_fuzz_run(parsers, sizeof(parsers) / sizeof(parsers[0]), data, size);
}
