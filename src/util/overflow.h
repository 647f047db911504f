/* util/overflow.h: checked size arithmetic for lengths read from input. */
#ifndef BW_UTIL_OVERFLOW_H
#define BW_UTIL_OVERFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* true when a + b overflowed; *out is set either way. */
static inline bool bw_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

static inline bool bw_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

static inline bool bw_add_overflow_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

#endif
