/* libFuzzer harness: the package-lock parser of inventory/node.h. */
#include "node_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return node_fuzz_run(bw_node_parse_package_lock, data, size);
}
