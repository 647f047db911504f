/*
 * `bulwark copy SRC DST`: an image between registries, OCI layouts and
 * archives, digests preserved (bw_copy); and `bulwark referrers IMAGE`: the
 * artifacts that refer to a registry image (bw_referrers).
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char copy_usage[] =
	"usage: bulwark copy SRC DST [--platform os/arch[/variant]] [--chunk-size SIZE] [--parallel N]\n"
	"  SRC, DST: REGISTRY/REPO[:TAG], docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
	"            docker-archive:FILE (SRC may also be a path). Without --platform an index is\n"
	"            copied whole.\n"
	CLI_REGISTRY_USAGE;

int cmd_copy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "chunk-size", required_argument, NULL, 'C' },
		{ "parallel", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_copy_options opts = { 0 };
	bw_copy_result res;
	int c, status;
	long long v;

	opts.platform = g_cli.platform;
	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "hj:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': opts.platform = optarg; break;
		case 'C':
			if ((v = cli_parse_size(optarg)) <= 0)
				return cli_usage("--chunk-size %s: not a size (e.g. 8M)", optarg);
			g_cli.registry.chunk_size = (uint64_t)v;
			break;
		case 'j':
			if ((v = cli_parse_size(optarg)) <= 0 || v > 16)
				return cli_usage("--parallel %s: a number from 1 to 16", optarg);
			g_cli.registry.parallel = (unsigned)v;
			break;
		case 'h': fputs(copy_usage, stdout); return 0;
		default:
			if ((status = cli_registry_or_usage(c, copy_usage)) != 0)
				return status;
		}
	}
	if (optind != argc - 2) {
		fputs(copy_usage, stderr);
		return 2;
	}
	opts.registry = cli_registry();
	if (bw_copy(argv[optind], argv[optind + 1], &opts, &res) < 0)
		return cli_fail();
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: copied %s to %s: %llu blobs copied (%.1f MB), %llu already there\n",
			argv[optind], argv[optind + 1], (unsigned long long)res.blobs_copied,
			(double)res.bytes_copied / 1e6, (unsigned long long)res.blobs_skipped);
	printf("%s\n", res.digest);
	return 0;
}

static const char referrers_usage[] =
	"usage: bulwark referrers IMAGE [--artifact-type TYPE] [--format table|json]\n"
	"  IMAGE: a registry reference; its artifacts (signatures, SBOMs, attestations) are listed\n"
	"         from the referrers API, or the sha256-<hex> tag where the registry lacks it.\n"
	CLI_REGISTRY_USAGE;

typedef struct list_ctx {
	bw_format format;
	size_t n;
} list_ctx;

static void table_header(void)
{
	printf("%-73s %-40s %s\n", "DIGEST", "ARTIFACT TYPE", "SIZE");
}

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int print_referrer(const bw_referrer *r, void *arg)
{
	list_ctx *x = arg;
	if (x->format == BW_FORMAT_JSON) {
		printf("%s\n    {\"digest\": ", x->n ? "," : "");
		json_str(r->digest);
		printf(", \"mediaType\": ");
		json_str(r->media_type);
		printf(", \"artifactType\": ");
		if (r->artifact_type)
			json_str(r->artifact_type);
		else
			printf("null");
		printf(", \"size\": %llu, \"annotations\": {", (unsigned long long)r->size);
		for (size_t i = 0; i < r->n_annotations; i++) {
			printf("%s", i ? ", " : "");
			json_str(r->annotation_keys[i]);
			printf(": ");
			json_str(r->annotation_values[i]);
		}
		printf("}}");
	} else {
		if (x->n == 0)
			table_header();
		printf("%-73s %-40s %llu\n", r->digest, r->artifact_type ? r->artifact_type : "-",
		       (unsigned long long)r->size);
	}
	x->n++;
	return 0;
}

int cmd_referrers(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "artifact-type", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	list_ctx x = { BW_FORMAT_TABLE, 0 };
	const char *type = NULL;
	int c, status;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "hf:", longopts, NULL)) != -1) {
		switch (c) {
		case 't': type = optarg; break;
		case 'f':
			if (bw_format_parse(optarg, &x.format) < 0)
				return cli_fail();
			if (x.format != BW_FORMAT_TABLE && x.format != BW_FORMAT_JSON)
				return cli_usage("referrers --format %s: use table or json", optarg);
			break;
		case 'h': fputs(referrers_usage, stdout); return 0;
		default:
			if ((status = cli_registry_or_usage(c, referrers_usage)) != 0)
				return status;
		}
	}
	if (optind != argc - 1) {
		fputs(referrers_usage, stderr);
		return 2;
	}
	if (x.format == BW_FORMAT_JSON)
		printf("{\"referrers\": [");
	if (bw_referrers(argv[optind], type, cli_registry(), print_referrer, &x) < 0) {
		if (x.format == BW_FORMAT_JSON)
			printf("]}\n");
		return cli_fail();
	}
	if (x.format == BW_FORMAT_JSON)
		printf("%s]}\n", x.n ? "\n  " : "");
	else if (x.n == 0)
		table_header();
	return 0;
}
