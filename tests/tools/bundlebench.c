/*
 * tests/tools/bundlebench.c (bw-bundlebench): how many sigstore bundle
 * verifications per second one core does, for bench/bundle.sh.
 *
 *   bw-bundlebench TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER SECONDS
 *
 * Loads the trusted root and the artifact once, then repeats parse + verify of
 * the bundle (read from memory) for SECONDS of CPU time and prints
 * "N verifications in S s CPU: R/s". Exits 1 if any verification fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/errors.h"
#include "crypto/pki.h"
#include "sign/bundle.h"
#include "util/buf.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	bw_trustroot tr;
	bw_buf bundle = BW_BUF_INIT(BW_MAX_BUNDLE_BYTES), art = BW_BUF_INIT(1 << 30);
	bw_artifact a = { 0 };
	bw_bundle_policy pol = { 0 };
	double secs, t0, t;
	long n = 0;

	if (argc != 7) {
		fprintf(stderr, "usage: bw-bundlebench TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER SECONDS\n");
		return 2;
	}
	secs = strtod(argv[6], NULL);
	if (bw_trustroot_load(argv[1], &tr) < 0 || bw_buf_read_file(&bundle, argv[2], BW_EINPUT, "bundle") < 0 ||
	    bw_buf_read_file(&art, argv[3], BW_EINPUT, "artifact") < 0) {
		fprintf(stderr, "bw-bundlebench: %s\n", bw_error_last()->message);
		return 1;
	}
	bw_sha256(art.data, art.len, a.sha256);
	a.data = art.data;
	a.len = art.len;
	pol.identity = argv[4];
	pol.issuer = argv[5];
	t0 = cpu_now();
	do {
		bw_bundle b;
		if (bw_bundle_parse(argv[2], bundle.data, bundle.len, &b) < 0 ||
		    bw_bundle_verify(&b, &tr, &a, &pol, NULL) < 0) {
			fprintf(stderr, "bw-bundlebench: %s\n", bw_error_last()->message);
			return 1;
		}
		bw_bundle_free(&b);
		n++;
		t = cpu_now() - t0;
	} while (t < secs);
	printf("%ld verifications in %.2f s CPU: %.0f/s\n", n, t, (double)n / t);
	bw_trustroot_free(&tr);
	bw_buf_free(&bundle);
	bw_buf_free(&art);
	return 0;
}
