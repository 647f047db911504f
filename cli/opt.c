#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int cli_registry_option(int code, const char *arg)
{
	bw_registry_options *r = &g_cli.registry;
	long long v;

	switch (code) {
	case CLI_OPT_INSECURE:
		if (r->n_insecure_hosts >= CLI_MAX_INSECURE)
			return -cli_usage("--insecure-registry: at most %d hosts", CLI_MAX_INSECURE);
		g_cli.insecure[r->n_insecure_hosts++] = arg;
		r->insecure_hosts = g_cli.insecure;
		return 1;
	case CLI_OPT_CREDS:
		if (!strchr(arg, ':') || arg[0] == ':')
			return -cli_usage("--creds: expected USER:PASSWORD");
		r->creds = arg;
		return 1;
	case CLI_OPT_CA_FILE:
		r->ca_file = arg;
		return 1;
	case CLI_OPT_AUTH_FILE:
		r->auth_file = arg;
		return 1;
	case CLI_OPT_BLOB_CACHE:
		r->blob_cache = arg;
		return 1;
	case CLI_OPT_TIMEOUT:
		if ((v = cli_parse_size(arg)) <= 0 || v > 3600)
			return -cli_usage("--timeout %s: seconds, from 1 to 3600", arg);
		r->timeout_s = (unsigned)v;
		return 1;
	case CLI_OPT_RETRIES:
		if ((v = cli_parse_size(arg)) < 0 || v > 20)
			return -cli_usage("--retries %s: a number from 0 to 20", arg);
		r->retries = v == 0 ? -1 : (int)v;
		return 1;
	case CLI_OPT_STATE:
		g_cli.state_path = arg;
		return 1;
	case CLI_OPT_NO_CACHE:
		g_cli.no_cache = true;
		return 1;
	case CLI_OPT_CACHE_SIZE:
		if ((v = cli_parse_size(arg)) <= 0)
			return -cli_usage("--cache-size: a size such as 512M or 2G, not \"%s\"", arg);
		g_cli.cache_size = (unsigned long long)v;
		return 1;
	case CLI_OPT_OFFLINE:
		g_cli.offline = true;
		r->offline = true;
		return 1;
	}
	return 0;
}

const bw_registry_options *cli_registry(void)
{
	g_cli.registry.offline = g_cli.offline;
	/* where per-registry certificates live, if not /etc/containers/certs.d:/etc/docker/certs.d */
	if (!g_cli.registry.certs_dirs && getenv("BULWARK_CERTS_DIRS"))
		g_cli.registry.certs_dirs = getenv("BULWARK_CERTS_DIRS");
	return &g_cli.registry;
}

int cli_registry_or_usage(int code, const char *usage)
{
	int r = cli_registry_option(code, optarg);
	if (r == 1)
		return 0;
	if (r < 0)
		return -r;
	fputs(usage, stderr);
	return 2;
}

int cli_state_open(bw_image_options *opts, bw_state **out)
{
	int rc;

	*out = NULL;
	if (g_cli.no_cache && !g_cli.state_path && access(bw_state_default_path(), F_OK) != 0)
		return 0;
	if ((rc = bw_state_open(out, g_cli.state_path)) < 0)
		return rc;
	if (!g_cli.no_cache) {
		opts->layer_cache = *out;
		opts->cache_max_bytes = g_cli.cache_size;
	}
	return 0;
}

int cli_attribute_base(bw_image *img, bw_state *st)
{
	return st ? bw_base_attribute(st, img) : 0;
}
