/*
 * match/ranges.c: decoding an affected row's OSV ranges text into sorted
 * arrays (see ranges.h).
 *
 * Two readers give one result. The fast one accepts only the exact bytes the
 * importer writes: compact JSON, ASCII strings without escapes, members "r"
 * and "v" at most once each, events of exactly [kind, version]. It copies the
 * text once into the arena and ends each string in place, so a document costs
 * one pass and no allocation per value. Everything else (escapes, white space,
 * other members, other shapes, non-ASCII) goes to jansson and is read with the
 * rules the matcher always had: "r" an array of ranges, a range an array of
 * events, an event an array whose first two members are strings, "v" an array
 * whose string members are versions. For text both accept, jansson would
 * produce the same strings, so the paths cannot disagree.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bulwark/errors.h"
#include "match/ranges.h"
#include "util/json.h"

/* growable arrays used while decoding; copied into the arena at the end */
typedef struct vec {
	void *data;
	size_t n, cap, size;
} vec;

static void *vec_push(vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *grown = realloc(v->data, cap * v->size);
		if (!grown)
			return NULL;
		v->data = grown;
		v->cap = cap;
	}
	return (char *)v->data + v->n++ * v->size;
}

typedef struct pending_range {
	size_t first, n;   /* events[first .. first + n) */
	bool usable;
} pending_range;

typedef struct decoder {
	vec events;   /* bw_osv_event */
	vec ranges;   /* pending_range */
	vec listed;   /* const char * */
} decoder;

static int oom(void)
{
	return bw_error_set(BW_EINTERNAL, "out of memory");
}

/* ---- the importer's exact form ---------------------------------------- */

typedef struct cursor {
	char *p, *end;
} cursor;

static bool lit(cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* A string of printable ASCII without escapes; its closing quote becomes the NUL. */
static bool str(cursor *c, const char **out)
{
	if (!lit(c, '"'))
		return false;
	char *start = c->p;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p;
		if (ch == '"') {
			*c->p++ = '\0';
			*out = start;
			return true;
		}
		if (ch < 0x20 || ch >= 0x80 || ch == '\\')
			return false;
		c->p++;
	}
	return false;
}

/* "r": [ [ [k, v], ... ], ... ] */
static int fast_ranges(cursor *c, decoder *d)
{
	if (!lit(c, '['))
		return 1;
	if (lit(c, ']'))
		return 0;
	do {
		pending_range *r = vec_push(&d->ranges);
		if (!r)
			return oom();
		*r = (pending_range){ d->events.n, 0, true };
		if (!lit(c, '['))
			return 1;
		if (lit(c, ']'))
			continue;
		do {
			const char *k, *v;
			if (!lit(c, '[') || !str(c, &k) || !lit(c, ',') || !str(c, &v) || !lit(c, ']'))
				return 1;
			bw_osv_event *e = vec_push(&d->events);
			if (!e)
				return oom();
			*e = (bw_osv_event){ k[0], v };
			/* vec_push may have moved the ranges: index again */
			((pending_range *)d->ranges.data)[d->ranges.n - 1].n++;
		} while (lit(c, ','));
		if (!lit(c, ']'))
			return 1;
	} while (lit(c, ','));
	return lit(c, ']') ? 0 : 1;
}

/* "v": [ v, ... ] */
static int fast_listed(cursor *c, decoder *d)
{
	if (!lit(c, '['))
		return 1;
	if (lit(c, ']'))
		return 0;
	do {
		const char *v;
		if (!str(c, &v))
			return 1;
		const char **slot = vec_push(&d->listed);
		if (!slot)
			return oom();
		*slot = v;
	} while (lit(c, ','));
	return lit(c, ']') ? 0 : 1;
}

/* 0 decoded, 1 not in the exact form (the caller starts over with jansson), <0 error. */
static int decode_fast(char *text, size_t len, decoder *d)
{
	cursor c = { text, text + len };
	bool seen_r = false, seen_v = false;
	int rc;

	if (!lit(&c, '{'))
		return 1;
	if (!lit(&c, '}')) {
		do {
			const char *key;
			if (!str(&c, &key) || !lit(&c, ':'))
				return 1;
			if (strcmp(key, "r") == 0 && !seen_r) {
				seen_r = true;
				rc = fast_ranges(&c, d);
			} else if (strcmp(key, "v") == 0 && !seen_v) {
				seen_v = true;
				rc = fast_listed(&c, d);
			} else {
				return 1; /* another member, or a duplicate jansson must refuse */
			}
			if (rc != 0)
				return rc;
		} while (lit(&c, ','));
		if (!lit(&c, '}'))
			return 1;
	}
	return c.p == c.end ? 0 : 1;
}

/* ---- anything else, through jansson ------------------------------------- */

/* 0, 1 when the text is not JSON (no document), <0 error. */
static int decode_json(bw_arena *arena, const char *text, size_t len, decoder *d)
{
	json_t *doc = NULL, *evs, *ev, *v;
	size_t i, j;
	int rc = 0;

	if (bw_json_parse("advisory ranges", text, len, BW_OSV_RANGES_MAX_TEXT, &doc) < 0) {
		bw_error_clear();
		return 1;
	}
	json_array_foreach(json_object_get(doc, "r"), i, evs) {
		pending_range *r = vec_push(&d->ranges);
		if (!r) {
			rc = oom();
			goto done;
		}
		*r = (pending_range){ d->events.n, 0, json_is_array(evs) };
		json_array_foreach(evs, j, ev) {
			const char *k = json_string_value(json_array_get(ev, 0));
			const char *ver = json_string_value(json_array_get(ev, 1));
			r = &((pending_range *)d->ranges.data)[d->ranges.n - 1];
			if (!k || !ver) {
				r->usable = false;
				continue;
			}
			bw_osv_event *e = vec_push(&d->events);
			const char *copy = bw_arena_strdup(arena, ver);
			if (!e || !copy) {
				rc = oom();
				goto done;
			}
			*e = (bw_osv_event){ k[0], copy };
			r->n++;
		}
	}
	json_array_foreach(json_object_get(doc, "v"), i, v) {
		const char *lv = json_string_value(v);
		if (!lv)
			continue;
		const char **slot = vec_push(&d->listed);
		if (!slot || !(*slot = bw_arena_strdup(arena, lv))) {
			rc = oom();
			goto done;
		}
	}
done:
	json_decref(doc);
	return rc;
}

/* ---- ordering ------------------------------------------------------------ */

static bool is_zero_introduced(const bw_osv_event *e)
{
	return e->kind == 'i' && strcmp(e->version, "0") == 0;
}

static int cmp_events(const void *a, const void *b, void *p)
{
	const bw_osv_event *x = a, *y = b;
	bw_version_scheme scheme = *(const bw_version_scheme *)p;
	bool x0 = is_zero_introduced(x), y0 = is_zero_introduced(y);
	if (x0 && y0)
		return 0;
	if (x0 || y0)
		return x0 ? -1 : 1; /* introduced "0" is below every version */
	return bw_version_compare_valid(scheme, x->version, y->version);
}

/*
 * Every version is checked once here, so that comparing needs no second
 * parse; a range holding one the scheme cannot order is unusable, as a failed
 * comparison would make it (introduced "0" is never compared).
 */
static void sort_range(bw_osv_event *ev, pending_range *r, bw_version_scheme scheme)
{
	if (!r->usable)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (!is_zero_introduced(&ev[i]) && !bw_version_valid(scheme, ev[i].version)) {
			r->usable = false;
			return;
		}
	qsort_r(ev, r->n, sizeof(*ev), cmp_events, &scheme);
}

/* ---- the front door ------------------------------------------------------ */

int bw_osv_ranges_decode(bw_arena *arena, const char *text, size_t len, bw_version_scheme scheme,
			 const bw_osv_ranges **out)
{
	decoder d = { .events = { .size = sizeof(bw_osv_event) }, .ranges = { .size = sizeof(pending_range) },
		      .listed = { .size = sizeof(const char *) } };
	bw_osv_ranges *doc = NULL;
	int rc = 0;

	*out = NULL;
	if (len > BW_OSV_RANGES_MAX_TEXT)
		return 0; /* as bw_json_parse would refuse it */
	char *copy = bw_arena_strndup(arena, text, len);
	if (!copy)
		return oom();
	rc = decode_fast(copy, len, &d);
	if (rc == 1) {
		d.events.n = d.ranges.n = d.listed.n = 0;
		rc = decode_json(arena, text, len, &d);
		if (rc == 1) {
			rc = 0; /* not JSON: no document */
			goto done;
		}
	}
	if (rc < 0)
		goto done;

	doc = bw_arena_alloc(arena, sizeof(*doc));
	bw_osv_event *events = bw_arena_alloc(arena, (d.events.n ? d.events.n : 1) * sizeof(*events));
	bw_osv_range *ranges = bw_arena_alloc(arena, (d.ranges.n ? d.ranges.n : 1) * sizeof(*ranges));
	const char **listed = bw_arena_alloc(arena, (d.listed.n ? d.listed.n : 1) * sizeof(*listed));
	unsigned char *listed_state = bw_arena_alloc(arena, d.listed.n ? d.listed.n : 1);
	if (!doc || !events || !ranges || !listed || !listed_state) {
		rc = oom();
		goto done;
	}
	if (d.events.n)
		memcpy(events, d.events.data, d.events.n * sizeof(*events));
	for (size_t i = 0; i < d.ranges.n; i++) {
		pending_range *r = &((pending_range *)d.ranges.data)[i];
		sort_range(events + r->first, r, scheme);
		ranges[i] = (bw_osv_range){ events + r->first, r->n, r->usable };
	}
	if (d.listed.n)
		memcpy(listed, d.listed.data, d.listed.n * sizeof(*listed));
	memset(listed_state, 0, d.listed.n ? d.listed.n : 1);
	*doc = (bw_osv_ranges){ ranges, d.ranges.n, listed, d.listed.n, listed_state, scheme };
	*out = doc;
done:
	free(d.events.data);
	free(d.ranges.data);
	free(d.listed.data);
	return rc;
}

bool bw_osv_listed_valid(const bw_osv_ranges *r, size_t i)
{
	if (i >= r->n_listed)
		return false;
	if (!r->listed_state[i])
		r->listed_state[i] = bw_version_valid(r->scheme, r->listed[i]) ? 1 : 2;
	return r->listed_state[i] == 1;
}
