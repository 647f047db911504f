/*
 * bulwark/errors.h: the one error type of libbulwark.
 *
 * Every fallible function returns int: 0 on success, or one of the negative
 * codes below. The code is also the process exit status the CLI uses (its
 * absolute value), as fixed in DESIGN.md §5. The detail, a single line that
 * names the input and what is wrong with it, is kept per thread and read with
 * bw_error_last().
 */
#ifndef BULWARK_ERRORS_H
#define BULWARK_ERRORS_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BW_EXTERN __attribute__((visibility("default")))

typedef enum bw_error_code {
	BW_OK = 0,
	BW_EPOLICY = -1,   /* policy or verification failed          (exit 1) */
	BW_EUSAGE = -2,    /* bad arguments                            (exit 2) */
	BW_EINPUT = -3,    /* unreadable, malformed or hostile input   (exit 3) */
	BW_ENET = -4,      /* network or registry error                (exit 4) */
	BW_EINTERNAL = -5, /* a bug, or the host failed us (ENOMEM)    (exit 5) */
} bw_error_code;

typedef struct bw_error {
	int code;          /* one of bw_error_code */
	char message[1024];
} bw_error;

/* The last error set on this thread; never NULL (code BW_OK when none). */
BW_EXTERN const bw_error *bw_error_last(void);

/* Records an error for this thread and returns code, so callers can write
 * `return bw_error_set(BW_EINPUT, "%s: ...", name);`. */
BW_EXTERN int bw_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
BW_EXTERN int bw_error_setv(int code, const char *fmt, va_list ap);

/* Prefixes the current message with "PREFIX: " (keeps the code). */
BW_EXTERN int bw_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies an error recorded on another thread into this thread's slot. */
BW_EXTERN int bw_error_restore(const bw_error *err);

BW_EXTERN void bw_error_clear(void);

/* The process exit status for an error code (0..5). */
BW_EXTERN int bw_exit_status(int code);

#ifdef __cplusplus
}
#endif
#endif
