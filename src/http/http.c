/*
 * http/http.c: requests over libcurl, pulled rather than pushed.
 *
 * curl delivers a body by calling us back; the image pipeline pulls bytes
 * with read(). Each stream therefore owns a multi handle with one transfer:
 * bw_http_read() drives curl_multi_perform() until the write callback has
 * handed over a chunk, and the callback pauses the transfer while the last
 * chunk is still unread. Memory per stream is one curl buffer, whatever the
 * size of the body.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bulwark/errors.h"
#include "http/http.h"

#define RECV_BUFFER (512 * 1024)

struct bw_http_stream {
	CURL *easy;
	CURLM *multi;
	struct curl_slist *hdrs;
	char what[256];
	char *url;
	const uint8_t *body;             /* in-memory request body (the caller's, until close) */
	size_t body_len, body_off;
	bw_http_body_fn body_fn;
	void *body_ctx;
	int body_rc;                     /* error from the upload callback */
	bw_error body_err;

	/* response headers of the final response (reset at each status line) */
	long status;
	char *hbuf;
	size_t hlen;
	size_t n_headers;
	size_t hoff[BW_HTTP_MAX_HEADERS]; /* offsets of "name\0value\0" pairs in hbuf */
	bool headers_done, headers_overflow;

	/* body handed over by the write callback, not yet read */
	uint8_t *pend;
	size_t pend_cap, pend_len, pend_off;
	bool paused;
	bool done;
	bool stalled;
	unsigned stall_s;
	double progress_at;              /* when bytes last moved, during a wait for them */
	curl_off_t last_bytes;
	CURLcode result;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc;

static void global_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct bw_http_share {
	CURLSH *sh;
	pthread_mutex_t mu[CURL_LOCK_DATA_LAST];
};

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
	bw_http_share *s = arg;
	(void)h;
	(void)access;
	pthread_mutex_lock(&s->mu[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	bw_http_share *s = arg;
	(void)h;
	pthread_mutex_unlock(&s->mu[data]);
}

bw_http_share *bw_http_share_new(void)
{
	bw_http_share *s = calloc(1, sizeof(*s));
	pthread_once(&init_once, global_init);
	if (!s)
		return NULL;
	if (!(s->sh = curl_share_init())) {
		free(s);
		return NULL;
	}
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&s->mu[i], NULL);
	curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	return s;
}

void bw_http_share_free(bw_http_share *s)
{
	if (!s)
		return;
	curl_share_cleanup(s->sh);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&s->mu[i]);
	free(s);
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	bw_http_stream *s = arg;
	size_t len = size * nmemb, n = len;

	while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new response (after a 100 Continue, say): forget the previous one's headers */
		long code = 0;
		const char *sp = memchr(data, ' ', n);
		if (sp && (size_t)(sp - data) + 4 <= n)
			code = strtol(sp + 1, NULL, 10);
		s->status = code;
		s->hlen = 0;
		s->n_headers = 0;
		s->headers_done = false;
		return len;
	}
	if (n == 0) {
		if (s->status >= 200)
			s->headers_done = true;
		return len;
	}
	const char *colon = memchr(data, ':', n);
	if (!colon)
		return len; /* a folded or malformed line: not a header we can use */
	size_t nlen = (size_t)(colon - data);
	const char *v = colon + 1;
	while (v < data + n && (*v == ' ' || *v == '\t'))
		v++;
	size_t vlen = (size_t)(data + n - v);
	if (s->n_headers >= BW_HTTP_MAX_HEADERS || s->hlen + nlen + vlen + 2 > BW_HTTP_MAX_HEADER_BYTES) {
		s->headers_overflow = true;
		return 0; /* aborts the transfer */
	}
	if (!s->hbuf && !(s->hbuf = malloc(BW_HTTP_MAX_HEADER_BYTES)))
		return 0;
	s->hoff[s->n_headers++] = s->hlen;
	memcpy(s->hbuf + s->hlen, data, nlen);
	s->hbuf[s->hlen + nlen] = '\0';
	memcpy(s->hbuf + s->hlen + nlen + 1, v, vlen);
	s->hbuf[s->hlen + nlen + 1 + vlen] = '\0';
	s->hlen += nlen + vlen + 2;
	return len;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	bw_http_stream *s = arg;
	size_t len = size * nmemb;

	if (s->pend_off < s->pend_len) {
		s->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (len > s->pend_cap) {
		uint8_t *p = realloc(s->pend, len);
		if (!p)
			return 0;
		s->pend = p;
		s->pend_cap = len;
	}
	memcpy(s->pend, data, len);
	s->pend_len = len;
	s->pend_off = 0;
	return len;
}

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	bw_http_stream *s = arg;
	size_t cap = size * nitems;

	if (!s->body_fn) { /* in-memory body */
		size_t left = s->body_len - s->body_off;
		size_t n = left < cap ? left : cap;
		if (n)
			memcpy(buf, s->body + s->body_off, n);
		s->body_off += n;
		return n;
	}
	ssize_t n = s->body_fn(s->body_ctx, buf, cap);
	if (n < 0) {
		s->body_rc = (int)n;
		s->body_err = *bw_error_last();
		return CURL_READFUNC_ABORT;
	}
	return (size_t)n;
}

static int xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	bw_http_stream *s = arg;
	(void)dltotal;
	(void)ultotal;
	/* any change in the byte counts is progress */
	if (dlnow + ulnow != s->last_bytes) {
		s->last_bytes = dlnow + ulnow;
		s->progress_at = now_s();
	}
	return 0;
}

/*
 * Runs the transfer until cond holds or it ends; 0, or BW_ENET after a poll
 * failure or when no byte has moved for the stall timeout. The clock runs only
 * while we wait on the network: a reader busy elsewhere is not a stall.
 */
static int pump(bw_http_stream *s, bool (*cond)(const bw_http_stream *))
{
	s->progress_at = now_s();
	while (!s->done && !cond(s)) {
		if (now_s() - s->progress_at > (double)s->stall_s) {
			s->stalled = true;
			return bw_error_set(BW_ENET, "%s: timed out: no data for %u seconds", s->what, s->stall_s);
		}
		int running = 0, msgs;
		CURLMcode mc = curl_multi_perform(s->multi, &running);
		if (mc != CURLM_OK)
			return bw_error_set(BW_ENET, "%s: %s", s->what, curl_multi_strerror(mc));
		CURLMsg *m;
		while ((m = curl_multi_info_read(s->multi, &msgs)))
			if (m->msg == CURLMSG_DONE) {
				s->done = true;
				s->result = m->data.result;
			}
		if (s->done || cond(s))
			break;
		mc = curl_multi_poll(s->multi, NULL, 0, 500, NULL);
		if (mc != CURLM_OK)
			return bw_error_set(BW_ENET, "%s: %s", s->what, curl_multi_strerror(mc));
	}
	return 0;
}

static bool have_headers(const bw_http_stream *s)
{
	return s->headers_done;
}

static bool have_data(const bw_http_stream *s)
{
	return s->pend_off < s->pend_len;
}

static int transfer_error(bw_http_stream *s)
{
	if (s->body_rc < 0)
		return bw_error_restore(&s->body_err);
	if (s->headers_overflow)
		return bw_error_set(BW_EINPUT, "%s: the response has more than %d headers or %d bytes of them",
				    s->what, BW_HTTP_MAX_HEADERS, BW_HTTP_MAX_HEADER_BYTES);
	const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(s->result);
	if (s->result == CURLE_OPERATION_TIMEDOUT)
		return bw_error_set(BW_ENET, "%s: timed out: %s", s->what, why);
	return bw_error_set(BW_ENET, "%s: %s", s->what, why);
}

int bw_http_open(const char *what, const bw_http_request *req, bw_http_stream **out)
{
	bw_http_stream *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	pthread_once(&init_once, global_init);
	snprintf(s->what, sizeof(s->what), "%s", what);
	if (init_rc != CURLE_OK) {
		rc = bw_error_set(BW_EINTERNAL, "%s: libcurl did not initialise", what);
		goto fail;
	}
	if (!(s->easy = curl_easy_init()) || !(s->multi = curl_multi_init()) || !(s->url = strdup(req->url))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	CURL *e = s->easy;
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "bulwark/" BW_VERSION);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)RECV_BUFFER);
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, (long)RECV_BUFFER);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)(req->connect_timeout_s ? req->connect_timeout_s : 30));
	/* a stalled transfer: less than one byte a second for the whole window */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	s->stall_s = req->stall_timeout_s ? req->stall_timeout_s : 30;
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)s->stall_s * 4);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (req->share)
		curl_easy_setopt(e, CURLOPT_SHARE, req->share->sh);
	if (req->tls) {
		if (req->tls->insecure) {
			curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		if (req->tls->ca_path) {
			curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
			curl_easy_setopt(e, CURLOPT_CAPATH, req->tls->ca_path);
		}
		if (req->tls->ca_pem) {
			struct curl_blob blob = { (void *)req->tls->ca_pem, req->tls->ca_pem_len, CURL_BLOB_COPY };
			curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
		}
		if (req->tls->client_cert)
			curl_easy_setopt(e, CURLOPT_SSLCERT, req->tls->client_cert);
		if (req->tls->client_key)
			curl_easy_setopt(e, CURLOPT_SSLKEY, req->tls->client_key);
	}
	for (size_t i = 0; i < req->n_headers; i++) {
		struct curl_slist *n = curl_slist_append(s->hdrs, req->headers[i]);
		if (!n) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto fail;
		}
		s->hdrs = n;
	}
	/* no "Expect: 100-continue" round trip before uploads */
	struct curl_slist *n = curl_slist_append(s->hdrs, "Expect:");
	if (!n) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	s->hdrs = n;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);

	const char *m = req->method ? req->method : "GET";
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(m, "PUT") || !strcmp(m, "POST") || !strcmp(m, "PATCH")) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, s);
		if (req->body || !req->body_fn) {
			s->body = req->body;
			s->body_len = req->body ? req->body_len : 0;
			curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
		} else {
			s->body_fn = req->body_fn;
			s->body_ctx = req->body_ctx;
			curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_size);
		}
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	} else if (strcmp(m, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	}
	if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		rc = bw_error_set(BW_EINTERNAL, "%s: cannot start a transfer", what);
		goto fail;
	}
	if ((rc = pump(s, have_headers)) < 0)
		goto fail;
	if (!s->headers_done && (!s->done || s->result != CURLE_OK)) {
		rc = transfer_error(s);
		goto fail;
	}
	if (!s->headers_done && s->status < 200) {
		rc = bw_error_set(BW_ENET, "%s: the server closed the connection without a response", what);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	bw_http_close(s);
	return rc;
}

long bw_http_status(const bw_http_stream *s)
{
	return s->status;
}

const char *bw_http_url(const bw_http_stream *s)
{
	return s->url;
}

int bw_http_header_each(const bw_http_stream *s, const char *name, int (*fn)(const char *value, void *ctx),
			void *ctx)
{
	for (size_t i = 0; i < s->n_headers; i++) {
		const char *k = s->hbuf + s->hoff[i];
		if (!strcasecmp(k, name)) {
			int r = fn(k + strlen(k) + 1, ctx);
			if (r)
				return r;
		}
	}
	return 0;
}

const char *bw_http_header(const bw_http_stream *s, const char *name)
{
	const char *found = NULL;
	for (size_t i = 0; i < s->n_headers; i++) {
		const char *k = s->hbuf + s->hoff[i];
		if (!strcasecmp(k, name))
			found = k + strlen(k) + 1;
	}
	return found;
}

int64_t bw_http_content_length(const bw_http_stream *s)
{
	const char *v = bw_http_header(s, "Content-Length");
	if (!v || !*v)
		return -1;
	int64_t n = 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

ssize_t bw_http_read(bw_http_stream *s, void *buf, size_t cap)
{
	for (;;) {
		if (s->pend_off < s->pend_len) {
			size_t n = s->pend_len - s->pend_off;
			if (n > cap)
				n = cap;
			memcpy(buf, s->pend + s->pend_off, n);
			s->pend_off += n;
			return (ssize_t)n;
		}
		if (s->paused) {
			s->paused = false;
			/* may call write_cb at once with the data it held back */
			curl_easy_pause(s->easy, CURLPAUSE_CONT);
			continue;
		}
		if (s->done) {
			if (s->result != CURLE_OK)
				return transfer_error(s);
			return 0;
		}
		if (s->stalled)
			return bw_error_set(BW_ENET, "%s: timed out: no data for %u seconds", s->what, s->stall_s);
		int rc = pump(s, have_data);
		if (rc < 0)
			return rc;
	}
}

int bw_http_read_all(bw_http_stream *s, bw_buf *out)
{
	uint8_t chunk[16384];
	ssize_t n;
	while ((n = bw_http_read(s, chunk, sizeof(chunk))) > 0) {
		int r = bw_buf_append(out, chunk, (size_t)n);
		if (r == -1)
			return -1;
		if (r < 0)
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (n == 0 && !out->data && bw_buf_append(out, "", 0) < 0)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return n < 0 ? (int)n : 0;
}

void bw_http_close(bw_http_stream *s)
{
	if (!s)
		return;
	if (s->multi && s->easy)
		curl_multi_remove_handle(s->multi, s->easy);
	if (s->easy)
		curl_easy_cleanup(s->easy);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	free(s->hbuf);
	free(s->pend);
	free(s->url);
	free(s);
}

char *bw_http_resolve(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *full = NULL, *scheme = NULL, *out = NULL;

	pthread_once(&init_once, global_init);
	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) ||
	    curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
		goto done;
	out = strdup(full);
done:
	curl_free(full);
	curl_free(scheme);
	curl_url_cleanup(u);
	return out;
}

int bw_http_url_origin(const char *url, char *scheme, size_t scheme_len, char *hostport, size_t hp_len)
{
	CURLU *u = curl_url();
	char *sch = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	pthread_once(&init_once, global_init);
	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &sch, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto done;
	/* the port as given, or the scheme's default, so "h" and "h:443" compare equal */
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	snprintf(scheme, scheme_len, "%s", sch);
	if (port)
		snprintf(hostport, hp_len, "%s:%s", host, port);
	else
		snprintf(hostport, hp_len, "%s", host);
	for (char *p = scheme; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (char *p = hostport; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	rc = 0;
done:
	curl_free(sch);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

char *bw_http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}
