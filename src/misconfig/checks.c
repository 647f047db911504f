/*
 * misconfig/checks.c: the check table (id, severity, title, rationale,
 * remediation; docs/misconfig.md is written from it) and the findings list
 * every misconfig check writes into.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bulwark/errors.h"
#include "misconfig/misconfig_int.h"

static const bw_misconfig_check checks[] = {
	/* image config */
	{ "BW-IMG-001", "HIGH", "Image runs as root",
	  "A process running as uid 0 in the container is root on the host's kernel: any escape or "
	  "mounted volume is a root compromise.",
	  "Add a non-root user and set USER to it (by uid: USER 10001)." },
	{ "BW-IMG-002", "LOW", "No HEALTHCHECK in the image config",
	  "Without a health check the runtime cannot tell a hung service from a healthy one.",
	  "Add a HEALTHCHECK instruction, or configure the probe in the orchestrator." },
	{ "BW-IMG-003", "MEDIUM", "Administrative port exposed",
	  "SSH, telnet, the Docker API and RDP are remote-administration surfaces; a container "
	  "should be administered through the runtime, not a daemon inside it.",
	  "Remove the EXPOSE of the port and the daemon that listens on it." },
	{ "BW-IMG-004", "HIGH", "Secret-looking environment variable with a value",
	  "Config Env is readable by anyone who can pull the image (docker inspect) and is inherited "
	  "by every process.",
	  "Pass secrets at run time (orchestrator secrets, mounted files), never in ENV." },
	{ "BW-IMG-005", "MEDIUM", "ADD of a remote URL in the image history",
	  "ADD fetches a URL at build time with no checksum: the image depends on whatever the "
	  "server returned that day.",
	  "Download with a verified checksum (ADD --checksum, or curl plus sha256sum) or COPY a vendored file." },
	{ "BW-IMG-006", "HIGH", "Remote script piped into a shell in the image history",
	  "curl|sh runs unverified code from the network as root at build time.",
	  "Download the script, verify its checksum or signature, then run it." },
	{ "BW-IMG-007", "LOW", "Base image referenced by the latest tag",
	  "latest moves: the same build gives different images, and what was tested is not what ships.",
	  "Pin the base image by version tag and digest (FROM image:1.2@sha256:...)." },
	{ "BW-IMG-008", "LOW", "Image older than the configured age",
	  "An old image misses every security update published since it was built.",
	  "Rebuild the image regularly from an updated base." },
	{ "BW-IMG-009", "LOW", "Missing OCI provenance labels",
	  "org.opencontainers.image.source, revision and vendor tie an image to the code and the "
	  "organisation it came from; without them a finding cannot be traced to its fix.",
	  "Set the labels at build time (LABEL org.opencontainers.image.source=... revision=... vendor=...)." },
	{ "BW-IMG-010", "HIGH", "Operating system release past its end of life",
	  "After end of life the vendor publishes no security updates: new vulnerabilities stay open.",
	  "Move the image to a supported release of the distribution." },
	{ "BW-IMG-011", "MEDIUM", "Operating system release near its end of life",
	  "Security support ends within the warning window (90 days by default).",
	  "Plan the move to a supported release now." },
	/* filesystem */
	{ "BW-FS-001", "MEDIUM", "setuid or setgid file",
	  "setuid/setgid binaries are the usual way from a container user to root; most images need none.",
	  "Remove the file or its setuid/setgid bit (chmod u-s,g-s), or drop it with a distroless base." },
	{ "BW-FS-002", "MEDIUM", "World-writable file or directory without the sticky bit",
	  "Any user in the container can change the file (or replace the directory's entries), "
	  "including code other processes run.",
	  "chmod o-w the path (or add the sticky bit to shared directories: chmod +t)." },
	{ "BW-FS-003", "LOW", "Files owned by a user that does not exist",
	  "A uid with no /etc/passwd entry is usually a build leftover; a user created later with "
	  "that uid silently owns the files.",
	  "chown the files to an existing user (COPY --chown) when building." },
	{ "BW-FS-004", "CRITICAL", "Account with an empty password",
	  "An empty /etc/shadow hash lets anyone log in or su to the account without a password.",
	  "Lock the account (passwd -l NAME, or '!' in the hash field)." },
	{ "BW-FS-005", "HIGH", "Account with a weak password hash",
	  "DES and MD5 crypt hashes are cracked in minutes, and a hash shipped in an image is public.",
	  "Lock the account, or set the password at run time with yescrypt or SHA-512 crypt." },
	{ "BW-FS-006", "HIGH", "SSH host key shipped in the image",
	  "Every container from the image shares the same host private key: anyone who pulls the "
	  "image can impersonate every instance.",
	  "Do not bake host keys; generate them at first start, or do not run sshd in a container." },
	{ "BW-FS-007", "HIGH", "SSH authorized_keys shipped in the image",
	  "A baked-in authorized_keys file is a standing login for whoever holds the key.",
	  "Remove the file; provide access through the orchestrator instead." },
	{ "BW-FS-008", "LOW", "Package manager cache left in the image",
	  "apt lists, apk, pip and npm caches add size and leak the build environment; nothing at run time reads them.",
	  "Clean the cache in the same RUN that installs (rm -rf /var/lib/apt/lists/*, apk --no-cache, "
	  "pip --no-cache-dir, npm cache clean --force)." },
	{ "BW-FS-009", "MEDIUM", "Shell or package manager in an image meant to be distroless",
	  "A shell or package manager gives an attacker in a minimal image the tools it was built to deny.",
	  "Build the final stage from a distroless or scratch base and copy only the application." },
	{ "BW-FS-010", "HIGH", "sudo rule with NOPASSWD",
	  "Any process running as the user becomes root without a password.",
	  "Remove sudo from the image; a container needs no privilege escalation." },
	/* Dockerfile */
	{ "BW-DF-001", "HIGH", "Dockerfile: the final stage runs as root",
	  "CIS Docker Benchmark 4.1: without USER (or with USER root) the container runs as root.",
	  "Add USER with a non-root user (by uid) at the end of the final stage." },
	{ "BW-DF-002", "MEDIUM", "Dockerfile: base image not pinned by digest",
	  "A tag can be moved to other content; only a digest names exactly what was reviewed.",
	  "FROM image:tag@sha256:..., updated by a bot (bulwark pin)." },
	{ "BW-DF-003", "MEDIUM", "Dockerfile: base image uses latest or no tag",
	  "latest (also implied by no tag) changes under the build.",
	  "Name an explicit version tag." },
	{ "BW-DF-004", "LOW", "Dockerfile: ADD used for local files",
	  "CIS 4.9: ADD unpacks archives and fetches URLs implicitly; COPY does only what it says.",
	  "Use COPY for local files." },
	{ "BW-DF-005", "MEDIUM", "Dockerfile: ADD of a remote URL without a checksum",
	  "The build trusts whatever the server returns.",
	  "ADD --checksum=sha256:..., or download and verify in RUN." },
	{ "BW-DF-006", "LOW", "Dockerfile: apt-get install without --no-install-recommends",
	  "Recommended packages enlarge the image and its attack surface.",
	  "apt-get install -y --no-install-recommends ..." },
	{ "BW-DF-007", "LOW", "Dockerfile: apt lists not removed in the same RUN",
	  "A cleanup in a later layer does not shrink the image: the lists stay in the install layer.",
	  "End the RUN that installs with && rm -rf /var/lib/apt/lists/*." },
	{ "BW-DF-008", "HIGH", "Dockerfile: secret in ARG or ENV",
	  "CIS 4.10: ARG and ENV values are recorded in the image config and history.",
	  "Use RUN --mount=type=secret, or pass secrets at run time." },
	{ "BW-DF-009", "LOW", "Dockerfile: no HEALTHCHECK",
	  "CIS 4.6: without a health check the runtime cannot detect a hung service.",
	  "Add HEALTHCHECK CMD ... to the final stage." },
	{ "BW-DF-010", "LOW", "Dockerfile: chmod/chown -R in RUN instead of COPY --chown",
	  "A recursive chmod/chown duplicates every file it touches into a new layer.",
	  "COPY --chown=USER:GROUP (and --chmod) when the files are added." },
	{ "BW-DF-011", "MEDIUM", "Dockerfile: sudo used in RUN",
	  "Builds run as root already; sudo in an image means sudo at run time too.",
	  "Drop sudo; switch users with USER." },
	{ "BW-DF-012", "LOW", "Dockerfile: WORKDIR is a relative path",
	  "A relative WORKDIR depends on every earlier WORKDIR and is easy to get wrong.",
	  "Use absolute paths in WORKDIR." },
	{ "BW-DF-013", "LOW", "Dockerfile: packages installed without pinned versions",
	  "Unpinned installs give different images from the same Dockerfile.",
	  "Pin versions (apt-get install pkg=1.2-3, apk add pkg=1.2-r0, pip install pkg==1.2)." },
	{ "BW-DF-014", "HIGH", "Dockerfile: remote script piped into a shell",
	  "curl|sh runs unverified code from the network as root at build time.",
	  "Download, verify a checksum or signature, then run." },
};

#define N_CHECKS (sizeof(checks) / sizeof(checks[0]))

const bw_misconfig_check *bw_misconfig_checks(size_t *n)
{
	*n = N_CHECKS;
	return checks;
}

const bw_misconfig_check *bw_misconfig_check_find(const char *id)
{
	for (size_t i = 0; id && i < N_CHECKS; i++)
		if (!strcmp(checks[i].id, id))
			return &checks[i];
	return NULL;
}

/* ------------------------------------------------------------------ list */

bw_misconfigs *bw_misconfigs__new(const char *kind)
{
	bw_misconfigs *m = calloc(1, sizeof(*m));
	if (m)
		m->kind = kind;
	return m;
}

int bw_misconfigs__add(bw_misconfigs *m, const char *id, const char *target, unsigned line, int64_t layer,
		       const char *fmt, ...)
{
	const bw_misconfig_check *c = bw_misconfig_check_find(id);
	char ev[BW_MISCONFIG_EVIDENCE_MAX];
	va_list ap;

	if (!c)
		return bw_error_set(BW_EINTERNAL, "misconfig: no check %s in the table", id);
	if (m->n >= BW_MISCONFIG_MAX_FINDINGS)
		return 0;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		bw_misconfig *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		m->v = v;
		m->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(ev, sizeof(ev), fmt, ap);
	va_end(ap);
	/* one line, whatever the input put in it */
	for (char *p = ev; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	bw_misconfig *f = &m->v[m->n];
	f->check = c;
	f->id = c->id;
	f->severity = c->severity;
	f->title = c->title;
	f->line = line;
	f->layer = layer;
	if (!(f->target = bw_arena_strdup(&m->mem, target ? target : "")) ||
	    !(f->evidence = bw_arena_strdup(&m->mem, ev)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	m->n++;
	return 0;
}

static int severity_rank(const char *s)
{
	static const char *const order[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, order[i]))
			return i;
	return 4;
}

static int cmp_finding(const void *a, const void *b)
{
	const bw_misconfig *x = a, *y = b;
	int c;
	if ((c = severity_rank(x->severity) - severity_rank(y->severity)))
		return c;
	if ((c = strcmp(x->id, y->id)))
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->target, y->target);
}

void bw_misconfigs__sort(bw_misconfigs *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), cmp_finding);
}

size_t bw_misconfigs_count(const bw_misconfigs *m)
{
	return m ? m->n : 0;
}

const bw_misconfig *bw_misconfigs_at(const bw_misconfigs *m, size_t i)
{
	return m && i < m->n ? &m->v[i] : NULL;
}

const char *bw_misconfigs_kind(const bw_misconfigs *m)
{
	return m ? m->kind : NULL;
}

void bw_misconfigs_free(bw_misconfigs *m)
{
	if (!m)
		return;
	bw_arena_free(&m->mem);
	free(m->v);
	free(m);
}

/* ------------------------------------------------------------------ helpers */

bool bw_misconfig__secret_name(const char *name, size_t len)
{
	/* words that name a secret; a name that ends in one of the "where to find
	 * it" suffixes holds a path or a reference, not the secret */
	static const char *const words[] = { "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY",
					     "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY",
					     "CLIENT_KEY", "_PWD" };
	static const char *const not_secret[] = { "_FILE", "_PATH", "_DIR", "_URL", "_URI", "_HOST", "_PORT",
						  "_USER", "_USERNAME", "_NAME", "_ID", "_LENGTH", "_TYPE" };
	char up[256];

	if (len == 0 || len >= sizeof(up))
		return false;
	for (size_t i = 0; i < len; i++)
		up[i] = (name[i] >= 'a' && name[i] <= 'z') ? (char)(name[i] - 32) : (name[i] == '-' ? '_' : name[i]);
	up[len] = '\0';
	for (size_t i = 0; i < sizeof(not_secret) / sizeof(not_secret[0]); i++) {
		size_t k = strlen(not_secret[i]);
		if (len > k && !strcmp(up + len - k, not_secret[i]))
			return false;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(up, words[i]))
			return true;
	return false;
}

void bw_misconfig__redact(const char *value, size_t len, char *out, size_t n)
{
	size_t stars = len > 16 ? 8 : len;
	if (n == 0)
		return;
	if (len < 8) {
		snprintf(out, n, "%.*s", (int)(stars < n - 1 ? stars : n - 1), "********");
		return;
	}
	snprintf(out, n, "%.2s%.*s%.2s", value, (int)stars - 4 > 0 ? (int)stars - 4 : 0, "********",
		 value + len - 2);
	/* the shown characters are input: keep them printable */
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

bool bw_misconfig__date_days(const char *s, int64_t *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (!s || strlen(s) < 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return false;
	/* days from civil (Howard Hinnant's algorithm) */
	int64_t yy = y - (m <= 2);
	int64_t era = yy / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return true;
}

bool bw_misconfig__today(const char *text, int64_t *days)
{
	if (text)
		return strlen(text) == 10 && bw_misconfig__date_days(text, days);
	*days = (int64_t)(time(NULL) / 86400);
	return true;
}

/* "curl ... | sh", "wget -O- ... | bash" and the like */
bool bw_misconfig__pipes_to_shell(const char *s)
{
	static const char *const fetch[] = { "curl ", "wget ", "curl\t", "wget\t" };
	static const char *const shells[] = { "sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3",
					      "perl", "ruby", "sudo sh", "sudo bash", "sudo -E bash", "sudo -E sh" };
	const char *f = NULL;
	for (size_t i = 0; i < sizeof(fetch) / sizeof(fetch[0]) && !f; i++)
		f = strstr(s, fetch[i]);
	if (!f)
		return false;
	for (const char *p = strchr(f, '|'); p; p = strchr(p + 1, '|')) {
		if (p[1] == '|')
			{ p++; continue; } /* "||" is not a pipe */
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		/* "/bin/sh", "/usr/bin/env bash" */
		if (!strncmp(q, "/usr/bin/env ", 13))
			q += 13;
		const char *slash = q;
		while (*slash && *slash != ' ' && *slash != '\t' && *slash != ';' && *slash != '&')
			slash++;
		const char *base = q;
		for (const char *t = q; t < slash; t++)
			if (*t == '/')
				base = t + 1;
		for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++) {
			size_t k = strlen(shells[i]);
			if (!strncmp(base, shells[i], k) &&
			    (base[k] == '\0' || base[k] == ' ' || base[k] == '\t' || base[k] == ';' || base[k] == '&' ||
			     base[k] == ')'))
				return true;
		}
	}
	return false;
}


void bw_misconfigs_filter(bw_misconfigs *m, unsigned severities)
{
	static const struct { const char *name; unsigned bit; } bits[] = {
		{ "CRITICAL", 1u << 4 }, { "HIGH", 1u << 3 }, { "MEDIUM", 1u << 2 }, { "LOW", 1u << 1 },
	};
	size_t o = 0;
	if (!m || !severities)
		return;
	for (size_t i = 0; i < m->n; i++) {
		unsigned bit = 1u << 0; /* UNKNOWN */
		for (size_t k = 0; k < sizeof(bits) / sizeof(bits[0]); k++)
			if (!strcmp(m->v[i].severity, bits[k].name))
				bit = bits[k].bit;
		if (bit & severities)
			m->v[o++] = m->v[i];
	}
	m->n = o;
}
