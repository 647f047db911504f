/*
 * tests/fuzz/fuzz_yaml.c: util/yaml.h, the YAML reader of advisories, policy
 * files and Kubernetes manifests.
 *
 * Every input is parsed four ways: one document by default (strings), typed,
 * typed with aliases allowed, and as a multi-document stream with aliases.
 * Beyond the sanitizers, the harness checks the promises of util/yaml.h and
 * aborts with a "fuzz_yaml: ..." line when one is broken:
 *   - the return code is 0, BW_EINPUT or BW_EINTERNAL, and *out is NULL on error;
 *   - an error message is one line starting with "fuzz yaml: ";
 *   - a value is never nested deeper than BW_MAX_JSON_DEPTH and never has more
 *     than BW_MAX_YAML_NODES nodes;
 *   - in the default mode every scalar is a string;
 *   - when the default mode succeeds, allowing aliases changes nothing (the
 *     input had no anchor, or the default mode would have failed).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "util/limits.h"
#include "util/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1024 * 1024)

static void broken(const char *why)
{
	fprintf(stderr, "fuzz_yaml: %s\n", why);
	abort();
}

/* Walks the value; sets *depth (containers) and adds its nodes to *nodes.
 * Recursion is safe: the parser promised at most BW_MAX_JSON_DEPTH levels,
 * and a deeper value is reported before going further. */
static void walk(json_t *v, size_t level, bool strings_only, size_t *nodes)
{
	const char *k;
	json_t *x;
	size_t i;

	(*nodes)++;
	if (json_is_array(v) || json_is_object(v)) {
		if (level + 1 > BW_MAX_JSON_DEPTH)
			broken("value nested deeper than BW_MAX_JSON_DEPTH");
	} else if (strings_only && !json_is_string(v)) {
		broken("a scalar that is not a string in the default mode");
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			walk(x, level + 1, strings_only, nodes);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			(*nodes)++; /* the key */
			walk(x, level + 1, strings_only, nodes);
		}
	}
}

static json_t *parse(const uint8_t *data, size_t size, unsigned flags, bool all)
{
	json_t *v = (json_t *)(uintptr_t)1;
	int rc = all ? bw_yaml_parse_all("fuzz yaml", data, size, MAX_INPUT, flags, &v)
		     : bw_yaml_parse("fuzz yaml", data, size, MAX_INPUT, flags, &v);
	const char *msg = bw_error_last()->message;

	if (rc == 0) {
		size_t nodes = 0;
		if (!v)
			broken("success without a value");
		if (all) {
			size_t i;
			json_t *d;
			if (!json_is_array(v))
				broken("bw_yaml_parse_all did not return an array");
			json_array_foreach(v, i, d)
				walk(d, 0, !(flags & BW_YAML_TYPED), &nodes);
		} else {
			walk(v, 0, !(flags & BW_YAML_TYPED) && !json_is_null(v), &nodes);
		}
		if (nodes > BW_MAX_YAML_NODES + 1)
			broken("more nodes than BW_MAX_YAML_NODES");
		return v;
	}
	if (rc != BW_EINPUT && rc != BW_EINTERNAL)
		broken("unexpected return code");
	if (v)
		broken("*out not NULL after an error");
	if (strncmp(msg, "fuzz yaml: ", 11) != 0 || strchr(msg, '\n'))
		broken("error message not one line starting with the input's name");
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *plain, *with_aliases;

	if (size > MAX_INPUT)
		return 0;
	plain = parse(data, size, 0, false);
	with_aliases = parse(data, size, BW_YAML_ALLOW_ALIASES, false);
	if (plain && (!with_aliases || !json_equal(plain, with_aliases)))
		broken("allowing aliases changed the value of an input without anchors");
	json_decref(plain);
	json_decref(with_aliases);

	json_decref(parse(data, size, BW_YAML_TYPED, false));
	json_decref(parse(data, size, BW_YAML_TYPED | BW_YAML_ALLOW_ALIASES, false));
	json_decref(parse(data, size, BW_YAML_ALLOW_ALIASES, true));
	bw_error_clear();
	return 0;
}
