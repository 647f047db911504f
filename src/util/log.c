/* The log callback slot. Messages are formatted here so callbacks stay trivial. */
#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

static bw_log_fn log_fn;
static void *log_ctx;

void bw_set_log_callback(bw_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

void bw_log(bw_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	log_fn(level, line, log_ctx);
}
