/* libFuzzer harness: the Python metadata and lock file parsers (inventory/python.h). */
#include "inventory/python.h"
#include "lang_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const lang_parser parsers[] = {
		bw_python_parse_metadata,
		bw_python_parse_requirements,
		bw_python_parse_pipfile_lock,
		bw_python_parse_toml_lock,
	};
	return lang_fuzz_run(parsers, sizeof(parsers) / sizeof(parsers[0]), data, size);
}
