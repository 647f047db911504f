/*
 * `bulwark verify-bundle`: offline verification of a sigstore bundle for a
 * file or a sha256 digest, with the argument order of the
 * sigstore-conformance client protocol:
 *
 *   verify-bundle --bundle FILE --certificate-identity ID --certificate-oidc-issuer URL
 *                 [--trusted-root FILE] FILE_OR_DIGEST
 *   verify-bundle --bundle FILE --key KEYFILE [--trusted-root FILE] FILE_OR_DIGEST
 *
 * Exit 0 only when everything verifies; 1 when verification fails, 2 for
 * usage errors, 3 for unreadable or malformed input (DESIGN.md §5), with one
 * line on stderr naming the reason.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "crypto/digest.h"
#include "sign/bundle.h"
#include "util/buf.h"

static const char verify_bundle_usage[] =
	"usage: bulwark verify-bundle --bundle FILE\n"
	"         (--certificate-identity ID | --certificate-identity-regexp RE)\n"
	"         (--certificate-oidc-issuer URL | --certificate-oidc-issuer-regexp RE)\n"
	"         [--certificate-github-workflow-repository R] [--certificate-github-workflow-ref R]\n"
	"         [--certificate-github-workflow-trigger T] [--certificate-github-workflow-sha S]\n"
	"         [--certificate-github-workflow-name N]\n"
	"       | --bundle FILE --key KEYFILE\n"
	"       [--trusted-root FILE] FILE_OR_DIGEST\n"
	"  FILE_OR_DIGEST: the signed file, or sha256:<64 hex> when no such file exists.\n"
	"  Without --trusted-root, $BULWARK_TRUSTED_ROOT names the trusted_root.json.\n";

/* Files larger than this are hashed as a stream and not kept (Ed25519
 * message signatures then need a smaller artifact). */
#define KEEP_ARTIFACT_MAX (64 * 1024 * 1024)

static int hex_to_bytes(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v |= (unsigned)(c - 'a' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* The conformance protocol's rule: a digest only if it looks like one and is not a path. */
static bool is_digest_arg(const char *arg)
{
	struct stat st;
	return strncmp(arg, "sha256:", 7) == 0 && strlen(arg) == 71 && stat(arg, &st) != 0;
}

static int load_artifact(const char *arg, bw_artifact *a, uint8_t **keep)
{
	bw_digest d;

	*keep = NULL;
	memset(a, 0, sizeof(*a));
	if (is_digest_arg(arg)) {
		if (bw_digest_parse("artifact digest", arg, &d) < 0 ||
		    hex_to_bytes(bw_digest_hex(&d), a->sha256) < 0)
			return BW_EUSAGE;
		return 0;
	}
	FILE *f = fopen(arg, "rb");
	if (!f)
		return bw_error_set(BW_EINPUT, "%s: cannot open the artifact", arg);
	bw_hasher *h = bw_hasher_new(BW_SHA256);
	bw_buf data = BW_BUF_INIT(KEEP_ARTIFACT_MAX);
	bool keeping = true;
	uint8_t chunk[65536];
	size_t n;
	int rc = 0;
	if (!h) {
		fclose(f);
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", arg);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		bw_hasher_update(h, chunk, n);
		if (keeping && bw_buf_append(&data, chunk, n) < 0) {
			keeping = false;
			bw_buf_free(&data);
		}
	}
	if (ferror(f))
		rc = bw_error_set(BW_EINPUT, "%s: read error", arg);
	fclose(f);
	bw_hasher_final(h, &d);
	bw_hasher_free(h);
	if (rc == 0)
		hex_to_bytes(bw_digest_hex(&d), a->sha256);
	if (rc == 0 && keeping) {
		a->len = data.len;
		*keep = bw_buf_detach(&data, &a->len);
		a->data = *keep;
	}
	bw_buf_free(&data);
	return rc;
}

int cmd_verify_bundle(int argc, char **argv)
{
	enum {
		O_BUNDLE = 1, O_ID, O_ID_RE, O_ISS, O_ISS_RE, O_KEY, O_ROOT, O_STAGING, O_GH_REPO,
		O_GH_REF, O_GH_TRIGGER, O_GH_SHA, O_GH_NAME,
	};
	static const struct option longopts[] = {
		{ "bundle", required_argument, NULL, O_BUNDLE },
		{ "certificate-identity", required_argument, NULL, O_ID },
		{ "certificate-identity-regexp", required_argument, NULL, O_ID_RE },
		{ "certificate-oidc-issuer", required_argument, NULL, O_ISS },
		{ "certificate-oidc-issuer-regexp", required_argument, NULL, O_ISS_RE },
		{ "certificate-github-workflow-repository", required_argument, NULL, O_GH_REPO },
		{ "certificate-github-workflow-ref", required_argument, NULL, O_GH_REF },
		{ "certificate-github-workflow-trigger", required_argument, NULL, O_GH_TRIGGER },
		{ "certificate-github-workflow-sha", required_argument, NULL, O_GH_SHA },
		{ "certificate-github-workflow-name", required_argument, NULL, O_GH_NAME },
		{ "key", required_argument, NULL, O_KEY },
		{ "trusted-root", required_argument, NULL, O_ROOT },
		{ "staging", no_argument, NULL, O_STAGING },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bw_bundle_policy pol = { 0 };
	const char *bundle_path = NULL, *key_path = NULL, *root_path = NULL;
	bw_bundle bundle = { 0 };
	bw_trustroot tr = { 0 };
	bw_pki_key *key = NULL;
	bw_artifact art;
	bw_bundle_result res;
	uint8_t *keep = NULL;
	bool staging = false;
	int c, status = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_BUNDLE: bundle_path = optarg; break;
		case O_ID: pol.identity = optarg; break;
		case O_ID_RE: pol.identity_regexp = optarg; break;
		case O_ISS: pol.issuer = optarg; break;
		case O_ISS_RE: pol.issuer_regexp = optarg; break;
		case O_GH_REPO: pol.github_workflow_repository = optarg; break;
		case O_GH_REF: pol.github_workflow_ref = optarg; break;
		case O_GH_TRIGGER: pol.github_workflow_trigger = optarg; break;
		case O_GH_SHA: pol.github_workflow_sha = optarg; break;
		case O_GH_NAME: pol.github_workflow_name = optarg; break;
		case O_KEY: key_path = optarg; break;
		case O_ROOT: root_path = optarg; break;
		case O_STAGING: staging = true; break;
		case 'h': fputs(verify_bundle_usage, stdout); return 0;
		default: fputs(verify_bundle_usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || !bundle_path) {
		fputs(verify_bundle_usage, stderr);
		return 2;
	}
	bool has_identity = pol.identity || pol.identity_regexp;
	bool has_issuer = pol.issuer || pol.issuer_regexp;
	if (key_path && (has_identity || has_issuer))
		return cli_usage("verify-bundle: --key and a certificate identity exclude each other");
	if (!key_path && (!has_identity || !has_issuer))
		return cli_usage("verify-bundle: give --key, or a certificate identity and OIDC issuer");
	if (!root_path)
		root_path = getenv("BULWARK_TRUSTED_ROOT");
	if (!root_path || !*root_path)
		return cli_usage("verify-bundle: no trusted root: give --trusted-root FILE%s",
				 staging ? " (the staging root is not built in)" : "");

	if (bw_trustroot_load(root_path, &tr) < 0 || bw_bundle_load(bundle_path, &bundle) < 0)
		goto fail;
	if (key_path) {
		bw_buf kb = BW_BUF_INIT(BW_PKI_MAX_KEY_BYTES * 2);
		int rc = bw_buf_read_file(&kb, key_path, BW_EUSAGE, "the public key");
		if (rc == 0)
			rc = bw_pki_key_from_pem(key_path, kb.data, kb.len, &key);
		bw_buf_free(&kb);
		if (rc < 0)
			goto fail;
		pol.key = key;
	}
	if (load_artifact(argv[optind], &art, &keep) < 0)
		goto fail;
	if (bw_bundle_verify(&bundle, &tr, &art, &pol, &res) < 0)
		goto fail;
	if (!g_cli.quiet) {
		char when[32] = "";
		time_t t = (time_t)res.verified_time;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (key)
			printf("Verified OK: %s signed with the given key; %zu tlog entr%s, %zu RFC 3161 timestamp%s, signed at %s\n",
			       argv[optind], res.n_tlog_entries, res.n_tlog_entries == 1 ? "y" : "ies",
			       res.n_timestamps, res.n_timestamps == 1 ? "" : "s", when);
		else
			printf("Verified OK: %s signed by %s (issuer %s); %zu tlog entr%s, %zu RFC 3161 timestamp%s, %zu SCT%s, signed at %s\n",
			       argv[optind], res.identity, res.issuer, res.n_tlog_entries,
			       res.n_tlog_entries == 1 ? "y" : "ies", res.n_timestamps,
			       res.n_timestamps == 1 ? "" : "s", res.n_scts, res.n_scts == 1 ? "" : "s",
			       when);
	}
	goto done;
fail:
	status = cli_fail();
done:
	free(keep);
	bw_pki_key_free(key);
	bw_bundle_free(&bundle);
	bw_trustroot_free(&tr);
	return status;
}
