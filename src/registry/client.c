/*
 * registry/client.c: one registry host. Owns the TLS setup (system store,
 * --ca-file, certs.d directories, insecure hosts), the authentication state
 * (credentials, the challenge's realm and service, bearer tokens by scope
 * with their expiry) and the request loop: authenticate on 401, follow
 * redirects, retry with backoff. Shared by the threads that pull blobs at
 * once; the state is behind one mutex, requests run outside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "registry/registry.h"
#include "util/json.h"
#include "util/log.h"

#define MAX_TOKENS 64
#define MAX_PEM (4 * 1024 * 1024)
#define SYSTEM_CERTS_DIR "/etc/ssl/certs"

typedef struct token {
	char *scope;
	char *value;
	time_t expires;
	unsigned long gen;        /* which fetch this is: a request refused with it asks for a newer one */
} token;

enum auth_kind { AUTH_UNKNOWN = 0, AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

struct bw_reg_client {
	char host[BW_REG_MAX_HOST];
	bw_registry_options opts;
	bool insecure;
	char scheme[8];           /* "https", or "http" for an insecure host that has no TLS */
	bw_http_tls tls;
	bw_http_share *share;
	bw_buf ca;                /* PEM trusted, when anything beyond the system store is */
	char *client_cert, *client_key;

	pthread_mutex_t mu;
	bool creds_looked;
	bool have_creds;
	bw_reg_creds creds;
	enum auth_kind auth;
	char *realm, *service;
	token tokens[MAX_TOKENS];
	size_t n_tokens;
	unsigned long gens;
};

const bw_registry_options *bw_reg_client_options(const bw_reg_client *c)
{
	return &c->opts;
}

static bool host_listed(const char *host, const bw_registry_options *o)
{
	for (size_t i = 0; i < o->n_insecure_hosts; i++) {
		const char *h = o->insecure_hosts[i];
		size_t n = strlen(h);
		if (!strcasecmp(h, host))
			return true;
		/* "host" also covers "host:port" */
		if (!strchr(h, ':') && !strncasecmp(h, host, n) && host[n] == ':')
			return true;
	}
	return false;
}

static int append_file(bw_buf *b, const char *path)
{
	char chunk[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (bw_buf_append(b, chunk, (size_t)n) < 0) {
			close(fd);
			return bw_error_set(BW_EUSAGE, "%s: certificates over %d bytes", path, MAX_PEM);
		}
	close(fd);
	return bw_buf_append(b, "\n", 1) < 0 ? bw_error_set(BW_EUSAGE, "%s: certificates over %d bytes", path, MAX_PEM) : 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && !strcmp(s + n - k, suffix);
}

/* certs.d/HOST[:PORT]/: *.crt are CAs, NAME.cert with NAME.key a client certificate (Docker's layout). */
static int load_certs_dir(bw_reg_client *c, const char *base, bool *extra)
{
	char dir[4096], path[4400];
	snprintf(dir, sizeof(dir), "%s/%s", base, c->host);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) && rc == 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (ends_with(e->d_name, ".crt")) {
			rc = append_file(&c->ca, path);
			*extra = true;
		} else if (ends_with(e->d_name, ".cert") && !c->client_cert) {
			char key[4400];
			snprintf(key, sizeof(key), "%.*s.key", (int)(strlen(path) - 5), path);
			if (access(key, R_OK) == 0) {
				c->client_cert = strdup(path);
				c->client_key = strdup(key);
			}
		}
	}
	closedir(d);
	return rc;
}

int bw_reg_client_new(bw_reg_client **out, const char *host, const bw_registry_options *opts)
{
	bw_reg_client *c = calloc(1, sizeof(*c));
	bool extra = false;
	int rc = 0;

	*out = NULL;
	if (!c)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	pthread_mutex_init(&c->mu, NULL);
	snprintf(c->host, sizeof(c->host), "%s", host);
	if (opts)
		c->opts = *opts;
	c->ca = (bw_buf)BW_BUF_INIT(MAX_PEM);
	if (c->opts.offline) {
		rc = bw_error_set(BW_ENET, "%s: --offline: a registry reference needs the network", host);
		goto fail;
	}
	c->insecure = host_listed(host, &c->opts);
	snprintf(c->scheme, sizeof(c->scheme), "https");
	const char *dirs = c->opts.certs_dirs ? c->opts.certs_dirs : "/etc/containers/certs.d:/etc/docker/certs.d";
	for (const char *p = dirs; *p;) {
		size_t n = strcspn(p, ":");
		char base[2048];
		snprintf(base, sizeof(base), "%.*s", (int)n, p);
		if (n && (rc = load_certs_dir(c, base, &extra)) < 0)
			goto fail;
		p += n;
		if (*p == ':')
			p++;
	}
	if (c->opts.ca_file) {
		if ((rc = append_file(&c->ca, c->opts.ca_file)) < 0)
			goto fail;
		extra = true;
	}
	/*
	 * The system store as a hashed directory: OpenSSL looks up the one issuer
	 * it needs, where the bundle file would be parsed whole for every
	 * connection (~200 certificates). Extra CAs ride along in memory.
	 */
	if (access(SYSTEM_CERTS_DIR, R_OK | X_OK) == 0)
		c->tls.ca_path = SYSTEM_CERTS_DIR;
	if (extra) {
		c->tls.ca_pem = (const char *)c->ca.data;
		c->tls.ca_pem_len = c->ca.len;
	}
	if (!(c->share = bw_http_share_new())) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	c->tls.insecure = c->insecure;
	c->tls.client_cert = c->client_cert;
	c->tls.client_key = c->client_key;
	*out = c;
	return 0;
fail:
	bw_reg_client_free(c);
	return rc;
}

void bw_reg_client_free(bw_reg_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_tokens; i++) {
		free(c->tokens[i].scope);
		if (c->tokens[i].value)
			explicit_bzero(c->tokens[i].value, strlen(c->tokens[i].value));
		free(c->tokens[i].value);
	}
	bw_reg_creds_free(&c->creds);
	free(c->realm);
	free(c->service);
	free(c->client_cert);
	free(c->client_key);
	bw_buf_free(&c->ca);
	bw_http_share_free(c->share);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* ------------------------------------------------------------ errors */

int bw_reg_status_error(bw_http_stream *s, const char *what, const char *doing)
{
	bw_buf body = BW_BUF_INIT(BW_REG_MAX_ERROR_BODY);
	long status = bw_http_status(s);
	char detail[300] = "";
	json_t *j = NULL;

	/* the registry's own words, when it sent the spec's error JSON */
	if (bw_http_read_all(s, &body) == 0 && body.len &&
	    bw_json_parse("error body", body.data, body.len, BW_REG_MAX_ERROR_BODY, &j) == 0) {
		json_t *errs = json_object_get(j, "errors"), *e0;
		if (json_is_array(errs) && (e0 = json_array_get(errs, 0)) && json_is_object(e0)) {
			json_t *code = json_object_get(e0, "code"), *msg = json_object_get(e0, "message");
			snprintf(detail, sizeof(detail), " %.60s%s%.200s", json_is_string(code) ? json_string_value(code) : "",
				 json_is_string(msg) ? ": " : "", json_is_string(msg) ? json_string_value(msg) : "");
		}
	}
	json_decref(j);
	bw_buf_free(&body);
	bw_error_clear();
	if (status == 404)
		return bw_error_set(BW_ENET, "%s: %s: not found (HTTP 404%s)", what, doing, detail);
	if (status == 401 || status == 403)
		return bw_error_set(BW_ENET, "%s: %s: access denied (HTTP %ld%s)", what, doing, status, detail);
	return bw_error_set(BW_ENET, "%s: %s: HTTP %ld%s", what, doing, status, detail);
}

/* ------------------------------------------------------------ auth */

/* The current error, kept word for word, as a network/registry error (exit 4). */
static int as_net_error(void)
{
	char msg[sizeof(bw_error_last()->message)];
	snprintf(msg, sizeof(msg), "%s", bw_error_last()->message);
	return bw_error_set(BW_ENET, "%s", msg);
}

static int ensure_creds(bw_reg_client *c)
{
	int rc = 0;
	if (c->creds_looked)
		return 0;
	rc = bw_reg_creds_find(c->host, &c->opts, &c->creds);
	if (rc < 0)
		return rc;
	c->have_creds = rc == 1;
	c->creds_looked = true;
	return 0;
}

/* "Authorization: Basic <base64 user:secret>" (caller frees) */
static char *basic_header(const bw_reg_creds *cr)
{
	size_t n = strlen(cr->user) + strlen(cr->secret) + 2;
	char *pair = malloc(n), *enc, *h = NULL;
	if (!pair)
		return NULL;
	snprintf(pair, n, "%s:%s", cr->user, cr->secret);
	enc = bw_base64_encode(pair, strlen(pair));
	explicit_bzero(pair, n);
	free(pair);
	if (!enc)
		return NULL;
	size_t hn = strlen(enc) + 32;
	if ((h = malloc(hn)))
		snprintf(h, hn, "Authorization: Basic %s", enc);
	explicit_bzero(enc, strlen(enc));
	free(enc);
	return h;
}

static bool is_loopback(const char *hostport)
{
	return !strncmp(hostport, "127.", 4) || !strncmp(hostport, "localhost", 9) || !strncmp(hostport, "[::1]", 5);
}

/* Fetches a bearer token for scope from the realm. Called with c->mu held. */
static int fetch_token(bw_reg_client *c, const char *what, const char *scope, char **out, long *expires_in)
{
	bw_buf url = BW_BUF_INIT(16384), body = BW_BUF_INIT(BW_REG_MAX_TOKEN_RESPONSE);
	bw_http_stream *s = NULL;
	char *auth = NULL, scheme[16], hp[BW_REG_MAX_HOST];
	const char *hdrs[1];
	int rc;

	*out = NULL;
	if (bw_http_url_origin(c->realm, scheme, sizeof(scheme), hp, sizeof(hp)) < 0 ||
	    (strcmp(scheme, "https") && strcmp(scheme, "http"))) {
		return bw_error_set(BW_ENET, "%s: the token realm \"%.200s\" is not an http(s) URL", what, c->realm);
	}
	if ((rc = ensure_creds(c)) < 0)
		return rc;
	/* credentials never travel in clear text to a host the user did not mark insecure */
	if (c->have_creds && !strcmp(scheme, "http") && !host_listed(hp, &c->opts) && !is_loopback(hp))
		return bw_error_set(BW_ENET, "%s: the token realm %s is plain http; not sending credentials there "
				    "(--insecure-registry %s to allow)", what, hp, hp);
	/*
	 * An identity token goes to the realm as an OAuth2 refresh grant (the
	 * distribution spec's "OAuth2 token" flow, as docker does it): POST a form
	 * with the service, the scopes and the token; the query string carries
	 * them for the GET flow. The parameters are built once, into url.
	 */
	bool oauth = c->have_creds && c->creds.identity_token;
	bw_buf form = BW_BUF_INIT(16384);
	int r = bw_buf_append_str(&url, c->realm);
	r |= bw_buf_append_str(&url, strchr(c->realm, '?') ? "&" : "?");
	if (c->service) {
		char *e = bw_http_escape(c->service);
		r |= e ? 0 : -2;
		r |= bw_buf_append_str(&url, "service=");
		r |= bw_buf_append_str(&url, e ? e : "");
		free(e);
	}
	for (const char *p = scope; p && *p;) {
		size_t n = strcspn(p, " ");
		char one[1024];
		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), p);
		char *e = bw_http_escape(one);
		r |= e ? 0 : -2;
		r |= bw_buf_append_str(&url, url.data[url.len - 1] == '?' ? "scope=" : "&scope=");
		r |= bw_buf_append_str(&url, e ? e : "");
		free(e);
		p += n;
		while (*p == ' ')
			p++;
	}
	if (oauth) {
		/* the parameters move from the query to the form; the token is escaped like them */
		size_t q = strlen(c->realm) + 1;
		char *e = bw_http_escape(c->creds.secret);
		r |= e ? 0 : -2;
		r |= bw_buf_append_str(&form, "grant_type=refresh_token&client_id=bulwark&refresh_token=");
		r |= bw_buf_append_str(&form, e ? e : "");
		if (url.len > q) {
			r |= bw_buf_append_str(&form, "&");
			r |= bw_buf_append(&form, url.data + q, url.len - q);
		}
		if (e) {
			explicit_bzero(e, strlen(e));
			free(e);
		}
		url.len = q - 1; /* the realm alone */
		r |= bw_buf_append(&url, "", 1);
		url.len--;
	}
	if (r) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory or an overlong token URL");
		goto done;
	}
	bw_http_request req = { .method = "GET", .url = (const char *)url.data, .tls = &c->tls, .share = c->share,
				.connect_timeout_s = c->opts.timeout_s, .stall_timeout_s = c->opts.timeout_s };
	if (oauth) {
		hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
		req.method = "POST";
		req.headers = hdrs;
		req.n_headers = 1;
		req.body = form.data;
		req.body_len = form.len;
	} else if (c->have_creds) {
		if (!(auth = basic_header(&c->creds))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		hdrs[0] = auth;
		req.headers = hdrs;
		req.n_headers = 1;
	}
	char twhat[BW_REG_MAX_HOST + 300];
	snprintf(twhat, sizeof(twhat), "%s: token server %s", what, hp);
	if ((rc = bw_http_open(twhat, &req, &s)) < 0)
		goto done;
	if (bw_http_status(s) != 200) {
		rc = bw_reg_status_error(s, twhat, oauth ? "the identity token was refused (docker login again)"
					     : c->have_creds ? "authentication failed" : "anonymous token refused");
		goto done;
	}
	if ((rc = bw_http_read_all(s, &body)) == -1) {
		rc = bw_error_set(BW_EINPUT, "%s: the token response is larger than %d bytes", twhat, BW_REG_MAX_TOKEN_RESPONSE);
		goto done;
	}
	if (rc < 0)
		goto done;
	rc = bw_reg_token_parse(twhat, body.data, body.len, out, expires_in);
	if (rc == BW_EINPUT)
		rc = as_net_error();
done:
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	if (body.data)
		explicit_bzero(body.data, body.len);
	bw_buf_free(&body);
	bw_buf_free(&url);
	bw_http_close(s); /* before the form it may still point into */
	if (form.data)
		explicit_bzero(form.data, form.len);
	bw_buf_free(&form);
	return rc;
}

/*
 * The Authorization header for a request with this scope, or NULL when none is
 * needed yet. force: the registry refused the token of generation *gen (0: no
 * token), so a token of that generation is stale; one fetched since by another
 * thread is used as it is. *gen is set to the generation handed out.
 */
static int auth_header(bw_reg_client *c, const char *what, const char *scope, bool force, char **out,
		       unsigned long *gen)
{
	int rc = 0;
	*out = NULL;
	pthread_mutex_lock(&c->mu);
	if (c->auth == AUTH_BASIC) {
		if ((rc = ensure_creds(c)) == 0 && c->have_creds && c->creds.identity_token)
			rc = bw_error_set(BW_ENET, "%s: the registry asks for a password, but the credentials found are "
					  "an identity token (for token auth): --creds user:password", what);
		else if (rc == 0 && c->have_creds && !(*out = basic_header(&c->creds)))
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
		if (rc == 0 && !c->have_creds)
			rc = bw_error_set(BW_ENET, "%s: the registry wants a user name and password (--creds, or an auth file)",
					  what);
		goto done;
	}
	if (c->auth != AUTH_BEARER)
		goto done;
	const char *sc = scope ? scope : "";
	time_t now = time(NULL);
	token *t = NULL;
	for (size_t i = 0; i < c->n_tokens; i++)
		if (!strcmp(c->tokens[i].scope, sc))
			t = &c->tokens[i];
	/* a token is reused until 10 s before it expires */
	if (!t || (force && t->gen == *gen) || now + 10 >= t->expires) {
		char *value;
		long expires_in;
		if ((rc = fetch_token(c, what, sc, &value, &expires_in)) < 0)
			goto done;
		if (!t) {
			if (c->n_tokens == MAX_TOKENS) { /* drop the oldest */
				free(c->tokens[0].scope);
				free(c->tokens[0].value);
				memmove(c->tokens, c->tokens + 1, (MAX_TOKENS - 1) * sizeof(token));
				c->n_tokens--;
			}
			t = &c->tokens[c->n_tokens];
			memset(t, 0, sizeof(*t));
			if (!(t->scope = strdup(sc))) {
				free(value);
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			c->n_tokens++;
		} else {
			explicit_bzero(t->value, strlen(t->value));
			free(t->value);
		}
		t->value = value;
		t->expires = now + expires_in;
		t->gen = ++c->gens;
	}
	*gen = t->gen;
	size_t n = strlen(t->value) + 32;
	if (!(*out = malloc(n)))
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
	else
		snprintf(*out, n, "Authorization: Bearer %s", t->value);
done:
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* A 401: learn how the registry wants us to authenticate. */
static int take_challenge(bw_reg_client *c, bw_http_stream *s, const char *what)
{
	const char *h = bw_http_header(s, "WWW-Authenticate");
	bw_reg_challenge ch;
	int rc;

	if (!h)
		return bw_error_set(BW_ENET, "%s: HTTP 401 without a WWW-Authenticate challenge", what);
	if ((rc = bw_reg_challenge_parse(what, h, &ch)) < 0)
		return as_net_error();
	pthread_mutex_lock(&c->mu);
	if (!strcmp(ch.scheme, "bearer")) {
		c->auth = AUTH_BEARER;
		free(c->realm);
		free(c->service);
		c->realm = ch.realm;
		c->service = ch.service;
		ch.realm = ch.service = NULL;
	} else {
		c->auth = AUTH_BASIC;
	}
	pthread_mutex_unlock(&c->mu);
	bw_reg_challenge_free(&ch);
	return 0;
}

/* ------------------------------------------------------------ requests */

static bool same_origin(const char *url, const char *scheme, const char *host)
{
	char s[16], hp[BW_REG_MAX_HOST], want[BW_REG_MAX_HOST + 8];
	if (bw_http_url_origin(url, s, sizeof(s), hp, sizeof(hp)) < 0)
		return false;
	/* the registry host with its default port, as bw_http_url_origin writes it */
	if (strchr(host, ':') && host[0] != '[')
		snprintf(want, sizeof(want), "%s", host);
	else
		snprintf(want, sizeof(want), "%s:%s", host, !strcmp(scheme, "http") ? "80" : "443");
	for (char *p = want; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return !strcmp(s, scheme) && !strcmp(hp, want);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

unsigned bw_reg_client_retries(const bw_reg_client *c)
{
	return c->opts.retries < 0 ? 0 : c->opts.retries == 0 ? 4 : (unsigned)c->opts.retries;
}

/* Milliseconds to wait before attempt `attempt` (1-based), honouring Retry-After. */
static unsigned backoff_ms(unsigned attempt, bw_http_stream *s)
{
	const char *base_env = getenv("BULWARK_RETRY_BASE_MS");
	unsigned base = base_env ? (unsigned)strtoul(base_env, NULL, 10) : 500;
	unsigned ms = base << (attempt > 5 ? 5 : attempt - 1);
	if (ms > 8000)
		ms = 8000;
	const char *ra = s ? bw_http_header(s, "Retry-After") : NULL;
	if (ra && *ra >= '0' && *ra <= '9') {
		unsigned long secs = strtoul(ra, NULL, 10);
		if (secs > BW_REG_MAX_RETRY_AFTER)
			secs = BW_REG_MAX_RETRY_AFTER;
		ms = (unsigned)secs * 1000;
	}
	return ms;
}

int bw_reg_do(bw_reg_client *c, const bw_reg_request *req, bw_http_stream **out)
{
	const char *hdrs[40];
	char *url = NULL, *auth = NULL;
	bw_http_stream *s = NULL;
	unsigned retries = bw_reg_client_retries(c);
	bool rewindable = !req->body_fn;
	bool authed = false, force = false, tried_http = false;
	unsigned long gen = 0;
	unsigned attempt = 0, hops = 0;
	int rc;

	*out = NULL;
	if (req->n_headers > 36)
		return bw_error_set(BW_EINTERNAL, "%s: too many request headers", req->what);
	for (;;) {
		free(url);
		url = NULL;
		if (!strncmp(req->path, "https://", 8) || !strncmp(req->path, "http://", 7)) {
			url = strdup(req->path);
		} else {
			size_t n = strlen(c->scheme) + strlen(c->host) + strlen(req->path) + 8;
			if ((url = malloc(n)))
				snprintf(url, n, "%s://%s%s", c->scheme, c->host, req->path);
		}
		if (!url) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		hops = 0;
redirected:
		{
			size_t nh = 0;
			for (size_t i = 0; i < req->n_headers; i++)
				hdrs[nh++] = req->headers[i];
			free(auth);
			auth = NULL;
			/* credentials go to the registry only, never to where it redirects */
			if (same_origin(url, c->scheme, c->host)) {
				if ((rc = auth_header(c, req->what, req->scope, force, &auth, &gen)) < 0)
					goto done;
				force = false;
				if (auth) {
					hdrs[nh++] = auth;
					authed = true;
				}
			}
			bw_http_request hr = { .method = req->method, .url = url, .headers = hdrs, .n_headers = nh,
					       .body = req->body, .body_len = req->body_len, .body_fn = req->body_fn,
					       .body_ctx = req->body_ctx, .body_size = req->body_size, .tls = &c->tls, .share = c->share,
					       .connect_timeout_s = c->opts.timeout_s, .stall_timeout_s = c->opts.timeout_s };
			bw_http_close(s);
			s = NULL;
			rc = bw_http_open(req->what, &hr, &s);
		}
		if (rc < 0) {
			/* an insecure registry may speak plain HTTP only */
			if (rc == BW_ENET && c->insecure && !tried_http && !strcmp(c->scheme, "https") && hops == 0 &&
			    strncmp(req->path, "http", 4) != 0) {
				tried_http = true;
				pthread_mutex_lock(&c->mu);
				snprintf(c->scheme, sizeof(c->scheme), "http");
				pthread_mutex_unlock(&c->mu);
				bw_debug("%s: no TLS on %s; trying plain http (insecure registry)", req->what, c->host);
				continue;
			}
			if (rc == BW_ENET && rewindable && attempt < retries) {
				attempt++;
				bw_debug("%s: %s; retry %u of %u", req->what, bw_error_last()->message, attempt, retries);
				sleep_ms(backoff_ms(attempt, NULL));
				continue;
			}
			goto done;
		}
		long st = bw_http_status(s);
		/* the path only, without its query: an upload URL's state is nobody's business */
		bw_debug("%s: %s %.*s -> HTTP %ld", req->what, req->method, (int)strcspn(req->path, "?"), req->path, st);
		if (st == 401 && !authed && rewindable) {
			if ((rc = take_challenge(c, s, req->what)) < 0)
				goto done;
			authed = true; /* one authentication round per request */
			force = true;
			goto redirected;
		}
		if (st == 401 && authed && rewindable && !force && attempt == 0 && bw_http_header(s, "WWW-Authenticate")) {
			/* a token may expire early, or this request needs a wider scope than cached: once more */
			const char *h = bw_http_header(s, "WWW-Authenticate");
			bw_reg_challenge ch;
			if (bw_reg_challenge_parse(req->what, h, &ch) == 0) {
				bool insufficient = ch.error && !strcmp(ch.error, "insufficient_scope");
				bw_reg_challenge_free(&ch);
				if (!insufficient) {
					attempt++;
					force = true;
					goto redirected;
				}
			}
		}
		if (st == 401) {
			rc = bw_reg_status_error(s, req->what, "authentication failed");
			goto done;
		}
		if ((st == 301 || st == 302 || st == 303 || st == 307 || st == 308) && bw_http_header(s, "Location")) {
			if (++hops > BW_REG_MAX_REDIRECTS) {
				rc = bw_error_set(BW_ENET, "%s: more than %d redirects (a redirect loop?)", req->what,
						  BW_REG_MAX_REDIRECTS);
				goto done;
			}
			char *next = bw_http_resolve(url, bw_http_header(s, "Location"));
			if (!next) {
				rc = bw_error_set(BW_ENET, "%s: a redirect to \"%.200s\", which is not an http(s) URL",
						  req->what, bw_http_header(s, "Location"));
				goto done;
			}
			free(url);
			url = next;
			if (!rewindable) {
				rc = bw_error_set(BW_ENET, "%s: the registry redirected an upload", req->what);
				goto done;
			}
			goto redirected;
		}
		if ((st == 429 || (st >= 500 && st <= 599)) && rewindable && attempt < retries) {
			attempt++;
			unsigned ms = backoff_ms(attempt, s);
			bw_debug("%s: HTTP %ld; retry %u of %u in %u ms", req->what, st, attempt, retries, ms);
			sleep_ms(ms);
			continue;
		}
		*out = s;
		s = NULL;
		rc = 0;
		goto done;
	}
done:
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	free(url);
	bw_http_close(s);
	return rc;
}
