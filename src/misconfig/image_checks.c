/*
 * misconfig/image_checks.c: the checks of a scanned image: its config
 * (BW-IMG-*: user, health check, ports, Env, history, labels, age, end of
 * life) and its merged filesystem (BW-FS-*: modes, owners, account files,
 * keys, caches, tools in a distroless image, sudo).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bulwark/errors.h"
#include "image/image_int.h"
#include "misconfig/misconfig_int.h"

/* ------------------------------------------------------------ the user */

/* The user part of "user[:group]" (length), and whether it is all digits. */
static size_t user_part(const char *user, bool *numeric)
{
	size_t n = strcspn(user, ":");
	*numeric = n > 0;
	for (size_t i = 0; i < n; i++)
		if (user[i] < '0' || user[i] > '9')
			*numeric = false;
	return n;
}

bool bw_image_runs_as_root(const bw_image *img, bool *resolved)
{
	const char *user = img ? img->config.user : NULL;
	bool numeric;

	if (resolved)
		*resolved = false;
	if (!user || !*user)
		return true;
	size_t n = user_part(user, &numeric);
	if (n == 0)
		return true; /* ":group" keeps the default user, root */
	if (numeric) {
		for (size_t i = 0; i < n; i++)
			if (user[i] != '0')
				return false;
		return true;
	}
	if (n == 4 && !strncmp(user, "root", 4))
		return true;
	/* a name: root when the image's own /etc/passwd says its uid is 0 */
	const bw_pw_entry *pw = bw_accounts__user(bw_misconfig__image_accounts(img), user, n);
	if (pw && resolved)
		*resolved = true;
	return pw && pw->uid == 0;
}

/* ------------------------------------------------------------ config */

static const char *label(const bw_image *img, const char *key)
{
	for (size_t i = 0; i < img->config.labels.n; i++)
		if (!strcmp(img->config.labels.keys[i], key))
			return img->config.labels.values[i];
	return NULL;
}

/* An ADD (history "ADD http://... /dst" or "ADD --checksum=... https://...") of a remote URL
 * without a checksum; the words after " # " are the builder's comment, not sources. */
static bool adds_url(const char *s)
{
	bool checksum = false, url = false;
	while (*s == ' ')
		s++;
	if (strncmp(s, "ADD ", 4))
		return false;
	for (s += 4; *s;) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (n == 1 && *s == '#')
			break;
		if (!strncmp(s, "--checksum=", 11))
			checksum = true;
		if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) || !strncmp(s, "ftp://", 6))
			url = true;
		s += n;
	}
	return url && !checksum;
}

/* Is NAME=VALUE (name of n bytes) the final config's Env entry? */
static bool in_config_env(const bw_config *c, const char *assign, size_t len)
{
	for (size_t i = 0; i < c->env.n; i++)
		if (strlen(c->env.v[i]) == len && !memcmp(c->env.v[i], assign, len))
			return true;
	return false;
}

/*
 * Secret-looking NAME=VALUE words of a history entry: the build arguments
 * buildkit records ("RUN |2 A=x B=y /bin/sh -c ..."), and ENV / ARG entries
 * ("ENV A=x B=y", the classic builder's "/bin/sh -c #(nop)  ENV A=x"). An ENV
 * value still in the final config is reported there already.
 */
static int history_secrets(bw_misconfigs *m, const bw_config *c, size_t index, const char *cb)
{
	const char *p = cb;
	size_t count = SIZE_MAX;
	bool env = false;
	char target[64];
	int rc = 0;

	snprintf(target, sizeof(target), "config:history:%zu", index);
	if (!strncmp(p, "/bin/sh -c #(nop) ", 18)) {
		p += 18;
		while (*p == ' ')
			p++;
	}
	if (!strncmp(p, "RUN |", 5)) {
		char *end;
		unsigned long n = strtoul(p + 5, &end, 10);
		if (end == p + 5 || *end != ' ' || n > 1000)
			return 0;
		count = n;
		p = end;
	} else if (!strncmp(p, "ENV ", 4) || !strncmp(p, "ARG ", 4)) {
		env = p[0] == 'E';
		p += 4;
	} else {
		return 0;
	}
	for (size_t k = 0; k < count && rc == 0; k++) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		const char *eq = memchr(p, '=', n);
		if (!n || !eq)
			break;
		size_t nn = (size_t)(eq - p);
		if (bw_misconfig__secret_name(p, nn) && n > nn + 1 && !(env && in_config_env(c, p, n))) {
			char red[32];
			bw_misconfig__redact(eq + 1, n - nn - 1, red, sizeof(red));
			rc = bw_misconfigs__add(m, "BW-IMG-004", target, 0, -1, "%s %.*s=%s",
						count != SIZE_MAX ? "build argument" : env ? "ENV" : "ARG",
						(int)(nn > 100 ? 100 : nn), p, red);
		}
		p += n;
	}
	return rc;
}

/* Does a reference name the latest tag (explicitly, or by having no tag and no digest)? */
static bool ref_is_latest(const char *ref, size_t n)
{
	const char *at = memchr(ref, '@', n);
	if (at)
		return false;
	const char *slash = NULL;
	for (size_t i = 0; i < n; i++)
		if (ref[i] == '/')
			slash = ref + i;
	const char *colon = memchr(slash ? slash : ref, ':', n - (size_t)((slash ? slash : ref) - ref));
	if (!colon)
		return true;
	size_t tl = n - (size_t)(colon + 1 - ref);
	return tl == 6 && !memcmp(colon + 1, "latest", 6);
}

static int config_checks(bw_misconfigs *m, const bw_image *img, const bw_misconfig_options *o, int64_t today)
{
	const bw_config *c = &img->config;
	const bw_image_info *in = bw_image_get_info(img);
	int rc = 0;

	/* BW-IMG-001 */
	bool resolved = false;
	if (bw_image_runs_as_root(img, &resolved)) {
		if (!c->user || !*c->user)
			rc = bw_misconfigs__add(m, "BW-IMG-001", "config", 0, -1,
						"config User is empty, which means root");
		else
			rc = bw_misconfigs__add(m, "BW-IMG-001", "config", 0, -1, "config User is \"%.100s\"%s",
						c->user, resolved ? ", uid 0 in /etc/passwd" : "");
		if (rc < 0)
			return rc;
	}
	/* BW-IMG-002 */
	if (!c->has_healthcheck && (rc = bw_misconfigs__add(m, "BW-IMG-002", "config", 0, -1,
							     "config has no Healthcheck")) < 0)
		return rc;
	/* BW-IMG-003 */
	for (size_t i = 0; i < c->exposed_ports.n; i++) {
		static const struct { unsigned port; const char *what; } admin[] = {
			{ 22, "SSH" }, { 23, "telnet" }, { 2375, "Docker API (plain)" }, { 2376, "Docker API (TLS)" },
			{ 3389, "RDP" },
		};
		const char *p = c->exposed_ports.v[i];
		char *end;
		unsigned long port = strtoul(p, &end, 10);
		if (end == p || (*end && *end != '/'))
			continue;
		for (size_t k = 0; k < sizeof(admin) / sizeof(admin[0]); k++)
			if (port == admin[k].port &&
			    (rc = bw_misconfigs__add(m, "BW-IMG-003", "config", 0, -1, "port %.40s exposed (%s)", p,
						     admin[k].what)) < 0)
				return rc;
	}
	/* BW-IMG-004 */
	for (size_t i = 0; i < c->env.n; i++) {
		const char *e = c->env.v[i], *eq = strchr(e, '=');
		char target[300], red[32];
		if (!eq || !eq[1] || !bw_misconfig__secret_name(e, (size_t)(eq - e)))
			continue;
		snprintf(target, sizeof(target), "config:env:%.*s", (int)(eq - e > 200 ? 200 : eq - e), e);
		bw_misconfig__redact(eq + 1, strlen(eq + 1), red, sizeof(red));
		if ((rc = bw_misconfigs__add(m, "BW-IMG-004", target, 0, -1, "%.*s=%s", (int)(eq - e > 200 ? 200 : eq - e),
					     e, red)) < 0)
			return rc;
	}
	/* BW-IMG-005, 006, 007 over the history */
	for (size_t i = 0; i < c->n_history; i++) {
		const char *cb = c->history[i].created_by;
		char target[64];
		if (!cb)
			continue;
		snprintf(target, sizeof(target), "config:history:%zu", i);
		if (adds_url(cb) && (rc = bw_misconfigs__add(m, "BW-IMG-005", target, 0, -1, "%.200s", cb)) < 0)
			return rc;
		if ((rc = history_secrets(m, c, i, cb)) < 0)
			return rc;
		if (bw_misconfig__pipes_to_shell(cb) && (rc = bw_misconfigs__add(m, "BW-IMG-006", target, 0, -1, "%.200s", cb)) < 0)
			return rc;
		/* a FROM recorded by some builders ("FROM debian:latest"); buildkit records none */
		const char *from = strstr(cb, "FROM ");
		if (from && from == cb) {
			const char *r = from + 5;
			size_t n = strcspn(r, " \t");
			if (ref_is_latest(r, n) && strncmp(r, "scratch", n) &&
			    (rc = bw_misconfigs__add(m, "BW-IMG-007", target, 0, -1, "%.200s", cb)) < 0)
				return rc;
		}
	}
	const char *base = label(img, "org.opencontainers.image.base.name");
	if (base && ref_is_latest(base, strlen(base)) &&
	    (rc = bw_misconfigs__add(m, "BW-IMG-007", "config:label:org.opencontainers.image.base.name", 0, -1,
				     "base image %.200s", base)) < 0)
		return rc;
	/* BW-IMG-008 */
	int64_t created;
	int max_age = o && o->max_age_days > 0 ? o->max_age_days : 365;
	if (c->created && bw_misconfig__date_days(c->created, &created) && today - created > max_age &&
	    (rc = bw_misconfigs__add(m, "BW-IMG-008", "config", 0, -1, "created %.10s, %lld days ago (limit %d)",
				     c->created, (long long)(today - created), max_age)) < 0)
		return rc;
	/* BW-IMG-009 */
	{
		static const char *const want[] = { "org.opencontainers.image.source", "org.opencontainers.image.revision",
						     "org.opencontainers.image.vendor" };
		char missing[200];
		size_t k = 0;
		missing[0] = '\0';
		for (size_t i = 0; i < 3; i++)
			if (!label(img, want[i]))
				k += (size_t)snprintf(missing + k, sizeof(missing) - k, "%s%s", k ? ", " : "", want[i]);
		if (k && (rc = bw_misconfigs__add(m, "BW-IMG-009", "config", 0, -1, "missing labels: %s", missing)) < 0)
			return rc;
	}
	/* BW-IMG-010, 011 */
	const bw_eol_entry *eol = bw_eol__find(in->os_family, in->os_version);
	int64_t end;
	int warn_days = o && o->eol_warn_days > 0 ? o->eol_warn_days : 90;
	if (eol && bw_misconfig__date_days(eol->eol, &end)) {
		if (today > end)
			rc = bw_misconfigs__add(m, "BW-IMG-010", "os", 0, -1, "%s: security support ended %s (%s)",
						eol->name, eol->eol, eol->source);
		else if (end - today <= warn_days)
			rc = bw_misconfigs__add(m, "BW-IMG-011", "os", 0, -1,
						"%s: security support ends %s, in %lld days (%s)", eol->name, eol->eol,
						(long long)(end - today), eol->source);
	}
	return rc;
}

/* ------------------------------------------------------------ filesystem */

typedef struct cache_dir {
	const char *prefix;   /* a directory, with its trailing '/' */
	const char *what;
	bool any_depth;       /* prefix may follow "/home/NAME" or "/root" */
} cache_dir;

static const cache_dir caches[] = {
	{ "/var/lib/apt/lists/", "apt lists", false },
	{ "/var/cache/apt/archives/", "apt package archives", false },
	{ "/var/cache/apk/", "apk cache", false },
	{ "/var/cache/yum/", "yum cache", false },
	{ "/var/cache/dnf/", "dnf cache", false },
	{ "/.cache/pip/", "pip cache", true },
	{ "/.npm/_cacache/", "npm cache", true },
	{ "/.cache/yarn/", "yarn cache", true },
	{ "/usr/local/share/.cache/yarn/", "yarn cache", false },
};
#define N_CACHES (sizeof(caches) / sizeof(caches[0]))

typedef struct uid_count {
	uint64_t uid;
	size_t files;
	char first[256];
} uid_count;

typedef struct fs_ctx {
	bw_misconfigs *m;
	const bw_accounts *acc;
	bool distroless;
	int rc;
	/* per cache: bytes and files, and the matched directory (home caches differ per user) */
	uint64_t cache_bytes[N_CACHES];
	size_t cache_files[N_CACHES];
	char cache_where[N_CACHES][256];
	uid_count *orphans;
	size_t n_orphans;
} fs_ctx;

static const char *owner_name(const bw_accounts *a, uint64_t uid)
{
	for (size_t i = 0; a && i < a->n_pw; i++)
		if (a->pw[i].uid == uid)
			return a->pw[i].name;
	return uid == 0 ? "root" : "?";
}

/* Where path falls in a cache directory: index, or -1. */
static int cache_of(const char *path, char *where, size_t wn)
{
	for (size_t i = 0; i < N_CACHES; i++) {
		const cache_dir *c = &caches[i];
		size_t k = strlen(c->prefix);
		if (!c->any_depth) {
			if (!strncmp(path, c->prefix, k)) {
				snprintf(where, wn, "%.*s", (int)k - 1, c->prefix);
				return (int)i;
			}
			continue;
		}
		/* /root/<prefix> or /home/NAME/<prefix> */
		const char *rest = NULL;
		if (!strncmp(path, "/root/", 6))
			rest = path + 5;
		else if (!strncmp(path, "/home/", 6))
			rest = strchr(path + 6, '/');
		if (rest && !strncmp(rest, c->prefix, k)) {
			snprintf(where, wn, "%.*s", (int)(rest - path + (long)k - 1), path);
			return (int)i;
		}
	}
	return -1;
}

static bool is_shell_or_pm(const char *path)
{
	static const char *const tools[] = { "/bin/sh", "/bin/bash", "/bin/dash", "/bin/ash", "/bin/busybox",
					     "/usr/bin/bash", "/usr/bin/sh", "/usr/bin/dash", "/bin/zsh", "/usr/bin/zsh",
					     "/usr/bin/apt", "/usr/bin/apt-get", "/usr/bin/dpkg", "/sbin/apk",
					     "/usr/bin/yum", "/usr/bin/dnf", "/usr/bin/microdnf", "/usr/bin/rpm",
					     "/bin/rpm", "/usr/bin/pip", "/usr/bin/pip3", "/usr/local/bin/pip",
					     "/usr/local/bin/pip3" };
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(path, tools[i]))
			return true;
	return false;
}

static int fs_visit(const bw_file_info *f, void *ctx)
{
	fs_ctx *c = ctx;
	bw_misconfigs *m = c->m;
	int rc = 0;
	bool real = f->type == 'f' || f->type == 'd' || f->type == 'h';

	/* BW-FS-001 */
	if (real && f->type != 'd' && (f->mode & 06000))
		rc = bw_misconfigs__add(m, "BW-FS-001", f->path, 0, (int64_t)f->layer,
					"mode %04o (%s%s%s), owner %s (uid %llu), group %llu", f->mode & 07777,
					f->mode & 04000 ? "setuid" : "", (f->mode & 06000) == 06000 ? "+" : "",
					f->mode & 02000 ? "setgid" : "", owner_name(c->acc, f->uid),
					(unsigned long long)f->uid, (unsigned long long)f->gid);
	/* BW-FS-002: symlinks are always 0777 and mean nothing */
	if (rc == 0 && real && (f->mode & 0002) && !(f->type == 'd' && (f->mode & 01000)))
		rc = bw_misconfigs__add(m, "BW-FS-002", f->path, 0, (int64_t)f->layer, "%s mode %04o",
					f->type == 'd' ? "directory" : "file", f->mode & 07777);
	/* BW-FS-003: collected per uid */
	if (rc == 0 && c->acc && c->acc->have_passwd && c->acc->n_pw && !bw_accounts__has_uid(c->acc, f->uid)) {
		size_t i = 0;
		while (i < c->n_orphans && c->orphans[i].uid != f->uid)
			i++;
		if (i == c->n_orphans && c->n_orphans < 64) {
			uid_count *v = realloc(c->orphans, (c->n_orphans + 1) * sizeof(*v));
			if (!v)
				return c->rc = bw_error_set(BW_EINTERNAL, "out of memory");
			c->orphans = v;
			v[i].uid = f->uid;
			v[i].files = 0;
			snprintf(v[i].first, sizeof(v[i].first), "%s", f->path);
			c->n_orphans++;
		}
		if (i < c->n_orphans)
			c->orphans[i].files++;
	}
	/* BW-FS-006, 007 */
	if (rc == 0 && f->type == 'f') {
		const char *name = strrchr(f->path, '/');
		name = name ? name + 1 : f->path;
		size_t nl = strlen(name);
		if (!strncmp(f->path, "/etc/ssh/ssh_host_", 18) && nl > 4 && !strcmp(name + nl - 4, "_key"))
			rc = bw_misconfigs__add(m, "BW-FS-006", f->path, 0, (int64_t)f->layer, "%llu bytes, mode %04o",
						(unsigned long long)f->size, f->mode & 07777);
		else if ((!strcmp(name, "authorized_keys") || !strcmp(name, "authorized_keys2")) &&
			 strstr(f->path, "/.ssh/"))
			rc = bw_misconfigs__add(m, "BW-FS-007", f->path, 0, (int64_t)f->layer, "%llu bytes, owner uid %llu",
						(unsigned long long)f->size, (unsigned long long)f->uid);
	}
	/* BW-FS-008: sizes summed per cache; apt's lock and partial/ are always there and empty */
	if (rc == 0 && f->type == 'f') {
		char where[256];
		int k = cache_of(f->path, where, sizeof(where));
		const char *base = strrchr(f->path, '/');
		if (k >= 0 && !(base && !strcmp(base, "/lock"))) {
			c->cache_bytes[k] += f->size;
			c->cache_files[k]++;
			if (!c->cache_where[k][0])
				snprintf(c->cache_where[k], sizeof(c->cache_where[k]), "%s", where);
		}
	}
	/* BW-FS-009 */
	if (rc == 0 && c->distroless && f->type != 'd' && is_shell_or_pm(f->path))
		rc = bw_misconfigs__add(m, "BW-FS-009", f->path, 0, (int64_t)f->layer, "%s in a distroless-intent image",
					f->type == 'l' ? "symlink" : "file");
	if (rc < 0)
		c->rc = rc;
	return rc;
}

/* Does the config say "distroless"? The distroless images' labels and their
 * nonroot user (65532), or a name that says so. */
static bool distroless_intent(const bw_image *img)
{
	const bw_config *c = &img->config;
	for (size_t i = 0; i < c->labels.n; i++)
		if (strcasestr(c->labels.values[i], "distroless") || strcasestr(c->labels.keys[i], "distroless"))
			return true;
	for (size_t i = 0; i < img->repo_tags.n; i++)
		if (strcasestr(img->repo_tags.v[i], "distroless"))
			return true;
	if (img->reference && strcasestr(img->reference, "distroless"))
		return true;
	return c->user && (!strcmp(c->user, "65532") || !strcmp(c->user, "65532:65532") ||
			   !strcmp(c->user, "nonroot") || !strcmp(c->user, "nonroot:nonroot"));
}

static int account_checks(bw_misconfigs *m, const bw_accounts *a)
{
	int rc = 0;
	for (size_t i = 0; a && i < a->n_sp && rc == 0; i++) {
		const char *scheme;
		char target[64];
		snprintf(target, sizeof(target), "/etc/shadow:%u", a->sp[i].line);
		switch (bw_accounts__hash_kind(a->sp[i].hash, &scheme)) {
		case BW_HASH_EMPTY:
			rc = bw_misconfigs__add(m, "BW-FS-004", "/etc/shadow", a->sp[i].line, -1,
						"user %.64s has an empty password field", a->sp[i].name);
			break;
		case BW_HASH_WEAK:
			rc = bw_misconfigs__add(m, "BW-FS-005", "/etc/shadow", a->sp[i].line, -1,
						"user %.64s has a %s hash", a->sp[i].name, scheme);
			break;
		default: break;
		}
	}
	for (size_t i = 0; a && i < a->n_sudo && rc == 0; i++)
		if (a->sudo[i].nopasswd)
			rc = bw_misconfigs__add(m, "BW-FS-010", a->sudo[i].file, a->sudo[i].line, -1, "%.200s",
						a->sudo[i].text);
	return rc;
}

int bw_misconfig_check_image(bw_misconfigs **out, const bw_image *img, const bw_misconfig_options *opts)
{
	bw_misconfigs *m = NULL;
	fs_ctx fc;
	int64_t today;
	int rc;

	*out = NULL;
	if (!bw_misconfig__today(opts ? opts->today : NULL, &today))
		return bw_error_set(BW_EUSAGE, "misconfig: today \"%s\" is not a YYYY-MM-DD date", opts->today);
	if (!img->scanned)
		return bw_error_set(BW_EUSAGE, "misconfig: the image has not been scanned");
	if (!(m = bw_misconfigs__new("image")))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	memset(&fc, 0, sizeof(fc));
	/* an SBOM has no config and no files to judge */
	if (!img->from_sbom) {
		/* a dir: root filesystem has no config either */
		if (img->ref.transport != BW_TRANSPORT_ROOTFS_DIR && (rc = config_checks(m, img, opts, today)) < 0)
			goto done;
		fc.m = m;
		fc.acc = bw_misconfig__image_accounts(img);
		fc.distroless = distroless_intent(img);
		if ((rc = bw_image_files(img, fs_visit, &fc)) < 0 || (rc = fc.rc) < 0)
			goto done;
		for (size_t i = 0; i < fc.n_orphans; i++)
			if ((rc = bw_misconfigs__add(m, "BW-FS-003", fc.orphans[i].first, 0, -1,
						     "uid %llu (not in /etc/passwd) owns %zu files, e.g. %.200s",
						     (unsigned long long)fc.orphans[i].uid, fc.orphans[i].files,
						     fc.orphans[i].first)) < 0)
				goto done;
		for (size_t i = 0; i < N_CACHES; i++)
			if (fc.cache_files[i] && (rc = bw_misconfigs__add(m, "BW-FS-008", fc.cache_where[i], 0, -1,
									     "%s: %zu files, %llu bytes", caches[i].what,
									     fc.cache_files[i],
									     (unsigned long long)fc.cache_bytes[i])) < 0)
				goto done;
		if ((rc = account_checks(m, fc.acc)) < 0)
			goto done;
	}
	bw_misconfigs__sort(m);
	*out = m;
	m = NULL;
	rc = 0;
done:
	free(fc.orphans);
	bw_misconfigs_free(m);
	return rc;
}
