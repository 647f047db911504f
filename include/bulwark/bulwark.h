/*
 * bulwark/bulwark.h: the umbrella header of libbulwark.
 *
 * The library never prints. It returns errors (bulwark/errors.h) and logs
 * through the callback installed here; the CLI and the servers decide where
 * output goes.
 */
#ifndef BULWARK_BULWARK_H
#define BULWARK_BULWARK_H

#include "bulwark/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bw_log_level {
	BW_LOG_ERROR = 0,
	BW_LOG_WARN = 1,
	BW_LOG_INFO = 2,
	BW_LOG_DEBUG = 3,
} bw_log_level;

/* Receives one line, without a trailing newline. Called from any thread. */
typedef void (*bw_log_fn)(bw_log_level level, const char *line, void *ctx);

BW_EXTERN void bw_set_log_callback(bw_log_fn fn, void *ctx);

/* The library's version string, e.g. "0.1.0". */
BW_EXTERN const char *bw_version(void);

#ifdef __cplusplus
}
#endif

#include "bulwark/image.h"
#include "bulwark/state.h"
#include "bulwark/package.h"
#include "bulwark/registry.h"
#include "bulwark/report.h"

#endif
