/* `bulwark scan IMAGE`: packages matched against the local vulnerability database,
 * their licenses, and the policy gate over both. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bulwark/misconfig.h"
#include "bulwark/package.h"
#include "bulwark/policy.h"
#include "bulwark/scan.h"
#include "bulwark/secrets.h"
#include "bulwark/sign.h"
#include "bulwark/vulndb.h"
#include "cli.h"

static const char usage[] =
	"usage: bulwark scan IMAGE [--db FILE] [--format table|json|sarif|junit|cyclonedx|html] [-o FILE]\n"
	"                   [--severity LIST] [--ignore-unfixed] [--exit-code N]\n"
	"                   [--vex FILE]... [--ignore-file FILE] [--scanners vuln,license,misconfig,secret]\n"
	"                   [--secret-config FILE] [--secret-max-file-size BYTES]\n"
	"                   [--policy FILE] [--platform os/arch[/variant] | all]\n"
	"                   [--ignore-base | --only-base]\n"
	CLI_REGISTRY_USAGE
	"\n"
	"--scanners LIST   what to report, comma-separated: vuln (default), license, misconfig\n"
	"                  (image config, filesystem; IMAGE may then be a Dockerfile to lint),\n"
	"                  secret (secrets and sensitive data in every layer and in the config;\n"
	"                  docs/secrets.md)\n"
	"--secret-config F YAML: custom secret rules, allow rules, built-in rules to disable\n"
	"--secret-max-file-size N  files larger than N bytes (K, M, G suffixes) are not scanned\n"
	"                  for secrets (default 16M)\n"
	"--policy FILE     gate on a policy (docs/policy.md): the verdict and its violations are in\n"
	"                  the report, and a \"fail\" verdict exits 1 (or N of --exit-code)\n"
	"--severity LIST   keep only these severities (CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)\n"
	"--ignore-unfixed  drop vulnerabilities that have no fixed version\n"
	"--exit-code N     without --policy: exit with N when any vulnerability (or secret) is reported;\n"
	"                  with --policy: the exit status of a \"fail\" verdict (default 1)\n"
	"--vex FILE        OpenVEX or CycloneDX VEX: not_affected statements suppress findings\n"
	"--ignore-file F   YAML list of {id, package?, expires?, reason?} (default ./.bulwarkignore)\n"
	"--platform all    every platform of an index, one report each (table or json; layers the\n"
	"                  platforms share are read once, through the layer cache)\n"
	"--ignore-base     only what the image added above its recorded base (bulwark base add)\n"
	"--only-base       only what it inherited from that base\n"

	"--db FILE         default $BULWARK_DB, else ~/.cache/bulwark/vulndb.sqlite\n"
	"--format          table (default; colours when stdout is a terminal and NO_COLOR is unset),\n"
	"                  json, sarif (SARIF 2.1.0), junit (JUnit XML), cyclonedx (CycloneDX 1.6\n"
	"                  with vulnerabilities), html (one self-contained page)\n"
	"--attest --key REF  sign the scan (JSON) and its SBOM (CycloneDX) and attach them to IMAGE\n"
	"                  (a registry or oci: image) as attestations (docs/signing.md)\n";

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the calling thread: matching runs on it alone, and the wall clock of a
 * loaded machine says little about the matcher (bench/scan.sh reports both) */
static double thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * The policy's `signature` rules, checked here (bw_scan_results.check_signature):
 * one signature of the image, or one attestation of a predicate type, must
 * verify with one of the rule's keys, looked for under cosign's tag and among
 * OCI 1.1 referrers. Key paths are relative to the policy file's directory.
 * Fails closed: an unreachable registry or a malformed signature is "not
 * verified", with the reason.
 */
typedef struct sig_checker {
	const bw_image *img;
	const char *reference, *policy_path;
} sig_checker;

static int ignore_check(const bw_sig_check *c, void *ctx)
{
	(void)c;
	(void)ctx;
	return 0;
}

static int check_signature(void *ctx, const char *const *keys, size_t n_keys, const char *predicate_type,
			   char *reason, size_t reason_len)
{
	const sig_checker *s = ctx;
	const char *transport = bw_image_get_info(s->img)->transport;
	if (strcmp(transport, "oci") != 0 && strcmp(transport, "docker") != 0) {
		snprintf(reason, reason_len, "a %s: input carries no signatures (registry images and oci: layouts do)",
			 transport);
		return 2;
	}
	const char *slash = strrchr(s->policy_path, '/');
	int dir_len = slash ? (int)(slash - s->policy_path) : 1;
	const char *dir = slash ? s->policy_path : ".";
	for (size_t i = 0; i < n_keys; i++) {
		char path[4096];
		if (keys[i][0] == '/' || !strncmp(keys[i], "env://", 6) || !strncmp(keys[i], "pkcs11:", 7))
			snprintf(path, sizeof(path), "%s", keys[i]);
		else
			snprintf(path, sizeof(path), "%.*s/%s", dir_len, dir, keys[i]);
		bw_sign_options o = { .registry = cli_registry(), .key_ref = path, .referrers = true,
				      .predicate_type = predicate_type };
		size_t verified = 0;
		int rc = predicate_type ? bw_verify_attestations(s->reference, &o, ignore_check, NULL, &verified)
					: bw_verify_image(s->reference, &o, ignore_check, NULL, &verified);
		if (rc == 0 && verified > 0)
			return 1;
		if (rc == BW_EINTERNAL)
			return rc;
		size_t used = strlen(reason);
		if (used + 1 < reason_len) /* every key's reason, in order */
			snprintf(reason + used, reason_len - used, "%s%s: %s", used ? "; " : "", keys[i],
				 rc == 0 ? "nothing verified" : bw_error_last()->message);
	}
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "platform", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "severity", required_argument, NULL, 's' },
		{ "ignore-unfixed", no_argument, NULL, 'u' },
		{ "exit-code", required_argument, NULL, 'e' },
		{ "scanners", required_argument, NULL, 'S' },
		{ "vex", required_argument, NULL, 'V' },
		{ "ignore-file", required_argument, NULL, 'I' },
		{ "policy", required_argument, NULL, 'P' },
		{ "ignore-base", no_argument, NULL, 'B' },
		{ "only-base", no_argument, NULL, 'O' },
		{ "attest", no_argument, NULL, 'A' },
		{ "key", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "secret-config", required_argument, NULL, 'C' },
		{ "secret-max-file-size", required_argument, NULL, 'M' },
		CLI_REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	bw_image_options opts = BW_IMAGE_OPTIONS_INIT;
	bw_vuln_options vopts = { 0 };
	bw_format format = BW_FORMAT_TABLE;
	const char *outpath = NULL, *dbpath = NULL;
	bw_state *state = NULL;
	bw_image *img = NULL;
	bw_vulndb *db = NULL;
	bw_vulns *vulns = NULL;
	bw_suppressions *sup = NULL;
	bw_policy *policy = NULL;
	bw_policy_result *verdict = NULL;
	const char *vex[16], *ignore_file = NULL, *policy_path = NULL;
	const char *attest_key = NULL; /* scan --attest --key REF (cmd_sign.c) */
	bool attest = false;
	size_t n_vex = 0;
	int exit_code = 0;
	bool exit_code_set = false, scan_vulns = true, scan_licenses = false, scan_secrets = false;
	bool scan_misconfig = false;
	bw_misconfigs *misconfigs = NULL;
	const char *secret_config = NULL;
	bw_secrets_config *scfg = NULL;
	bw_secrets_options sopts = { 0 };
	cli_output out;
	int c, status;

	optind = 0; /* 0: glibc re-initialises getopt (main parsed with "+") */
	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bw_format_parse(optarg, &format) < 0)
				return cli_fail();
			break;
		case 'o': outpath = optarg; break;
		case 'p': opts.platform = optarg; break;
		case 'd': dbpath = optarg; break;
		case 's':
			if (bw_severity_parse_list(optarg, &vopts.severities) < 0)
				return cli_fail();
			break;
		case 'u': vopts.ignore_unfixed = true; break;
		case 'e': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 255)
				return cli_usage("scan: --exit-code wants a number 0..255, not \"%s\"", optarg);
			exit_code = (int)v;
			exit_code_set = true;
			break;
		}
		case 'S': {
			/* a comma-separated list; each name once is enough, repeats are harmless */
			const char *p = optarg;
			scan_vulns = scan_licenses = scan_misconfig = scan_secrets = false;
			while (*p) {
				size_t n = strcspn(p, ",");
				if (n == 0)
					; /* "vuln,,license" and a trailing comma are harmless */
				else if (n == 4 && !strncmp(p, "vuln", 4))
					scan_vulns = true;
				else if (n == 7 && !strncmp(p, "license", 7))
					scan_licenses = true;
				else if (n == 9 && !strncmp(p, "misconfig", 9))
					scan_misconfig = true;
				else if ((n == 6 && !strncmp(p, "secret", 6)) || (n == 7 && !strncmp(p, "secrets", 7)))
					scan_secrets = true;
				else
					return cli_usage("scan: --scanners: \"%.*s\" is not available in this build "
							 "(vuln, license, misconfig, secret)", (int)n, p);
				p += n + (p[n] == ',');
			}
			if (!scan_vulns && !scan_licenses && !scan_misconfig && !scan_secrets)
				return cli_usage("scan: --scanners: name at least one of vuln, license, misconfig, secret");
			break;
		}
		case 'P': policy_path = optarg; break;
		case 'B':
		case 'O':
			if (vopts.base != BW_BASE_ALL && vopts.base != (c == 'B' ? BW_BASE_EXCLUDE : BW_BASE_ONLY))
				return cli_usage("scan: --ignore-base and --only-base exclude each other");
			vopts.base = c == 'B' ? BW_BASE_EXCLUDE : BW_BASE_ONLY;
			break;
		case 'A': attest = true; break;
		case 'K': attest_key = optarg; break;
		case 'V':
			if (n_vex == sizeof(vex) / sizeof(vex[0]))
				return cli_usage("scan: at most %zu --vex files", sizeof(vex) / sizeof(vex[0]));
			vex[n_vex++] = optarg;
			break;
		case 'I': ignore_file = optarg; break;
		case 'C': secret_config = optarg; break;
		case 'M': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			unsigned long long mul = 1;
			if (*end == 'K' || *end == 'k')
				mul = 1024ULL, end++;
			else if (*end == 'M' || *end == 'm')
				mul = 1024ULL * 1024, end++;
			else if (*end == 'G' || *end == 'g')
				mul = 1024ULL * 1024 * 1024, end++;
			if (*end || end == optarg || optarg[0] == '-' || v == 0 || v > (64ULL << 30) / mul)
				return cli_usage("scan: --secret-max-file-size wants a size from 1 byte to 64G, "
						 "not \"%s\"", optarg);
			sopts.max_file_size = v * mul;
			break;
		}
		case 'h': fputs(usage, stdout); return 0;
		default: {
			int st = cli_registry_or_usage(c, usage);
			if (st)
				return st;
			break;
		}
		}
	}
	if (attest != (attest_key != NULL))
		return cli_usage("scan: --attest and --key REF go together");
	if (!opts.platform)
		opts.platform = g_cli.platform;
	opts.registry = cli_registry();
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (opts.platform && !strcmp(opts.platform, "all"))
		return cli_scan_all_platforms(argc, argv, argv[optind], outpath, format, &opts, cmd_scan);
	if (format == BW_FORMAT_SPDX)
		return cli_usage("scan: --format spdx: SPDX is an SBOM format (bulwark sbom --format spdx); "
				 "scan writes table, json, sarif, junit, cyclonedx or html");
	/* a Dockerfile is linted, not scanned as an image */
	if (scan_misconfig && !scan_vulns && !scan_licenses && !policy_path && cli_is_dockerfile(argv[optind]))
		return cli_dockerfile_run(argv[optind], format, outpath, vopts.severities, exit_code);
	/* the policy first: a bad policy file is reported before any scanning */
	if (policy_path) {
		if (bw_policy_load(&policy, policy_path) < 0 ||
		    (bw_policy_set_today(policy, getenv("BULWARK_TODAY")) < 0 && bw_error_prefix("BULWARK_TODAY") < 0)) {
			bw_policy_free(policy);
			return cli_fail();
		}
	}
	if ((secret_config || sopts.max_file_size) && !scan_secrets)
		return cli_usage("scan: --secret-config and --secret-max-file-size need --scanners secret");
	/* the secret rules are compiled before the image is read: a bad rule file is a usage error */
	if (scan_secrets) {
		if (secret_config && bw_secrets_config_load(&scfg, secret_config) < 0) {
			status = cli_fail();
			goto out;
		}
		sopts.config = scfg;
		if (bw_secrets_setup(&sopts) < 0) {
			status = cli_fail();
			goto out;
		}
	}
	if (!ignore_file && access(".bulwarkignore", F_OK) == 0)
		ignore_file = ".bulwarkignore";
	if (bw_suppressions_new(&sup) < 0) {
		status = cli_fail();
		goto out;
	}
	for (size_t i = 0; i < n_vex; i++)
		if (bw_suppressions_load_vex(sup, vex[i]) < 0) {
			status = cli_fail();
			goto out;
		}
	if (ignore_file && bw_suppressions_load_ignore(sup, ignore_file, getenv("BULWARK_TODAY")) < 0) {
		status = cli_fail();
		goto out;
	}
	vopts.suppress = sup;
	/* The database first: a missing one is reported before a long image read. */
	if (scan_vulns && bw_vulndb_open(&db, dbpath ? dbpath : bw_vulndb_default_path(), BW_VULNDB_READ) < 0) {
		status = cli_fail();
		goto out;
	}
	/* What the layer pass feeds. The account files only when something will look at them
	 * (the misconfig checks, or a policy's forbid_root_user, which resolves names through
	 * /etc/passwd); secrets only when asked, and a secret-only scan skips the package
	 * databases; file digests never (only diff and drift ask). */
	opts.analyzers = ~(BW_ANALYZE_MISCONFIG | BW_ANALYZE_DIGESTS | BW_ANALYZE_SECRETS);
	if (scan_misconfig || policy)
		opts.analyzers |= BW_ANALYZE_MISCONFIG;
	if (scan_secrets) {
		opts.analyzers |= BW_ANALYZE_SECRETS;
		if (!scan_vulns && !scan_licenses && !scan_misconfig && !policy)
			opts.analyzers &= ~BW_ANALYZE_PACKAGES;
	}
	if (cli_state_open(&opts, &state) < 0) {
		status = cli_fail();
		goto out;
	}
	double t0 = now_ms();
	if (bw_image_open(&img, argv[optind], &opts) < 0 || bw_image_scan(img) < 0) {
		status = cli_fail();
		goto out;
	}
	if (cli_attribute_base(img, state) < 0) {
		status = cli_fail();
		goto out;
	}
	if (vopts.base != BW_BASE_ALL && !bw_image_get_info(img)->base_name)
		fprintf(stderr, "bulwark: warning: %s: no recorded base image prefixes this image (bulwark base add): "
			"%s\n", argv[optind], vopts.base == BW_BASE_EXCLUDE ? "--ignore-base has no effect"
									  : "--only-base reports no package");
	double t1 = now_ms(), cpu1 = thread_cpu_ms();
	if (scan_vulns && bw_vulns_match(&vulns, img, db, &vopts) < 0) {
		status = cli_fail();
		goto out;
	}
	double t_mc = now_ms(), cpu_match = thread_cpu_ms() - cpu1;
	if (scan_misconfig) {
		bw_misconfig_options mopts = { .today = getenv("BULWARK_TODAY") };
		if (bw_misconfig_check_image(&misconfigs, img, &mopts) < 0) {
			status = cli_fail();
			goto out;
		}
		bw_misconfigs_filter(misconfigs, vopts.severities);
	}
	t_mc = now_ms() - t_mc;
	sig_checker sigs = { .img = img, .reference = argv[optind], .policy_path = policy_path };
	bw_scan_results inputs = { .img = img, .vulns = vulns, .misconfigs = misconfigs,
				   .check_signature = check_signature, .check_ctx = &sigs };
	if (policy && bw_policy_evaluate_results(policy, &inputs, &verdict) < 0) {
		status = cli_fail();
		goto out;
	}
	/* BULWARK_TIMING=1: where the time went, for bench/scan.sh */
	if (getenv("BULWARK_TIMING"))
		fprintf(stderr, "timing: image %.1f ms, match %.2f ms (%zu packages), match cpu %.2f ms\n", t1 - t0,
			now_ms() - t1 - t_mc, bw_image_package_count(img), cpu_match);
	if (getenv("BULWARK_TIMING") && scan_misconfig)
		fprintf(stderr, "timing: misconfig checks %.2f ms (%zu findings)\n", t_mc, bw_misconfigs_count(misconfigs));
	if ((status = cli_output_open(&out, outpath)) != 0)
		goto out;
	bw_scan_results results = { .img = img, .vulns = vulns, .policy = verdict, .licenses = scan_licenses,
				    .misconfigs = misconfigs,
				    .secrets = scan_secrets ? bw_image_secrets(img) : NULL };
	const char *no_color = getenv("NO_COLOR");
	results.color = format == BW_FORMAT_TABLE && out.f == stdout && isatty(STDOUT_FILENO) &&
			!(no_color && *no_color);
	bool ok = bw_report_scan(out.f, &results, format) == 0;
	status = cli_output_close(&out, ok);
	if (!ok && status == 0)
		status = cli_fail();
	if (status == 0 && attest)
		status = cli_scan_attest(argv[optind], attest_key, false, &results);
	if (status == 0 && verdict) {
		/* with a policy, the policy decides */
		if (!strcmp(verdict->verdict, "fail"))
			status = exit_code_set ? exit_code : 1;
	} else if (status == 0 && exit_code && vulns && bw_vulns_count(vulns) > bw_vulns_suppressed(vulns)) {
		status = exit_code;
	} else if (status == 0 && exit_code && (bw_misconfigs_count(misconfigs) || bw_secrets_count(results.secrets))) {
		status = exit_code;
	}
out:
	bw_policy_result_free(verdict);
	bw_secrets_config_free(scfg);
	bw_policy_free(policy);
	bw_suppressions_free(sup);
	bw_vulns_free(vulns);
	bw_misconfigs_free(misconfigs);
	bw_image_free(img);
	bw_vulndb_close(db);
	bw_state_close(state);
	return status;
}
