/*
 * tests/fuzz/node_fuzz.h: the body shared by the harnesses of the Node
 * parsers (inventory/node.h); each harness names its parser.
 */
#ifndef BW_TESTS_NODE_FUZZ_H
#define BW_TESTS_NODE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/node.h"

typedef int (*node_parser)(const char *, const char *, size_t, bw_node_pkg **, size_t *);

static int node_fuzz_run(node_parser parse, const uint8_t *data, size_t size)
{
	bw_node_pkg *v = NULL;
	size_t n = 0;
	if (parse("fuzz", (const char *)data, size, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			/* the parser promises a non-empty name and version on every package */
			if (!v[i].name || !*v[i].name || !v[i].version || !*v[i].version)
				abort();
			for (size_t k = 0; k < v[i].n_deps; k++)
				if (!v[i].deps[k] || !*v[i].deps[k])
					abort();
		}
		bw_node_free(v, n);
	} else if (v || n) {
		abort(); /* nothing is handed out on failure */
	}
	return 0;
}

#endif
