/*
 * secrets/numbers.c: where the three literal-less rules (credit-card, us-ssn,
 * iban) match, found without Hyperscan.
 *
 * Those three expressions have no literal for Hyperscan to anchor on and cost
 * more than the other 99 rules together. Every match of them starts a run of
 * at least two digits (a card's or SSN's first digits, an IBAN's check
 * digits), and such runs are rare in text, so a SIMD loop looks for run
 * starts (a digit, a digit, and no digit before) and only there a scalar
 * matcher enumerates the end offsets Hyperscan would report: the exact
 * language of the three regexes in rules.c, each end once per rule. The
 * engine hands each end to the same code as a Hyperscan match (PCRE2 re-read,
 * validator, allow rules), in end-offset order interleaved with Hyperscan's
 * matches, so findings are those of the regex path (tests/integration/
 * secrets.sh compares both on every chunk-boundary offset).
 *
 * Streaming: an end is reported in the piece that holds the last byte it
 * depends on, as Hyperscan does. A start whose matcher ran out of bytes is
 * kept (at most NUM_PENDING, all within NUM_REACH bytes of the data's end)
 * and matched again with the next piece; ends already reported are not
 * reported twice because each end has one byte it "needs" last.
 *
 * Keep in step with rules.c: the matcher is written for those three regexes;
 * engine.c only uses it when the rule's regex is the built-in one.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NUM_X86 1
#endif

#include "bulwark/errors.h"
#include "secrets/secrets_int.h"

/* ------------------------------------------------------------ byte classes */

static inline bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

/* [0-9A-Za-z_]: what the IBAN rule must not touch on either side */
static inline bool is_word(int c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z') || c == '_';
}

/* [0-9A-Za-z_.:/+-]: what may not precede a card or an SSN */
static inline bool card_near(int c)
{
	return is_word(c) || c == '.' || c == ':' || c == '/' || c == '+' || c == '-';
}

/* ------------------------------------------------------------ the matcher */

/* Bytes past a run start the matcher may read (an IBAN of 4 + 7 groups + tail, its end) */
#define NUM_REACH 64
#define AT_EOF    (-1)   /* past the end of the file */
#define AT_LATER  (-2)   /* not yet fed */
#define NEED_EOF  UINT64_MAX

typedef struct num_ctx {
	secret_numscan *ns;
	const uint8_t *win;
	uint64_t win_off, data_end;
	bool eof;
	bool incomplete;         /* the start read a byte not yet fed: match it again later */
	int rc;
} num_ctx;

static inline int at(num_ctx *c, uint64_t i)
{
	if (i < c->data_end)
		return c->win[i - c->win_off];
	if (c->eof)
		return AT_EOF;
	c->incomplete = true;
	return AT_LATER;
}

/* An end offset, reported when the last byte it depends on (need - 1) arrived in this
 * piece: earlier pieces reported it already (or could not know it yet). */
static void emit(num_ctx *c, int rule, uint64_t end, uint64_t need)
{
	secret_numscan *ns = c->ns;
	if (need == NEED_EOF ? !c->eof : need <= ns->done_to)
		return;
	if (ns->n_ev == ns->cap_ev) {
		size_t cap = ns->cap_ev ? ns->cap_ev * 2 : 256;
		secret_num_event *ev = realloc(ns->ev, cap * sizeof(*ev));
		if (!ev) {
			c->rc = bw_error_set(BW_EINTERNAL, "out of memory (secret scanner)");
			return;
		}
		ns->ev = ev;
		ns->cap_ev = cap;
	}
	ns->ev[ns->n_ev].end = end;
	ns->ev[ns->n_ev].rule = (uint32_t)rule;
	ns->n_ev++;
}

/* "$" before the newline at b (multi-line mode). Hyperscan reports it once more at the
 * end of the stream when that newline is the file's last byte ("$" of single-line mode
 * matches before a final newline too): so do we, the engine drops the duplicate hit. */
static void dollar_newline(num_ctx *c, int rule, uint64_t b)
{
	emit(c, rule, b, b + 1);
	if (at(c, b + 1) == AT_EOF)
		emit(c, rule, b, NEED_EOF);
}

/* Digits from i, at most max; *term is the byte after them (or AT_EOF / AT_LATER). */
static size_t digits_from(num_ctx *c, uint64_t i, size_t max, int *term)
{
	size_t n = 0;
	int x;
	while ((x = at(c, i + n)) >= 0 && is_digit(x) && n < max)
		n++;
	*term = x;
	return n;
}

/* [A-Z0-9] from i, at most max. */
static size_t alnum_upper_from(num_ctx *c, uint64_t i, size_t max)
{
	size_t n = 0;
	int x;
	while (n < max && (x = at(c, i + n)) >= 0 && (is_digit(x) || is_upper(x)))
		n++;
	return n;
}

/* Card body ended at b: (?:[^0-9A-Za-z_.:/+ -]|[ -][^0-9]|$) */
static void card_ends(num_ctx *c, uint64_t b)
{
	int x = at(c, b);
	if (x == AT_LATER)
		return;
	if (x == AT_EOF) {
		emit(c, c->ns->card, b, NEED_EOF);
		return;
	}
	if (x == '\n')
		dollar_newline(c, c->ns->card, b);
	if (x == ' ' || x == '-') {
		int y = at(c, b + 1);
		if (y >= 0 && !is_digit(y))
			emit(c, c->ns->card, b + 2, b + 2);
	} else if (!card_near(x)) {
		emit(c, c->ns->card, b + 1, b + 1);
	}
}

/* (?:^|[^0-9A-Za-z_.:/+-])([2-6][0-9]{12,18}|[2-6][0-9]{3}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,7}) */
static void card_at(num_ctx *c, uint64_t r)
{
	int first = c->win[r - c->win_off], term;
	if (first < '2' || first > '6')
		return;
	size_t n = digits_from(c, r, 20, &term);
	if (n >= 13 && n <= 19 && term != AT_LATER) {
		card_ends(c, r + n);
		return;
	}
	if (n != 4 || (term != ' ' && term != '-'))
		return;
	/* grouped: three more groups after single spaces or dashes, the last 1 to 7 digits */
	if (digits_from(c, r + 5, 5, &term) != 4 || (term != ' ' && term != '-') ||
	    digits_from(c, r + 10, 5, &term) != 4 || (term != ' ' && term != '-'))
		return;
	n = digits_from(c, r + 15, 8, &term);
	if (n >= 1 && n <= 7 && term != AT_LATER)
		card_ends(c, r + 15 + n);
}

/* ([0-9]{3}-[0-9]{2}-[0-9]{4})(?:[^0-9A-Za-z_.:/+-]|$) */
static void ssn_at(num_ctx *c, uint64_t r)
{
	int term;
	if (digits_from(c, r, 4, &term) != 3 || term != '-' || digits_from(c, r + 4, 3, &term) != 2 || term != '-' ||
	    digits_from(c, r + 7, 5, &term) != 4 || term == AT_LATER)
		return;
	uint64_t b = r + 11;
	if (term == AT_EOF) {
		emit(c, c->ns->ssn, b, NEED_EOF);
		return;
	}
	if (term == '\n')
		dollar_newline(c, c->ns->ssn, b);
	if (!card_near(term))
		emit(c, c->ns->ssn, b + 1, b + 1);
}

/* IBAN body ended at b: (?:[^0-9A-Za-z_]|$) */
static void iban_ends(num_ctx *c, uint64_t b)
{
	int x = at(c, b);
	if (x == AT_LATER)
		return;
	if (x == AT_EOF) {
		emit(c, c->ns->iban, b, NEED_EOF);
		return;
	}
	if (x == '\n')
		dollar_newline(c, c->ns->iban, b);
	if (!is_word(x))
		emit(c, c->ns->iban, b + 1, b + 1);
}

/* (?:^|[^0-9A-Za-z_])([A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)) from s;
 * s, s+1 are letters and s+2, s+3 digits (checked by the caller) */
static void iban_at(num_ctx *c, uint64_t s)
{
	int x = at(c, s + 4);
	if (x < 0)
		return;
	if (is_digit(x) || is_upper(x)) {
		/* one word: its end is the only place the suffix can match */
		size_t m = alnum_upper_from(c, s + 4, 31);
		if (m >= 11 && m <= 30)
			iban_ends(c, s + 4 + m);
		return;
	}
	if (x != ' ')
		return;
	uint64_t p = s + 4;
	for (int g = 1; g <= 7; g++) {
		if (at(c, p) != ' ' || alnum_upper_from(c, p + 1, 4) != 4)
			return;
		uint64_t e = p + 5;
		if (g >= 2) {
			iban_ends(c, e);
			if (at(c, e) == ' ') {
				size_t t = alnum_upper_from(c, e + 1, 4);
				if (t >= 1 && t <= 3)
					iban_ends(c, e + 1 + t);
			}
		}
		p = e;
	}
}

/* A run of two or more digits starts at r (stream offset; r + 1 has been fed). */
static void examine(num_ctx *c, uint64_t r)
{
	secret_numscan *ns = c->ns;
	c->incomplete = false;
	if (ns->card >= 0 || ns->ssn >= 0) {
		int before = r > 0 ? c->win[r - 1 - c->win_off] : AT_EOF;
		if (before == AT_EOF || !card_near(before)) {
			if (ns->card >= 0)
				card_at(c, r);
			if (ns->ssn >= 0)
				ssn_at(c, r);
		}
	}
	if (ns->iban >= 0 && r >= 2 && is_upper(c->win[r - 2 - c->win_off]) && is_upper(c->win[r - 1 - c->win_off]) &&
	    (r == 2 || !is_word(c->win[r - 3 - c->win_off])))
		iban_at(c, r - 2);
	if (c->incomplete && ns->n_pending < NUM_PENDING)
		ns->pending[ns->n_pending++] = r;
}

/* ------------------------------------------------------------ finding run starts */
/*
 * The byte classes of 64 bytes as bit masks (bit i: p[i]): digits, upper-case
 * letters, separators (space or dash) and dashes. A candidate run start q needs
 * (with the next block's masks for the bytes after q, the previous block's for
 * the two before):
 *   SSN   ddd-            a card  dddd[ -] or 13 digits     an IBAN  LLdd
 *   and no digit before q.
 * Ordinary text has many numbers but few of these shapes; examine() decides.
 */
typedef struct num_masks {
	uint64_t d, u, sep, dash;
} num_masks;

/* Portable: eight bytes at a time in a 64-bit word (SWAR). Each byte's low seven bits
 * with the top bit set, minus c, keeps the top bit when the byte is >= c, and no borrow
 * crosses bytes; bytes >= 0x80 are in no class. */
#define SWAR_ONES 0x0101010101010101ULL
#define SWAR_HIGH 0x8080808080808080ULL

static inline uint64_t swar_ge(uint64_t lo, unsigned c)
{
	return ((lo | SWAR_HIGH) - c * SWAR_ONES) & SWAR_HIGH;
}

/* the top bits of the 8 bytes as 8 bits (byte k: bit k) */
static inline uint64_t swar_gather(uint64_t h)
{
	return ((h >> 7) * 0x0102040810204080ULL) >> 56;
}

static inline void masks_scalar(const uint8_t *p, num_masks *m)
{
	m->d = m->u = m->sep = m->dash = 0;
	for (int k = 0; k < 8; k++) {
		uint64_t w = 0;
		for (int b = 0; b < 8; b++) /* little-endian whatever the host */
			w |= (uint64_t)p[8 * k + b] << (8 * b);
		uint64_t ascii = ~w & SWAR_HIGH, lo = w & ~SWAR_HIGH;
		uint64_t digit = swar_ge(lo, '0') & ~swar_ge(lo, '9' + 1) & ascii;
		uint64_t upper = swar_ge(lo, 'A') & ~swar_ge(lo, 'Z' + 1) & ascii;
		uint64_t dash = swar_ge(lo, '-') & ~swar_ge(lo, '-' + 1) & ascii;
		uint64_t space = swar_ge(lo, ' ') & ~swar_ge(lo, ' ' + 1) & ascii;
		m->d |= swar_gather(digit) << (8 * k);
		m->u |= swar_gather(upper) << (8 * k);
		m->sep |= swar_gather(dash | space) << (8 * k);
		m->dash |= swar_gather(dash) << (8 * k);
	}
}

#ifdef NUM_X86
static inline void masks_sse2(const uint8_t *p, num_masks *m)
{
	const __m128i dbias = _mm_set1_epi8((char)(0x80 - '0')), dlim = _mm_set1_epi8((char)(-128 + 10));
	const __m128i ubias = _mm_set1_epi8((char)(0x80 - 'A')), ulim = _mm_set1_epi8((char)(-128 + 26));
	const __m128i sp = _mm_set1_epi8(' '), da = _mm_set1_epi8('-');
	m->d = m->u = m->sep = m->dash = 0;
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		__m128i dash = _mm_cmpeq_epi8(v, da);
		m->d |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(v, dbias), dlim)) << (16 * k);
		m->u |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmplt_epi8(_mm_add_epi8(v, ubias), ulim)) << (16 * k);
		m->sep |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(dash, _mm_cmpeq_epi8(v, sp))) << (16 * k);
		m->dash |= (uint64_t)(uint16_t)_mm_movemask_epi8(dash) << (16 * k);
	}
}

__attribute__((target("avx2"))) static inline void masks_avx2(const uint8_t *p, num_masks *m)
{
	const __m256i dbias = _mm256_set1_epi8((char)(0x80 - '0')), dlim = _mm256_set1_epi8((char)(-128 + 10));
	const __m256i ubias = _mm256_set1_epi8((char)(0x80 - 'A')), ulim = _mm256_set1_epi8((char)(-128 + 26));
	const __m256i sp = _mm256_set1_epi8(' '), da = _mm256_set1_epi8('-');
	m->d = m->u = m->sep = m->dash = 0;
	for (int k = 0; k < 2; k++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * k));
		__m256i dash = _mm256_cmpeq_epi8(v, da);
		m->d |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(dlim, _mm256_add_epi8(v, dbias))) << (32 * k);
		m->u |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(ulim, _mm256_add_epi8(v, ubias))) << (32 * k);
		m->sep |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256(dash, _mm256_cmpeq_epi8(v, sp))) << (32 * k);
		m->dash |= (uint64_t)(uint32_t)_mm256_movemask_epi8(dash) << (32 * k);
	}
}
#endif

typedef unsigned __int128 u128;

/* The candidate run starts of block cur (prev: the block before, next: after). */
static inline uint64_t candidates(const num_masks *prev, const num_masks *cur, const num_masks *next)
{
	u128 d = cur->d | (u128)next->d << 64, sep = cur->sep | (u128)next->sep << 64,
	     dash = cur->dash | (u128)next->dash << 64;
	/* runs of two digits or more (single digits are the most common numbers in text) */
	uint64_t starts = cur->d & ~(cur->d << 1 | prev->d >> 63) & (cur->d >> 1 | next->d << 63);
	if (!starts)
		return 0;
	u128 r2 = d & d >> 1, r3 = r2 & d >> 2, r4 = r3 & d >> 3;
	u128 r8 = r4 & r4 >> 4, r13 = r8 & r4 >> 8 & d >> 12;
	uint64_t u1 = cur->u << 1 | prev->u >> 63, u2 = cur->u << 2 | prev->u >> 62;
	return starts & (uint64_t)((r3 & dash >> 3) | (r4 & sep >> 4) | r13 | (r2 & (u128)(u1 & u2)));
}

/*
 * examine() every candidate in [r, end) (stream offsets; bytes r - 2 to end + 128 are
 * in the window) in blocks of 64; returns where it stopped (the blocks left are the
 * caller's).
 */
#define DEFINE_WALK(NAME, ATTR, MASKS)                                                        \
	ATTR static uint64_t NAME(num_ctx *c, uint64_t r, uint64_t end)                       \
	{                                                                                     \
		const uint8_t *base = c->win - c->win_off;                                    \
		num_masks prev = { 0 }, cur, next;                                            \
		if (r + 64 > end)                                                             \
			return r;                                                             \
		prev.d = (uint64_t)is_digit(base[r - 1]) << 63;                              \
		prev.u = (uint64_t)is_upper(base[r - 1]) << 63 | (uint64_t)is_upper(base[r - 2]) << 62; \
		MASKS(base + r, &cur);                                                        \
		for (; r + 64 <= end; r += 64) {                                              \
			MASKS(base + r + 64, &next);                                          \
			uint64_t cand = candidates(&prev, &cur, &next);                       \
			while (cand) {                                                        \
				examine(c, r + (uint64_t)__builtin_ctzll(cand));              \
				cand &= cand - 1;                                             \
			}                                                                     \
			prev = cur;                                                           \
			cur = next;                                                           \
		}                                                                             \
		return r;                                                                     \
	}

DEFINE_WALK(walk_scalar, , masks_scalar)
#ifdef NUM_X86
DEFINE_WALK(walk_sse2, , masks_sse2)
DEFINE_WALK(walk_avx2, __attribute__((target("avx2"))), masks_avx2)
#endif

int bw_secret_numscan_impl = -1;  /* -1 best available, 0 scalar, 1 SSE2, 2 AVX2 */

static int impl(void)
{
	static int best = -1;
	if (bw_secret_numscan_impl >= 0)
		return bw_secret_numscan_impl;
	if (best < 0) {
#ifdef NUM_X86
		__builtin_cpu_init();
		best = __builtin_cpu_supports("avx2") ? 2 : 1;
#else
		best = 0;
#endif
	}
	return best;
}

/* Every run start in [r, end) (end + 1 fed), one by one: the last bytes of a piece. */
static void walk_bytes(num_ctx *c, uint64_t r, uint64_t end)
{
	const uint8_t *base = c->win - c->win_off;
	for (; r < end; r++)
		if (is_digit(base[r]) && is_digit(base[r + 1]) && !is_digit(base[r - 1]))
			examine(c, r);
}

/* ------------------------------------------------------------ the step */

void bw_secret_numscan_reset(secret_numscan *ns)
{
	ns->scan_pos = 0;
	ns->done_to = 0;
	ns->n_pending = 0;
	ns->n_ev = ns->next_ev = 0;
}

static int cmp_event(const void *x, const void *y)
{
	const secret_num_event *a = x, *b = y;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

int bw_secret_numscan_step(secret_numscan *ns, const uint8_t *win, uint64_t win_off, uint64_t data_end, bool eof)
{
	num_ctx c = { .ns = ns, .win = win, .win_off = win_off, .data_end = data_end, .eof = eof };
	uint64_t pending[NUM_PENDING];
	size_t n_pending = ns->n_pending;

	ns->n_ev = ns->next_ev = 0;
	if (ns->card < 0 && ns->ssn < 0 && ns->iban < 0)
		return 0;
	/* the starts that ran out of bytes last time, first (they are older) */
	memcpy(pending, ns->pending, n_pending * sizeof(*pending));
	ns->n_pending = 0;
	for (size_t i = 0; i < n_pending; i++)
		examine(&c, pending[i]);
	/* new run starts: r + 1 must have been fed */
	uint64_t r = ns->scan_pos;
	if (r == 0 && data_end >= 2) {
		if (is_digit(win[0 - win_off]) && is_digit(win[1 - win_off]))
			examine(&c, 0);
		r = 1;
	}
	if (r < win_off + 1)
		r = win_off + 1; /* cannot happen: the window keeps SECRETS_KEEP bytes */
	if (r >= 2 && data_end >= 128 && r + 64 <= data_end - 64) {
		switch (impl()) {
#ifdef NUM_X86
		case 2: r = walk_avx2(&c, r, data_end - 64); break;
		case 1: r = walk_sse2(&c, r, data_end - 64); break;
#endif
		default: r = walk_scalar(&c, r, data_end - 64); break;
		}
	}
	if (data_end >= 1 && r < data_end - 1)
		walk_bytes(&c, r, data_end - 1);
	if (data_end >= 1 && ns->scan_pos < data_end - 1)
		ns->scan_pos = data_end - 1;
	ns->done_to = data_end;
	if (ns->n_ev > 1) {
		qsort(ns->ev, ns->n_ev, sizeof(*ns->ev), cmp_event);
		size_t o = 1;
		for (size_t i = 1; i < ns->n_ev; i++)
			if (ns->ev[i].end != ns->ev[o - 1].end || ns->ev[i].rule != ns->ev[o - 1].rule)
				ns->ev[o++] = ns->ev[i];
		ns->n_ev = o;
	}
	return c.rc;
}
