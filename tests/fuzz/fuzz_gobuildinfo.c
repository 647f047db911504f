/* libFuzzer harness: the streamed Go build-info reader and the modinfo parser (inventory/golang.h). */
#include <stdint.h>
#include <stdlib.h>

#include "bulwark/errors.h"
#include "inventory/golang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* the first byte picks the piece size, so the fuzzer also explores chunk boundaries */
	size_t piece = (size_t)data[0] * 37 + 1;
	data++;
	size--;
	bw_go_reader *r = bw_go_reader_new();
	if (!r)
		return 0;
	for (size_t o = 0; o < size; o += piece)
		if (bw_go_reader_feed(r, data + o, size - o < piece ? size - o : piece) < 0)
			abort();
	bw_go_info info = { 0 };
	int rc = bw_go_reader_finish(r, "fuzz", &info);
	if (rc != 0 && rc != BW_EINPUT)
		abort();
	for (size_t i = 0; i < info.n_mods; i++)
		if (!info.mods[i].path || !info.mods[i].version)
			abort();
	bw_go_info_free(&info);
	bw_go_reader_free(r);
	bw_go_info m = { 0 };
	bw_go_modinfo_parse("fuzz", (const char *)data, size, &m);
	bw_go_info_free(&m);
	return 0;
}
