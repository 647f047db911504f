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
#include <unistd.h>

#include "bulwark/package.h"
#include "bulwark/policy.h"
#include "bulwark/sign.h"
#include "bulwark/vulndb.h"
#include "cli.h"

#define MAX_ANN 64

static const char sign_usage[] =
	"usage: bulwark sign IMAGE --key REF [-a KEY=VALUE]... [--referrers] [--identity REF]\n"
	"       bulwark verify IMAGE --key REF [-a KEY=VALUE]... [--referrers] [--identity REF]\n"
	"       bulwark attest IMAGE --key REF --type TYPE --predicate FILE [--referrers]\n"
	"       bulwark verify-attestation IMAGE --key REF [--type TYPE] [--referrers]\n"
	"                                        [--policy FILE [--db PATH]]\n"
	"       bulwark verify IMAGE --keyless KEYLESS [-a KEY=VALUE]... [--identity REF]\n"
	"       bulwark verify-attestation IMAGE --keyless KEYLESS [--type TYPE] [--policy FILE [--db PATH]]\n"
	"  KEYLESS: (--certificate-identity ID | --certificate-identity-regexp RE)\n"
	"           (--certificate-oidc-issuer URL | --certificate-oidc-issuer-regexp RE)\n"
	"           [--certificate-github-workflow-{repository,ref,trigger,sha,name} V]\n"
	"           [--trusted-root FILE] (default $BULWARK_TRUSTED_ROOT). Keyless reads cosign's\n"
	"           sha256-<hex>.sig (.att) layers and sigstore-bundle referrers (docs/keyless.md).\n"
	"  IMAGE: a registry reference or oci:DIR[:TAG]. REF: a key file (cosign's .key to sign, a\n"
	"  PEM .pub to verify), env://VAR, or pkcs11:...?module-path=...&pin-value=... (RFC 7512).\n"
	"  TYPE: cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance1, vuln, openvex, custom,\n"
	"  or a predicate type URI. Signatures go under the tag sha256-<hex>.sig (.att), or with\n"
	"  --referrers as OCI 1.1 referrers. The password of an encrypted key: $BULWARK_PASSWORD\n"
	"  or a prompt on the terminal. verify-attestation --policy: the policy (docs/policy.md) is\n"
	"  evaluated on the packages of the attested SBOM (CycloneDX or SPDX predicate), matched\n"
	"  against the local vulnerability database (--db, default path) when there is one.\n"
	CLI_REGISTRY_USAGE;

typedef struct cmd_args {
	bw_sign_options o;
	bw_bundle_options keyless;
	bool is_keyless;
	bw_sign_annotation ann[MAX_ANN];
	char *ann_text[MAX_ANN];
	const char *image;
	const char *policy, *db;
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
		{ "policy", required_argument, NULL, 'Y' },
		{ "db", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "keyless", no_argument, NULL, 2000 },
		{ "certificate-identity", required_argument, NULL, 2001 },
		{ "certificate-identity-regexp", required_argument, NULL, 2002 },
		{ "certificate-oidc-issuer", required_argument, NULL, 2003 },
		{ "certificate-oidc-issuer-regexp", required_argument, NULL, 2004 },
		{ "certificate-github-workflow-repository", required_argument, NULL, 2005 },
		{ "certificate-github-workflow-ref", required_argument, NULL, 2006 },
		{ "certificate-github-workflow-trigger", required_argument, NULL, 2007 },
		{ "certificate-github-workflow-sha", required_argument, NULL, 2008 },
		{ "certificate-github-workflow-name", required_argument, NULL, 2009 },
		{ "trusted-root", required_argument, NULL, 2010 },
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
		case 'Y': a->policy = optarg; break;
		case 'D': a->db = optarg; break;
		case 'h': fputs(sign_usage, stdout); return -1;
		case 2000: a->is_keyless = true; break;
		case 2001: a->keyless.identity = optarg; break;
		case 2002: a->keyless.identity_regexp = optarg; break;
		case 2003: a->keyless.issuer = optarg; break;
		case 2004: a->keyless.issuer_regexp = optarg; break;
		case 2005: a->keyless.github_workflow_repository = optarg; break;
		case 2006: a->keyless.github_workflow_ref = optarg; break;
		case 2007: a->keyless.github_workflow_trigger = optarg; break;
		case 2008: a->keyless.github_workflow_sha = optarg; break;
		case 2009: a->keyless.github_workflow_name = optarg; break;
		case 2010: a->keyless.trusted_root = optarg; break;
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
	bool certificate_opts = a->keyless.identity || a->keyless.identity_regexp || a->keyless.issuer ||
				a->keyless.issuer_regexp || a->keyless.trusted_root ||
				a->keyless.github_workflow_repository || a->keyless.github_workflow_ref ||
				a->keyless.github_workflow_trigger || a->keyless.github_workflow_sha ||
				a->keyless.github_workflow_name;
	if (a->is_keyless || certificate_opts) {
		if (need_password || (strcmp(argv[0], "verify") && strcmp(argv[0], "verify-attestation")))
			return cli_usage("%s: --keyless applies to verify and verify-attestation", argv[0]);
		if (!a->is_keyless)
			return cli_usage("%s: certificate options need --keyless", argv[0]);
		if (a->o.key_ref)
			return cli_usage("%s: --key and --keyless exclude each other", argv[0]);
		if (a->o.referrers)
			return cli_usage("%s: --keyless always reads referrers; drop --referrers", argv[0]);
		if (!(a->keyless.identity || a->keyless.identity_regexp) ||
		    !(a->keyless.issuer || a->keyless.issuer_regexp))
			return cli_usage("%s: --keyless needs --certificate-identity[-regexp] and "
					 "--certificate-oidc-issuer[-regexp]", argv[0]);
		if (!a->keyless.trusted_root)
			a->keyless.trusted_root = getenv("BULWARK_TRUSTED_ROOT");
		if (!a->keyless.trusted_root || !*a->keyless.trusted_root)
			return cli_usage("%s: no trusted root: give --trusted-root FILE or set BULWARK_TRUSTED_ROOT",
					 argv[0]);
		a->o.keyless = &a->keyless;
		a->o.registry = cli_registry();
		return 0;
	}
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

typedef struct last_payload {
	char *text;
	size_t len;
} last_payload;

static int print_check(const bw_sig_check *c, void *ctx)
{
	last_payload *last = ctx;
	if (c->verified) {
		if (last && (free(last->text), last->text = malloc(c->payload_len + 1))) {
			memcpy(last->text, c->payload, c->payload_len);
			last->text[c->payload_len] = 0;
			last->len = c->payload_len;
		}
		fprintf(stderr, "bulwark: %s: verified\n", c->where);
		if (c->payload_len) { /* a keyless message signature over the digest has no payload */
			fwrite(c->payload, 1, c->payload_len, stdout);
			putchar('\n');
		}
	} else {
		fprintf(stderr, "bulwark: %s\n", c->reason ? c->reason : "not verified");
	}
	return 0;
}

/*
 * The policy over the last verified attestation's SBOM: read as the image
 * "sbom:FILE", matched against the vulnerability database when one is there,
 * evaluated; the verdict and violations on stderr. 0 pass/warn, 1 fail.
 */
static int attested_policy(const cmd_args *a, bw_policy *policy, const last_payload *last)
{
	char *path = NULL, ref[4200];
	bw_image *img = NULL;
	bw_vulndb *db = NULL;
	bw_vulns *vulns = NULL;
	bw_policy_result *verdict = NULL;
	bw_vuln_options vopts = { 0 };
	int status = 0;
	const char *tmp = getenv("TMPDIR");

	if (bw_attestation_predicate_file(last->text, last->len, tmp ? tmp : "/tmp", &path) < 0)
		return cli_fail();
	snprintf(ref, sizeof(ref), "sbom:%s", path);
	const char *dbpath = a->db ? a->db : bw_vulndb_default_path();
	if ((a->db || access(dbpath, R_OK) == 0) && bw_vulndb_open(&db, dbpath, BW_VULNDB_READ) < 0) {
		status = cli_fail();
		goto out;
	}
	if (bw_image_open(&img, ref, NULL) < 0 || bw_image_scan(img) < 0 ||
	    (db && bw_vulns_match(&vulns, img, db, &vopts) < 0) || bw_policy_evaluate(policy, img, vulns, &verdict) < 0) {
		status = cli_fail();
		goto out;
	}
	for (size_t i = 0; i < verdict->n_violations; i++) {
		const bw_violation *v = &verdict->violations[i];
		fprintf(stderr, "bulwark: policy: %s: %s: %s\n", v->action, v->rule, v->reason);
	}
	fprintf(stderr, "bulwark: policy %s on the attested SBOM (%zu packages%s): %s\n", a->policy,
		bw_image_package_count(img), db ? "" : ", no vulnerability database", verdict->verdict);
	status = strcmp(verdict->verdict, "fail") ? 0 : 1;
out:
	bw_policy_result_free(verdict);
	bw_vulns_free(vulns);
	bw_image_free(img);
	bw_vulndb_close(db);
	if (path) {
		unlink(path);
		free(path);
	}
	return status;
}

static int verify_cmd(int argc, char **argv, bool att)
{
	cmd_args a;
	size_t n = 0;
	bw_policy *policy = NULL;
	last_payload last = { 0 };
	int status = parse_args(argc, argv, &a, false);
	if (status)
		goto out;
	if (a.policy && !att) {
		status = cli_usage("verify: --policy applies to verify-attestation");
		goto out;
	}
	/* the policy first: a bad policy file is reported before any network */
	if (a.policy && (bw_policy_load(&policy, a.policy) < 0 ||
			 (bw_policy_set_today(policy, getenv("BULWARK_TODAY")) < 0 && bw_error_prefix("BULWARK_TODAY") < 0))) {
		status = cli_fail();
		goto out;
	}
	int rc = att ? bw_verify_attestations(a.image, &a.o, print_check, &last, &n)
		     : bw_verify_image(a.image, &a.o, print_check, NULL, &n);
	if (rc < 0) {
		status = cli_fail();
		goto out;
	}
	if (!g_cli.quiet)
		fprintf(stderr, "bulwark: %s: %zu %s%s verified\n", a.image, n, att ? "attestation" : "signature",
			n == 1 ? "" : "s");
	if (policy && last.text)
		status = attested_policy(&a, policy, &last);
out:
	bw_policy_free(policy);
	free(last.text);
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

/* ------------------------------------------------------------ scan --attest */

/* Writes what fn writes to a new temporary file; its path malloc'd in *path. */
static int temp_report(char **path, int (*fn)(FILE *f, const void *arg), const void *arg)
{
	const char *dir = getenv("TMPDIR");
	size_t n = strlen(dir ? dir : "/tmp") + 32;
	*path = malloc(n);
	if (!*path)
		return cli_usage("out of memory");
	snprintf(*path, n, "%s/bw-attest.XXXXXX", dir ? dir : "/tmp");
	int fd = mkstemp(*path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		free(*path);
		*path = NULL;
		return cli_usage("scan --attest: cannot create a temporary file in %s", dir ? dir : "/tmp");
	}
	int rc = fn(f, arg);
	if (fclose(f) != 0 && rc == 0)
		rc = bw_error_set(BW_EINPUT, "%s: write failed", *path);
	return rc < 0 ? cli_fail() : 0;
}

static int write_scan_json(FILE *f, const void *arg)
{
	return bw_report_scan(f, arg, BW_FORMAT_JSON);
}

static int write_sbom_cdx(FILE *f, const void *arg)
{
	return bw_report_sbom(f, ((const bw_scan_results *)arg)->img, BW_FORMAT_CYCLONEDX);
}

int cli_scan_attest(const char *image, const char *key_ref, bool referrers, const bw_scan_results *results)
{
	static const struct {
		const char *type;
		int (*fn)(FILE *f, const void *arg);
	} what[] = {
		{ "https://bulwark.dev/attestation/scan/v1", write_scan_json },
		{ "cyclonedx", write_sbom_cdx },
	};
	bw_sign_options o = { .registry = cli_registry(), .key_ref = key_ref, .referrers = referrers };
	char *pw = NULL, digest[160], att[160];
	bool owned = false;
	int status = 0;

	if (bw_key_needs_password(key_ref) && !(pw = cli_password("Enter password for private key: ", false, &owned)))
		return cli_usage("%s: the key is encrypted: set BULWARK_PASSWORD or run on a terminal", key_ref);
	o.password = pw;
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]) && status == 0; i++) {
		char *path = NULL;
		if ((status = temp_report(&path, what[i].fn, results)) != 0)
			break;
		o.predicate_type = what[i].type;
		o.predicate_path = path;
		if (bw_attest_image(image, &o, digest, att) < 0)
			status = cli_fail();
		else if (!g_cli.quiet)
			fprintf(stderr, "bulwark: attested the %s of %s: %s\n", i ? "SBOM" : "scan", image, att);
		unlink(path);
		free(path);
	}
	if (owned) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	return status;
}
