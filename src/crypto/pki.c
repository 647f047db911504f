/*
 * crypto/pki.c: OpenSSL behind crypto/pki.h (keys, X.509, chains, RFC 3161,
 * signatures, SHA-256, base64) for sigstore bundle verification.
 *
 * Every DER or PEM object is size-checked before OpenSSL parses it and must
 * be consumed exactly (trailing bytes would let two parsers disagree).
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulwark/errors.h"
#include "crypto/pki.h"

struct bw_pki_key {
	EVP_PKEY *pkey;
};

struct bw_pki_cert {
	X509 *x;
	bw_pki_key key;
	uint8_t *der;
	size_t der_len;
	int64_t not_before, not_after;
};

/* ------------------------------------------------------------ hashing, base64 */

void bw_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int n = 32;
	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		memset(out, 0, 32); /* cannot happen with the default provider */
}


/* ------------------------------------------------------------ keys */

static int key_wrap(const char *what, EVP_PKEY *pkey, bw_pki_key **out)
{
	int id = EVP_PKEY_get_base_id(pkey);
	if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return bw_error_set(BW_EINPUT, "%s: unsupported public key type", what);
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		EVP_PKEY_free(pkey);
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	(*out)->pkey = pkey;
	return 0;
}

int bw_pki_key_from_der(const char *what, const uint8_t *der, size_t len, bw_pki_key **out)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;

	*out = NULL;
	if (len == 0 || len > BW_PKI_MAX_KEY_BYTES)
		return bw_error_set(BW_EINPUT, "%s: public key of %zu bytes", what, len);
	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	ERR_clear_error();
	if (!pkey)
		return bw_error_set(BW_EINPUT, "%s: not a DER SubjectPublicKeyInfo", what);
	if ((size_t)(p - der) != len) {
		EVP_PKEY_free(pkey);
		return bw_error_set(BW_EINPUT, "%s: trailing bytes after the public key", what);
	}
	return key_wrap(what, pkey, out);
}

int bw_pki_key_from_pkcs1_rsa(const char *what, const uint8_t *der, size_t len, bw_pki_key **out)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;

	*out = NULL;
	if (len == 0 || len > BW_PKI_MAX_KEY_BYTES)
		return bw_error_set(BW_EINPUT, "%s: public key of %zu bytes", what, len);
	pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
	ERR_clear_error();
	if (!pkey)
		return bw_error_set(BW_EINPUT, "%s: not a DER PKCS#1 RSAPublicKey", what);
	if ((size_t)(p - der) != len) {
		EVP_PKEY_free(pkey);
		return bw_error_set(BW_EINPUT, "%s: trailing bytes after the public key", what);
	}
	return key_wrap(what, pkey, out);
}

int bw_pki_key_from_pem(const char *what, const void *pem, size_t len, bw_pki_key **out)
{
	BIO *bio;
	EVP_PKEY *pkey;

	*out = NULL;
	if (len == 0 || len > BW_PKI_MAX_KEY_BYTES * 2)
		return bw_error_set(BW_EINPUT, "%s: PEM public key of %zu bytes", what, len);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey)
		return bw_error_set(BW_EINPUT, "%s: not a PEM public key", what);
	return key_wrap(what, pkey, out);
}

void bw_pki_key_free(bw_pki_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

bool bw_pki_key_equal(const bw_pki_key *a, const bw_pki_key *b)
{
	return a && b && EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

bool bw_pki_key_is_ed25519(const bw_pki_key *k)
{
	return EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_ED25519;
}

int bw_pki_key_id(const bw_pki_key *k, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pkey, &der);
	if (n <= 0)
		return bw_error_set(BW_EINTERNAL, "public key: cannot encode");
	bw_sha256(der, (size_t)n, out);
	OPENSSL_free(der);
	return 0;
}

static const EVP_MD *md_for_key(EVP_PKEY *pkey)
{
	int id = EVP_PKEY_get_base_id(pkey);
	if (id == EVP_PKEY_ED25519)
		return NULL;
	if (id == EVP_PKEY_EC) {
		int bits = EVP_PKEY_get_bits(pkey);
		if (bits > 384)
			return EVP_sha512();
		if (bits > 256)
			return EVP_sha384();
	}
	return EVP_sha256();
}

int bw_pki_verify(const char *what, const bw_pki_key *k, const void *msg, size_t len,
		  const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int ok = 0;

	if (!mctx)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	if (EVP_DigestVerifyInit(mctx, NULL, md_for_key(k->pkey), NULL, k->pkey) == 1)
		ok = EVP_DigestVerify(mctx, sig, sig_len, msg, len) == 1;
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	if (!ok)
		return bw_error_set(BW_EPOLICY, "%s: signature does not verify", what);
	return 0;
}

int bw_pki_verify_sha256_digest(const char *what, const bw_pki_key *k, const uint8_t digest[32],
				const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx;
	int ok = 0;

	if (bw_pki_key_is_ed25519(k))
		return bw_error_set(BW_EINPUT, "%s: an Ed25519 key cannot verify a pre-hashed message",
				    what);
	ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (!ctx)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	if (EVP_PKEY_verify_init(ctx) == 1 && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1)
		ok = EVP_PKEY_verify(ctx, sig, sig_len, digest, 32) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return bw_error_set(BW_EPOLICY, "%s: signature does not verify", what);
	return 0;
}

/* ------------------------------------------------------------ certificates */

static int asn1_time_to_epoch(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int cert_wrap(const char *what, X509 *x, bw_pki_cert **out)
{
	bw_pki_cert *c;
	unsigned char *der = NULL;
	int n;

	int n_ext = X509_get_ext_count(x);
	if (n_ext > BW_PKI_MAX_EXTENSIONS) {
		X509_free(x);
		return bw_error_set(BW_EINPUT, "%s: certificate has %d extensions, limit %d", what,
				    n_ext, BW_PKI_MAX_EXTENSIONS);
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		X509_free(x);
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	c->x = x;
	n = i2d_X509(x, &der);
	c->key.pkey = X509_get0_pubkey(x);
	if (n <= 0 || !c->key.pkey ||
	    asn1_time_to_epoch(X509_get0_notBefore(x), &c->not_before) < 0 ||
	    asn1_time_to_epoch(X509_get0_notAfter(x), &c->not_after) < 0) {
		OPENSSL_free(der);
		X509_free(x);
		free(c);
		ERR_clear_error();
		return bw_error_set(BW_EINPUT, "%s: certificate without a usable key or validity", what);
	}
	c->der = der;
	c->der_len = (size_t)n;
	*out = c;
	return 0;
}

int bw_pki_cert_from_der(const char *what, const uint8_t *der, size_t len, bw_pki_cert **out)
{
	const unsigned char *p = der;
	X509 *x;

	*out = NULL;
	if (len == 0 || len > BW_PKI_MAX_CERT_BYTES)
		return bw_error_set(BW_EINPUT, "%s: certificate of %zu bytes (limit %d)", what, len,
				    BW_PKI_MAX_CERT_BYTES);
	x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (!x)
		return bw_error_set(BW_EINPUT, "%s: not a DER X.509 certificate", what);
	if ((size_t)(p - der) != len) {
		X509_free(x);
		return bw_error_set(BW_EINPUT, "%s: trailing bytes after the certificate", what);
	}
	return cert_wrap(what, x, out);
}

int bw_pki_cert_from_pem(const char *what, const void *pem, size_t len, bw_pki_cert **out)
{
	BIO *bio;
	X509 *x;

	*out = NULL;
	if (len == 0 || len > BW_PKI_MAX_CERT_BYTES * 2)
		return bw_error_set(BW_EINPUT, "%s: PEM certificate of %zu bytes", what, len);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!x)
		return bw_error_set(BW_EINPUT, "%s: not a PEM certificate", what);
	return cert_wrap(what, x, out);
}

void bw_pki_cert_free(bw_pki_cert *c)
{
	if (!c)
		return;
	OPENSSL_free(c->der);
	X509_free(c->x);
	free(c);
}

bool bw_pki_cert_equal(const bw_pki_cert *a, const bw_pki_cert *b)
{
	return a && b && a->der_len == b->der_len && memcmp(a->der, b->der, a->der_len) == 0;
}

const bw_pki_key *bw_pki_cert_key(const bw_pki_cert *c)
{
	return &c->key;
}

int64_t bw_pki_cert_not_before(const bw_pki_cert *c)
{
	return c->not_before;
}

int64_t bw_pki_cert_not_after(const bw_pki_cert *c)
{
	return c->not_after;
}

bool bw_pki_cert_is_self_signed(const bw_pki_cert *c)
{
	bool r = X509_self_signed(c->x, 1) == 1;
	ERR_clear_error();
	return r;
}

bool bw_pki_cert_is_ca(const bw_pki_cert *c)
{
	/* basicConstraints cA=TRUE counts even without keyCertSign in keyUsage,
	 * which X509_check_ca() alone would overlook. */
	return (X509_get_extension_flags(c->x) & EXFLAG_CA) || X509_check_ca(c->x) != 0;
}

bool bw_pki_cert_has_code_signing(const bw_pki_cert *c)
{
	return (X509_get_extension_flags(c->x) & EXFLAG_XKUSAGE) &&
	       (X509_get_extended_key_usage(c->x) & XKU_CODE_SIGN);
}

void bw_pki_strings_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int bw_pki_cert_sans(const bw_pki_cert *c, char ***out, size_t *n)
{
	int crit = 0, idx = -1;
	GENERAL_NAMES *names;
	char **v = NULL;
	size_t k = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	names = X509_get_ext_d2i(c->x, NID_subject_alt_name, &crit, &idx);
	ERR_clear_error();
	if (!names)
		return crit == -2 ? bw_error_set(BW_EINPUT, "certificate: two subjectAltName extensions")
				  : 0;
	int count = sk_GENERAL_NAME_num(names);
	if (count > BW_PKI_MAX_SANS) {
		rc = bw_error_set(BW_EINPUT, "certificate: %d subject alternative names, limit %d",
				  count, BW_PKI_MAX_SANS);
		goto done;
	}
	v = calloc((size_t)count + 1, sizeof(*v));
	if (!v) {
		rc = bw_error_set(BW_EINTERNAL, "certificate: out of memory");
		goto done;
	}
	for (int i = 0; i < count; i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		ASN1_IA5STRING *s;
		if (gn->type == GEN_URI)
			s = gn->d.uniformResourceIdentifier;
		else if (gn->type == GEN_EMAIL)
			s = gn->d.rfc822Name;
		else
			continue;
		int len = ASN1_STRING_length(s);
		const unsigned char *d = ASN1_STRING_get0_data(s);
		if (len < 0 || memchr(d, 0, (size_t)len)) {
			rc = bw_error_set(BW_EINPUT, "certificate: subject alternative name with a NUL byte");
			goto done;
		}
		v[k] = strndup((const char *)d, (size_t)len);
		if (!v[k]) {
			rc = bw_error_set(BW_EINTERNAL, "certificate: out of memory");
			goto done;
		}
		k++;
	}
done:
	GENERAL_NAMES_free(names);
	if (rc < 0) {
		bw_pki_strings_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

int bw_pki_cert_ext(const bw_pki_cert *c, const char *oid, uint8_t **out, size_t *len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int idx;

	*out = NULL;
	*len = 0;
	if (!obj)
		return bw_error_set(BW_EINTERNAL, "bad OID %s", oid);
	idx = X509_get_ext_by_OBJ(c->x, obj, -1);
	if (idx >= 0 && X509_get_ext_by_OBJ(c->x, obj, idx) >= 0) {
		ASN1_OBJECT_free(obj);
		return bw_error_set(BW_EINPUT, "certificate: extension %s appears twice", oid);
	}
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return 0;
	ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(c->x, idx));
	int n = ASN1_STRING_length(os);
	*out = malloc((size_t)n + 1);
	if (!*out)
		return bw_error_set(BW_EINTERNAL, "certificate: out of memory");
	memcpy(*out, ASN1_STRING_get0_data(os), (size_t)n);
	(*out)[n] = 0;
	*len = (size_t)n;
	return 0;
}

int bw_pki_cert_precert_tbs(const bw_pki_cert *c, uint8_t **out, size_t *len)
{
	X509 *d = X509_dup(c->x);
	unsigned char *der = NULL;
	int idx, n;

	*out = NULL;
	*len = 0;
	if (!d)
		return bw_error_set(BW_EINTERNAL, "certificate: out of memory");
	idx = X509_get_ext_by_NID(d, NID_ct_precert_scts, -1);
	if (idx >= 0)
		X509_EXTENSION_free(X509_delete_ext(d, idx));
	n = i2d_re_X509_tbs(d, &der);
	X509_free(d);
	ERR_clear_error();
	if (n <= 0)
		return bw_error_set(BW_EINTERNAL, "certificate: cannot re-encode the TBSCertificate");
	*out = malloc((size_t)n);
	if (!*out) {
		OPENSSL_free(der);
		return bw_error_set(BW_EINTERNAL, "certificate: out of memory");
	}
	memcpy(*out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return 0;
}

static X509_STORE *anchor_store(bw_pki_cert *const *chain, size_t n, int64_t at)
{
	X509_STORE *store = X509_STORE_new();
	if (!store)
		return NULL;
	if (X509_STORE_add_cert(store, chain[n - 1]->x) != 1) {
		X509_STORE_free(store);
		return NULL;
	}
	/* The trusted root names its anchor: it need not be self-signed. */
	X509_VERIFY_PARAM *param = X509_STORE_get0_param(store);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(param, (time_t)at);
	return store;
}

int bw_pki_chain_verify(const char *what, const bw_pki_cert *leaf, bw_pki_cert *const *chain,
			size_t n, int64_t at, uint8_t issuer_key_hash[32])
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL;
	int rc = 0;

	if (n == 0)
		return bw_error_set(BW_EPOLICY, "%s: empty certificate chain in the trusted root", what);
	store = anchor_store(chain, n, at);
	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_null();
	if (!store || !ctx || !untrusted) {
		rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		goto done;
	}
	for (size_t i = 0; i + 1 < n; i++)
		if (!sk_X509_push(untrusted, chain[i]->x)) {
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
			goto done;
		}
	if (X509_STORE_CTX_init(ctx, store, leaf->x, untrusted) != 1) {
		rc = bw_error_set(BW_EINTERNAL, "%s: cannot set up chain verification", what);
		goto done;
	}
	if (X509_verify_cert(ctx) != 1) {
		rc = bw_error_set(BW_EPOLICY, "%s: certificate chain does not verify: %s", what,
				  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto done;
	}
	if (issuer_key_hash) {
		STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
		X509 *issuer = sk_X509_num(built) > 1 ? sk_X509_value(built, 1) : sk_X509_value(built, 0);
		unsigned char *der = NULL;
		int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &der);
		if (len <= 0) {
			rc = bw_error_set(BW_EINTERNAL, "%s: cannot encode the issuer key", what);
			goto done;
		}
		bw_sha256(der, (size_t)len, issuer_key_hash);
		OPENSSL_free(der);
	}
done:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

/* ------------------------------------------------------------ RFC 3161 */

static int ts_parse(const char *what, const uint8_t *der, size_t len, TS_RESP **out, int64_t *t)
{
	const unsigned char *p = der;
	TS_RESP *resp;
	TS_TST_INFO *info;

	*out = NULL;
	if (len == 0 || len > BW_PKI_MAX_TIMESTAMP_BYTES)
		return bw_error_set(BW_EINPUT, "%s: timestamp of %zu bytes", what, len);
	resp = d2i_TS_RESP(NULL, &p, (long)len);
	ERR_clear_error();
	if (!resp)
		return bw_error_set(BW_EINPUT, "%s: not a DER RFC 3161 TimeStampResp", what);
	if ((size_t)(p - der) != len) {
		TS_RESP_free(resp);
		return bw_error_set(BW_EINPUT, "%s: trailing bytes after the timestamp", what);
	}
	info = TS_RESP_get_tst_info(resp);
	if (!info || asn1_time_to_epoch(TS_TST_INFO_get_time(info), t) < 0) {
		TS_RESP_free(resp);
		return bw_error_set(BW_EINPUT, "%s: timestamp response without a usable genTime", what);
	}
	*out = resp;
	return 0;
}

int bw_pki_timestamp_time(const char *what, const uint8_t *der, size_t len, int64_t *gen_time)
{
	TS_RESP *resp;
	int rc = ts_parse(what, der, len, &resp, gen_time);
	TS_RESP_free(resp);
	return rc;
}

int bw_pki_timestamp_verify(const char *what, const uint8_t *der, size_t len, const void *data,
			    size_t data_len, bw_pki_cert *const *chain, size_t n)
{
	TS_RESP *resp = NULL;
	TS_VERIFY_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *certs = NULL;
	BIO *bio = NULL;
	int64_t t = 0;
	int rc;

	if (n == 0)
		return bw_error_set(BW_EPOLICY, "%s: empty TSA chain in the trusted root", what);
	rc = ts_parse(what, der, len, &resp, &t);
	if (rc < 0)
		return rc;
	ctx = TS_VERIFY_CTX_new();
	store = anchor_store(chain, n, t);
	certs = sk_X509_new_null();
	bio = BIO_new_mem_buf(data, (int)data_len);
	if (!ctx || !store || !certs || !bio) {
		rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		goto done;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		if (!sk_X509_push(certs, chain[i]->x)) {
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
			goto done;
		}
		X509_up_ref(chain[i]->x);
	}
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
	/* The context owns these from here on. */
	TS_VERIFY_CTX_set_data(ctx, bio);
	TS_VERIFY_CTX_set_store(ctx, store);
	TS_VERIFY_CTX_set_certs(ctx, certs);
	bio = NULL;
	store = NULL;
	certs = NULL;
	if (TS_RESP_verify_response(ctx, resp) != 1) {
		unsigned long e = ERR_peek_last_error();
		char buf[160];
		ERR_error_string_n(e, buf, sizeof(buf));
		rc = bw_error_set(BW_EPOLICY, "%s: RFC 3161 timestamp does not verify (%s)", what,
				  e ? buf : "no detail");
		goto done;
	}
	rc = 0;
done:
	BIO_free(bio);
	X509_STORE_free(store);
	if (certs)
		sk_X509_pop_free(certs, X509_free);
	TS_VERIFY_CTX_free(ctx);
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}
