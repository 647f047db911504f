/*
 * pin/rewrite.c: turning found references into new file content
 * (bulwark/pin.h): the pinned text, byte-range edits, a unified diff of the
 * result and the atomic in-place write.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/pin.h"
#include "util/buf.h"
#include "util/overflow.h"

#define DIFF_CONTEXT 3
#define MAX_DIFF_BYTES (4 * (size_t)BW_PIN_MAX_FILE_BYTES)

int bw_pin_pinned_text(const char *ref, const char *digest, char *out, size_t cap)
{
	const char *base = strrchr(ref, '/');
	const char *at = strchr(ref, '@');
	size_t keep = at ? (size_t)(at - ref) : strlen(ref);
	bool tagged;
	int n;

	base = base ? base + 1 : ref;
	tagged = memchr(base, ':', keep - (size_t)(base - ref)) != NULL;
	n = snprintf(out, cap, "%.*s%s@%s", (int)keep, ref, tagged ? "" : ":latest", digest);
	if (n < 0 || (size_t)n >= cap)
		return bw_error_set(BW_EINPUT, "image reference \"%.80s\": too long to pin", ref);
	return 0;
}

int bw_pin_apply(const char *what, const void *data, size_t len, const bw_pin_edit *edits, size_t n,
		 char **out, size_t *out_len)
{
	bw_buf b = BW_BUF_INIT(2 * (size_t)BW_PIN_MAX_FILE_BYTES);
	const char *text = data;
	size_t pos = 0;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	for (size_t i = 0; i < n; i++) {
		if (edits[i].start < pos || edits[i].end < edits[i].start || edits[i].end > len) {
			rc = bw_error_set(BW_EINTERNAL, "%s: edits out of order", what);
			goto done;
		}
		if (bw_buf_append(&b, text + pos, edits[i].start - pos) < 0 ||
		    bw_buf_append_str(&b, edits[i].text) < 0) {
			rc = bw_error_set(BW_EINPUT, "%s: the rewritten file would be too large", what);
			goto done;
		}
		pos = edits[i].end;
	}
	if (bw_buf_append(&b, text + pos, len - pos) < 0 || bw_buf_append(&b, "", 0) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: the rewritten file would be too large", what);
		goto done;
	}
	if (!b.data) { /* empty input, no edits */
		*out = strdup("");
		if (!*out)
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		goto done;
	}
	*out = (char *)bw_buf_detach(&b, out_len);
done:
	bw_buf_free(&b);
	return rc;
}

typedef struct lines {
	size_t n;
	size_t *start; /* n + 1 entries: start[n] is the text length */
} lines;

static int split_lines(const char *text, size_t len, lines *l)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	if (len && text[len - 1] != '\n')
		n++;
	l->n = n;
	l->start = malloc((n + 1) * sizeof(size_t));
	if (!l->start)
		return -1;
	l->start[k++] = 0;
	for (size_t i = 0; i < len && k < n + 1; i++)
		if (text[i] == '\n')
			l->start[k++] = i + 1;
	l->start[n] = len;
	return 0;
}

static int put_line(bw_buf *b, char mark, const char *text, const lines *l, size_t i)
{
	size_t s = l->start[i], e = l->start[i + 1];
	bool nl = e > s && text[e - 1] == '\n';

	if (bw_buf_append(b, &mark, 1) < 0 || bw_buf_append(b, text + s, e - s) < 0)
		return -1;
	if (!nl && (bw_buf_append_str(b, "\n\\ No newline at end of file\n") < 0))
		return -1;
	return 0;
}

static bool line_equal(const char *a, const lines *la, const char *b, const lines *lb, size_t i)
{
	size_t na = la->start[i + 1] - la->start[i], nb = lb->start[i + 1] - lb->start[i];
	return na == nb && !memcmp(a + la->start[i], b + lb->start[i], na);
}

/*
 * Pinning replaces text inside lines and never adds or removes a newline, so
 * old and new have the same lines and a changed line is one whose bytes
 * differ: no longest-common-subsequence search is needed. Inputs whose line
 * counts differ are diffed as one whole-file hunk.
 */
int bw_pin_unified_diff(const char *path, const char *old_text, size_t old_len, const char *new_text,
			size_t new_len, char **out, size_t *out_len)
{
	bw_buf b = BW_BUF_INIT(MAX_DIFF_BYTES);
	lines lo = { 0 }, ln = { 0 };
	int rc = 0;
	char head[64];

	*out = NULL;
	*out_len = 0;
	if (split_lines(old_text, old_len, &lo) < 0 || split_lines(new_text, new_len, &ln) < 0) {
		rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", path);
		goto done;
	}
	if (old_len == new_len && !memcmp(old_text, new_text, old_len))
		goto finish;
	if (bw_buf_append_str(&b, "--- a/") < 0 || bw_buf_append_str(&b, path) < 0 ||
	    bw_buf_append_str(&b, "\n+++ b/") < 0 || bw_buf_append_str(&b, path) < 0 ||
	    bw_buf_append_str(&b, "\n") < 0)
		goto toolarge;
	if (lo.n != ln.n) {
		snprintf(head, sizeof(head), "@@ -%zu,%zu +%zu,%zu @@\n", lo.n ? (size_t)1 : 0, lo.n,
			 ln.n ? (size_t)1 : 0, ln.n);
		if (bw_buf_append_str(&b, head) < 0)
			goto toolarge;
		for (size_t i = 0; i < lo.n; i++)
			if (put_line(&b, '-', old_text, &lo, i) < 0)
				goto toolarge;
		for (size_t i = 0; i < ln.n; i++)
			if (put_line(&b, '+', new_text, &ln, i) < 0)
				goto toolarge;
		goto finish;
	}
	for (size_t i = 0; i < lo.n;) {
		if (line_equal(old_text, &lo, new_text, &ln, i)) {
			i++;
			continue;
		}
		/* a hunk: from DIFF_CONTEXT before this change to DIFF_CONTEXT after the
		 * last change that is at most 2*DIFF_CONTEXT unchanged lines away */
		size_t first = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0, last = i, j = i;
		while (j < lo.n) {
			if (!line_equal(old_text, &lo, new_text, &ln, j)) {
				last = j;
				j++;
				continue;
			}
			if (j - last > 2 * DIFF_CONTEXT)
				break;
			j++;
		}
		size_t end = last + 1 + DIFF_CONTEXT < lo.n ? last + 1 + DIFF_CONTEXT : lo.n;
		snprintf(head, sizeof(head), "@@ -%zu,%zu +%zu,%zu @@\n", first + 1, end - first, first + 1,
			 end - first);
		if (bw_buf_append_str(&b, head) < 0)
			goto toolarge;
		for (size_t k = first; k < end; k++) {
			if (line_equal(old_text, &lo, new_text, &ln, k)) {
				if (put_line(&b, ' ', old_text, &lo, k) < 0)
					goto toolarge;
				continue;
			}
			/* a run of changed lines: all the old ones, then all the new ones */
			size_t r = k;
			while (r < end && !line_equal(old_text, &lo, new_text, &ln, r))
				r++;
			for (size_t m = k; m < r; m++)
				if (put_line(&b, '-', old_text, &lo, m) < 0)
					goto toolarge;
			for (size_t m = k; m < r; m++)
				if (put_line(&b, '+', new_text, &ln, m) < 0)
					goto toolarge;
			k = r - 1;
		}
		i = end;
	}
finish:
	if (bw_buf_append(&b, "", 0) < 0)
		goto toolarge;
	if (!b.data) {
		*out = strdup("");
		if (!*out)
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", path);
	} else {
		*out = (char *)bw_buf_detach(&b, out_len);
	}
	goto done;
toolarge:
	rc = bw_error_set(BW_EINPUT, "%s: the diff is larger than the limit", path);
done:
	free(lo.start);
	free(ln.start);
	bw_buf_free(&b);
	return rc;
}

int bw_pin_write_file(const char *path, const void *data, size_t len)
{
	char *dup = strdup(path), *tmp = NULL;
	struct stat st;
	int fd = -1, rc = 0;
	const char *p = data;

	if (!dup)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", path);
	if (lstat(path, &st) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		/* renaming over a symlink would replace the link, not the file it names */
		rc = bw_error_set(BW_EINPUT, "%s: not a regular file (a symlink is not rewritten)", path);
		goto done;
	}
	if (asprintf(&tmp, "%s/.%s.bulwark-XXXXXX", dirname(dup), strrchr(path, '/') ? strrchr(path, '/') + 1 : path) < 0) {
		tmp = NULL;
		rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", path);
		goto done;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: cannot create a temporary file beside it: %s", path, strerror(errno));
		goto done;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = bw_error_set(BW_EINPUT, "%s: writing the new content: %s", path, strerror(errno));
			goto done;
		}
		off += (size_t)w;
	}
	/* owner first: chown may clear setuid bits that fchmod then restores */
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM) {
		rc = bw_error_set(BW_EINPUT, "%s: keeping the owner: %s", path, strerror(errno));
		goto done;
	}
	if (fchmod(fd, st.st_mode & 07777) < 0 || fsync(fd) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = bw_error_set(BW_EINPUT, "%s: %s", path, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: replacing it: %s", path, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
done:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dup);
	return rc;
}
