/*
 * inventory/golang.c: the build information the Go linker writes into every
 * binary since Go 1.13 (what `go version -m` prints): toolchain version, main
 * module, dependencies with their versions and replacements.
 *
 * The binary is STREAMED (analyzer chunk()), never buffered whole, and the
 * section header table is not used. Why, measured on the fixture binary
 * (/app/bin/fixture-go, Go 1.19.8, 2.8 MB): its .go.buildinfo sits at 0x28c000,
 * the start of the first writable PT_LOAD segment, 93% into the file, and a
 * binary linked by the system linker (cgo) has its section headers at the
 * end, after every section. Only the program headers are reliably at the
 * start (right after the ELF header, inside the first chunk). So, as Go's own
 * debug/buildinfo does when it has no section names, we locate the build info
 * by the program headers: it starts 16-byte aligned in a writable, non-exec
 * PT_LOAD segment with the magic "\xff Go buildinf:". We capture those
 * segments as they stream by (bounded), and:
 *   - Go >= 1.18 (flags & 2): version and modinfo follow inline as
 *     varint-length-prefixed strings;
 *   - older: two pointers to Go string headers (in the data segment) whose
 *     bytes live in the read-only segment, which streams by BEFORE the data
 *     segment. We capture the read-only non-exec segments only when a Go
 *     build-id note (ELF note "Go", type 4, among the first bytes) marked the
 *     file as a Go binary, so other ELF files cost one pass and no memory.
 * Everything captured is bounded by BW_MAX_ANALYZER_CONTENT per file.
 *
 * ELF files are also checked for consistency on the way (truncated headers,
 * segments or a section header table past the end of the file): such a file
 * gets one warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "bulwark/image.h"
#include "image/analyzer.h"
#include "inventory/golang.h"
#include "inventory/package.h"
#include "util/limits.h"
#include "util/overflow.h"

#define HDR_MAX      (64 * 1024)   /* ELF header + program headers must fit here */
#define MAX_SEGS     64            /* program headers we track */
#define NOTE_MAX     (64 * 1024)   /* bytes of a PT_NOTE segment we read */
#define SCAN_W_MAX   (4 * BW_MiB)  /* bytes of a writable segment kept (inline build info is at its start) */
#define CAPTURE_MAX  BW_MAX_ANALYZER_CONTENT

#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X 1
#define PF_W 2

static const uint8_t go_magic[14] = "\xff Go buildinf:";

enum seg_kind { SEG_W, SEG_RO, SEG_NOTE };

typedef struct go_seg {
	uint64_t off, vaddr, filesz;
	int kind;
	bool enabled;    /* capturing */
	bool missed;     /* enabled after its bytes went by, or cut by the budget */
	bool examined;   /* notes: looked at */
	uint8_t *buf;
	size_t want, got; /* bytes to capture from off, bytes captured */
} go_seg;

struct bw_go_reader {
	uint64_t pos;            /* bytes fed so far */
	uint8_t hdr[HDR_MAX];
	size_t hdr_len;
	bool not_elf;            /* no ELF magic: nothing to do */
	bool parsed;             /* header and program headers known */
	bool skip;               /* an ELF we do not read (too many headers, odd layout) */
	bool is64, be;
	uint64_t ehsize, ph_end, shoff, sh_end;
	go_seg segs[MAX_SEGS];
	size_t n_segs;
	size_t captured;         /* bytes allocated for captures */
	bool go_note;
};

void bw_go_info_free(bw_go_info *info)
{
	if (!info)
		return;
	free(info->go_version);
	for (size_t i = 0; i < info->n_mods; i++) {
		free(info->mods[i].path);
		free(info->mods[i].version);
	}
	free(info->mods);
	memset(info, 0, sizeof(*info));
}

/* ------------------------------------------------------------ modinfo */

static char *dupn(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

/* The n-th tab-separated field of line [s, e) (0-based); false if absent. */
static bool field(const char *s, const char *e, int n, const char **fs, size_t *fl)
{
	for (int i = 0;; i++) {
		const char *t = memchr(s, '\t', (size_t)(e - s));
		const char *fe = t ? t : e;
		if (i == n) {
			*fs = s;
			*fl = (size_t)(fe - s);
			return true;
		}
		if (!t)
			return false;
		s = t + 1;
	}
}

int bw_go_modinfo_parse(const char *what, const char *text, size_t len, bw_go_info *info)
{
	const char *p = text, *end = text + len;
	if (len > BW_GO_MAX_MODINFO)
		return bw_error_set(BW_EINPUT, "%s: Go modinfo larger than %d bytes", what, BW_GO_MAX_MODINFO);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *kw, *path, *ver;
		size_t kl, pl, vl;
		if (memchr(p, '\0', (size_t)(le - p)))
			return bw_error_set(BW_EINPUT, "%s: NUL byte in Go modinfo", what);
		if (field(p, le, 0, &kw, &kl) && field(p, le, 1, &path, &pl) && pl > 0) {
			bool is_mod = kl == 3 && !memcmp(kw, "mod", 3), is_dep = kl == 3 && !memcmp(kw, "dep", 3);
			bool is_repl = kl == 2 && !memcmp(kw, "=>", 2);
			if (!field(p, le, 2, &ver, &vl)) {
				ver = "";
				vl = 0;
			}
			if (is_repl) {
				/* replaces the module of the line before; a local directory has no version */
				if (!info->n_mods)
					return bw_error_set(BW_EINPUT, "%s: Go modinfo: \"=>\" with no module before it", what);
				bw_go_mod *m = &info->mods[info->n_mods - 1];
				char *np = dupn(path, pl), *nv = vl ? dupn(ver, vl) : strdup(m->version ? m->version : "");
				if (!np || !nv) {
					free(np);
					free(nv);
					return bw_error_set(BW_EINTERNAL, "out of memory");
				}
				free(m->path);
				free(m->version);
				m->path = np;
				m->version = nv;
			} else if (is_mod || is_dep) {
				if (info->n_mods >= BW_GO_MAX_MODULES)
					return bw_error_set(BW_EINPUT, "%s: Go modinfo: more than %d modules", what,
							    BW_GO_MAX_MODULES);
				bw_go_mod *v = realloc(info->mods, (info->n_mods + 1) * sizeof(*v));
				if (!v)
					return bw_error_set(BW_EINTERNAL, "out of memory");
				info->mods = v;
				bw_go_mod *m = &v[info->n_mods];
				m->main = is_mod;
				m->path = dupn(path, pl);
				m->version = dupn(ver, vl);
				info->n_mods++;
				if (!m->path || !m->version)
					return bw_error_set(BW_EINTERNAL, "out of memory");
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* ------------------------------------------------------------ ELF, streamed */

/* An n-byte unsigned integer in the file's byte order. */
static uint64_t rd(const bw_go_reader *r, const uint8_t *b, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * (r->be ? n - 1 - i : i));
	return v;
}

bw_go_reader *bw_go_reader_new(void)
{
	return calloc(1, sizeof(bw_go_reader));
}

void bw_go_reader_free(bw_go_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_segs; i++)
		free(r->segs[i].buf);
	free(r);
}

/* Starts capturing seg (at most `cap` bytes) if its bytes are still ahead and the budget allows. */
static void seg_enable(bw_go_reader *r, go_seg *s, size_t cap)
{
	if (s->enabled || s->missed)
		return;
	if (s->off < r->pos && s->filesz) {
		s->missed = true; /* already went by */
		return;
	}
	size_t want = s->filesz < cap ? (size_t)s->filesz : cap;
	if (want > CAPTURE_MAX - r->captured) {
		want = CAPTURE_MAX - r->captured;
		s->missed = true; /* partial: the budget ran out */
	}
	r->captured += want;
	s->want = want;
	s->enabled = true;
}

/* Parses the ELF header and program headers once hdr holds them. */
static int parse_headers(bw_go_reader *r)
{
	const uint8_t *h = r->hdr;
	if (r->hdr_len < 16)
		return 0;
	if (memcmp(h, "\x7f" "ELF", 4) || (h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2)) {
		r->not_elf = true;
		return 0;
	}
	r->is64 = h[4] == 2;
	r->be = h[5] == 2;
	r->ehsize = r->is64 ? 64 : 52;
	if (r->hdr_len < r->ehsize)
		return 0;
	uint64_t phoff = r->is64 ? rd(r, h + 32, 8) : rd(r, h + 28, 4);
	uint64_t phentsize = rd(r, h + (r->is64 ? 54 : 42), 2), phnum = rd(r, h + (r->is64 ? 56 : 44), 2);
	uint64_t shentsize = rd(r, h + (r->is64 ? 58 : 46), 2), shnum = rd(r, h + (r->is64 ? 60 : 48), 2);
	r->shoff = r->is64 ? rd(r, h + 40, 8) : rd(r, h + 32, 4);
	/* e_shnum 0 with a table: the real count is in entry 0; check that entry at least */
	if (r->shoff && (shnum || shentsize)) {
		uint64_t cnt = shnum ? shnum : 1;
		if (bw_add_overflow_u64(r->shoff, cnt * shentsize, &r->sh_end))
			r->sh_end = UINT64_MAX;
	}
	if (!phnum) { /* relocatable objects and the like: no segments, nothing to read */
		r->ph_end = r->ehsize;
		r->parsed = true;
		r->skip = true;
		return 0;
	}
	size_t need = r->is64 ? 56 : 32;
	if (phentsize < need || phoff > HDR_MAX || phnum * phentsize > HDR_MAX - phoff) {
		/* program headers far from the start: not a layout any linker writes */
		r->parsed = true;
		r->skip = true;
		r->ph_end = 0;
		return 0;
	}
	r->ph_end = phoff + phnum * phentsize;
	if (r->hdr_len < r->ph_end)
		return 0;
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *p = h + phoff + i * phentsize;
		uint32_t type = (uint32_t)rd(r, p, 4), flags;
		uint64_t off, vaddr, filesz;
		if (r->is64) {
			flags = (uint32_t)rd(r, p + 4, 4);
			off = rd(r, p + 8, 8);
			vaddr = rd(r, p + 16, 8);
			filesz = rd(r, p + 32, 8);
		} else {
			off = rd(r, p + 4, 4);
			vaddr = rd(r, p + 8, 4);
			filesz = rd(r, p + 16, 4);
			flags = (uint32_t)rd(r, p + 24, 4);
		}
		int kind;
		if (type == PT_NOTE)
			kind = SEG_NOTE;
		else if (type == PT_LOAD && !(flags & PF_X))
			kind = flags & PF_W ? SEG_W : SEG_RO;
		else
			continue;
		if (r->n_segs == MAX_SEGS)
			break;
		go_seg *s = &r->segs[r->n_segs++];
		memset(s, 0, sizeof(*s));
		s->off = off;
		s->vaddr = vaddr;
		s->filesz = filesz;
		s->kind = kind;
	}
	r->parsed = true;
	for (size_t i = 0; i < r->n_segs; i++) {
		go_seg *s = &r->segs[i];
		if (s->kind == SEG_NOTE)
			seg_enable(r, s, NOTE_MAX);
		else if (s->kind == SEG_W)
			seg_enable(r, s, SCAN_W_MAX);
	}
	return 0;
}

/* A note segment fully captured: does it hold Go's build-id note ("Go", type 4)? */
static void examine_note(bw_go_reader *r, go_seg *s)
{
	const uint8_t *b = s->buf;
	size_t n = s->got, o = 0;
	s->examined = true;
	while (b && n - o >= 12) {
		uint64_t namesz = rd(r, b + o, 4), descsz = rd(r, b + o + 4, 4), type = rd(r, b + o + 8, 4);
		uint64_t nameal = (namesz + 3) & ~(uint64_t)3, descal = (descsz + 3) & ~(uint64_t)3;
		if (nameal > n - o - 12 || descal > n - o - 12 - nameal)
			return;
		if (namesz == 4 && !memcmp(b + o + 12, "Go\0\0", 4) && type == 4)
			r->go_note = true;
		o += 12 + nameal + descal;
	}
}

/* Copies what of [pos, pos+len) falls into each capturing segment. */
static int capture(bw_go_reader *r, uint64_t pos, const uint8_t *data, size_t len)
{
	bool again = false;
restart:
	for (size_t i = 0; i < r->n_segs; i++) {
		go_seg *s = &r->segs[i];
		if (!s->enabled || s->got >= s->want)
			continue;
		uint64_t at = s->off + s->got; /* next byte wanted */
		if (at < pos || at >= pos + len)
			continue;
		size_t take = (size_t)(pos + len - at);
		if (take > s->want - s->got)
			take = s->want - s->got;
		if (!s->buf && !(s->buf = malloc(s->want)))
			return bw_error_set(BW_EINTERNAL, "out of memory");
		memcpy(s->buf + s->got, data + (at - pos), take);
		s->got += take;
		if (s->kind == SEG_NOTE && s->got == s->want && !s->examined) {
			examine_note(r, s);
			if (r->go_note) { /* a Go binary: keep read-only data for pre-1.18 pointers */
				for (size_t k = 0; k < r->n_segs; k++)
					if (r->segs[k].kind == SEG_RO)
						seg_enable(r, &r->segs[k], CAPTURE_MAX);
				again = true;
			}
		}
	}
	/* segments enabled by a note in this piece may start in this same piece */
	if (again) {
		again = false;
		goto restart;
	}
	return 0;
}

int bw_go_reader_feed(bw_go_reader *r, const uint8_t *data, size_t len)
{
	int rc = 0;
	if (r->not_elf || (r->parsed && r->skip)) {
		r->pos += len;
		return 0;
	}
	if (!r->parsed) {
		size_t take = HDR_MAX - r->hdr_len < len ? HDR_MAX - r->hdr_len : len;
		memcpy(r->hdr + r->hdr_len, data, take);
		r->hdr_len += take;
		if ((rc = parse_headers(r)) < 0)
			return rc;
		if (r->not_elf || r->skip) {
			r->pos += len;
			return 0;
		}
		if (!r->parsed) {
			if (take < len) /* header buffer full and still no program headers */
				r->skip = r->parsed = true;
			r->pos += len;
			return 0;
		}
		/* the bytes before this piece and the part of it in hdr, then the rest */
		uint64_t start = r->pos;
		r->pos = 0;
		rc = capture(r, 0, r->hdr, r->hdr_len);
		r->pos = r->hdr_len;
		if (rc == 0 && take < len)
			rc = capture(r, r->hdr_len, data + take, len - take);
		r->pos = start + len;
		return rc;
	}
	rc = capture(r, r->pos, data, len);
	r->pos += len;
	return rc;
}

/* Bytes [vaddr, vaddr+n) from a captured segment; NULL when not captured. */
static const uint8_t *at_vaddr(const bw_go_reader *r, uint64_t vaddr, uint64_t n)
{
	for (size_t i = 0; i < r->n_segs; i++) {
		const go_seg *s = &r->segs[i];
		if (s->kind == SEG_NOTE || !s->buf || vaddr < s->vaddr)
			continue;
		uint64_t o = vaddr - s->vaddr;
		if (o <= s->got && n <= s->got - o)
			return s->buf + o;
	}
	return NULL;
}

/* Unsigned LEB128 (Go's binary.Uvarint); false when malformed or past end. */
static bool uvarint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (int i = 0; i < 10 && *p < end; i++) {
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Reads a Go string header {ptr, len} at vaddr and its bytes (pre-1.18 format). */
static const uint8_t *go_string(const bw_go_reader *r, uint64_t hdr_addr, int psz, bool be, size_t *len)
{
	bw_go_reader tmp = { .be = be };
	const uint8_t *h = at_vaddr(r, hdr_addr, (uint64_t)2 * psz);
	if (!h)
		return NULL;
	uint64_t addr = rd(&tmp, h, psz), n = rd(&tmp, h + psz, psz);
	if (n > BW_GO_MAX_MODINFO)
		return NULL;
	*len = (size_t)n;
	return n ? at_vaddr(r, addr, n) : (const uint8_t *)"";
}

/* The build info header in a captured segment: 16-aligned in the address space, as the linker puts it. */
static const uint8_t *find_buildinfo(const bw_go_reader *r, int kind, size_t *avail)
{
	for (size_t i = 0; i < r->n_segs; i++) {
		const go_seg *s = &r->segs[i];
		if (s->kind != kind || !s->buf)
			continue;
		size_t o = (size_t)((16 - (s->vaddr & 15)) & 15);
		for (; o + 32 <= s->got; o += 16) {
			const uint8_t *b = s->buf + o;
			if (!memcmp(b, go_magic, sizeof(go_magic)) && (b[14] == 4 || b[14] == 8)) {
				*avail = s->got - o;
				return b;
			}
		}
	}
	return NULL;
}

static int check_bounds(const bw_go_reader *r, const char *what)
{
	if (r->not_elf)
		return 0;
	if (!r->parsed || (r->ph_end && r->pos < r->ph_end) || r->pos < r->ehsize)
		return bw_error_set(BW_EINPUT, "%s: truncated ELF file: %llu bytes, its headers need %llu", what,
				    (unsigned long long)r->pos,
				    (unsigned long long)(r->ph_end > r->ehsize ? r->ph_end : r->ehsize));
	if (r->sh_end && r->sh_end > r->pos)
		return bw_error_set(BW_EINPUT,
				    "%s: ELF section header table at offset %llu ends past the end of the file (%llu bytes)",
				    what, (unsigned long long)r->shoff, (unsigned long long)r->pos);
	for (size_t i = 0; i < r->n_segs; i++) {
		const go_seg *s = &r->segs[i];
		uint64_t e;
		if (bw_add_overflow_u64(s->off, s->filesz, &e) || e > r->pos)
			return bw_error_set(BW_EINPUT, "%s: ELF segment at offset %llu (%llu bytes) ends past the end of the file (%llu bytes)",
					    what, (unsigned long long)s->off, (unsigned long long)s->filesz,
					    (unsigned long long)r->pos);
	}
	return 0;
}

int bw_go_reader_finish(bw_go_reader *r, const char *what, bw_go_info *info)
{
	const uint8_t *b, *vers = NULL, *mod = NULL;
	size_t avail = 0, vl = 0, ml = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	if (!r->parsed && (r->hdr_len < 4 || memcmp(r->hdr, "\x7f" "ELF", 4)))
		return 0; /* too short to be an ELF file at all */
	if ((rc = check_bounds(r, what)) < 0 || r->not_elf || r->skip)
		return rc;
	if (!(b = find_buildinfo(r, SEG_W, &avail)) && !(b = find_buildinfo(r, SEG_RO, &avail)))
		return 0; /* not a Go binary, or one older than Go 1.13 */
	int psz = b[14];
	if (b[15] & 2) {
		/* Go >= 1.18: two varint-prefixed strings after the 32-byte header */
		const uint8_t *p = b + 32, *end = b + avail;
		uint64_t n;
		if (!uvarint(&p, end, &n) || n > (uint64_t)(end - p))
			return bw_error_set(BW_EINPUT, "%s: Go build info: bad version string", what);
		vers = p;
		vl = (size_t)n;
		p += n;
		if (!uvarint(&p, end, &n) || n > (uint64_t)(end - p) || n > BW_GO_MAX_MODINFO)
			return bw_error_set(BW_EINPUT, "%s: Go build info: bad modinfo string", what);
		mod = p;
		ml = (size_t)n;
	} else {
		bool be = b[15] & 1;
		bw_go_reader tmp = { .be = be };
		uint64_t va = rd(&tmp, b + 16, psz), ma = rd(&tmp, b + 16 + psz, psz);
		vers = go_string(r, va, psz, be, &vl);
		mod = vers ? go_string(r, ma, psz, be, &ml) : NULL;
		if (!vers || !mod) {
			bool missed = false;
			for (size_t i = 0; i < r->n_segs; i++)
				missed |= r->segs[i].missed;
			return bw_error_set(BW_EINPUT, "%s: Go build info (pre-1.18 format) points %s", what,
					    missed ? "to data not kept while reading (no Go note before the data, or over the size bound)"
						   : "outside the file's segments");
		}
	}
	if (!vl || memchr(vers, '\0', vl))
		return bw_error_set(BW_EINPUT, "%s: Go build info: empty or binary version string", what);
	/* "go1.21.0 X:loopvar": the experiments are not part of the version */
	size_t cut = vl;
	if (vl < 5 || memcmp(vers, "devel", 5)) {
		const uint8_t *sp = memchr(vers, ' ', vl);
		if (sp)
			cut = (size_t)(sp - vers);
	}
	/* modinfo is framed by 16 random bytes on each side (runtime/debug) */
	if (ml >= 33 && mod[ml - 17] == '\n') {
		mod += 16;
		ml -= 32;
	}
	if (!(info->go_version = dupn((const char *)vers, cut)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if ((rc = bw_go_modinfo_parse(what, (const char *)mod, ml, info)) < 0)
		bw_go_info_free(info);
	return rc;
}

/* ------------------------------------------------------------ the analyzer */

typedef struct go_layer {
	void *store;         /* bw_pkgstore */
	bw_go_reader *cur;   /* the file being streamed */
} go_layer;

static void *go_layer_new(void)
{
	go_layer *l = calloc(1, sizeof(*l));
	if (l && !(l->store = bw_pkgstore_new())) {
		free(l);
		l = NULL;
	}
	return l;
}

static void go_layer_free(void *state)
{
	go_layer *l = state;
	if (!l)
		return;
	bw_go_reader_free(l->cur);
	bw_pkgstore_free(l->store);
	free(l);
}

static bool go_wants(const bw_entry *e, const uint8_t *head, size_t head_len)
{
	return e->type == BW_FT_FILE && head_len >= 4 && !memcmp(head, "\x7f" "ELF", 4);
}

static int go_chunk(void *state, const bw_entry *e, const uint8_t *data, size_t len)
{
	go_layer *l = state;
	(void)e;
	if (!l->cur && !(l->cur = bw_go_reader_new()))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	int rc = bw_go_reader_feed(l->cur, data, len);
	if (rc == BW_EINTERNAL)
		return rc;
	return 0;
}

static int go_entry(void *state, const bw_entry *e, const uint8_t *content, size_t len, bool truncated)
{
	go_layer *l = state;
	bw_go_reader *r = l->cur;
	bw_go_info info = { 0 };
	bw_pkg_new *pk = NULL;
	char **deps = NULL;
	size_t n_deps = 0;
	char **ns = NULL; /* purl namespaces, one per module */
	int rc;

	(void)content;
	(void)len;
	(void)truncated;
	l->cur = NULL;
	if (!r) { /* an empty file */
		if (e->size == 0)
			return bw_pkgstore_put(l->store, e->path, NULL, 0);
		r = bw_go_reader_new();
		if (!r)
			return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	rc = bw_go_reader_finish(r, "ELF", &info);
	bw_go_reader_free(r);
	if (rc < 0) {
		bw_error saved = *bw_error_last();
		if (bw_pkgstore_put(l->store, e->path, NULL, 0) < 0)
			return BW_EINTERNAL;
		bw_error_restore(&saved);
		return rc;
	}
	size_t n = info.go_version ? info.n_mods + 1 : 0;
	if (n && !(pk = calloc(n, sizeof(*pk)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	/*
	 * The name is the whole module path, as `go version -m` and advisories
	 * write it; the purl namespace is the path minus its last segment, and
	 * purl_of() then gives the purl only that last segment as its name:
	 * pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0%2Bincompatible.
	 */
	if (n && !(ns = calloc(info.n_mods + 1, sizeof(*ns)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < info.n_mods; i++) {
		const char *path = info.mods[i].path, *slash = strrchr(path, '/');
		pk[i] = (bw_pkg_new){ .type = "golang", .name = path, .version = info.mods[i].version };
		if (slash && slash > path && !(ns[i] = strndup(path, (size_t)(slash - path)))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		pk[i].purl_namespace = ns[i];
	}
	if (n)
		pk[n - 1] = (bw_pkg_new){ .type = "golang", .name = "stdlib", .version = info.go_version };
	/* The build info says what the main module was built with: it depends on
	 * every other module and the standard library (SBOM dependencies). */
	if (n && !(deps = calloc(n, sizeof(*deps)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (i < info.n_mods && info.mods[i].main)
			continue;
		size_t dlen = strlen(pk[i].name) + strlen(pk[i].version ? pk[i].version : "") + 2;
		if (!(deps[n_deps] = malloc(dlen))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		snprintf(deps[n_deps++], dlen, "%s@%s", pk[i].name, pk[i].version ? pk[i].version : "");
	}
	for (size_t i = 0; i < info.n_mods; i++)
		if (info.mods[i].main) {
			pk[i].depends = (const char *const *)deps;
			pk[i].n_depends = n_deps;
		}
	rc = bw_pkgstore_put(l->store, e->path, pk, n);
done:
	for (size_t i = 0; i < n_deps; i++)
		free(deps[i]);
	free(deps);
	for (size_t i = 0; ns && i < info.n_mods; i++)
		free(ns[i]);
	free(ns);
	free(pk);
	bw_go_info_free(&info);
	return rc;
}

static int go_finish(bw_image *img, void *const *states, size_t n_layers)
{
	void **stores = calloc(n_layers + 1, sizeof(*stores));
	if (!stores)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < n_layers; i++)
		stores[i] = states[i] ? ((go_layer *)states[i])->store : NULL;
	int rc = bw_pkgstore_finish(img, stores, n_layers);
	free(stores);
	return rc;
}

/* The layer cache: after the layer, only the package store matters (cur is NULL). */
static int go_save(void *state, bw_buf *out)
{
	return bw_pkgstore_save(((go_layer *)state)->store, out);
}

static int go_load(void *state, bw_cursor *in)
{
	return bw_pkgstore_load(((go_layer *)state)->store, in);
}

const bw_analyzer bw_analyzer_golang = {
	.name = "golang",
	.version = 1,
	.kind = BW_ANALYZE_PACKAGES,
	.wants = go_wants,
	.content_max = 0,
	.layer_new = go_layer_new,
	.chunk = go_chunk,
	.entry = go_entry,
	.layer_free = go_layer_free,
	.finish = go_finish,
	.save = go_save,
	.load = go_load,
};
