/*
 * `bulwark sign`, `verify`, `attest`, `verify-attestation`: key-based
 * signatures and attestations (bulwark/sign.h). verify prints one line per
 * signature found on stderr (verified, or why not) and the verified payloads
 * on stdout, one JSON document a line; exit 0 when one verified, 1 when none
 * did, 3 when every signature found was malformed.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/sign.h"
#include "cli.h"

#define MAX_ANN 64

static const char sign_usage[] =
	"usage: bulwark sign IMAGE --key REF [-a KEY=VALUE]... [--referrers] [--identity REF]\n"
	"       bulwark verify IMAGE --key REF [-a KEY=VALUE]... [--referrers] [--identity REF]\n"
	"       bulwark attest IMAGE --key REF --type TYPE --predicate FILE [--referrers]\n"
	"       bulwark verify-attestation IMAGE --key REF [--type TYPE] [--referrers]\n"
	"  IMAGE: a registry reference or oci:DIR[:TAG]. REF: a key file (cosign's .key to sign, a\n"
	"  PEM .pub to verify), env://VAR, or pkcs11:...?module-path=...&pin-value=... (RFC 7512).\n"
	"  TYPE: cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance1, vuln, openvex, custom,\n"
	"  or a predicate type URI. Signatures go under the tag sha256-<hex>.sig (.att), or with\n"
	"  --referrers as OCI 1.1 referrers. The password of an encrypted key: $BULWARK_PASSWORD\n"
	"  or a prompt on the terminal.\n"
	CLI_REGISTRY_USAGE;

typedef struct cmd_args {
	bw_sign_options o;
	bw_sign_annotation ann[MAX_ANN];
	char *ann_text[MAX_ANN];
	const char *image;
	char *password;
	bool password_owned;
} cmd_args;

static void args_free(cmd_args *a)
{
	for (size_t i = 0; i < a->o.n_annotations; i++)
		free(a->ann_text[i]);
	if (a->password_owned) {
		explicit_bzero(a->password, strlen(a->password));
		free(a->password);
	}
}

/* Parses the options every signing command shares; returns 0 or an exit status. */
static int parse_args(int argc, char **argv, cmd_args *a, bool need_password)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "annotation", required_argument, NULL, 'a' },
		{ "referrers", no_argument, NULL, 'R' },
		{ "identity", required_argument, NULL, 'I' },
		{ "type", required_argument, NULL, 't' },
		{ "predicate", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, status;

	memset(a, 0, sizeof(*a));
	a->o.annotations = a->ann;
	optind = 0;
	while ((c = getopt_long(argc, argv, "hk:a:", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': a->o.key_ref = optarg; break;
		case 'a': {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				return cli_usage("-a %s: use KEY=VALUE", optarg);
			if (a->o.n_annotations >= MAX_ANN)
				return cli_usage("-a: at most %d annotations", MAX_ANN);
			char *t = strdup(optarg);
			if (!t)
				return cli_usage("out of memory");
			t[eq - optarg] = 0;
			a->ann_text[a->o.n_annotations] = t;
			a->ann[a->o.n_annotations].key = t;
			a->ann[a->o.n_annotations].value = t + (eq - optarg) + 1;
			a->o.n_annotations++;
			break;
		}
		case 'R': a->o.referrers = true; break;
		case 'I': a->o.identity = optarg; break;
		case 't': a->o.predicate_type = optarg; break;
		case 'P': a->o.predicate_path = optarg; break;
		case 'h': fputs(sign_usage, stdout); return -1;
		default:
			if ((status = cli_registry_or_usage(c, sign_usage)) != 0)
				return status;
		}
	}
	if (optind != argc - 1) {
		fputs(sign_usage, stderr);
		return 2;
	}
	a->image = argv[optind];
	if (!a->o.key_ref)
		return cli_usage("%s: --key REF is needed", argv[0]);
	a->o.registry = cli_registry();
	if (need_password && bw_key_needs_password(a->o.key_ref)) {
		a->password = cli_password("Enter password for private key: ", false, &a->password_owned);
		if (!a->password)
			return cli_usage("%s: the key is encrypted: set BULWARK_PASSWORD or run on a terminal",
					 a->o.key_ref);
		a->o.password = a->password;
	}
	return 0;
}

int cmd_sign(int argc, char **argv)
{
	cmd_args a;
	char digest[160], sig[160];
	int status = parse_args(argc, argv, &a, true);
	if (status)
		goto out;
	if (bw_sign_image(a.image, &a.o, digest, sig) < 0) {
		status = cli_fail();
		goto out;
	}
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: signed %s (%s); signature manifest %s\n", a.image, digest, sig);
	printf("%s\n", sig);
out:
	args_free(&a);
	return status < 0 ? 0 : status;
}

int cmd_attest(int argc, char **argv)
{
	cmd_args a;
	char digest[160], att[160];
	int status = parse_args(argc, argv, &a, true);
	if (status)
		goto out;
	if (!a.o.predicate_type || !a.o.predicate_path) {
		status = cli_usage("attest: --type TYPE and --predicate FILE are needed");
		goto out;
	}
	if (bw_attest_image(a.image, &a.o, digest, att) < 0) {
		status = cli_fail();
		goto out;
	}
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: attested %s (%s); attestation manifest %s\n", a.image, digest, att);
	printf("%s\n", att);
out:
	args_free(&a);
	return status < 0 ? 0 : status;
}

static int print_check(const bw_sig_check *c, void *ctx)
{
	(void)ctx;
	if (c->verified) {
		fprintf(stderr, "bulwark: %s: verified\n", c->where);
		fwrite(c->payload, 1, c->payload_len, stdout);
		putchar('\n');
	} else {
		fprintf(stderr, "bulwark: %s\n", c->reason ? c->reason : "not verified");
	}
	return 0;
}

static int verify_cmd(int argc, char **argv, bool att)
{
	cmd_args a;
	size_t n = 0;
	int status = parse_args(argc, argv, &a, false);
	if (status)
		goto out;
	int rc = att ? bw_verify_attestations(a.image, &a.o, print_check, NULL, &n)
		     : bw_verify_image(a.image, &a.o, print_check, NULL, &n);
	if (rc < 0) {
		status = cli_fail();
		goto out;
	}
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: %s: %zu %s%s verified\n", a.image, n, att ? "attestation" : "signature",
			n == 1 ? "" : "s");
out:
	args_free(&a);
	return status < 0 ? 0 : status;
}

int cmd_verify(int argc, char **argv)
{
	return verify_cmd(argc, argv, false);
}

int cmd_verify_attestation(int argc, char **argv)
{
	return verify_cmd(argc, argv, true);
}
