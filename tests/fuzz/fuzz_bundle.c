/*
 * tests/fuzz/fuzz_bundle.c: the sigstore bundle and trusted-root parsers.
 *
 * Every input goes to bw_trustroot_parse and bw_bundle_parse. When a bundle
 * parses, the parts the verifier reads from it without a trusted signature
 * are driven too: each tlog entry's logged body against the bundle
 * (bw_rekor_body_matches, which parses the body JSON and the PEM/DER
 * verifiers in it), its checkpoint text, its SET payload, and for a
 * certificate the identity policy and the embedded SCT list. Results are
 * touched and freed so LeakSanitizer sees the error paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/bundle.h"
#include "sign/checkpoint.h"
#include "sign/rekor.h"
#include "sign/trustroot.h"
#include "sign/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_trustroot tr;
	bw_bundle b;

	if (bw_trustroot_parse("fuzz root", data, size, &tr) == 0) {
		sink += tr.n_tlogs + tr.n_ctlogs + tr.n_cas + tr.n_tsas;
		bw_trustroot_free(&tr);
	}
	if (bw_bundle_parse("fuzz bundle", data, size, &b) == 0) {
		uint8_t digest[32] = { 0 };
		bw_rekor_expect x = { .bundle = &b, .cert = b.leaf, .digest = digest };
		for (size_t i = 0; i < b.n_entries; i++) {
			const bw_tlog_entry *e = &b.entries[i];
			char *payload;
			size_t n;
			if (b.leaf)
				sink += (size_t)bw_rekor_body_matches("fuzz entry", e, &x);
			if (e->checkpoint) {
				bw_checkpoint cp;
				if (bw_checkpoint_parse("fuzz cp", e->checkpoint, strlen(e->checkpoint), &cp) == 0) {
					sink += cp.n_sigs + cp.tree_size;
					bw_checkpoint_free(&cp);
				}
			}
			if (bw_rekor_set_payload(e, &payload, &n) == 0) {
				sink += n;
				free(payload);
			}
		}
		if (b.leaf) {
			bw_bundle_policy p = { .identity = "x", .issuer = "y",
					       .github_workflow_repository = "r" };
			bw_bundle_result r;
			uint8_t h[32] = { 0 };
			size_t nv;
			sink += (size_t)bw_x509_check_policy(b.leaf, &p, &r);
			sink += (size_t)bw_x509_verify_scts("fuzz sct", b.leaf, h, &tr, &nv);
		}
		if (b.is_dsse) {
			uint8_t *pae;
			size_t n;
			if (bw_bundle_pae(b.payload_type, b.payload, b.payload_len, &pae, &n) == 0) {
				sink += n;
				free(pae);
			}
		}
		bw_bundle_free(&b);
	}
	sink += strlen(bw_error_last()->message);
	bw_error_clear();
	return 0;
}
