/* bulwark: the command line. Global flags, then one command per file in cli/. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
	"usage: bulwark [-q] [--offline] [--platform os/arch[/variant]] [registry options] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  inspect IMAGE     manifest, config, layers and files of an image\n"
	"  sbom IMAGE        the packages in an image (OS and language packages)\n"
	"  scan IMAGE        vulnerabilities of the image's packages (local database)\n"
	"  db import|info    manage the local vulnerability database\n"
	"  copy SRC DST      copy an image between registries, OCI layouts and archives\n"
	"  referrers IMAGE   artifacts (signatures, SBOMs) that refer to a registry image\n"
	"  base add|list|rm  record base images, to tell inherited findings from added ones\n"
	"  cache info|prune|clear  the layer result cache\n"
	"  pin FILE...       pin image references in YAML/Dockerfiles to digests\n"
	"  diff FROM TO      packages, vulnerabilities, files and config that changed\n"
	"  drift IMAGE DIR   files of a running container's root that differ from its image\n"
	"  record approve|list|rollback  known-good digests per deployment name\n"
	"  key generate      a key pair in cosign's format (key public: a key's public half)\n"
	"  sign IMAGE        sign an image with a key (cosign's .sig layout)\n"
	"  verify IMAGE      verify an image's signatures with a key\n"
	"  attest IMAGE      sign a predicate (SBOM, scan, provenance) about an image (DSSE, in-toto)\n"
	"  verify-attestation IMAGE   verify an image's attestations with a key\n"
	"  verify-bundle     check a sigstore bundle offline (keyless or managed key)\n"
	"  dockerfile FILE   lint a Dockerfile (misconfiguration checks)\n"
	"  version           print the version\n"
	"\n"
	"IMAGE: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, dir:ROOTFS,\n"
	"       REGISTRY/REPO[:TAG][@DIGEST], docker://REF, or a path (detected).\n"
	CLI_REGISTRY_USAGE
	"Exit codes: 0 ok, 1 policy/verification failed, 2 usage, 3 bad input,\n"
	"       4 network or registry, 5 internal error.\n";

static void log_to_stderr(bw_log_level level, const char *line, void *ctx)
{
	(void)ctx;
	if (level >= BW_LOG_INFO && g_cli.quiet)
		return;
	if (level == BW_LOG_DEBUG && !getenv("BULWARK_DEBUG"))
		return;
	fprintf(stderr, "bulwark: %s%s\n", level <= BW_LOG_WARN ? "warning: " : "", line);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "platform", required_argument, NULL, 'p' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	bw_set_log_callback(log_to_stderr, NULL);
	const char *no_cache = getenv("BULWARK_NO_CACHE");
	g_cli.no_cache = no_cache && *no_cache && strcmp(no_cache, "0") != 0;
	/* '+': stop at the command name; what follows is the command's */
	while ((c = getopt_long(argc, argv, "+qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': g_cli.quiet = true; break;
		case 'p': g_cli.platform = optarg; break;
		case 'V':
			printf("bulwark %s\n", bw_version());
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default: {
			int r = cli_registry_option(c, optarg);
			if (r == 1)
				break;
			if (r < 0)
				return -r;
			fputs(usage, stderr);
			return 2;
		}
		}
	}
	i = optind;
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[i];
	argc -= i;
	argv += i;
	if (!strcmp(cmd, "inspect"))
		return cmd_inspect(argc, argv);
	if (!strcmp(cmd, "sbom"))
		return cmd_sbom(argc, argv);
	if (!strcmp(cmd, "scan"))
		return cmd_scan(argc, argv);
	if (!strcmp(cmd, "db"))
		return cmd_db(argc, argv);
	if (!strcmp(cmd, "copy"))
		return cmd_copy(argc, argv);
	if (!strcmp(cmd, "referrers"))
		return cmd_referrers(argc, argv);
	if (!strcmp(cmd, "base"))
		return cmd_base(argc, argv);
	if (!strcmp(cmd, "cache"))
		return cmd_cache(argc, argv);
	if (!strcmp(cmd, "pin"))
		return cmd_pin(argc, argv);
	if (!strcmp(cmd, "diff"))
		return cmd_diff(argc, argv);
	if (!strcmp(cmd, "drift"))
		return cmd_drift(argc, argv);
	if (!strcmp(cmd, "record"))
		return cmd_record(argc, argv);
	if (!strcmp(cmd, "key"))
		return cmd_key(argc, argv);
	if (!strcmp(cmd, "sign"))
		return cmd_sign(argc, argv);
	if (!strcmp(cmd, "verify"))
		return cmd_verify(argc, argv);
	if (!strcmp(cmd, "attest"))
		return cmd_attest(argc, argv);
	if (!strcmp(cmd, "verify-attestation"))
		return cmd_verify_attestation(argc, argv);
	if (!strcmp(cmd, "verify-bundle"))
		return cmd_verify_bundle(argc, argv);
	if (!strcmp(cmd, "dockerfile"))
		return cmd_dockerfile(argc, argv);
	if (!strcmp(cmd, "version")) {
		printf("bulwark %s\n", bw_version());
		return 0;
	}
	return cli_usage("unknown command \"%s\" (see bulwark --help)", cmd);
}
