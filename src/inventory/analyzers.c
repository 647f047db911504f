/* inventory/analyzers.c: the analyzers compiled into libbulwark, in dispatch order. */
#include "image/analyzer.h"

extern const bw_analyzer bw_analyzer_os;
extern const bw_analyzer bw_analyzer_dpkg;
extern const bw_analyzer bw_analyzer_apk;
extern const bw_analyzer bw_analyzer_rpm;
extern const bw_analyzer bw_analyzer_java, bw_analyzer_golang, bw_analyzer_cargo;
extern const bw_analyzer bw_analyzer_python, bw_analyzer_ruby, bw_analyzer_php, bw_analyzer_dotnet;
extern const bw_analyzer bw_analyzer_node, bw_analyzer_node_lock;
extern const bw_analyzer bw_analyzer_digests;
extern const bw_analyzer bw_analyzer_misconfig;
extern const bw_analyzer bw_analyzer_secrets;

const bw_analyzer *const bw_analyzers[] = {
	&bw_analyzer_os,
	&bw_analyzer_dpkg,
	&bw_analyzer_apk,
	&bw_analyzer_rpm,
	&bw_analyzer_java, &bw_analyzer_golang, &bw_analyzer_cargo,
	&bw_analyzer_node, &bw_analyzer_node_lock,
	&bw_analyzer_python, &bw_analyzer_ruby, &bw_analyzer_php, &bw_analyzer_dotnet,
	&bw_analyzer_digests,
	&bw_analyzer_misconfig,
	&bw_analyzer_secrets,
	NULL,
};
