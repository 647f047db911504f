/*
 * diff/drift.c: `bulwark drift IMAGE ROOTFS` (bulwark/diff.h): a container's
 * root filesystem on the host against the merged filesystem of its image.
 *
 * The directory is hostile: it belongs to a container that may have been
 * compromised. It is walked once, depth first, each directory opened relative
 * to its parent's descriptor with O_NOFOLLOW | O_DIRECTORY, each entry
 * examined with fstatat(AT_SYMLINK_NOFOLLOW), each regular file opened with
 * O_NOFOLLOW | O_NONBLOCK and checked to be the inode fstatat saw before it is
 * read. Symlinks are read (readlinkat), never followed, so links out of the
 * tree and loops cost nothing. Other filesystems mounted inside (a
 * container's /proc, /sys) are not entered. Depth, path length and entry
 * count are bounded; what is skipped is counted and logged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/bulwark.h"
#include "bulwark/diff.h"
#include "crypto/digest.h"
#include "diff/files.h"
#include "util/jsonw.h"
#include "util/limits.h"
#include "util/log.h"

#define DRIFT_MAX_DEPTH 256
#define DRIFT_MAX_ENTRIES 4000000
#define READ_CHUNK (256 * 1024)
/* An added file (none at its path in the image) is hashed for the report only up to this
 * size; a file the image has is hashed only when the sizes agree (else it differs anyway),
 * so a hostile terabyte sparse file costs a stat, not a read. */
#define MAX_ADDED_HASH_BYTES (64 * BW_MiB)

typedef struct walker {
	const bw_flist *image; /* sorted: which files are worth hashing */
	const char *root;
	dev_t dev;
	bw_flist *out;
	size_t skipped;
	uint8_t *buf;
} walker;

static int hash_file(walker *w, int dfd, const char *name, const struct stat *seen, const char *path, char *digest)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	bw_hasher *h = NULL;
	int rc = 0;

	digest[0] = '\0';
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != seen->st_ino || st.st_dev != seen->st_dev) {
		/* replaced between fstatat and open, or unreadable: not compared */
		bw_warn("%s%s: cannot read (%s); not compared", w->root, path, fd < 0 ? strerror(errno) : "changed while read");
		w->skipped++;
		rc = 1;
		goto done;
	}
	if (!(h = bw_hasher_new(BW_SHA256))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, w->buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bw_warn("%s%s: read error (%s); not compared", w->root, path, strerror(errno));
			w->skipped++;
			rc = 1;
			goto done;
		}
		if (n == 0)
			break;
		bw_hasher_update(h, w->buf, (size_t)n);
	}
	bw_digest d;
	bw_hasher_final(h, &d);
	memcpy(digest, d.text, strlen(d.text) + 1);
done:
	bw_hasher_free(h);
	if (fd >= 0)
		close(fd);
	return rc;
}

static const bw_fentry *image_entry(const bw_flist *l, const char *path)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->v[mid].path, path);
		if (!c)
			return &l->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static char type_of(mode_t m)
{
	if (S_ISREG(m)) return 'f';
	if (S_ISDIR(m)) return 'd';
	if (S_ISLNK(m)) return 'l';
	if (S_ISCHR(m)) return 'c';
	if (S_ISBLK(m)) return 'b';
	if (S_ISFIFO(m)) return 'p';
	return 's';
}

typedef struct level {
	DIR *dir;
	size_t path_len;  /* of path[] for this directory */
} level;

static int walk(walker *w, int rootfd)
{
	level stack[DRIFT_MAX_DEPTH];
	char path[BW_MAX_PATH_BYTES + 1] = "";
	size_t depth = 0;
	int rc = 0;

	if (!(stack[0].dir = fdopendir(rootfd))) {
		close(rootfd);
		return bw_error_set(BW_EINPUT, "%s: %s", w->root, strerror(errno));
	}
	stack[0].path_len = 0;
	depth = 1;
	while (depth && rc >= 0) {
		level *lv = &stack[depth - 1];
		errno = 0;
		struct dirent *de = readdir(lv->dir);
		if (!de) {
			if (errno) {
				bw_warn("%s%s: reading the directory: %s", w->root, path, strerror(errno));
				w->skipped++;
			}
			closedir(lv->dir);
			depth--;
			if (depth)
				path[stack[depth - 1].path_len] = '\0';
			continue;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t nl = strlen(de->d_name);
		path[lv->path_len] = '\0';
		if (lv->path_len + 1 + nl > BW_MAX_PATH_BYTES) {
			bw_warn("%s%s/%s: path too long; not compared", w->root, path, de->d_name);
			w->skipped++;
			continue;
		}
		path[lv->path_len] = '/';
		memcpy(path + lv->path_len + 1, de->d_name, nl + 1);
		size_t plen = lv->path_len + 1 + nl;

		int dfd = dirfd(lv->dir);
		struct stat st;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			bw_warn("%s%s: %s; not compared", w->root, path, strerror(errno));
			w->skipped++;
			continue;
		}
		if (w->out->n >= DRIFT_MAX_ENTRIES) {
			rc = bw_error_set(BW_EINPUT, "%s: more than %d entries", w->root, DRIFT_MAX_ENTRIES);
			break;
		}
		char digest[BW_DIGEST_TEXT_MAX] = "";
		char link[BW_MAX_PATH_BYTES + 1];
		const char *linkp = NULL;
		const bw_fentry *known = image_entry(w->image, path);
		bool worth = known ? known->type == 'f' && known->size == (uint64_t)st.st_size
				   : (uint64_t)st.st_size <= MAX_ADDED_HASH_BYTES;
		if (S_ISREG(st.st_mode) && worth) {
			int h = hash_file(w, dfd, de->d_name, &st, path, digest);
			if (h < 0) {
				rc = h;
				break;
			}
			if (h > 0)
				continue;
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
			if (n < 0) {
				bw_warn("%s%s: %s; not compared", w->root, path, strerror(errno));
				w->skipped++;
				continue;
			}
			link[n] = '\0';
			linkp = link;
		}
		if ((rc = bw_flist_add(w->out, path, type_of(st.st_mode), st.st_mode & 07777, st.st_uid, st.st_gid,
				       S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, linkp, digest[0] ? digest : NULL)) < 0)
			break;
		if (!S_ISDIR(st.st_mode))
			continue;
		if (st.st_dev != w->dev) {
			bw_info("%s%s: another filesystem is mounted here; not entered", w->root, path);
			continue;
		}
		if (depth >= DRIFT_MAX_DEPTH) {
			bw_warn("%s%s: nested deeper than %d; not entered", w->root, path, DRIFT_MAX_DEPTH);
			w->skipped++;
			continue;
		}
		int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = sub >= 0 ? fdopendir(sub) : NULL;
		if (!d) {
			bw_warn("%s%s: %s; not entered", w->root, path, strerror(errno));
			if (sub >= 0)
				close(sub);
			w->skipped++;
			continue;
		}
		stack[depth].dir = d;
		stack[depth].path_len = plen;
		depth++;
	}
	while (depth)
		closedir(stack[--depth].dir);
	return rc < 0 ? rc : 0;
}

static bool sensitive(const char *p)
{
	static const char *const prefixes[] = {
		"/bin/", "/sbin/", "/lib", "/etc/", "/usr/bin/", "/usr/sbin/", "/usr/lib", "/usr/libexec/",
		"/usr/local/bin/", "/usr/local/sbin/", "/usr/local/lib", "/boot/",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(p, prefixes[i], n))
			return true;
		/* the directory itself ("/etc") */
		if (prefixes[i][n - 1] == '/' && !strncmp(p, prefixes[i], n - 1) && p[n - 1] == '\0')
			return true;
	}
	return false;
}

static bool executable(const bw_fentry *e)
{
	return e && e->type == 'f' && (e->mode & 0111);
}

typedef struct drift_ctx {
	const bw_flist *image;
	bw_jsonw *w;
	FILE *out;
	bw_format format;
	bw_drift_summary *s;
} drift_ctx;

static void json_side(bw_jsonw *w, const char *key, const bw_fentry *e)
{
	char mode[8];
	if (!e)
		return;
	snprintf(mode, sizeof(mode), "%04o", e->mode);
	bw_jw_key(w, key);
	bw_jw_object_begin(w);
	bw_jw_kv_string(w, "type", e->type == 'f' ? "file" : e->type == 'd' ? "dir" : e->type == 'l' ? "symlink" : "other");
	bw_jw_kv_string(w, "mode", mode);
	bw_jw_kv_uint(w, "uid", e->uid);
	bw_jw_kv_uint(w, "gid", e->gid);
	if (e->type == 'f')
		bw_jw_kv_uint(w, "size", e->size);
	if (e->digest)
		bw_jw_kv_string(w, "digest", e->digest);
	if (e->link)
		bw_jw_kv_string(w, "link", e->link);
	bw_jw_object_end(w);
}

/* True when the image has an entry below dir: a layer that lists "/a/b/c" without "/a/b"
 * still makes the directory exist once unpacked, so it is not an addition. */
static bool implicit_parent(const bw_flist *image, const char *dir)
{
	size_t n = strlen(dir), lo = 0, hi = image->n;
	/* the first entry not below dir + "/" in byte order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(image->v[mid].path, dir, n);
		if (c < 0 || (c == 0 && (unsigned char)image->v[mid].path[n] < '/'))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < image->n && !strncmp(image->v[lo].path, dir, n) && image->v[lo].path[n] == '/';
}

static int drift_cb(const bw_fentry *a, const bw_fentry *b, void *arg)
{
	drift_ctx *c = arg;
	unsigned changes = a && b ? bw_fentry_compare(a, b, false) : 0;
	char what[64] = "";

	if (a && b && !changes)
		return 0;
	if (!a && b->type == 'd' && implicit_parent(c->image, b->path))
		return 0;
	const bw_fentry *e = b ? b : a;
	const char *change = !a ? "added" : !b ? "removed" : "modified";
	bool sens = sensitive(e->path), exe = executable(b) || (!b && executable(a));
	if (!a) c->s->added++;
	else if (!b) c->s->removed++;
	else c->s->modified++;
	if (sens) c->s->sensitive++;
	if (exe) c->s->executables++;
	if (a && b)
		bw_fchange_text(changes, what, sizeof(what));
	if (c->format == BW_FORMAT_JSON) {
		bw_jw_object_begin(c->w);
		bw_jw_kv_string(c->w, "path", e->path);
		bw_jw_kv_string(c->w, "change", change);
		if (a && b) {
			bw_jw_key(c->w, "what");
			bw_jw_array_begin(c->w);
			for (char *p = what, *q; *p; p = *q ? q + 1 : q) {
				q = strchrnul(p, ',');
				bw_jw_stringn(c->w, p, (size_t)(q - p));
			}
			bw_jw_array_end(c->w);
		}
		bw_jw_kv_bool(c->w, "sensitive", sens);
		bw_jw_kv_bool(c->w, "executable", exe);
		json_side(c->w, "image", a);
		json_side(c->w, "rootfs", b);
		bw_jw_object_end(c->w);
		return 0;
	}
	fprintf(c->out, "%-9s %-7s %04o %s%s%s%s%s%s%s%s\n", change,
		e->type == 'f' ? "file" : e->type == 'd' ? "dir" : e->type == 'l' ? "symlink" : "other", e->mode, e->path,
		e->link ? " -> " : "", e->link ? e->link : "", what[0] ? "  (" : "", what, what[0] ? ")" : "",
		sens ? "  [sensitive]" : "", exe ? "  [executable]" : "");
	return 0;
}

int bw_drift_report(FILE *out, const bw_image *img, const char *rootfs, bw_format format, bw_drift_summary *summary)
{
	bw_flist fa = { 0 }, fb = { 0 };
	bw_drift_summary s = { 0 };
	walker w = { .image = &fa, .root = rootfs, .out = &fb };
	struct stat st;
	int rc, fd;

	if (format != BW_FORMAT_TABLE && format != BW_FORMAT_JSON)
		return bw_error_set(BW_EUSAGE, "drift: formats are table and json");
	fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = bw_error_set(BW_EINPUT, "%s: %s", rootfs, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	w.dev = st.st_dev;
	if (!(w.buf = malloc(READ_CHUNK))) {
		close(fd);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if ((rc = bw_flist_from_image(img, &fa)) < 0 || (rc = walk(&w, fd)) < 0)
		goto done;
	bw_flist_sort(&fb);
	s.skipped = w.skipped;

	const bw_image_info *in = bw_image_get_info(img);
	bw_jsonw jw;
	drift_ctx c = { .image = &fa, .out = out, .format = format, .s = &s };
	if (format == BW_FORMAT_JSON) {
		c.w = &jw;
		bw_jw_init(c.w, out, true);
		bw_jw_object_begin(c.w);
		bw_jw_kv_uint(c.w, "schema", 1);
		bw_jw_key(c.w, "tool");
		bw_jw_object_begin(c.w);
		bw_jw_kv_string(c.w, "name", "bulwark");
		bw_jw_kv_string(c.w, "version", bw_version());
		bw_jw_object_end(c.w);
		bw_jw_key(c.w, "image");
		bw_jw_object_begin(c.w);
		bw_jw_kv_string(c.w, "reference", in->reference);
		bw_jw_kv_string(c.w, "manifest_digest", in->manifest_digest);
		bw_jw_object_end(c.w);
		bw_jw_kv_string(c.w, "rootfs", rootfs);
		bw_jw_key(c.w, "changes");
		bw_jw_array_begin(c.w);
	} else {
		fprintf(out, "IMAGE  %s (%s)\nROOTFS %s\n\n", in->reference, in->manifest_digest ? in->manifest_digest : "-",
			rootfs);
	}
	if ((rc = bw_flist_merge(&fa, &fb, drift_cb, &c)) < 0)
		goto done;
	if (format == BW_FORMAT_JSON) {
		bw_jw_array_end(c.w);
		bw_jw_key(c.w, "summary");
		bw_jw_object_begin(c.w);
		bw_jw_kv_uint(c.w, "added", s.added);
		bw_jw_kv_uint(c.w, "removed", s.removed);
		bw_jw_kv_uint(c.w, "modified", s.modified);
		bw_jw_kv_uint(c.w, "sensitive", s.sensitive);
		bw_jw_kv_uint(c.w, "executables", s.executables);
		bw_jw_kv_uint(c.w, "not_compared", s.skipped);
		bw_jw_object_end(c.w);
		bw_jw_object_end(c.w);
		if (bw_jw_finish(c.w) < 0)
			rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
	} else {
		if (!s.added && !s.removed && !s.modified)
			fprintf(out, "no drift\n");
		fprintf(out, "\n%zu added, %zu removed, %zu modified (%zu in sensitive paths, %zu executable)%s\n",
			s.added, s.removed, s.modified, s.sensitive, s.executables,
			s.skipped ? " - some entries not compared, see warnings" : "");
		if (ferror(out))
			rc = bw_error_set(BW_EINTERNAL, "writing the report failed");
	}
done:
	if (summary)
		*summary = s;
	free(w.buf);
	bw_flist_free(&fa);
	bw_flist_free(&fb);
	return rc;
}
