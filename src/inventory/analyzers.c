/* inventory/analyzers.c: the analyzers compiled into libbulwark, in dispatch order. */
#include "image/analyzer.h"

extern const bw_analyzer bw_analyzer_os;
extern const bw_analyzer bw_analyzer_dpkg;
extern const bw_analyzer bw_analyzer_apk;
extern const bw_analyzer bw_analyzer_rpm;

const bw_analyzer *const bw_analyzers[] = {
	&bw_analyzer_os,
	&bw_analyzer_dpkg,
	&bw_analyzer_apk,
	&bw_analyzer_rpm,
	NULL,
};
