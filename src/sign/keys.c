/*
 * sign/keys.c: cosign's encrypted private key format and key references.
 *
 * The format (sigstore/cosign pkg/cosign/keys.go, sigstore encrypted.go): a
 * PEM block labelled ENCRYPTED COSIGN PRIVATE KEY (older: ENCRYPTED SIGSTORE
 * PRIVATE KEY) whose body is JSON
 *   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}
 * key = scrypt(password, salt, N, r, p, 32); plaintext = secretbox_open(
 * ciphertext, nonce, key) = PKCS#8 DER. SEC1 or PKCS#1 plaintext is refused,
 * as cosign refuses it.
 *
 * References: a path, env://VAR, or pkcs11:... (pkcs11.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "bulwark/sign.h"
#include "sign/cosign.h"
#include "util/buf.h"
#include "util/json.h"

#define COSIGN_N 32768
#define COSIGN_R 8
#define COSIGN_P 1

typedef struct keyfile {
	uint64_t N, r, p;
	uint8_t *salt, *nonce, *ct;
	size_t salt_len, nonce_len, ct_len;
} keyfile;

static void keyfile_free(keyfile *k)
{
	free(k->salt);
	free(k->nonce);
	free(k->ct);
	memset(k, 0, sizeof(*k));
}

static int b64_field(const char *what, json_t *obj, const char *key, uint8_t **out, size_t *len)
{
	const char *s;
	int rc = bw_json_string(what, obj, key, &s);
	if (rc < 0)
		return rc;
	if (!(*out = bw_b64_decode(s, strlen(s), false, false, len)))
		return bw_error_set(BW_EINPUT, "%s: \"%s\" is not valid base64", what, key);
	return 0;
}

static int keyfile_parse(const char *what, const void *text, size_t len, keyfile *kf)
{
	char *label = NULL;
	uint8_t *body = NULL;
	size_t body_len;
	json_t *j = NULL, *kdf, *params, *cipher;
	const char *name;
	int rc;

	memset(kf, 0, sizeof(*kf));
	if ((rc = bw_pem_decode(what, text, len, &label, &body, &body_len)) < 0)
		return rc;
	if (strcmp(label, BW_PEM_COSIGN) && strcmp(label, BW_PEM_SIGSTORE)) {
		rc = bw_error_set(BW_EINPUT, "%s: PEM label \"%.64s\" is not %s or %s", what, label, BW_PEM_COSIGN,
				  BW_PEM_SIGSTORE);
		goto done;
	}
	if ((rc = bw_json_parse(what, body, body_len, BW_SIG_MAX_KEYFILE, &j)) < 0)
		goto done;
	rc = BW_EINPUT;
	if (!json_is_object(j) || !json_is_object(kdf = json_object_get(j, "kdf")) ||
	    !json_is_object(params = json_object_get(kdf, "params")) ||
	    !json_is_object(cipher = json_object_get(j, "cipher"))) {
		rc = bw_error_set(BW_EINPUT, "%s: not a cosign key (kdf, kdf.params and cipher objects needed)", what);
		goto done;
	}
	if ((rc = bw_json_string(what, kdf, "name", &name)) < 0)
		goto done;
	if (strcmp(name, "scrypt")) {
		rc = bw_error_set(BW_EINPUT, "%s: unsupported kdf \"%.40s\" (scrypt)", what, name);
		goto done;
	}
	if ((rc = bw_json_string(what, cipher, "name", &name)) < 0)
		goto done;
	if (strcmp(name, "nacl/secretbox")) {
		rc = bw_error_set(BW_EINPUT, "%s: unsupported cipher \"%.40s\" (nacl/secretbox)", what, name);
		goto done;
	}
	if ((rc = bw_json_uint(what, params, "N", &kf->N)) < 0 || (rc = bw_json_uint(what, params, "r", &kf->r)) < 0 ||
	    (rc = bw_json_uint(what, params, "p", &kf->p)) < 0)
		goto done;
	if (kf->N < 2 || (kf->N & (kf->N - 1)) || kf->N > (1u << 20) || kf->r == 0 || kf->r > 32 || kf->p == 0 ||
	    kf->p > 16 || kf->N * 128 * kf->r > 256ull * 1024 * 1024) {
		rc = bw_error_set(BW_EINPUT, "%s: scrypt parameters N=%llu r=%llu p=%llu are out of bounds", what,
				  (unsigned long long)kf->N, (unsigned long long)kf->r, (unsigned long long)kf->p);
		goto done;
	}
	if ((rc = b64_field(what, kdf, "salt", &kf->salt, &kf->salt_len)) < 0 ||
	    (rc = b64_field(what, cipher, "nonce", &kf->nonce, &kf->nonce_len)) < 0 ||
	    (rc = b64_field(what, j, "ciphertext", &kf->ct, &kf->ct_len)) < 0)
		goto done;
	if (kf->salt_len < 8 || kf->salt_len > 64) {
		rc = bw_error_set(BW_EINPUT, "%s: a salt of %zu bytes (8 to 64)", what, kf->salt_len);
		goto done;
	}
	if (kf->nonce_len != BW_SECRETBOX_NONCE) {
		rc = bw_error_set(BW_EINPUT, "%s: the nonce has %zu bytes, not 24", what, kf->nonce_len);
		goto done;
	}
	if (kf->ct_len <= BW_SECRETBOX_MAC || kf->ct_len > 16384) {
		rc = bw_error_set(BW_EINPUT, "%s: a ciphertext of %zu bytes cannot hold a key", what, kf->ct_len);
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		keyfile_free(kf);
	json_decref(j);
	free(label);
	free(body);
	return rc;
}

int bw_cosign_key_check(const char *what, const void *text, size_t len, uint64_t *N)
{
	keyfile kf;
	int rc = keyfile_parse(what, text, len, &kf);
	if (rc == 0 && N)
		*N = kf.N;
	keyfile_free(&kf);
	return rc;
}

int bw_cosign_key_decrypt(const char *what, const void *text, size_t len, const char *pass, bw_pkey **out)
{
	keyfile kf;
	uint8_t key[BW_SECRETBOX_KEY], *plain = NULL;
	size_t plain_len = 0;
	int rc;

	*out = NULL;
	if ((rc = keyfile_parse(what, text, len, &kf)) < 0)
		return rc;
	if (!pass)
		pass = "";
	if ((rc = bw_scrypt(pass, strlen(pass), kf.salt, kf.salt_len, kf.N, (uint32_t)kf.r, (uint32_t)kf.p, key,
			    sizeof(key))) < 0)
		goto done;
	plain_len = kf.ct_len - BW_SECRETBOX_MAC;
	if (!(plain = malloc(plain_len))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = bw_secretbox_open(kf.ct, kf.ct_len, kf.nonce, key, plain)) < 0) {
		rc = bw_error_set(BW_EUSAGE, "%s: decryption failed (wrong password, or the key file was altered)", what);
		goto done;
	}
	if ((rc = bw_pkey_parse_pkcs8(what, plain, plain_len, out)) < 0) {
		if (plain_len > 4 && plain[0] == 0x30)
			bw_error_set(BW_EINPUT, "%s: the decrypted key is not PKCS#8 (SEC1 or PKCS#1 keys are refused, "
						"as by cosign)", what);
		goto done;
	}
done:
	bw_wipe(key, sizeof(key));
	if (plain) {
		bw_wipe(plain, plain_len);
		free(plain);
	}
	keyfile_free(&kf);
	return rc;
}

int bw_cosign_key_encrypt(const bw_pkey *k, const char *pass, const char *label, char **pem)
{
	uint8_t salt[32], nonce[24], key[32], *der = NULL, *box = NULL;
	size_t der_len = 0;
	char *s64 = NULL, *n64 = NULL, *c64 = NULL, *text = NULL;
	json_t *j = NULL;
	int rc;

	*pem = NULL;
	if ((rc = bw_random_bytes(salt, sizeof(salt))) < 0 || (rc = bw_random_bytes(nonce, sizeof(nonce))) < 0)
		return rc;
	if ((rc = bw_scrypt(pass ? pass : "", pass ? strlen(pass) : 0, salt, sizeof(salt), COSIGN_N, COSIGN_R,
			    COSIGN_P, key, sizeof(key))) < 0)
		goto done;
	if ((rc = bw_pkey_pkcs8(k, &der, &der_len)) < 0)
		goto done;
	if (!(box = malloc(der_len + BW_SECRETBOX_MAC))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	if ((rc = bw_secretbox_seal(der, der_len, nonce, key, box)) < 0)
		goto done;
	s64 = bw_base64_encode(salt, sizeof(salt));
	n64 = bw_base64_encode(nonce, sizeof(nonce));
	c64 = bw_base64_encode(box, der_len + BW_SECRETBOX_MAC);
	j = json_pack("{s:{s:s,s:{s:i,s:i,s:i},s:s},s:{s:s,s:s},s:s}", "kdf", "name", "scrypt", "params", "N", COSIGN_N,
		      "r", COSIGN_R, "p", COSIGN_P, "salt", s64 ? s64 : "", "cipher", "name", "nacl/secretbox", "nonce",
		      n64 ? n64 : "", "ciphertext", c64 ? c64 : "");
	if (!s64 || !n64 || !c64 || !j || !(text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)) ||
	    !(*pem = bw_pem_encode(label ? label : BW_PEM_COSIGN, text, strlen(text)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = 0;
done:
	bw_wipe(key, sizeof(key));
	if (der) {
		bw_wipe(der, der_len);
		free(der);
	}
	free(box);
	free(s64);
	free(n64);
	free(c64);
	free(text);
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------ references */

/* The bytes a file or env:// reference names. BW_EUSAGE when missing. */
static int ref_text(const char *ref, bw_buf *out, char *what, size_t what_len)
{
	if (!strncmp(ref, "env://", 6)) {
		const char *v = getenv(ref + 6);
		snprintf(what, what_len, "%s", ref);
		if (!ref[6] || !v)
			return bw_error_set(BW_EUSAGE, "%s: the environment variable is not set", ref);
		if (bw_buf_append(out, v, strlen(v)) < 0)
			return bw_error_set(BW_EINPUT, "%s: larger than %zu bytes", ref, out->max);
		return 0;
	}
	snprintf(what, what_len, "%s", ref);
	return bw_buf_read_file(out, ref, BW_EUSAGE, "the key file");
}

static bool is_pkcs11(const char *ref)
{
	return !strncmp(ref, "pkcs11:", 7);
}

bool bw_key_needs_password(const char *ref)
{
	if (!ref || is_pkcs11(ref))
		return false;
	bw_buf b = BW_BUF_INIT(BW_SIG_MAX_KEYFILE);
	char what[PATH_MAX + 16];
	bool enc = false;
	if (ref_text(ref, &b, what, sizeof(what)) == 0 && b.data)
		enc = memmem(b.data, b.len, "-----BEGIN ENCRYPTED ", 21) != NULL;
	bw_error_clear();
	bw_buf_free(&b);
	return enc;
}

int bw_signer_open(const char *ref, const char *password, bw_signer *out)
{
	bw_buf b = BW_BUF_INIT(BW_SIG_MAX_KEYFILE);
	char what[PATH_MAX + 16];
	char *pem = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ref || !*ref)
		return bw_error_set(BW_EUSAGE, "a key reference (--key) is needed");
	if (is_pkcs11(ref)) {
		if ((rc = bw_p11_open(ref, &out->p11)) < 0)
			return rc;
		if ((rc = bw_p11_public(out->p11, &out->pub)) < 0)
			bw_signer_close(out);
		return rc;
	}
	if ((rc = ref_text(ref, &b, what, sizeof(what))) < 0)
		goto done;
	if (memmem(b.data, b.len, "-----BEGIN PUBLIC KEY-----", 26)) {
		rc = bw_error_set(BW_EUSAGE, "%s: a public key cannot sign (give the .key file)", what);
		goto done;
	}
	if ((rc = bw_cosign_key_decrypt(what, b.data, b.len, password, &out->key)) < 0)
		goto done;
	/* the public half, through PEM: a separate object that holds no secret */
	if ((rc = bw_pkey_public_pem(out->key, &pem)) < 0 ||
	    (rc = bw_pkey_parse_public_pem(what, pem, strlen(pem), &out->pub)) < 0)
		goto done;
done:
	if (b.data)
		bw_wipe(b.data, b.len);
	bw_buf_free(&b);
	free(pem);
	if (rc < 0)
		bw_signer_close(out);
	return rc;
}

int bw_signer_sign(bw_signer *s, const void *msg, size_t len, uint8_t **sig, size_t *sig_len)
{
	if (s->p11)
		return bw_p11_sign(s->p11, msg, len, sig, sig_len);
	return bw_pkey_sign(s->key, msg, len, sig, sig_len);
}

void bw_signer_close(bw_signer *s)
{
	bw_pkey_free(s->key);
	bw_pkey_free(s->pub);
	bw_p11_close(s->p11);
	memset(s, 0, sizeof(*s));
}

int bw_verifier_open(const char *ref, bw_pkey **out)
{
	bw_buf b = BW_BUF_INIT(BW_SIG_MAX_KEYFILE);
	char what[PATH_MAX + 16];
	int rc;

	*out = NULL;
	if (!ref || !*ref)
		return bw_error_set(BW_EUSAGE, "a key reference (--key) is needed");
	if (is_pkcs11(ref)) {
		bw_p11 *t = NULL;
		if ((rc = bw_p11_open(ref, &t)) < 0)
			return rc;
		rc = bw_p11_public(t, out);
		bw_p11_close(t);
		return rc;
	}
	if ((rc = ref_text(ref, &b, what, sizeof(what))) < 0)
		goto done;
	if (memmem(b.data, b.len, "-----BEGIN ENCRYPTED", 20)) {
		rc = bw_error_set(BW_EUSAGE, "%s: verification takes the public key (the .pub file), not the private key",
				  what);
		goto done;
	}
	rc = bw_pkey_parse_public_pem(what, b.data, b.len, out);
done:
	bw_buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------ public calls */

static int write_new(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return bw_error_set(errno == EEXIST ? BW_EUSAGE : BW_EINPUT, "%s: %s", path,
				    errno == EEXIST ? "already exists (not overwritten)" : strerror(errno));
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return bw_error_set(BW_EINPUT, "%s: %s", path, strerror(e));
		}
		off += (size_t)n;
	}
	if (close(fd) < 0)
		return bw_error_set(BW_EINPUT, "%s: %s", path, strerror(errno));
	return 0;
}

/* Writes PREFIX.key (encrypted) and PREFIX.pub for k; neither may exist. */
static int write_pair(const bw_pkey *k, const char *prefix, const char *password, bool sigstore_label)
{
	char kpath[PATH_MAX], ppath[PATH_MAX];
	char *pem = NULL, *pub = NULL;
	int rc;

	if (!prefix || !*prefix)
		prefix = "cosign";
	if ((size_t)snprintf(kpath, sizeof(kpath), "%s.key", prefix) >= sizeof(kpath) ||
	    (size_t)snprintf(ppath, sizeof(ppath), "%s.pub", prefix) >= sizeof(ppath))
		return bw_error_set(BW_EUSAGE, "--prefix: too long");
	if (!password)
		return bw_error_set(BW_EUSAGE, "no password (set BULWARK_PASSWORD)");
	if ((rc = bw_cosign_key_encrypt(k, password, sigstore_label ? BW_PEM_SIGSTORE : BW_PEM_COSIGN, &pem)) < 0 ||
	    (rc = bw_pkey_public_pem(k, &pub)) < 0)
		goto done;
	if ((rc = write_new(kpath, pem, 0600)) < 0)
		goto done;
	if ((rc = write_new(ppath, pub, 0644)) < 0)
		unlink(kpath);
done:
	if (pem) {
		bw_wipe(pem, strlen(pem));
		free(pem);
	}
	free(pub);
	return rc;
}

int bw_key_import(const char *pem_path, const char *prefix, const char *password, bool sigstore_label)
{
	bw_buf b = BW_BUF_INIT(BW_SIG_MAX_KEYFILE);
	bw_pkey *k = NULL;
	int rc;
	if ((rc = bw_buf_read_file(&b, pem_path, BW_EUSAGE, "the key to import")) < 0)
		return rc;
	if ((rc = bw_pkey_parse_private_pem(pem_path, b.data, b.len, &k)) == 0)
		rc = write_pair(k, prefix, password, sigstore_label);
	bw_wipe(b.data, b.len);
	bw_buf_free(&b);
	bw_pkey_free(k);
	return rc;
}

int bw_key_generate(const char *prefix, const char *algorithm, const char *password, bool sigstore_label)
{
	bw_pkey *k = NULL;
	int alg = algorithm ? bw_key_alg_parse(algorithm) : BW_KEY_ECDSA_P256;
	int rc;

	if (alg < 0)
		return bw_error_set(BW_EUSAGE, "--algorithm %s: use ecdsa-p256, ecdsa-p384, ecdsa-p521, ed25519, "
					       "rsa-3072 or rsa-4096", algorithm);
	if (!password)
		return bw_error_set(BW_EUSAGE, "key generate: no password (set BULWARK_PASSWORD)");
	if ((rc = bw_pkey_generate((bw_key_alg)alg, &k)) < 0)
		return rc;
	rc = write_pair(k, prefix, password, sigstore_label);
	bw_pkey_free(k);
	return rc;
}

int bw_key_public_pem(const char *key_ref, const char *password, char **pem)
{
	bw_signer s;
	int rc;
	*pem = NULL;
	if ((rc = bw_signer_open(key_ref, password, &s)) < 0)
		return rc;
	rc = bw_pkey_public_pem(s.pub, pem);
	bw_signer_close(&s);
	return rc;
}
