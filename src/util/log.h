/* util/log.h: the library logs only through the callback the caller installs. */
#ifndef BW_UTIL_LOG_H
#define BW_UTIL_LOG_H

#include "bulwark/bulwark.h"

void bw_log(bw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define bw_warn(...) bw_log(BW_LOG_WARN, __VA_ARGS__)
#define bw_info(...) bw_log(BW_LOG_INFO, __VA_ARGS__)
#define bw_debug(...) bw_log(BW_LOG_DEBUG, __VA_ARGS__)

#endif
