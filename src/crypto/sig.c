/*
 * crypto/sig.c: signatures, keys and cosign's key-encryption primitives
 * (see sig.h). The only signing code that includes OpenSSL or libsodium.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "crypto/sig.h"

struct bw_pkey {
	EVP_PKEY *pkey;
	bw_key_alg alg;
	bool priv;
};

static const char *const alg_names[] = {
	[BW_KEY_ECDSA_P256] = "ecdsa-p256", [BW_KEY_ECDSA_P384] = "ecdsa-p384", [BW_KEY_ECDSA_P521] = "ecdsa-p521",
	[BW_KEY_ED25519] = "ed25519",       [BW_KEY_RSA_2048] = "rsa-2048",     [BW_KEY_RSA_3072] = "rsa-3072",
	[BW_KEY_RSA_4096] = "rsa-4096",
};

int bw_key_alg_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (i != BW_KEY_RSA_2048 && !strcmp(name, alg_names[i]))
			return (int)i;
	return -1;
}

const char *bw_key_alg_name(bw_key_alg alg)
{
	return alg_names[alg];
}

bw_key_alg bw_pkey_alg(const bw_pkey *k)
{
	return k->alg;
}

bool bw_pkey_is_private(const bw_pkey *k)
{
	return k->priv;
}

void bw_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

int bw_random_bytes(void *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1)
		return bw_error_set(BW_EINTERNAL, "the random number generator failed");
	return 0;
}

/* Applies the key policy; fills k->alg. */
static int classify(const char *what, bw_pkey *k)
{
	int id = EVP_PKEY_get_base_id(k->pkey);
	if (id == EVP_PKEY_ED25519) {
		k->alg = BW_KEY_ED25519;
		return 0;
	}
	if (id == EVP_PKEY_RSA) {
		int bits = EVP_PKEY_get_bits(k->pkey);
		/* cosign's range; the name says the size class */
		if (bits >= 2048 && bits <= 4096) {
			k->alg = bits < 3072 ? BW_KEY_RSA_2048 : bits < 4096 ? BW_KEY_RSA_3072 : BW_KEY_RSA_4096;
			return 0;
		}
		return bw_error_set(BW_EINPUT, "%s: RSA key size %d is not supported (2048 to 4096 bits)", what, bits);
	}
	if (id == EVP_PKEY_EC) {
		char curve[64] = "";
		size_t n = 0;
		if (EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), &n) != 1)
			return bw_error_set(BW_EINPUT, "%s: EC key with explicit or unknown curve parameters", what);
		if (!strcmp(curve, "prime256v1") || !strcmp(curve, "P-256"))
			k->alg = BW_KEY_ECDSA_P256;
		else if (!strcmp(curve, "secp384r1") || !strcmp(curve, "P-384"))
			k->alg = BW_KEY_ECDSA_P384;
		else if (!strcmp(curve, "secp521r1") || !strcmp(curve, "P-521"))
			k->alg = BW_KEY_ECDSA_P521;
		else
			return bw_error_set(BW_EINPUT, "%s: ECDSA curve %s is not allowed (P-256, P-384, P-521)", what,
					    curve);
		return 0;
	}
	return bw_error_set(BW_EINPUT, "%s: unsupported key type (ECDSA, Ed25519 or RSA)", what);
}

static int wrap(const char *what, EVP_PKEY *p, bool priv, bw_pkey **out)
{
	bw_pkey *k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(p);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	k->pkey = p;
	k->priv = priv;
	int rc = classify(what, k);
	if (rc < 0) {
		bw_pkey_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

void bw_pkey_free(bw_pkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

int bw_pkey_generate(bw_key_alg alg, bw_pkey **out)
{
	EVP_PKEY *p = NULL;
	*out = NULL;
	switch (alg) {
	case BW_KEY_ECDSA_P256: p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case BW_KEY_ECDSA_P384: p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
	case BW_KEY_ECDSA_P521: p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"); break;
	case BW_KEY_ED25519: p = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
	case BW_KEY_RSA_3072: p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072); break;
	case BW_KEY_RSA_4096: p = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096); break;
	default: return bw_error_set(BW_EUSAGE, "key generation: %s is not offered", bw_key_alg_name(alg));
	}
	if (!p)
		return bw_error_set(BW_EINTERNAL, "key generation (%s) failed", bw_key_alg_name(alg));
	return wrap("generated key", p, true, out);
}

int bw_pkey_parse_pkcs8(const char *what, const void *der, size_t len, bw_pkey **out)
{
	const unsigned char *p = der;
	*out = NULL;
	if (len > 16384)
		return bw_error_set(BW_EINPUT, "%s: private key of %zu bytes is too large", what, len);
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
	if (!p8 || p != (const unsigned char *)der + len) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		ERR_clear_error();
		return bw_error_set(BW_EINPUT, "%s: the private key is not PKCS#8 DER", what);
	}
	EVP_PKEY *k = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (!k) {
		ERR_clear_error();
		return bw_error_set(BW_EINPUT, "%s: the PKCS#8 private key does not parse", what);
	}
	return wrap(what, k, true, out);
}

static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1; /* an encrypted PEM is not imported: cosign's import takes plain keys */
}

int bw_pkey_parse_private_pem(const char *what, const void *pem, size_t len, bw_pkey **out)
{
	static const char *const labels[] = { "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
					      "-----BEGIN EC PRIVATE KEY-----" };
	const char *b = NULL;
	*out = NULL;
	if (len > 65536)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes is too large for a private key", what, len);
	for (size_t i = 0; i < 3 && !b; i++)
		b = memmem(pem, len, labels[i], strlen(labels[i]));
	if (!b) {
		if (memmem(pem, len, "-----BEGIN PUBLIC KEY-----", 26))
			return bw_error_set(BW_EINPUT, "%s: unsupported private key (this is a public key)", what);
		return bw_error_set(BW_EINPUT, "%s: invalid pem block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
				    what);
	}
	if (memmem(pem, len, "Proc-Type:", 10) || memmem(pem, len, "ENCRYPTED", 9))
		return bw_error_set(BW_EINPUT, "%s: the PEM key is encrypted; import a plain key", what);
	BIO *bio = BIO_new_mem_buf(b, (int)(len - (size_t)(b - (const char *)pem)));
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
	BIO_free(bio);
	if (!k) {
		unsigned long e = ERR_peek_last_error();
		ERR_clear_error();
		/* OpenSSL does not know the curve (secp256k1 is known; others may not be) */
		return bw_error_set(BW_EINPUT, "%s: error parsing the private key%s", what,
				    e ? " (malformed, or an unsupported curve)" : "");
	}
	return wrap(what, k, true, out);
}

int bw_pkey_parse_public_pem(const char *what, const void *pem, size_t len, bw_pkey **out)
{
	static const char begin[] = "-----BEGIN PUBLIC KEY-----";
	*out = NULL;
	if (len > 65536)
		return bw_error_set(BW_EINPUT, "%s: %zu bytes is too large for a public key", what, len);
	const char *b = memmem(pem, len, begin, sizeof(begin) - 1);
	if (!b)
		return bw_error_set(BW_EINPUT, "%s: no PEM \"PUBLIC KEY\" block", what);
	BIO *bio = BIO_new_mem_buf(b, (int)(len - (size_t)(b - (const char *)pem)));
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!k) {
		ERR_clear_error();
		return bw_error_set(BW_EINPUT, "%s: the PEM public key does not parse", what);
	}
	return wrap(what, k, false, out);
}

int bw_pkey_from_ec_point(const char *what, const void *params, size_t params_len, const void *point,
			  size_t point_len, bw_pkey **out)
{
	const unsigned char *pp = params;
	const unsigned char *pt = point;
	ASN1_OBJECT *oid = NULL;
	ASN1_OCTET_STRING *os = NULL;
	const char *group = NULL;
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int rc = BW_EINPUT;

	*out = NULL;
	if (params_len > 64 || point_len > 300)
		return bw_error_set(BW_EINPUT, "%s: EC attributes are too large", what);
	oid = d2i_ASN1_OBJECT(NULL, &pp, (long)params_len);
	if (!oid) {
		ERR_clear_error();
		return bw_error_set(BW_EINPUT, "%s: CKA_EC_PARAMS is not a named curve OID", what);
	}
	switch (OBJ_obj2nid(oid)) {
	case NID_X9_62_prime256v1: group = "P-256"; break;
	case NID_secp384r1: group = "P-384"; break;
	case NID_secp521r1: group = "P-521"; break;
	default:
		rc = bw_error_set(BW_EINPUT, "%s: the token's EC curve is not P-256, P-384 or P-521", what);
		goto done;
	}
	/* CKA_EC_POINT is a DER OCTET STRING holding the point (PKCS#11 2.40); some tokens give it raw */
	const unsigned char *raw = pt;
	size_t raw_len = point_len;
	if (point_len > 2 && pt[0] == 0x04 && (os = d2i_ASN1_OCTET_STRING(NULL, &pt, (long)point_len)) &&
	    pt == (const unsigned char *)point + point_len) {
		raw = ASN1_STRING_get0_data(os);
		raw_len = (size_t)ASN1_STRING_length(os);
	}
	ERR_clear_error();
	OSSL_PARAM prm[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)raw, raw_len),
		OSSL_PARAM_construct_end(),
	};
	if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, prm) != 1) {
		ERR_clear_error();
		rc = bw_error_set(BW_EINPUT, "%s: CKA_EC_POINT is not a point on %s", what, group);
		goto done;
	}
	rc = wrap(what, k, false, out);
	k = NULL;
done:
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	ASN1_OBJECT_free(oid);
	ASN1_OCTET_STRING_free(os);
	return rc;
}

bool bw_pkey_public_equal(const bw_pkey *a, const bw_pkey *b)
{
	return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

int bw_pkey_pkcs8(const bw_pkey *k, uint8_t **der, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
	unsigned char *buf = NULL;
	int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &buf) : -1;
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0) {
		ERR_clear_error();
		return bw_error_set(BW_EINTERNAL, "encoding the private key as PKCS#8 failed");
	}
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, buf, (size_t)n);
	OPENSSL_clear_free(buf, (size_t)n);
	if (!*der)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*len = (size_t)n;
	return 0;
}

int bw_pkey_public_pem(const bw_pkey *k, char **pem)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;
	*pem = NULL;
	if (!bio || PEM_write_bio_PUBKEY(bio, k->pkey) != 1 || (n = BIO_get_mem_data(bio, &p)) <= 0) {
		BIO_free(bio);
		return bw_error_set(BW_EINTERNAL, "encoding the public key failed");
	}
	*pem = malloc((size_t)n + 1);
	if (*pem) {
		memcpy(*pem, p, (size_t)n);
		(*pem)[n] = '\0';
	}
	BIO_free(bio);
	return *pem ? 0 : bw_error_set(BW_EINTERNAL, "out of memory");
}

/*
 * The hash a signature is made with: SHA-256 for ECDSA on every curve and for
 * RSA, as cosign's key signing and containers/image's verifier
 * (sigstoreHarcodedHashAlgorithm) do; none for Ed25519 (pure).
 */
static const EVP_MD *default_md(bw_key_alg alg)
{
	return alg == BW_KEY_ED25519 ? NULL : EVP_sha256();
}

/* The curve's own hash (sigstore's newer algorithm registry), also accepted when verifying. */
static const EVP_MD *curve_md(bw_key_alg alg)
{
	return alg == BW_KEY_ECDSA_P384 ? EVP_sha384() : alg == BW_KEY_ECDSA_P521 ? EVP_sha512() : NULL;
}

int bw_pkey_sign(bw_pkey *k, const void *msg, size_t len, uint8_t **sig, size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = 0;
	uint8_t *out = NULL;
	int rc = 0;

	*sig = NULL;
	if (!k->priv)
		return bw_error_set(BW_EUSAGE, "signing needs a private key, not a public one");
	if (!ctx || EVP_DigestSignInit(ctx, NULL, default_md(k->alg), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, msg, len) != 1 || !(out = malloc(n)) ||
	    EVP_DigestSign(ctx, out, &n, msg, len) != 1) {
		ERR_clear_error();
		free(out);
		rc = bw_error_set(BW_EINTERNAL, "signing with the %s key failed", bw_key_alg_name(k->alg));
	} else {
		*sig = out;
		*sig_len = n;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int coord_bytes(bw_key_alg alg)
{
	return alg == BW_KEY_ECDSA_P256 ? 32 : alg == BW_KEY_ECDSA_P384 ? 48 : alg == BW_KEY_ECDSA_P521 ? 66 : 0;
}

int bw_ecdsa_raw_to_der(const void *raw, size_t raw_len, uint8_t **der, size_t *der_len)
{
	const unsigned char *p = raw;
	ECDSA_SIG *s = NULL;
	BIGNUM *r = NULL, *sv = NULL;
	unsigned char *buf = NULL;
	int n;

	*der = NULL;
	if (raw_len == 0 || raw_len % 2 || raw_len > 132)
		return bw_error_set(BW_EINPUT, "a raw ECDSA signature of %zu bytes is not r||s", raw_len);
	r = BN_bin2bn(p, (int)(raw_len / 2), NULL);
	sv = BN_bin2bn(p + raw_len / 2, (int)(raw_len / 2), NULL);
	if (!r || !sv || !(s = ECDSA_SIG_new()) || ECDSA_SIG_set0(s, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(s);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	n = i2d_ECDSA_SIG(s, &buf);
	ECDSA_SIG_free(s);
	if (n <= 0)
		return bw_error_set(BW_EINTERNAL, "encoding an ECDSA signature failed");
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, buf, (size_t)n);
	OPENSSL_free(buf);
	if (!*der)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	*der_len = (size_t)n;
	return 0;
}

int bw_ec_digest_for_curve(int coord, const void *msg, size_t len, uint8_t out[64], size_t *out_len)
{
	(void)coord; /* SHA-256 on every curve, as default_md() */
	const EVP_MD *md = EVP_sha256();
	unsigned int n = 0;
	if (EVP_Digest(msg, len, out, &n, md, NULL) != 1)
		return bw_error_set(BW_EINTERNAL, "hashing failed");
	*out_len = n;
	return 0;
}

static bool verify_md(const bw_pkey *k, const EVP_MD *md, const void *msg, size_t len, const uint8_t *sig,
		      size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
		  EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int bw_pkey_verify(const bw_pkey *k, const void *msg, size_t len, const void *sig, size_t sig_len)
{
	uint8_t *der = NULL;
	size_t der_len;
	bool ok = false;

	if (sig_len == 0 || sig_len > 1024)
		return bw_error_set(BW_EPOLICY, "the signature (%zu bytes) does not verify", sig_len);
	int cb = coord_bytes(k->alg);
	if (cb && sig_len == (size_t)(2 * cb)) {
		/* raw r||s (DSSE's spec vector, PKCS#11): no DER signature has this length and a raw form */
		if (bw_ecdsa_raw_to_der(sig, sig_len, &der, &der_len) < 0)
			return bw_error_set(BW_EPOLICY, "the signature does not verify");
		sig = der;
		sig_len = der_len;
	}
	ok = verify_md(k, default_md(k->alg), msg, len, sig, sig_len);
	if (!ok && curve_md(k->alg))
		ok = verify_md(k, curve_md(k->alg), msg, len, sig, sig_len);
	free(der);
	if (!ok)
		return bw_error_set(BW_EPOLICY, "the signature does not verify with the %s key", bw_key_alg_name(k->alg));
	return 0;
}

int bw_scrypt(const char *pass, size_t pass_len, const uint8_t *salt, size_t salt_len, uint64_t N, uint32_t r,
	      uint32_t p, uint8_t *out, size_t out_len)
{
	/* cosign writes N=32768 (2^15), r=8, p=1: 32 MiB. Allow up to 2^20 * 8 (1 GiB would be hostile). */
	if (N < 2 || (N & (N - 1)) || N > (1u << 20) || r == 0 || r > 32 || p == 0 || p > 16 ||
	    N * 128ull * r > 256ull * 1024 * 1024)
		return bw_error_set(BW_EINPUT, "scrypt parameters N=%llu r=%u p=%u are out of bounds",
				    (unsigned long long)N, r, p);
	if (EVP_PBE_scrypt(pass, pass_len, salt, salt_len, N, r, p, 300ull * 1024 * 1024, out, out_len) != 1) {
		ERR_clear_error();
		return bw_error_set(BW_EINTERNAL, "scrypt failed");
	}
	return 0;
}

static int sodium_ready(void)
{
	if (sodium_init() < 0)
		return bw_error_set(BW_EINTERNAL, "libsodium failed to initialise");
	return 0;
}

int bw_secretbox_seal(const uint8_t *msg, size_t len, const uint8_t nonce[24], const uint8_t key[32], uint8_t *out)
{
	int rc = sodium_ready();
	if (rc < 0)
		return rc;
	if (crypto_secretbox_easy(out, msg, len, nonce, key) != 0)
		return bw_error_set(BW_EINTERNAL, "secretbox failed");
	return 0;
}

int bw_secretbox_open(const uint8_t *box, size_t len, const uint8_t nonce[24], const uint8_t key[32], uint8_t *out)
{
	int rc = sodium_ready();
	if (rc < 0)
		return rc;
	if (len < BW_SECRETBOX_MAC || crypto_secretbox_open_easy(out, box, len, nonce, key) != 0)
		return bw_error_set(BW_EPOLICY, "decryption failed (wrong password, or the key file was altered)");
	return 0;
}
