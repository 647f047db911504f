#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"

cli_global g_cli;

int cli_fail(void)
{
	const bw_error *e = bw_error_last();
	fprintf(stderr, "bulwark: %s\n", e->message[0] ? e->message : "unknown error");
	return bw_exit_status(e->code ? e->code : BW_EINTERNAL);
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bw_error_setv(BW_EUSAGE, fmt, ap);
	va_end(ap);
	return cli_fail();
}

long long cli_parse_size(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return -1;
	long long mul = 1;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': mul = 1LL << 10; end++; break;
	case 'M': case 'm': mul = 1LL << 20; end++; break;
	case 'G': case 'g': mul = 1LL << 30; end++; break;
	case 'T': case 't': mul = 1LL << 40; end++; break;
	default: return -1;
	}
	if (*end || v > (long long)(9e18 / (double)mul))
		return -1;
	return v * mul;
}
