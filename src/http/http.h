/*
 * http/http.h: HTTP(S) requests, the only code that includes libcurl.
 *
 * One request at a time per stream: bw_http_open() sends the request and
 * returns once the final response's status line and headers are in, whatever
 * the status; the body is then pulled with bw_http_read(), so a blob of any
 * size flows through a fixed amount of memory into whoever reads it (the
 * layer pass, an upload). Redirects are never followed here: the caller
 * decides (registry/client.c follows them, dropping credentials when the host
 * changes). Transport failures (DNS, connect, TLS, timeouts, a stalled body)
 * are BW_ENET with curl's reason; nothing here ever logs a header, so an
 * Authorization header cannot leak through this module.
 *
 * Bounds: at most BW_HTTP_MAX_HEADERS response headers of at most
 * BW_HTTP_MAX_HEADER_BYTES in total; the body is as long as the caller reads.
 */
#ifndef BW_HTTP_HTTP_H
#define BW_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/buf.h"

#define BW_HTTP_MAX_HEADERS 128
#define BW_HTTP_MAX_HEADER_BYTES (64 * 1024)

/*
 * Connections, TLS sessions and DNS answers shared by the requests of one
 * client (thread-safe), so a manifest, a token and ten blobs do not cost
 * twelve TLS handshakes.
 */
typedef struct bw_http_share bw_http_share;
bw_http_share *bw_http_share_new(void);
void bw_http_share_free(bw_http_share *sh);

typedef struct bw_http_tls {
	bool insecure;            /* do not verify the server's certificate */
	const char *ca_pem;       /* PEM certificates to trust, or NULL */
	size_t ca_pem_len;
	const char *ca_path;      /* a hashed certificate directory (c_rehash) trusted too, or NULL;
	                             looked up per issuer, so no bundle is parsed per connection */
	const char *client_cert;  /* PEM files for TLS client authentication, or NULL */
	const char *client_key;
} bw_http_tls;

/* Upload body callback: bytes written to buf (0 at the end) or a negative bw error. */
typedef ssize_t (*bw_http_body_fn)(void *ctx, void *buf, size_t cap);

typedef struct bw_http_request {
	const char *method;            /* "GET", "HEAD", "PUT", "POST", "PATCH", "DELETE" */
	const char *url;
	const char *const *headers;    /* "Name: value" lines */
	size_t n_headers;
	const void *body;              /* in-memory body, or NULL; must live until bw_http_close */
	size_t body_len;
	bw_http_body_fn body_fn;       /* streamed body (used when body is NULL) */
	void *body_ctx;
	uint64_t body_size;            /* exact length of the streamed body */
	const bw_http_tls *tls;
	bw_http_share *share;          /* or NULL */
	unsigned connect_timeout_s;    /* 0: 30 */
	unsigned stall_timeout_s;      /* no byte moved for this long aborts; 0: 30 */
} bw_http_request;

typedef struct bw_http_stream bw_http_stream;

/*
 * Sends the request and waits for the response headers. On 0, *out holds the
 * response (any status; see bw_http_status). BW_ENET for transport failures,
 * BW_EUSAGE for a malformed URL, BW_EINPUT for response headers over the bounds.
 * The message names `what` (e.g. "registry.example.com/app").
 */
int bw_http_open(const char *what, const bw_http_request *req, bw_http_stream **out);
long bw_http_status(const bw_http_stream *s);
/* The last value of a response header (case-insensitive name), or NULL. */
const char *bw_http_header(const bw_http_stream *s, const char *name);
/* Calls fn for every value of header `name` in order; stops at a non-zero return. */
int bw_http_header_each(const bw_http_stream *s, const char *name,
			int (*fn)(const char *value, void *ctx), void *ctx);
/* Content-Length, or -1 when the response did not say. */
int64_t bw_http_content_length(const bw_http_stream *s);
/* The URL the request went to (for resolving a relative Location). */
const char *bw_http_url(const bw_http_stream *s);

/* Body bytes (0 at the end), or a negative bw error code (BW_ENET). */
ssize_t bw_http_read(bw_http_stream *s, void *buf, size_t cap);
/* The whole body into out (bounded by out->max): 0, BW_ENET, or -1 when over out->max. */
int bw_http_read_all(bw_http_stream *s, bw_buf *out);
void bw_http_close(bw_http_stream *s);

/*
 * Resolves a Location header against the URL it came from into a new
 * malloc'd absolute URL; NULL when it is not a valid http(s) URL.
 */
char *bw_http_resolve(const char *base, const char *location);
/* Splits an absolute URL: scheme and "host[:port]" (lowercase) into the buffers. */
int bw_http_url_origin(const char *url, char *scheme, size_t scheme_len, char *hostport, size_t hp_len);
/* Percent-encodes s for a URL query value (malloc'd; NULL on ENOMEM). */
char *bw_http_escape(const char *s);

#endif
