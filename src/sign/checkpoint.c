/*
 * sign/checkpoint.c: signed-note checkpoints (see checkpoint.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/errors.h"
#include "sign/checkpoint.h"

static const char EM_DASH_SP[] = "\xe2\x80\x94 "; /* U+2014 and a space */

static bool parse_decimal(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int parse_sig_line(const char *what, const char *line, size_t n, bw_checkpoint_sig *sig)
{
	size_t dl = sizeof(EM_DASH_SP) - 1;
	const char *sp;
	char *b64 = NULL;
	uint8_t *raw = NULL;
	size_t raw_len;
	int rc;

	if (n < dl || memcmp(line, EM_DASH_SP, dl) != 0)
		return bw_error_set(BW_EINPUT, "%s: signature line does not start with \"— \"", what);
	line += dl;
	n -= dl;
	sp = memchr(line, ' ', n);
	if (!sp || sp == line || (size_t)(sp - line) + 1 >= n)
		return bw_error_set(BW_EINPUT, "%s: signature line is not \"— NAME SIGNATURE\"", what);
	if (memchr(sp + 1, ' ', n - (size_t)(sp - line) - 1))
		return bw_error_set(BW_EINPUT, "%s: signature line has more than two fields", what);
	sig->name = strndup(line, (size_t)(sp - line));
	b64 = strndup(sp + 1, n - (size_t)(sp - line) - 1);
	if (!sig->name || !b64) {
		free(b64);
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	}
	rc = bw_b64_strict_decode(what, b64, 4096, &raw, &raw_len);
	free(b64);
	if (rc < 0)
		return rc;
	if (raw_len < 5) {
		free(raw);
		return bw_error_set(BW_EINPUT, "%s: signature of %zu bytes is shorter than its key hint",
				    what, raw_len);
	}
	memcpy(sig->hint, raw, 4);
	memmove(raw, raw + 4, raw_len - 4);
	sig->sig = raw;
	sig->sig_len = raw_len - 4;
	return 0;
}

int bw_checkpoint_parse(const char *what, const char *text, size_t len, bw_checkpoint *out)
{
	const char *p, *end, *blank;
	size_t line_no = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > BW_MAX_CHECKPOINT_BYTES)
		return bw_error_set(BW_EINPUT, "%s: checkpoint of %zu bytes (limit %d)", what, len,
				    BW_MAX_CHECKPOINT_BYTES);
	if (len == 0 || text[len - 1] != '\n' || memchr(text, 0, len))
		return bw_error_set(BW_EINPUT, "%s: checkpoint must be text ending in a newline", what);
	out->note = strndup(text, len);
	if (!out->note)
		return bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
	blank = memmem(out->note, len, "\n\n", 2);
	if (!blank) {
		rc = bw_error_set(BW_EINPUT, "%s: checkpoint has no blank line before its signatures", what);
		goto done;
	}
	out->signed_len = (size_t)(blank - out->note) + 1;

	/* Body: origin, size, root hash, then extension lines. */
	p = out->note;
	end = out->note + out->signed_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		if (++line_no > BW_MAX_CHECKPOINT_LINES) {
			rc = bw_error_set(BW_EINPUT, "%s: checkpoint body over %d lines", what,
					  BW_MAX_CHECKPOINT_LINES);
			goto done;
		}
		if (line_no == 1) {
			if (n == 0) {
				rc = bw_error_set(BW_EINPUT, "%s: checkpoint has an empty origin line", what);
				goto done;
			}
			out->origin = strndup(p, n);
			if (!out->origin) {
				rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
				goto done;
			}
		} else if (line_no == 2) {
			if (!parse_decimal(p, n, &out->tree_size)) {
				rc = bw_error_set(BW_EINPUT, "%s: checkpoint line 2 is not a tree size", what);
				goto done;
			}
		} else if (line_no == 3) {
			char *b64 = strndup(p, n);
			uint8_t *raw = NULL;
			size_t raw_len = 0;
			if (!b64) {
				rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
				goto done;
			}
			rc = bw_b64_strict_decode(what, b64, 64, &raw, &raw_len);
			free(b64);
			if (rc == 0 && raw_len != 32)
				rc = bw_error_set(BW_EINPUT, "%s: checkpoint root hash of %zu bytes, not 32",
						  what, raw_len);
			if (rc == 0)
				memcpy(out->root_hash, raw, 32);
			free(raw);
			if (rc < 0) {
				bw_error_prefix("checkpoint line 3");
				goto done;
			}
		}
		p = nl + 1;
	}
	if (line_no < 3) {
		rc = bw_error_set(BW_EINPUT, "%s: checkpoint body has %zu lines, needs origin, size and root hash",
				  what, line_no);
		goto done;
	}

	/* Signatures: every line after the blank one, at least one. */
	p = blank + 2;
	end = out->note + len;
	size_t n_lines = 0;
	for (const char *q = p; q < end; q++)
		n_lines += *q == '\n';
	if (n_lines == 0) {
		rc = bw_error_set(BW_EINPUT, "%s: checkpoint has no signature lines", what);
		goto done;
	}
	if (n_lines > BW_MAX_CHECKPOINT_SIGS) {
		rc = bw_error_set(BW_EINPUT, "%s: checkpoint has %zu signature lines (limit %d)", what,
				  n_lines, BW_MAX_CHECKPOINT_SIGS);
		goto done;
	}
	out->sigs = calloc(n_lines, sizeof(*out->sigs));
	if (!out->sigs) {
		rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", what);
		goto done;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		rc = parse_sig_line(what, p, (size_t)(nl - p), &out->sigs[out->n_sigs]);
		out->n_sigs++;
		if (rc < 0)
			goto done;
		p = nl + 1;
	}
done:
	if (rc < 0)
		bw_checkpoint_free(out);
	return rc;
}

void bw_checkpoint_free(bw_checkpoint *cp)
{
	for (size_t i = 0; i < cp->n_sigs; i++) {
		free(cp->sigs[i].name);
		free(cp->sigs[i].sig);
	}
	free(cp->sigs);
	free(cp->origin);
	free(cp->note);
	memset(cp, 0, sizeof(*cp));
}

int bw_checkpoint_verify(const char *what, const bw_checkpoint *cp, const bw_pki_key *key,
			 const uint8_t *log_id, size_t log_id_len)
{
	size_t tried = 0;

	if (log_id_len < 4)
		return bw_error_set(BW_EINPUT, "%s: log ID too short for a key hint", what);
	for (size_t i = 0; i < cp->n_sigs; i++) {
		const bw_checkpoint_sig *s = &cp->sigs[i];
		if (memcmp(s->hint, log_id, 4) != 0)
			continue;
		tried++;
		if (bw_pki_verify(what, key, cp->note, cp->signed_len, s->sig, s->sig_len) == 0)
			return 0;
	}
	bw_error_clear();
	if (!tried)
		return bw_error_set(BW_EPOLICY,
				    "%s: no checkpoint signature carries the log's key hint", what);
	return bw_error_set(BW_EPOLICY, "%s: checkpoint signature does not verify with the log key",
			    what);
}
