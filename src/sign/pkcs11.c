/*
 * sign/pkcs11.c: signing with a key inside a PKCS#11 token (an HSM,
 * SoftHSM2), named by an RFC 7512 URI:
 *
 *   pkcs11:token=LABEL;object=LABEL;id=%01?module-path=/usr/lib/.../libsofthsm2.so&pin-value=1234
 *
 * Path attributes: token, serial, manufacturer, model, slot-id (which token),
 * object, id (which key), type (ignored: we look for the private and public
 * key ourselves). Query attributes: module-path (required: no p11-kit proxy
 * is assumed), pin-value or pin-source (a file, or file: URI, whose first
 * line is the PIN). The module is driven directly: dlopen, C_GetFunctionList,
 * C_Initialize, find the private key by label and/or id, C_Sign with
 * CKM_ECDSA over the SHA-256 of the message; the raw r||s is DER-encoded
 * for cosign's annotation. Only EC keys (P-256, P-384, P-521).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "bulwark/errors.h"
#include "sign/cosign.h"
#include "util/buf.h"

#define P11_MAX_URI 4096
#define P11_MAX_ATTR 256

struct bw_p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE session;
	bool session_open, initialized;
	CK_OBJECT_HANDLE priv;
	bw_pkey *pub;
	int coord; /* 32, 48, 66 */
	char what[128];
};

typedef struct p11uri {
	char token[P11_MAX_ATTR], serial[P11_MAX_ATTR], manufacturer[P11_MAX_ATTR], model[P11_MAX_ATTR];
	char object[P11_MAX_ATTR], module[P11_MAX_ATTR * 4], pin[P11_MAX_ATTR], pin_source[P11_MAX_ATTR * 4];
	uint8_t id[P11_MAX_ATTR];
	size_t id_len;
	bool has_id, has_slot;
	unsigned long slot;
} p11uri;

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes [s, s+n) into out (cap bytes); -1 when malformed or too long. */
static long pct_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = (uint8_t)(h << 4 | l);
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	out[o] = 0;
	return (long)o;
}

static int set_attr(const char *uri, const char *name, size_t nlen, const char *val, size_t vlen, p11uri *u,
		    bool query)
{
	char *dst = NULL;
	size_t cap = 0;
#define ATTR(n, field) else if (nlen == strlen(n) && !memcmp(name, n, nlen)) { dst = u->field; cap = sizeof(u->field); }
	if (0) {
	}
	ATTR("token", token) ATTR("serial", serial) ATTR("manufacturer", manufacturer) ATTR("model", model)
	ATTR("object", object) ATTR("module-path", module) ATTR("pin-value", pin) ATTR("pin-source", pin_source)
#undef ATTR
	if (dst) {
		long n = pct_decode(val, vlen, (uint8_t *)dst, cap);
		if (n < 0 || strlen(dst) != (size_t)n) /* too long, bad escape, or an embedded NUL */
			return bw_error_set(BW_EUSAGE, "pkcs11 URI: attribute %.*s is malformed or too long", (int)nlen,
					    name);
		return 0;
	}
	if (nlen == 2 && !memcmp(name, "id", 2)) {
		long n = pct_decode(val, vlen, u->id, sizeof(u->id));
		if (n < 0)
			return bw_error_set(BW_EUSAGE, "pkcs11 URI: attribute id is malformed");
		u->id_len = (size_t)n;
		u->has_id = true;
		return 0;
	}
	if (nlen == 7 && !memcmp(name, "slot-id", 7)) {
		char tmp[32];
		char *end;
		if (pct_decode(val, vlen, (uint8_t *)tmp, sizeof(tmp)) <= 0)
			return bw_error_set(BW_EUSAGE, "pkcs11 URI: slot-id is malformed");
		u->slot = strtoul(tmp, &end, 10);
		if (*end)
			return bw_error_set(BW_EUSAGE, "pkcs11 URI: slot-id is not a number");
		u->has_slot = true;
		return 0;
	}
	if (!query && ((nlen == 4 && !memcmp(name, "type", 4)) || (nlen == 15 && !memcmp(name, "library-version", 15)) ||
		       (nlen == 19 && !memcmp(name, "library-description", 19)) ||
		       (nlen == 20 && !memcmp(name, "library-manufacturer", 20)) ||
		       (nlen == 16 && !memcmp(name, "slot-description", 16)) ||
		       (nlen == 17 && !memcmp(name, "slot-manufacturer", 17))))
		return 0;
	return bw_error_set(BW_EUSAGE, "pkcs11 URI: unsupported attribute \"%.*s\"", (int)nlen, name);
}

static int parse_uri(const char *uri, p11uri *u)
{
	memset(u, 0, sizeof(*u));
	size_t len = strlen(uri);
	if (len > P11_MAX_URI || strncmp(uri, "pkcs11:", 7))
		return bw_error_set(BW_EUSAGE, "pkcs11 URI: not a pkcs11: URI");
	const char *p = uri + 7, *q = strchr(p, '?'), *end = uri + len;
	const char *path_end = q ? q : end;
	for (int part = 0; part < 2; part++) {
		const char *s = part ? (q ? q + 1 : end) : p, *e = part ? end : path_end;
		char sep = part ? '&' : ';';
		while (s < e) {
			const char *x = memchr(s, sep, (size_t)(e - s));
			if (!x)
				x = e;
			if (x > s) {
				const char *eq = memchr(s, '=', (size_t)(x - s));
				if (!eq)
					return bw_error_set(BW_EUSAGE, "pkcs11 URI: attribute without '='");
				int rc = set_attr(uri, s, (size_t)(eq - s), eq + 1, (size_t)(x - eq - 1), u, part == 1);
				if (rc < 0)
					return rc;
			}
			s = x + 1;
		}
	}
	if (!u->module[0])
		return bw_error_set(BW_EUSAGE, "pkcs11 URI: module-path is required");
	if (!u->object[0] && !u->has_id)
		return bw_error_set(BW_EUSAGE, "pkcs11 URI: name the key with object= or id=");
	if (u->pin_source[0] && !u->pin[0]) {
		const char *path = u->pin_source;
		if (!strncmp(path, "file:", 5))
			path += 5;
		bw_buf b = BW_BUF_INIT(P11_MAX_ATTR - 1);
		int rc = bw_buf_read_file(&b, path, BW_EUSAGE, "the PIN file");
		if (rc < 0)
			return rc;
		size_t n = 0;
		while (n < b.len && b.data[n] != '\n' && b.data[n] != '\r')
			n++;
		memcpy(u->pin, b.data, n);
		u->pin[n] = 0;
		bw_wipe(b.data, b.len);
		bw_buf_free(&b);
	}
	return 0;
}

/* A fixed-width, space-padded PKCS#11 string field equals s? */
static bool field_eq(const CK_UTF8CHAR *field, size_t width, const char *s)
{
	size_t n = strlen(s);
	if (n > width || memcmp(field, s, n))
		return false;
	for (size_t i = n; i < width; i++)
		if (field[i] != ' ' && field[i] != 0)
			return false;
	return true;
}

static int find_object(bw_p11 *t, const p11uri *u, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, bool *found)
{
	CK_ATTRIBUTE tmpl[3];
	CK_ULONG n = 0, count = 0;
	CK_OBJECT_HANDLE h[2];
	tmpl[n++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	if (u->object[0])
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_LABEL, (void *)u->object, strlen(u->object) };
	if (u->has_id)
		tmpl[n++] = (CK_ATTRIBUTE){ CKA_ID, (void *)u->id, u->id_len };
	*found = false;
	if (t->f->C_FindObjectsInit(t->session, tmpl, n) != CKR_OK)
		return bw_error_set(BW_EINPUT, "%s: C_FindObjectsInit failed", t->what);
	CK_RV rv = t->f->C_FindObjects(t->session, h, 2, &count);
	t->f->C_FindObjectsFinal(t->session);
	if (rv != CKR_OK)
		return bw_error_set(BW_EINPUT, "%s: C_FindObjects failed (0x%lx)", t->what, (unsigned long)rv);
	if (count > 1)
		return bw_error_set(BW_EUSAGE, "%s: the URI matches more than one %s key; add id= or object=", t->what,
				    cls == CKO_PRIVATE_KEY ? "private" : "public");
	if (count == 1) {
		*out = h[0];
		*found = true;
	}
	return 0;
}

static int get_attr(bw_p11 *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, uint8_t *buf, size_t cap, size_t *len)
{
	CK_ATTRIBUTE a = { type, buf, cap };
	if (t->f->C_GetAttributeValue(t->session, h, &a, 1) != CKR_OK || a.ulValueLen == (CK_ULONG)-1 ||
	    a.ulValueLen > cap)
		return bw_error_set(BW_EINPUT, "%s: reading attribute 0x%lx failed", t->what, (unsigned long)type);
	*len = a.ulValueLen;
	return 0;
}

int bw_p11_open(const char *uri, bw_p11 **out)
{
	p11uri u;
	bw_p11 *t = NULL;
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n_slots = 0;
	int rc;

	*out = NULL;
	if ((rc = parse_uri(uri, &u)) < 0)
		return rc;
	if (!(t = calloc(1, sizeof(*t))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	snprintf(t->what, sizeof(t->what), "pkcs11:%s%s%s", u.token[0] ? "token=" : "", u.token,
		 u.object[0] ? ";object=..." : "");
	if (!(t->dl = dlopen(u.module, RTLD_NOW | RTLD_LOCAL))) {
		rc = bw_error_set(BW_EUSAGE, "%s: cannot load module-path %.200s", t->what, u.module);
		goto done;
	}
	CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(t->dl, "C_GetFunctionList");
	if (!gfl || gfl(&t->f) != CKR_OK || !t->f) {
		rc = bw_error_set(BW_EUSAGE, "%s: %.200s is not a PKCS#11 module", t->what, u.module);
		goto done;
	}
	CK_RV rv = t->f->C_Initialize(NULL);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		rc = bw_error_set(BW_EINPUT, "%s: C_Initialize failed (0x%lx)", t->what, (unsigned long)rv);
		goto done;
	}
	t->initialized = rv == CKR_OK;
	if (t->f->C_GetSlotList(CK_TRUE, NULL, &n_slots) != CKR_OK || n_slots > 1024 ||
	    !(slots = calloc(n_slots + 1, sizeof(*slots))) || t->f->C_GetSlotList(CK_TRUE, slots, &n_slots) != CKR_OK) {
		rc = bw_error_set(BW_EINPUT, "%s: listing the token slots failed", t->what);
		goto done;
	}
	bool have = false;
	CK_SLOT_ID slot = 0;
	for (CK_ULONG i = 0; i < n_slots; i++) {
		CK_TOKEN_INFO ti;
		if (u.has_slot && slots[i] != u.slot)
			continue;
		if (t->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if ((u.token[0] && !field_eq(ti.label, sizeof(ti.label), u.token)) ||
		    (u.serial[0] && !field_eq(ti.serialNumber, sizeof(ti.serialNumber), u.serial)) ||
		    (u.manufacturer[0] && !field_eq(ti.manufacturerID, sizeof(ti.manufacturerID), u.manufacturer)) ||
		    (u.model[0] && !field_eq(ti.model, sizeof(ti.model), u.model)))
			continue;
		if (have) {
			rc = bw_error_set(BW_EUSAGE, "%s: more than one token matches; add token= or serial=", t->what);
			goto done;
		}
		have = true;
		slot = slots[i];
	}
	if (!have) {
		rc = bw_error_set(BW_EUSAGE, "%s: no token matches the URI", t->what);
		goto done;
	}
	if (t->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &t->session) != CKR_OK) {
		rc = bw_error_set(BW_EINPUT, "%s: C_OpenSession failed", t->what);
		goto done;
	}
	t->session_open = true;
	if (u.pin[0]) {
		rv = t->f->C_Login(t->session, CKU_USER, (CK_UTF8CHAR_PTR)u.pin, strlen(u.pin));
		if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
			rc = bw_error_set(BW_EUSAGE, "%s: login failed (0x%lx: wrong PIN?)", t->what, (unsigned long)rv);
			goto done;
		}
	}
	bool found_priv = false, found_pub = false;
	CK_OBJECT_HANDLE pubh = 0;
	if ((rc = find_object(t, &u, CKO_PRIVATE_KEY, &t->priv, &found_priv)) < 0 ||
	    (rc = find_object(t, &u, CKO_PUBLIC_KEY, &pubh, &found_pub)) < 0)
		goto done;
	if (!found_pub) {
		rc = bw_error_set(BW_EUSAGE, "%s: no public key object matches (a private key alone cannot be verified against)",
				  t->what);
		goto done;
	}
	uint8_t params[64], point[300];
	size_t params_len = 0, point_len = 0;
	CK_KEY_TYPE kt = 0;
	size_t kt_len;
	if ((rc = get_attr(t, pubh, CKA_KEY_TYPE, (uint8_t *)&kt, sizeof(kt), &kt_len)) < 0)
		goto done;
	if (kt != CKK_EC) {
		rc = bw_error_set(BW_EUSAGE, "%s: only EC keys are supported in tokens", t->what);
		goto done;
	}
	if ((rc = get_attr(t, pubh, CKA_EC_PARAMS, params, sizeof(params), &params_len)) < 0 ||
	    (rc = get_attr(t, pubh, CKA_EC_POINT, point, sizeof(point), &point_len)) < 0 ||
	    (rc = bw_pkey_from_ec_point(t->what, params, params_len, point, point_len, &t->pub)) < 0)
		goto done;
	bw_key_alg a = bw_pkey_alg(t->pub);
	t->coord = a == BW_KEY_ECDSA_P256 ? 32 : a == BW_KEY_ECDSA_P384 ? 48 : 66;
	if (!found_priv)
		t->priv = CK_INVALID_HANDLE;
	rc = 0;
done:
	bw_wipe(u.pin, sizeof(u.pin));
	free(slots);
	if (rc < 0)
		bw_p11_close(t);
	else
		*out = t;
	return rc;
}

int bw_p11_public(bw_p11 *t, bw_pkey **out)
{
	char *pem = NULL;
	int rc = bw_pkey_public_pem(t->pub, &pem);
	if (rc == 0)
		rc = bw_pkey_parse_public_pem(t->what, pem, strlen(pem), out);
	free(pem);
	return rc;
}

int bw_p11_sign(bw_p11 *t, const void *msg, size_t len, uint8_t **sig, size_t *sig_len)
{
	CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
	uint8_t digest[64], raw[132];
	size_t dlen;
	CK_ULONG rlen = sizeof(raw);
	int rc;

	*sig = NULL;
	if (t->priv == CK_INVALID_HANDLE)
		return bw_error_set(BW_EUSAGE, "%s: no private key object matches (is the PIN given?)", t->what);
	if ((rc = bw_ec_digest_for_curve(t->coord, msg, len, digest, &dlen)) < 0)
		return rc;
	CK_RV rv = t->f->C_SignInit(t->session, &mech, t->priv);
	if (rv == CKR_OK)
		rv = t->f->C_Sign(t->session, digest, dlen, raw, &rlen);
	if (rv != CKR_OK)
		return bw_error_set(BW_EINPUT, "%s: C_Sign failed (0x%lx)", t->what, (unsigned long)rv);
	if (rlen != (CK_ULONG)(2 * t->coord))
		return bw_error_set(BW_EINPUT, "%s: the token returned a %lu-byte signature, not r||s", t->what,
				    (unsigned long)rlen);
	return bw_ecdsa_raw_to_der(raw, rlen, sig, sig_len);
}

void bw_p11_close(bw_p11 *t)
{
	if (!t)
		return;
	bw_pkey_free(t->pub);
	if (t->f) {
		if (t->session_open) {
			t->f->C_Logout(t->session);
			t->f->C_CloseSession(t->session);
		}
		if (t->initialized)
			t->f->C_Finalize(NULL);
	}
	if (t->dl)
		dlclose(t->dl);
	free(t);
}
