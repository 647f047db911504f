/* The per-thread error slot behind bulwark/errors.h. */
#include <stdio.h>
#include <string.h>

#include "bulwark/errors.h"

static _Thread_local bw_error last_error;

const bw_error *bw_error_last(void)
{
	return &last_error;
}

int bw_error_setv(int code, const char *fmt, va_list ap)
{
	last_error.code = code;
	vsnprintf(last_error.message, sizeof(last_error.message), fmt, ap);
	/* One line, always: input-derived text must not forge extra lines. */
	for (char *p = last_error.message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return code;
}

int bw_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bw_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

int bw_error_prefix(const char *fmt, ...)
{
	char prefix[512], old[sizeof(last_error.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_error.message, sizeof(old));
	snprintf(last_error.message, sizeof(last_error.message), "%s: %s", prefix, old);
	return last_error.code;
}

int bw_error_restore(const bw_error *err)
{
	last_error = *err;
	return err->code;
}

void bw_error_clear(void)
{
	last_error.code = BW_OK;
	last_error.message[0] = '\0';
}

int bw_exit_status(int code)
{
	if (code >= 0)
		return 0;
	if (code < BW_EINTERNAL)
		return 5;
	return -code;
}
