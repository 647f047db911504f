/*
 * image/layer.c: the one streaming pass over a layer.
 *
 * Three threads per layer form a pipeline:
 *   producer: read blob -> hash (blob digest) -> decompress -> chunk ring
 *   hasher:   chunk ring -> hash (diff_id)
 *   consumer: chunk ring -> tar reader (image/tar.h) -> entries
 * The hasher and the consumer read every chunk side by side; a slot is free
 * again once both are done with it. Hashing the uncompressed bytes is the
 * longest single stage (SHA-256 of a gigabyte is most of a second), so it has
 * a thread of its own rather than lengthening the producer's or the
 * consumer's. The ring holds NSLOTS chunks of CHUNK bytes, so memory per layer
 * is fixed whatever the layer's size.
 *
 * Integrity first: whatever goes wrong, the producer still reads and hashes
 * the whole blob (without decompressing) so that a blob whose digest does
 * not match is reported as exactly that, and not as whatever parse error its
 * altered bytes happened to cause. Order of blame: unreadable or wrong-size
 * blob, digest mismatch, broken compression, broken tar / hostile entry,
 * diff_id mismatch.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/decompress.h"
#include "image/image_int.h"
#include "image/tar.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/overflow.h"
#include "util/path.h"

#define CHUNK (1u << 20)
#define NSLOTS 8
#define IN_CHUNK (256u << 10)

typedef struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[NSLOTS];
	size_t len[NSLOTS];
	/* Chunk sequence numbers (slot = number % NSLOTS): the producer has
	 * published chunks < produced, the consumer released those < taken, the
	 * hasher hashed those < hashed. */
	uint64_t produced, taken, hashed;
	bool eof;            /* the producer has finished */
	bool stop;           /* the consumer wants no more data */
	int integrity_rc;    /* read error, size or digest mismatch */
	bw_error integrity_err;
	int decode_rc;       /* invalid or truncated compression */
	bw_error decode_err;
} ring;

typedef struct pass {
	bw_image *img;
	bw_layer *layer;
	char what[600];       /* "IMAGE: layer N (sha256:...)" */
	ring r;
	bw_stream *stream;
	bool holding;         /* the consumer holds chunk r.taken */
	bool archive_done;    /* the tar reader saw the end of the archive */
	uint64_t trailing;
	bw_hasher *diff_hasher;
	uint64_t max_layer_bytes, max_file_bytes;
	int consumer_rc;
	bw_error consumer_err;
	bw_buf content;
	uint8_t *readbuf;
} pass;

/* ---------------------------------------------------------------- producer */

/* The slot of the next chunk, once both readers are done with what it held; NULL after a stop. */
static uint8_t *producer_slot(pass *p, size_t *idx)
{
	ring *r = &p->r;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		uint64_t oldest = r->taken < r->hashed ? r->taken : r->hashed;
		if (r->stop || r->produced - oldest < NSLOTS)
			break;
		pthread_cond_wait(&r->cv, &r->mu);
	}
	bool stop = r->stop;
	*idx = (size_t)(r->produced % NSLOTS);
	pthread_mutex_unlock(&r->mu);
	return stop ? NULL : r->buf[*idx];
}

static void producer_publish(pass *p, size_t len)
{
	ring *r = &p->r;
	if (len == 0)
		return;
	pthread_mutex_lock(&r->mu);
	r->len[r->produced % NSLOTS] = len;
	r->produced++;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void *producer_main(void *arg)
{
	pass *p = arg;
	bw_layer *l = p->layer;
	ring *r = &p->r;
	bw_decoder *dec = NULL;
	bw_hasher *h = bw_hasher_new(l->have_digest ? l->digest.alg : BW_SHA256);
	uint8_t *in = malloc(IN_CHUNK);
	uint64_t total = 0;
	int integrity_rc = 0, decode_rc = 0;
	bw_error integrity_err = { 0 }, decode_err = { 0 };
	bool decoding = true;
	uint8_t *slot = NULL;
	size_t slot_idx = 0, slot_fill = 0;

	if (!h || !in) {
		integrity_rc = bw_error_set(BW_EINTERNAL, "out of memory");
		integrity_err = *bw_error_last();
		goto out;
	}
	if (bw_decoder_new(&dec, l->comp, BW_INFLATE_AUTO, p->what) < 0) {
		integrity_rc = bw_error_last()->code;
		integrity_err = *bw_error_last();
		goto out;
	}
	for (;;) {
		ssize_t n = bw_stream_read(p->stream, in, IN_CHUNK);
		if (n < 0) {
			integrity_rc = (int)n;
			integrity_err = *bw_error_last();
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (l->size_known && total > l->size) {
			integrity_rc = bw_error_set(BW_EINPUT, "%s: blob is larger than the %llu bytes its descriptor says",
						    p->what, (unsigned long long)l->size);
			integrity_err = *bw_error_last();
			break;
		}
		bw_hasher_update(h, in, (size_t)n);
		size_t off = 0;
		while (decoding && off < (size_t)n) {
			if (!slot && !(slot = producer_slot(p, &slot_idx))) {
				decoding = false; /* the consumer stopped: only hash from now on */
				break;
			}
			size_t used = 0, made = 0;
			if (bw_decoder_step(dec, in + off, (size_t)n - off, &used, slot + slot_fill,
					    CHUNK - slot_fill, &made) < 0) {
				decode_rc = bw_error_last()->code;
				decode_err = *bw_error_last();
				decoding = false;
				break;
			}
			off += used;
			slot_fill += made;
			if (slot_fill == CHUNK) {
				producer_publish(p, slot_fill);
				slot = NULL;
				slot_fill = 0;
			} else if (used == 0 && made == 0) {
				break; /* decoder wants more input (cannot happen with off < n, kept safe) */
			}
		}
	}
	/* Flush what the decoder still holds (output buffered inside it). */
	while (decoding && integrity_rc == 0) {
		if (!slot && !(slot = producer_slot(p, &slot_idx)))
			break;
		size_t used = 0, made = 0;
		if (bw_decoder_step(dec, NULL, 0, &used, slot + slot_fill, CHUNK - slot_fill, &made) < 0) {
			decode_rc = bw_error_last()->code;
			decode_err = *bw_error_last();
			break;
		}
		slot_fill += made;
		if (slot_fill == CHUNK) {
			producer_publish(p, slot_fill);
			slot = NULL;
			slot_fill = 0;
		}
		if (made == 0)
			break;
	}
	if (slot && slot_fill && decode_rc == 0 && integrity_rc == 0)
		producer_publish(p, slot_fill);
	if (integrity_rc == 0 && decode_rc == 0 && decoding && bw_decoder_finish(dec) < 0) {
		decode_rc = bw_error_last()->code;
		decode_err = *bw_error_last();
	}
	if (integrity_rc == 0) {
		bw_digest got;
		bw_hasher_final(h, &got);
		if (l->size_known && total != l->size) {
			integrity_rc = bw_error_set(BW_EINPUT, "%s: blob is %llu bytes, its descriptor says %llu",
						    p->what, (unsigned long long)total,
						    (unsigned long long)l->size);
			integrity_err = *bw_error_last();
		} else if (l->have_digest && !bw_digest_equal(&got, &l->digest)) {
			integrity_rc = bw_error_set(BW_EINPUT, "%s: digest mismatch: content hashes to %s",
						    p->what, got.text);
			integrity_err = *bw_error_last();
		} else if (!l->have_digest) {
			l->digest = got;
			l->size = total;
		}
	}
out:
	pthread_mutex_lock(&r->mu);
	r->integrity_rc = integrity_rc;
	r->integrity_err = integrity_err;
	r->decode_rc = decode_rc;
	r->decode_err = decode_err;
	r->eof = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	bw_decoder_free(dec);
	bw_hasher_free(h);
	free(in);
	return NULL;
}

/* ------------------------------------------------------------------ hasher */

/* Hashes every published chunk in order (the diff_id), until the producer has finished. */
static void *hasher_main(void *arg)
{
	pass *p = arg;
	ring *r = &p->r;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->hashed == r->produced && !r->eof)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->hashed == r->produced)
			break;
		size_t idx = (size_t)(r->hashed % NSLOTS);
		pthread_mutex_unlock(&r->mu);
		bw_hasher_update(p->diff_hasher, r->buf[idx], r->len[idx]);
		pthread_mutex_lock(&r->mu);
		r->hashed++;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* ---------------------------------------------------------------- consumer */

static int consumer_fail(pass *p, int rc)
{
	if (bw_error_last()->code != rc) /* a failure that set no message of its own */
		bw_error_set(rc, "%s: unreadable layer data", p->what);
	if (p->consumer_rc == 0) {
		p->consumer_rc = rc;
		p->consumer_err = *bw_error_last();
	}
	return rc;
}

/* The next chunk of uncompressed layer bytes; 0 at the end, -1 on error. */
static ssize_t next_chunk(pass *p, const uint8_t **out)
{
	ring *r = &p->r;

	pthread_mutex_lock(&r->mu);
	if (p->holding) {
		r->taken++;
		p->holding = false;
		pthread_cond_broadcast(&r->cv);
	}
	while (r->taken == r->produced && !r->eof)
		pthread_cond_wait(&r->cv, &r->mu);
	if (r->taken == r->produced) {
		bool failed = r->integrity_rc || r->decode_rc;
		pthread_mutex_unlock(&r->mu);
		return failed ? -1 : 0;
	}
	size_t idx = (size_t)(r->taken % NSLOTS);
	size_t len = r->len[idx];
	*out = r->buf[idx];
	p->holding = true;
	pthread_mutex_unlock(&r->mu);

	p->layer->tar_bytes += len;
	if (p->layer->tar_bytes > p->max_layer_bytes) {
		bw_error_set(BW_EINPUT, "%s: decompresses to more than the limit of %llu bytes (--max-layer-size)",
			     p->what, (unsigned long long)p->max_layer_bytes);
		consumer_fail(p, BW_EINPUT);
		return -1;
	}
	if (p->archive_done) {
		p->trailing += len;
		if (p->trailing > BW_MAX_TRAILING_BYTES) {
			bw_error_set(BW_EINPUT, "%s: more than %llu bytes of data after the end of the tar archive",
				     p->what, (unsigned long long)BW_MAX_TRAILING_BYTES);
			consumer_fail(p, BW_EINPUT);
			return -1;
		}
	}
	return (ssize_t)len;
}

/*
 * Stops the producer's decoding (it goes on hashing the blob) and drops what
 * is queued for the consumer. The hasher still gets every chunk published.
 */
static void consumer_stop(pass *p)
{
	ring *r = &p->r;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	p->holding = false;
	r->taken = r->produced; /* the producer may publish no more */
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* -------------------------------------------------------- analyzer dispatch */

typedef ssize_t (*read_fn)(void *ctx, void *buf, size_t cap);

static int analyzer_result(pass *p, const bw_analyzer *a, const bw_entry *e, int rc)
{
	if (rc >= 0)
		return 0;
	if (rc == BW_EINTERNAL)
		return consumer_fail(p, rc);
	bw_warn("%s: %s: analyzer %s: %s", p->what, e->path, a->name, bw_error_last()->message);
	return 0;
}

/*
 * Hands one entry to the analyzers that want it, reading its content (through
 * rd) only if one of them needs it. Returns <0 only for errors that must stop
 * the pass (ENOMEM, unreadable data).
 */
static int dispatch(pass *p, const bw_entry *e, read_fn rd, void *rctx)
{
	bw_image *img = p->img;
	bw_layer *l = p->layer;
	uintptr_t mask = (uintptr_t)bw_strmap_getn(&img->analyzer_paths, e->path, e->path_len);
	uint8_t *head = p->readbuf;
	size_t head_len = 0;
	bool eof = false;

	if (e->type == BW_FT_FILE && img->analyzers_peek) {
		while (head_len < BW_HEAD_BYTES) {
			ssize_t n = rd(rctx, head + head_len, BW_HEAD_BYTES - head_len);
			if (n < 0)
				return consumer_fail(p, bw_error_set(BW_EINPUT, "%s: %s: cannot read the file's data",
								     p->what, e->path));
			if (n == 0) {
				eof = true;
				break;
			}
			head_len += (size_t)n;
		}
	}
	for (size_t i = 0; i < img->n_analyzers; i++)
		if (img->analyzers[i]->wants && img->analyzers[i]->wants(e, head, head_len))
			mask |= (uintptr_t)1 << i;
	if (!mask)
		return 0;

	size_t want_bytes = 0;
	bool any_chunk = false;
	for (size_t i = 0; i < img->n_analyzers; i++) {
		if (!(mask & ((uintptr_t)1 << i)))
			continue;
		const bw_analyzer *a = img->analyzers[i];
		if (a->chunk)
			any_chunk = true;
		else if (a->content_max > want_bytes)
			want_bytes = a->content_max;
	}
	bool truncated = false;
	bw_buf_reset(&p->content);
	if (e->type == BW_FT_FILE && (want_bytes || any_chunk)) {
		const uint8_t *data = head;
		size_t len = head_len;
		for (;;) {
			if (len) {
				for (size_t i = 0; i < img->n_analyzers; i++) {
					const bw_analyzer *a = img->analyzers[i];
					if ((mask & ((uintptr_t)1 << i)) && a->chunk &&
					    analyzer_result(p, a, e, a->chunk(l->states[i], e, data, len)) < 0)
						return BW_EINTERNAL;
				}
				if (p->content.len < want_bytes) {
					size_t take = want_bytes - p->content.len;
					if (take > len) take = len;
					if (bw_buf_append(&p->content, data, take) != 0)
						return consumer_fail(p, bw_error_set(BW_EINTERNAL, "out of memory"));
					if (take < len)
						truncated = true;
				} else if (want_bytes) {
					truncated = true;
				}
			}
			if (eof)
				break;
			ssize_t n = rd(rctx, p->readbuf + BW_HEAD_BYTES, 65536);
			if (n < 0)
				return consumer_fail(p, bw_error_set(BW_EINPUT, "%s: %s: cannot read the file's data",
								     p->what, e->path));
			if (n == 0)
				break;
			data = p->readbuf + BW_HEAD_BYTES;
			len = (size_t)n;
		}
	}
	if (l->cache_recording && !l->cache_overflow) {
		/* analyzers that can save their state are not recorded (analyzer.h) */
		uintptr_t buffered = 0;
		for (size_t i = 0; i < img->n_analyzers; i++)
			if ((mask & ((uintptr_t)1 << i)) && !img->analyzers[i]->save)
				buffered |= (uintptr_t)1 << i;
		if (buffered)
			bw_layer_cache_record(l, l->n_recs - 1, buffered, truncated, p->content.data, p->content.len);
	}
	for (size_t i = 0; i < img->n_analyzers; i++) {
		const bw_analyzer *a = img->analyzers[i];
		if (!(mask & ((uintptr_t)1 << i)) || !a->entry)
			continue;
		bool give = !a->chunk && a->content_max > 0 && e->type == BW_FT_FILE;
		size_t n = give ? (p->content.len < a->content_max ? p->content.len : a->content_max) : 0;
		bool trunc = give && (truncated || p->content.len > a->content_max);
		/* an empty file has content "" (never NULL), so parsers may do data + len */
		const uint8_t *data = give ? (p->content.data ? p->content.data : (const uint8_t *)"") : NULL;
		if (analyzer_result(p, a, e, a->entry(l->states[i], e, data, n, trunc)) < 0)
			return BW_EINTERNAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- records */

/* Blocks grow from small (a layer of ten files costs a few KiB) to RECLOG_MAX. */
#define RECLOG_FIRST (16u << 10)
#define RECLOG_MAX (1u << 20)

struct bw_reclog_block {
	bw_reclog_block *next;
	size_t len, cap;
	uint8_t data[];
};

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Reads what put_varint wrote (the log is our own memory, never input). */
static uint64_t get_varint(const uint8_t *p, size_t *off)
{
	uint64_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = p[(*off)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
}

static uint8_t *reclog_reserve(bw_reclog *log, size_t need)
{
	bw_reclog_block *t = log->tail;
	if (!t || t->cap - t->len < need) {
		size_t cap = t ? t->cap * 2 : RECLOG_FIRST;
		if (cap > RECLOG_MAX)
			cap = RECLOG_MAX;
		if (cap < need)
			cap = need;
		bw_reclog_block *b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = NULL;
		b->len = 0;
		b->cap = cap;
		if (t)
			t->next = b;
		else
			log->head = b;
		log->tail = t = b;
	}
	return t->data + t->len;
}

static void reclog_free(bw_reclog *log)
{
	bw_reclog_block *b = log->head;
	while (b) {
		bw_reclog_block *next = b->next;
		free(b);
		b = next;
	}
	log->head = log->tail = NULL;
}

void bw_reclog_iter_init(const bw_reclog *log, bw_reclog_iter *it)
{
	it->block = log->head;
	it->off = 0;
}

bool bw_reclog_next(bw_reclog_iter *it, bw_layer_rec *out)
{
	while (it->block && it->off >= it->block->len) {
		it->block = it->block->next;
		it->off = 0;
	}
	if (!it->block)
		return false;
	const uint8_t *d = it->block->data;
	size_t off = it->off;
	out->kind = d[off++];
	out->type = (char)d[off++];
	out->mode = (uint32_t)get_varint(d, &off);
	out->uid = get_varint(d, &off);
	out->gid = get_varint(d, &off);
	out->size = get_varint(d, &off);
	out->path_len = (uint32_t)get_varint(d, &off);
	uint64_t link1 = get_varint(d, &off);
	out->path = (const char *)d + off;
	off += out->path_len + 1;
	out->link = NULL;
	if (link1) {
		out->link = (const char *)d + off;
		off += link1;
	}
	it->off = off;
	return true;
}

int bw_layer_add_record(bw_layer *l, bw_rec_kind kind, const bw_entry *e, const char *path, size_t path_len)
{
	size_t link_len = e->link ? strlen(e->link) : 0;

	if (path_len > BW_MAX_PATH_BYTES || link_len > BW_MAX_PATH_BYTES)
		return bw_error_set(BW_EINPUT, "%.200s: path too long for a layer record", path);
	/* 2 type bytes, 7 varints of at most 10 bytes, two strings and their NULs */
	uint8_t *d = reclog_reserve(&l->recs, 2 + 7 * 10 + path_len + 1 + link_len + 1);
	if (!d)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	size_t off = 0;
	d[off++] = (uint8_t)kind;
	d[off++] = (uint8_t)e->type;
	off += put_varint(d + off, e->mode);
	off += put_varint(d + off, e->uid);
	off += put_varint(d + off, e->gid);
	off += put_varint(d + off, e->size);
	off += put_varint(d + off, path_len);
	off += put_varint(d + off, e->link ? link_len + 1 : 0);
	memcpy(d + off, path, path_len);
	d[off + path_len] = '\0';
	off += path_len + 1;
	if (e->link) {
		memcpy(d + off, e->link, link_len);
		d[off + link_len] = '\0';
		off += link_len + 1;
	}
	l->recs.tail->len += off;
	l->n_recs++;
	return 0;
}

static int add_record(pass *p, bw_rec_kind kind, const bw_entry *e, const char *path, size_t path_len)
{
	int rc = bw_layer_add_record(p->layer, kind, e, path, path_len);
	return rc < 0 ? consumer_fail(p, rc) : 0;
}

/* Layer 0's markers remove nothing (nothing is below it): recorded only for the cache. */
static int add_marker(pass *p, bw_rec_kind kind, const bw_entry *e, const char *path, size_t path_len)
{
	if (p->layer->direct_fs && !p->layer->cache_recording)
		return 0;
	return add_record(p, kind, e, path, path_len);
}

/*
 * Classifies and records one entry; whiteouts become markers, everything else
 * goes to the analyzers. e->path is canonical.
 */
static int handle_entry(pass *p, bw_entry *e, read_fn rd, void *rctx)
{
	bw_layer *l = p->layer;
	const char *name = e->name;

	if (++l->entries > BW_DEFAULT_MAX_ENTRIES)
		return consumer_fail(p, bw_error_set(BW_EINPUT, "%s: more than %d entries", p->what,
						     BW_DEFAULT_MAX_ENTRIES));
	if (strncmp(name, ".wh.", 4) == 0) {
		char target[BW_MAX_PATH_BYTES + 2];
		size_t dir_len = e->path_len - strlen(name) - 1; /* without the '/' before name */
		if (strcmp(name, ".wh..wh..opq") == 0) {
			if (dir_len == 0)
				target[0] = '/', dir_len = 1;
			else
				memcpy(target, e->path, dir_len);
			target[dir_len] = '\0';
			return add_marker(p, BW_REC_OPAQUE, e, target, dir_len);
		}
		if (strncmp(name, ".wh..wh.", 8) == 0)
			return 0; /* AUFS metadata (.wh..wh.plnk, ...): not part of the filesystem */
		if (name[4] == '\0' || !strcmp(name + 4, ".") || !strcmp(name + 4, ".."))
			return consumer_fail(p, bw_error_set(BW_EINPUT, "%s: invalid whiteout entry \"%s\"",
							     p->what, e->path));
		memcpy(target, e->path, dir_len);
		target[dir_len] = '/';
		memcpy(target + dir_len + 1, name + 4, strlen(name + 4) + 1);
		return add_marker(p, BW_REC_WHITEOUT, e, target, strlen(target));
	}
	if (e->type == BW_FT_FILE)
		l->file_bytes += e->size;
	if (l->direct_fs && bw_fs_add(l->direct_fs, e) < 0)
		return consumer_fail(p, BW_EINTERNAL);
	if ((!l->direct_fs || l->cache_recording) && add_record(p, BW_REC_ENTRY, e, e->path, e->path_len) < 0)
		return BW_EINTERNAL;
	return dispatch(p, e, rd, rctx);
}

static ssize_t tar_data_read(void *ctx, void *buf, size_t cap)
{
	ssize_t n = bw_tar_read((bw_tar *)ctx, buf, cap);
	return n < 0 ? -1 : n;
}

static ssize_t tar_source(void *ctx, const uint8_t **data)
{
	return next_chunk((pass *)ctx, data);
}

/* Turns one tar entry into a checked bw_entry. */
static int entry_from_tar(pass *p, const bw_tar_entry *te, bw_entry *e, char *path, char *link)
{
	const char *raw = te->path;
	size_t len;
	bw_path_status st;

	memset(e, 0, sizeof(*e));
	if ((st = bw_path_from_tar(raw, path, &len)) != BW_PATH_OK)
		return bw_error_set(BW_EINPUT, "%s: entry \"%.200s\" %s", p->what, raw, bw_path_status_str(st));
	e->path = path;
	e->path_len = len;
	e->name = strrchr(path, '/') + 1;
	e->layer = p->layer->index;
	e->type = te->type;
	e->mode = te->mode;
	if (te->uid > UINT32_MAX || te->gid > UINT32_MAX) /* no Linux id; a runtime would truncate it */
		return bw_error_set(BW_EINPUT, "%s: entry \"%.200s\" has a uid or gid wider than 32 bits",
				    p->what, raw);
	e->uid = te->uid;
	e->gid = te->gid;
	e->size = e->type == BW_FT_FILE ? te->size : 0;
	if (e->size > p->max_file_bytes)
		return bw_error_set(BW_EINPUT, "%s: entry \"%.200s\" is %llu bytes, more than the per-file limit of %llu",
				    p->what, raw, (unsigned long long)e->size,
				    (unsigned long long)p->max_file_bytes);
	if (e->type == BW_FT_HARDLINK) {
		size_t tlen;
		if ((st = bw_path_from_tar(te->link, link, &tlen)) != BW_PATH_OK)
			return bw_error_set(BW_EINPUT, "%s: hard link \"%.200s\" to \"%.200s\": the target %s",
					    p->what, raw, te->link, bw_path_status_str(st));
		e->link = link;
	} else if (e->type == BW_FT_SYMLINK) {
		if (te->link_len > BW_MAX_PATH_BYTES)
			return bw_error_set(BW_EINPUT, "%s: symlink \"%.200s\" has a target longer than %d bytes",
					    p->what, raw, BW_MAX_PATH_BYTES);
		e->link = te->link;
	}
	return 0;
}

static void consume_tar(pass *p)
{
	bw_tar t;
	bw_tar_entry te;
	char path[BW_MAX_PATH_BYTES + 2], link[BW_MAX_PATH_BYTES + 2];
	int r;

	bw_tar_init(&t, tar_source, p, p->what);
	while ((r = bw_tar_next(&t, &te)) > 0) {
		bw_entry e;
		if (entry_from_tar(p, &te, &e, path, link) < 0) {
			consumer_fail(p, BW_EINPUT);
			break;
		}
		if (handle_entry(p, &e, tar_data_read, &t) < 0 || p->consumer_rc)
			break;
	}
	bw_tar_free(&t);
	if (r < 0)
		consumer_fail(p, r == BW_EINTERNAL ? BW_EINTERNAL : BW_EINPUT);
	if (p->consumer_rc)
		return;
	/* Data after the end-of-archive blocks: bounded (next_chunk), and the hasher
	 * needs it decoded for the diff_id, so the ring keeps moving to the end. */
	p->archive_done = true;
	const uint8_t *data;
	ssize_t n;
	while ((n = next_chunk(p, &data)) > 0)
		;
}

static void pass_report(pass *p, bw_layer *l)
{
	ring *r = &p->r;
	if (r->integrity_rc) {
		l->rc = r->integrity_rc;
		l->err = r->integrity_err;
	} else if (r->decode_rc) {
		l->rc = r->decode_rc;
		l->err = r->decode_err;
	} else if (p->consumer_rc) {
		l->rc = p->consumer_rc;
		l->err = p->consumer_err;
	} else {
		bw_digest got;
		bw_hasher_final(p->diff_hasher, &got);
		if (!bw_digest_equal(&got, &l->diff_id)) {
			l->rc = bw_error_set(BW_EINPUT, "%s: uncompressed content hashes to %s, not to its diff_id %s",
					     p->what, got.text, l->diff_id.text);
			l->err = *bw_error_last();
		}
	}
}

int bw_layer_states_new(bw_image *img, bw_layer *l)
{
	l->states = calloc(img->n_analyzers + 1, sizeof(void *));
	if (!l->states)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < img->n_analyzers; i++)
		if (img->analyzers[i]->layer_new && !(l->states[i] = img->analyzers[i]->layer_new()))
			return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

static int pass_init(pass *p, bw_image *img, bw_layer *l)
{
	memset(p, 0, sizeof(*p));
	p->img = img;
	p->layer = l;
	p->max_layer_bytes = img->opts.max_layer_bytes ? img->opts.max_layer_bytes : BW_DEFAULT_MAX_LAYER_BYTES;
	p->max_file_bytes = img->opts.max_file_bytes ? img->opts.max_file_bytes : BW_DEFAULT_MAX_FILE_BYTES;
	p->content = (bw_buf)BW_BUF_INIT(BW_MAX_ANALYZER_CONTENT);
	snprintf(p->what, sizeof(p->what), "%s: layer %zu (%s)", img->name, l->index + 1,
		 l->have_digest ? l->digest.text : l->member);
	if (!(p->readbuf = malloc(BW_HEAD_BYTES + 65536)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return bw_layer_states_new(img, l);
}

static void pass_free(pass *p)
{
	bw_buf_free(&p->content);
	free(p->readbuf);
	bw_hasher_free(p->diff_hasher);
}

int bw_layer_pass(bw_image *img, bw_layer *l)
{
	pass *p = calloc(1, sizeof(*p));
	pthread_t producer, hasher;
	int rc;

	if (!p)
		return l->rc = bw_error_set(BW_EINTERNAL, "out of memory");
	if ((rc = pass_init(p, img, l)) < 0)
		goto done;
	ring *r = &p->r;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	for (int i = 0; i < NSLOTS; i++)
		if (!(r->buf[i] = malloc(CHUNK))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto ring_done;
		}
	if (!(p->diff_hasher = bw_hasher_new(l->diff_id.alg))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto ring_done;
	}
	if ((rc = bw_source_open_stream(img->src, l->member, &p->stream)) < 0)
		goto ring_done;
	if (pthread_create(&hasher, NULL, hasher_main, p) != 0) {
		rc = bw_error_set(BW_EINTERNAL, "cannot start a thread");
		goto ring_done;
	}
	if (pthread_create(&producer, NULL, producer_main, p) != 0) {
		rc = bw_error_set(BW_EINTERNAL, "cannot start a thread");
		pthread_mutex_lock(&r->mu);
		r->eof = true; /* nothing will be published: the hasher ends */
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(hasher, NULL);
		goto ring_done;
	}
	consume_tar(p);
	consumer_stop(p);
	pthread_join(producer, NULL);
	pthread_join(hasher, NULL);
	pass_report(p, l);
	rc = l->rc;
ring_done:
	bw_stream_close(p->stream);
	for (int i = 0; i < NSLOTS; i++)
		free(r->buf[i]);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
done:
	if (rc < 0 && !l->rc) {
		l->rc = rc;
		l->err = *bw_error_last();
	}
	pass_free(p);
	free(p);
	return l->rc;
}

/* ------------------------------------------------------------ rootfs dirs */

typedef struct dir_walk {
	pass *p;
	char path[BW_MAX_PATH_BYTES + 2];
	size_t len;
	int depth;
} dir_walk;

static ssize_t fd_read(void *ctx, void *buf, size_t cap)
{
	int fd = *(int *)ctx;
	for (;;) {
		ssize_t n = read(fd, buf, cap);
		if (n >= 0 || errno != EINTR)
			return n < 0 ? -1 : n;
	}
}

static int walk_dir(dir_walk *w, int fd_dir)
{
	pass *p = w->p;
	DIR *d = fdopendir(fd_dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(fd_dir);
		return consumer_fail(p, bw_error_set(BW_EINPUT, "%s: %s: %s", p->img->name, w->path, strerror(errno)));
	}
	if (++w->depth > 256) {
		closedir(d);
		return consumer_fail(p, bw_error_set(BW_EINPUT, "%s: directories nested deeper than 256 levels at %s",
						     p->img->name, w->path));
	}
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t nlen = strlen(de->d_name), saved = w->len;
		if (w->len + 1 + nlen > BW_MAX_PATH_BYTES) {
			rc = consumer_fail(p, bw_error_set(BW_EINPUT, "%s: path too long under %s", p->img->name, w->path));
			break;
		}
		if (w->len > 1)
			w->path[w->len++] = '/';
		memcpy(w->path + w->len, de->d_name, nlen + 1);
		w->len += nlen;

		struct stat st;
		char target[BW_MAX_PATH_BYTES + 2];
		bw_entry e = { .path = w->path, .path_len = w->len, .layer = p->layer->index };
		e.name = strrchr(w->path, '/') + 1;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			bw_warn("%s: %s: %s", p->img->name, w->path, strerror(errno));
			goto next;
		}
		e.mode = st.st_mode & 07777;
		e.uid = st.st_uid;
		e.gid = st.st_gid;
		if (S_ISREG(st.st_mode)) { e.type = BW_FT_FILE; e.size = (uint64_t)st.st_size; }
		else if (S_ISDIR(st.st_mode)) e.type = BW_FT_DIR;
		else if (S_ISLNK(st.st_mode)) e.type = BW_FT_SYMLINK;
		else if (S_ISCHR(st.st_mode)) e.type = BW_FT_CHAR;
		else if (S_ISBLK(st.st_mode)) e.type = BW_FT_BLOCK;
		else if (S_ISFIFO(st.st_mode)) e.type = BW_FT_FIFO;
		else e.type = BW_FT_SOCKET;
		if (e.type == BW_FT_SYMLINK) {
			ssize_t n = readlinkat(dirfd(d), de->d_name, target, BW_MAX_PATH_BYTES);
			if (n < 0) {
				bw_warn("%s: %s: %s", p->img->name, w->path, strerror(errno));
				goto next;
			}
			target[n] = '\0';
			e.link = target;
		}
		int fd = -1;
		if (e.type == BW_FT_FILE) {
			/* O_NOFOLLOW: the tree is data; never follow a link out of it. */
			fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			if (fd < 0) {
				bw_warn("%s: %s: %s", p->img->name, w->path, strerror(errno));
				goto next;
			}
		}
		p->layer->tar_bytes += e.size;
		rc = handle_entry(p, &e, fd_read, &fd);
		if (fd >= 0)
			close(fd);
		if (rc == 0 && e.type == BW_FT_DIR) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				bw_warn("%s: %s: %s", p->img->name, w->path, strerror(errno));
			else
				rc = walk_dir(w, sub);
		}
	next:
		w->len = saved;
		w->path[saved] = '\0';
	}
	w->depth--;
	closedir(d);
	return rc;
}

int bw_rootfs_pass(bw_image *img, bw_layer *l)
{
	pass *p = calloc(1, sizeof(*p));
	dir_walk *w = calloc(1, sizeof(*w));
	int rc;

	if (!p || !w) {
		free(p);
		free(w);
		return l->rc = bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if ((rc = pass_init(p, img, l)) == 0) {
		int fd = openat(AT_FDCWD, img->ref.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			rc = bw_error_set(BW_EINPUT, "%s: %s", img->name, strerror(errno));
		} else {
			w->p = p;
			w->path[0] = '/';
			w->len = 1;
			walk_dir(w, fd);
			rc = p->consumer_rc;
			if (rc < 0)
				bw_error_restore(&p->consumer_err);
		}
	}
	if (rc < 0) {
		l->rc = rc;
		l->err = *bw_error_last();
	}
	pass_free(p);
	free(p);
	free(w);
	return rc;
}

void bw_layer_release(bw_layer *l)
{
	reclog_free(&l->recs);
	l->n_recs = 0;
	bw_buf_free(&l->cache_deliveries);
}
