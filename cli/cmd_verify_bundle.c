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
 * line on stderr naming the reason. The work is bw_bundle_verify_file (bulwark/bundle.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bulwark/bundle.h"
#include "cli.h"

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
	bw_bundle_options opts = { 0 };
	const char *bundle_path = NULL;
	bw_bundle_report rep;
	bool staging = false;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_BUNDLE: bundle_path = optarg; break;
		case O_ID: opts.identity = optarg; break;
		case O_ID_RE: opts.identity_regexp = optarg; break;
		case O_ISS: opts.issuer = optarg; break;
		case O_ISS_RE: opts.issuer_regexp = optarg; break;
		case O_GH_REPO: opts.github_workflow_repository = optarg; break;
		case O_GH_REF: opts.github_workflow_ref = optarg; break;
		case O_GH_TRIGGER: opts.github_workflow_trigger = optarg; break;
		case O_GH_SHA: opts.github_workflow_sha = optarg; break;
		case O_GH_NAME: opts.github_workflow_name = optarg; break;
		case O_KEY: opts.key = optarg; break;
		case O_ROOT: opts.trusted_root = optarg; break;
		case O_STAGING: staging = true; break;
		case 'h': fputs(verify_bundle_usage, stdout); return 0;
		default: fputs(verify_bundle_usage, stderr); return 2;
		}
	}
	if (optind != argc - 1 || !bundle_path) {
		fputs(verify_bundle_usage, stderr);
		return 2;
	}
	bool has_identity = opts.identity || opts.identity_regexp;
	bool has_issuer = opts.issuer || opts.issuer_regexp;
	if (opts.key && (has_identity || has_issuer))
		return cli_usage("verify-bundle: --key and a certificate identity exclude each other");
	if (!opts.key && (!has_identity || !has_issuer))
		return cli_usage("verify-bundle: give --key, or a certificate identity and OIDC issuer");
	if (!opts.trusted_root)
		opts.trusted_root = getenv("BULWARK_TRUSTED_ROOT");
	if (!opts.trusted_root || !*opts.trusted_root)
		return cli_usage("verify-bundle: no trusted root: give --trusted-root FILE%s",
				 staging ? " (the staging root is not built in)" : "");
	if (bw_bundle_verify_file(bundle_path, argv[optind], &opts, &rep) < 0)
		return cli_fail();
	if (!g_cli.quiet) {
		char when[32] = "";
		time_t t = (time_t)rep.signed_at;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (opts.key)
			printf("Verified OK: %s signed with the given key; %zu tlog entr%s, %zu RFC 3161 timestamp%s, signed at %s\n",
			       argv[optind], rep.n_tlog_entries, rep.n_tlog_entries == 1 ? "y" : "ies",
			       rep.n_timestamps, rep.n_timestamps == 1 ? "" : "s", when);
		else
			printf("Verified OK: %s signed by %s (issuer %s); %zu tlog entr%s, %zu RFC 3161 timestamp%s, %zu SCT%s, signed at %s\n",
			       argv[optind], rep.identity, rep.issuer, rep.n_tlog_entries,
			       rep.n_tlog_entries == 1 ? "y" : "ies", rep.n_timestamps,
			       rep.n_timestamps == 1 ? "" : "s", rep.n_scts, rep.n_scts == 1 ? "" : "s",
			       when);
	}
	return 0;
}
