/*
 * registry/auth.c: what registries and token servers send about
 * authentication, parsed as hostile input, and where credentials come from.
 *
 *   WWW-Authenticate challenges (RFC 7235 syntax; Docker's token auth spec
 *   for Bearer realm/service/scope), token responses, Link headers
 *   (RFC 8288, for paged referrers), referrers indexes, base64, and the
 *   auth files and credential helpers of Docker and containers/image.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "registry/registry.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"

extern char **environ;

#define MAX_CHALLENGE_HEADER (16 * 1024)
#define MAX_REFERRERS_TOTAL 10000
#define MAX_ANNOTATIONS 256

/* ------------------------------------------------------------ challenges */

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

typedef struct cursor {
	const char *p, *end;
} cursor;

static void skip_ows(cursor *c)
{
	while (c->p < c->end && is_ows(*c->p))
		c->p++;
}

static size_t token_len(const cursor *c)
{
	size_t n = 0;
	while (c->p + n < c->end && is_tchar(c->p[n]))
		n++;
	return n;
}

/* token / quoted-string -> malloc'd value; NULL and *bad on malformed input */
static char *read_value(cursor *c, bool *bad)
{
	if (c->p < c->end && *c->p == '"') {
		size_t cap = (size_t)(c->end - c->p), o = 0;
		char *v = malloc(cap + 1);
		if (!v)
			return NULL;
		c->p++;
		while (c->p < c->end && *c->p != '"') {
			if (*c->p == '\\') {
				if (++c->p >= c->end)
					break;
			}
			if ((unsigned char)*c->p < 0x20 && *c->p != '\t') {
				free(v);
				*bad = true;
				return NULL;
			}
			v[o++] = *c->p++;
		}
		if (c->p >= c->end) {
			free(v);
			*bad = true; /* unterminated quoted string */
			return NULL;
		}
		c->p++;
		v[o] = '\0';
		return v;
	}
	size_t n = token_len(c);
	/* token68 ends in '=' padding; Docker's realms are quoted anyway */
	while (c->p + n < c->end && (c->p[n] == '/' || c->p[n] == '='))
		n++;
	if (n == 0) {
		*bad = true;
		return NULL;
	}
	char *v = strndup(c->p, n);
	c->p += n;
	return v;
}

void bw_reg_challenge_free(bw_reg_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

int bw_reg_challenge_parse(const char *what, const char *header, bw_reg_challenge *out)
{
	bw_reg_challenge cur = { 0 }, bearer = { 0 }, basic = { 0 };
	bool have_bearer = false, have_basic = false, bad = false;
	size_t len = header ? strlen(header) : 0;
	cursor c = { header, header + len };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return bw_error_set(BW_EINPUT, "%s: an empty WWW-Authenticate challenge", what);
	if (len > MAX_CHALLENGE_HEADER)
		return bw_error_set(BW_EINPUT, "%s: a WWW-Authenticate challenge of %zu bytes", what, len);
	for (;;) {
		/* between challenges: empty list elements are allowed */
		while (c.p < c.end && (is_ows(*c.p) || *c.p == ','))
			c.p++;
		if (c.p >= c.end)
			break;
		size_t n = token_len(&c);
		if (n == 0 || n >= sizeof(cur.scheme)) {
			bad = true;
			break;
		}
		memcpy(cur.scheme, c.p, n);
		cur.scheme[n] = '\0';
		for (char *s = cur.scheme; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
		c.p += n;
		if (c.p < c.end && !is_ows(*c.p) && *c.p != ',') {
			bad = true;
			break;
		}
		/* auth-params until the next scheme (a token not followed by '=') */
		for (;;) {
			while (c.p < c.end && (is_ows(*c.p) || *c.p == ','))
				c.p++;
			if (c.p >= c.end)
				break;
			cursor save = c;
			size_t k = token_len(&c);
			if (k == 0) {
				bad = true;
				break;
			}
			const char *key = c.p;
			c.p += k;
			skip_ows(&c);
			if (c.p >= c.end || *c.p != '=') {
				c = save; /* the next challenge's scheme */
				break;
			}
			c.p++;
			skip_ows(&c);
			char *v = read_value(&c, &bad);
			if (!v) {
				if (!bad)
					rc = bw_error_set(BW_EINTERNAL, "out of memory");
				break;
			}
			char **slot = NULL;
			if (k == 5 && !strncasecmp(key, "realm", 5))
				slot = &cur.realm;
			else if (k == 7 && !strncasecmp(key, "service", 7))
				slot = &cur.service;
			else if (k == 5 && !strncasecmp(key, "scope", 5))
				slot = &cur.scope;
			else if (k == 5 && !strncasecmp(key, "error", 5))
				slot = &cur.error;
			if (slot && *slot) {
				free(v); /* a repeated parameter is ambiguous: refuse it */
				bad = true;
				break;
			}
			if (slot)
				*slot = v;
			else
				free(v);
			skip_ows(&c);
			if (c.p < c.end && *c.p != ',') {
				bad = true;
				break;
			}
		}
		if (bad || rc)
			break;
		if (!strcmp(cur.scheme, "bearer") && !have_bearer) {
			bearer = cur;
			have_bearer = true;
		} else if (!strcmp(cur.scheme, "basic") && !have_basic) {
			basic = cur;
			have_basic = true;
		} else {
			bw_reg_challenge_free(&cur);
		}
		memset(&cur, 0, sizeof(cur));
	}
	bw_reg_challenge_free(&cur);
	if (rc)
		goto fail;
	if (bad) {
		rc = bw_error_set(BW_EINPUT, "%s: a malformed WWW-Authenticate challenge: \"%.120s\"", what, header);
		goto fail;
	}
	if (have_bearer) {
		if (!bearer.realm || !*bearer.realm) {
			rc = bw_error_set(BW_EINPUT, "%s: a Bearer challenge without a realm: \"%.120s\"", what, header);
			goto fail;
		}
		*out = bearer;
		bw_reg_challenge_free(&basic);
		return 0;
	}
	if (have_basic) {
		*out = basic;
		return 0;
	}
	rc = bw_error_set(BW_EINPUT, "%s: no Bearer or Basic challenge in WWW-Authenticate: \"%.120s\"", what, header);
fail:
	bw_reg_challenge_free(&bearer);
	bw_reg_challenge_free(&basic);
	return rc;
}

/* ------------------------------------------------------------ tokens */

/* A token goes into a header line: printable ASCII without spaces only. */
static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

int bw_reg_token_parse(const char *what, const void *data, size_t len, char **token, long *expires_in)
{
	json_t *j = NULL;
	const char *t = NULL, *at = NULL;
	int rc;

	*token = NULL;
	*expires_in = 60;
	if ((rc = bw_json_parse(what, data, len, BW_REG_MAX_TOKEN_RESPONSE, &j)) < 0)
		return rc;
	if (!json_is_object(j)) {
		rc = bw_error_set(BW_EINPUT, "%s: the token response is not a JSON object", what);
		goto done;
	}
	if ((rc = bw_json_opt_string(what, j, "token", &t)) < 0 ||
	    (rc = bw_json_opt_string(what, j, "access_token", &at)) < 0)
		goto done;
	if (!t || !*t)
		t = at;
	if (!t || !*t) {
		rc = bw_error_set(BW_EINPUT, "%s: the token response has no token", what);
		goto done;
	}
	if (strlen(t) > BW_REG_MAX_TOKEN || !header_safe(t)) {
		rc = bw_error_set(BW_EINPUT, "%s: the token is longer than %d bytes or has characters a header cannot carry",
				  what, BW_REG_MAX_TOKEN);
		goto done;
	}
	json_t *e = json_object_get(j, "expires_in");
	if (e && !json_is_null(e)) {
		if (!json_is_integer(e) || json_integer_value(e) < 0) {
			rc = bw_error_set(BW_EINPUT, "%s: expires_in is not a non-negative integer", what);
			goto done;
		}
		json_int_t v = json_integer_value(e);
		/* the spec's floor is 60 s; more than a day is not believed either */
		*expires_in = v < 60 ? 60 : v > 86400 ? 86400 : (long)v;
	}
	if (!(*token = strdup(t)))
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
done:
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------ Link */

char *bw_reg_link_next(const char *link)
{
	const char *p = link, *end;
	if (!p || strlen(p) > 8192)
		return NULL;
	end = p + strlen(p);
	while (p < end) {
		while (p < end && (is_ows(*p) || *p == ','))
			p++;
		if (p >= end || *p != '<')
			return NULL;
		const char *u = ++p;
		const char *gt = memchr(u, '>', (size_t)(end - u));
		if (!gt)
			return NULL;
		p = gt + 1;
		bool next = false;
		/* link-params: ; name=value ... until ',' */
		for (;;) {
			while (p < end && is_ows(*p))
				p++;
			if (p >= end || *p == ',')
				break;
			if (*p != ';')
				return NULL;
			p++;
			while (p < end && is_ows(*p))
				p++;
			const char *k = p;
			while (p < end && is_tchar(*p))
				p++;
			size_t klen = (size_t)(p - k);
			while (p < end && is_ows(*p))
				p++;
			if (p >= end || *p != '=') {
				if (klen == 0)
					return NULL;
				continue; /* a parameter without a value */
			}
			p++;
			while (p < end && is_ows(*p))
				p++;
			const char *v;
			size_t vlen;
			if (p < end && *p == '"') {
				v = ++p;
				const char *q = memchr(p, '"', (size_t)(end - p));
				if (!q)
					return NULL;
				vlen = (size_t)(q - v);
				p = q + 1;
			} else {
				v = p;
				while (p < end && is_tchar(*p))
					p++;
				vlen = (size_t)(p - v);
			}
			if (klen == 3 && !strncasecmp(k, "rel", 3)) {
				/* rel may hold several space-separated relation types */
				for (size_t i = 0; i < vlen;) {
					while (i < vlen && v[i] == ' ')
						i++;
					size_t s = i;
					while (i < vlen && v[i] != ' ')
						i++;
					if (i - s == 4 && !strncasecmp(v + s, "next", 4))
						next = true;
				}
			}
		}
		if (next && gt > u)
			return strndup(u, (size_t)(gt - u));
	}
	return NULL;
}

/* ------------------------------------------------------------ referrers */

void bw_reg_referrers_free(bw_reg_referrers *list)
{
	for (size_t i = 0; i < list->n; i++) {
		bw_reg_referrer *r = &list->v[i];
		free(r->media_type);
		free(r->artifact_type);
		for (size_t k = 0; k < r->n_annotations; k++) {
			free(r->keys[k]);
			free(r->values[k]);
		}
		free(r->keys);
		free(r->values);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}

int bw_reg_referrers_parse(const char *what, const void *data, size_t len, bw_reg_referrers *list)
{
	json_t *j = NULL, *arr = NULL;
	char ewhat[600];
	int rc;

	if ((rc = bw_json_parse(what, data, len, BW_MAX_MANIFEST_BYTES, &j)) < 0)
		return rc;
	if (!json_is_object(j)) {
		rc = bw_error_set(BW_EINPUT, "%s: the referrers response is not a JSON object", what);
		goto done;
	}
	if ((rc = bw_json_opt_array(what, j, "manifests", &arr)) < 0)
		goto done;
	if (!arr)
		goto done; /* an empty index may omit it */
	if (json_array_size(arr) > BW_MAX_INDEX_ENTRIES || list->n + json_array_size(arr) > MAX_REFERRERS_TOTAL) {
		rc = bw_error_set(BW_EINPUT, "%s: more than %d referrers", what,
				  list->n + json_array_size(arr) > MAX_REFERRERS_TOTAL ? MAX_REFERRERS_TOTAL
											 : BW_MAX_INDEX_ENTRIES);
		goto done;
	}
	size_t i;
	json_t *m;
	json_array_foreach(arr, i, m) {
		const char *mt, *dg, *at;
		uint64_t size;
		json_t *ann = NULL;
		snprintf(ewhat, sizeof(ewhat), "%s: manifests[%zu]", what, i);
		if (!json_is_object(m)) {
			rc = bw_error_set(BW_EINPUT, "%s is not an object", ewhat);
			goto done;
		}
		if ((rc = bw_json_string(ewhat, m, "mediaType", &mt)) < 0 ||
		    (rc = bw_json_string(ewhat, m, "digest", &dg)) < 0 ||
		    (rc = bw_json_uint(ewhat, m, "size", &size)) < 0 ||
		    (rc = bw_json_opt_string(ewhat, m, "artifactType", &at)) < 0 ||
		    (rc = bw_json_opt_object(ewhat, m, "annotations", &ann)) < 0)
			goto done;
		if (list->n == list->cap) {
			size_t cap = list->cap ? list->cap * 2 : 8;
			bw_reg_referrer *v = realloc(list->v, cap * sizeof(*v));
			if (!v) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			list->v = v;
			list->cap = cap;
		}
		bw_reg_referrer *r = &list->v[list->n];
		memset(r, 0, sizeof(*r));
		if ((rc = bw_digest_parse(ewhat, dg, &r->digest)) < 0)
			goto done;
		list->n++; /* from here on, freed with the list */
		r->size = size;
		if (!(r->media_type = strdup(mt)) || (at && !(r->artifact_type = strdup(at)))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if (ann) {
			size_t na = json_object_size(ann);
			if (na > MAX_ANNOTATIONS) {
				rc = bw_error_set(BW_EINPUT, "%s: more than %d annotations", ewhat, MAX_ANNOTATIONS);
				goto done;
			}
			if (!(r->keys = calloc(na + 1, sizeof(char *))) || !(r->values = calloc(na + 1, sizeof(char *)))) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			const char *k;
			json_t *v;
			json_object_foreach(ann, k, v) {
				if (!json_is_string(v)) {
					rc = bw_error_set(BW_EINPUT, "%s: annotation \"%.100s\" is not a string", ewhat, k);
					goto done;
				}
				r->keys[r->n_annotations] = strdup(k);
				r->values[r->n_annotations] = strdup(json_string_value(v));
				r->n_annotations++;
				if (!r->keys[r->n_annotations - 1] || !r->values[r->n_annotations - 1]) {
					rc = bw_error_set(BW_EINTERNAL, "out of memory");
					goto done;
				}
			}
		}
	}
done:
	json_decref(j);
	return rc;
}

/* ------------------------------------------------------------ credentials */

void bw_reg_creds_free(bw_reg_creds *c)
{
	if (c->secret)
		explicit_bzero(c->secret, strlen(c->secret));
	free(c->user);
	free(c->secret);
	c->user = c->secret = NULL;
	c->identity_token = false;
}

static bool is_docker_hub(const char *host)
{
	return !strcmp(host, "registry-1.docker.io") || !strcmp(host, "docker.io") ||
	       !strcmp(host, "index.docker.io");
}

/* An auths key ("https://host/v1/", "http://host", "host") -> does it name host? */
static bool key_matches(const char *key, const char *host)
{
	char norm[BW_REG_MAX_HOST];
	const char *k = key;
	if (!strncmp(k, "https://", 8))
		k += 8;
	else if (!strncmp(k, "http://", 7))
		k += 7;
	size_t n = strcspn(k, "/");
	if (n >= sizeof(norm))
		return false;
	memcpy(norm, k, n);
	norm[n] = '\0';
	if (is_docker_hub(host))
		return is_docker_hub(norm);
	return !strcasecmp(norm, host);
}

static int split_user_pass(const char *what, const char *text, bw_reg_creds *out)
{
	const char *colon = strchr(text, ':');
	if (!colon || colon == text)
		return bw_error_set(BW_EUSAGE, "%s: expected user:password", what);
	out->user = strndup(text, (size_t)(colon - text));
	out->secret = strdup(colon + 1);
	if (!out->user || !out->secret) {
		bw_reg_creds_free(out);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	return 1;
}

/* Runs `docker-credential-NAME get` with the server on stdin. */
static int run_helper(const char *helper, const char *host, bw_reg_creds *out)
{
	char prog[128], server[BW_REG_MAX_HOST + 32];
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	pid_t pid = -1;
	bw_buf buf = BW_BUF_INIT(64 * 1024);
	json_t *j = NULL;
	int rc = 0, status = 0;

	for (const char *p = helper; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return bw_error_set(BW_EINPUT, "credential helper name \"%.60s\" has odd characters", helper);
	if (strlen(helper) > 64)
		return bw_error_set(BW_EINPUT, "credential helper name \"%.60s...\" is too long", helper);
	snprintf(prog, sizeof(prog), "docker-credential-%s", helper);
	snprintf(server, sizeof(server), "%s", is_docker_hub(host) ? "https://index.docker.io/v1/" : host);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0) {
		rc = bw_error_set(BW_EINTERNAL, "%s: pipe: %s", prog, strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	char *argv[] = { prog, (char *)"get", NULL };
	int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	if (e != 0) {
		pid = -1;
		rc = bw_error_set(BW_EUSAGE, "credential helper %s: %s", prog, strerror(e));
		goto done;
	}
	/* the helper reads one line; a helper that exits early must not kill us with SIGPIPE */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	ssize_t w = write(in[1], server, strlen(server));
	sigaction(SIGPIPE, &old, NULL);
	(void)w;
	close(in[1]);
	in[1] = -1;
	char chunk[4096];
	ssize_t n;
	while ((n = read(outp[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0 && bw_buf_append(&buf, chunk, (size_t)n) < 0) {
			rc = bw_error_set(BW_EINPUT, "credential helper %s: more than 64 KiB of output", prog);
			goto done;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* "credentials not found in native keychain" is the protocol's not-found */
		if (buf.data && strstr((const char *)buf.data, "not found"))
			rc = 0;
		else
			rc = bw_error_set(BW_EUSAGE, "credential helper %s failed for %s", prog, server);
		goto done;
	}
	char what[200];
	const char *u, *s;
	snprintf(what, sizeof(what), "credential helper %s", prog);
	if ((rc = bw_json_parse(what, buf.data ? buf.data : (const uint8_t *)"", buf.len, 64 * 1024, &j)) < 0)
		goto done;
	if ((rc = bw_json_string(what, j, "Username", &u)) < 0 || (rc = bw_json_string(what, j, "Secret", &s)) < 0)
		goto done;
	out->identity_token = !strcmp(u, "<token>");
	out->user = strdup(u);
	out->secret = strdup(s);
	if (!out->user || !out->secret) {
		bw_reg_creds_free(out);
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	rc = 1;
done:
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	if (buf.data)
		explicit_bzero(buf.data, buf.len);
	bw_buf_free(&buf);
	json_decref(j);
	return rc;
}

/* Credentials for host from one auth file: 1 found, 0 not there, <0 error. */
static int from_file(const char *path, const char *host, bw_reg_creds *out)
{
	bw_buf buf = BW_BUF_INIT(BW_REG_MAX_AUTH_FILE);
	json_t *j = NULL, *obj = NULL;
	char chunk[8192];
	int fd, rc = 0;
	ssize_t n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (bw_buf_append(&buf, chunk, (size_t)n) < 0) {
			close(fd);
			rc = bw_error_set(BW_EINPUT, "%s: larger than %d bytes", path, BW_REG_MAX_AUTH_FILE);
			goto done;
		}
	close(fd);
	if ((rc = bw_json_parse(path, buf.data ? buf.data : (const uint8_t *)"", buf.len, BW_REG_MAX_AUTH_FILE, &j)) < 0)
		goto done;
	if (!json_is_object(j)) {
		rc = bw_error_set(BW_EINPUT, "%s: not a JSON object", path);
		goto done;
	}
	const char *k;
	json_t *v;
	if ((rc = bw_json_opt_object(path, j, "credHelpers", &obj)) < 0)
		goto done;
	if (obj)
		json_object_foreach(obj, k, v) {
			if (key_matches(k, host) && json_is_string(v)) {
				if ((rc = run_helper(json_string_value(v), host, out)) != 0)
					goto done;
				break;
			}
		}
	const char *store = NULL;
	if ((rc = bw_json_opt_string(path, j, "credsStore", &store)) < 0)
		goto done;
	if (store && *store && (rc = run_helper(store, host, out)) != 0)
		goto done;
	if ((rc = bw_json_opt_object(path, j, "auths", &obj)) < 0)
		goto done;
	if (obj)
		json_object_foreach(obj, k, v) {
			if (!key_matches(k, host) || !json_is_object(v))
				continue;
			const char *auth = NULL, *u = NULL, *p = NULL, *idt = NULL;
			if ((rc = bw_json_opt_string(path, v, "auth", &auth)) < 0 ||
			    (rc = bw_json_opt_string(path, v, "username", &u)) < 0 ||
			    (rc = bw_json_opt_string(path, v, "password", &p)) < 0 ||
			    (rc = bw_json_opt_string(path, v, "identitytoken", &idt)) < 0)
				goto done;
			/* `docker login` to a registry with OAuth2 keeps a refresh token and no password */
			if (idt && *idt) {
				out->identity_token = true;
				out->user = strdup("<token>");
				out->secret = strdup(idt);
				rc = out->user && out->secret ? 1 : bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			if (auth && *auth) {
				char *dec = bw_base64_decode(auth, NULL);
				char what[300];
				snprintf(what, sizeof(what), "%s: auths \"%.100s\"", path, k);
				if (!dec) {
					rc = bw_error_set(BW_EINPUT, "%s: \"auth\" is not base64", what);
					goto done;
				}
				rc = split_user_pass(what, dec, out);
				explicit_bzero(dec, strlen(dec));
				free(dec);
				if (rc == BW_EUSAGE)
					rc = bw_error_set(BW_EINPUT, "%s: \"auth\" does not decode to user:password", what);
				goto done;
			}
			if (u && p && *u) {
				out->user = strdup(u);
				out->secret = strdup(p);
				rc = out->user && out->secret ? 1 : bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
		}
	rc = 0;
done:
	if (buf.data)
		explicit_bzero(buf.data, buf.len);
	bw_buf_free(&buf);
	json_decref(j);
	return rc;
}

int bw_reg_creds_find(const char *host, const bw_registry_options *opts, bw_reg_creds *out)
{
	char path[4096];
	const char *env;
	int rc;

	memset(out, 0, sizeof(*out));
	if (opts && opts->creds)
		return split_user_pass("--creds", opts->creds, out);
	if (opts && opts->auth_file && (rc = from_file(opts->auth_file, host, out)) != 0)
		return rc;
	if ((env = getenv("REGISTRY_AUTH_FILE")) && *env && (rc = from_file(env, host, out)) != 0)
		return rc;
	if ((env = getenv("XDG_RUNTIME_DIR")) && *env) {
		snprintf(path, sizeof(path), "%s/containers/auth.json", env);
		if ((rc = from_file(path, host, out)) != 0)
			return rc;
	}
	if ((env = getenv("DOCKER_CONFIG")) && *env) {
		snprintf(path, sizeof(path), "%s/config.json", env);
		return from_file(path, host, out);
	}
	if ((env = getenv("HOME")) && *env) {
		snprintf(path, sizeof(path), "%s/.docker/config.json", env);
		return from_file(path, host, out);
	}
	return 0;
}
