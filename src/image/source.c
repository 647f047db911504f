#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "image/source.h"
#include "registry/registry.h"
#include "util/limits.h"
#include "util/path.h"
#include "util/strmap.h"

/* One member of a tar archive that holds a whole image. */
typedef struct member {
	char *name;      /* canonical, without the leading '/' */
	uint64_t size;
	char *symlink;   /* canonical target for symlinks (docker save links shared layers) */
} member;

struct bw_source {
	bw_transport transport;
	char *path;
	char name[4200];
	int dirfd;        /* OCI layout directory */
	bw_strmap members; /* tar archives: name -> member */
	bw_reg_source *reg; /* registry images (registry/source.c) */
	member *member_list;
	size_t n_members;
};

struct bw_stream {
	bw_reg_stream *reg;
	int fd;
	struct archive *ar;
	char what[512];
};

const char *bw_source_name(const bw_source *s)
{
	return s->name;
}

static struct archive *archive_open_file(const char *path)
{
	struct archive *ar = archive_read_new();
	if (!ar)
		return NULL;
	/* Only tar, and only the compressions images use: libarchive's other
	 * filters may run external programs, which hostile input must not reach. */
	archive_read_support_format_tar(ar);
	archive_read_support_filter_none(ar);
	archive_read_support_filter_gzip(ar);
	archive_read_support_filter_zstd(ar);
	if (archive_read_open_filename(ar, path, 1 << 16) != ARCHIVE_OK)
		return ar; /* caller reads archive_error_string() */
	return ar;
}

/* Canonical member name: tar names without "./" or leading slashes. */
static int member_name(const char *archive, const char *raw, char *out)
{
	size_t len;
	bw_path_status st = bw_path_from_tar(raw, out, &len);
	if (st != BW_PATH_OK)
		return bw_error_set(BW_EINPUT, "%s: member \"%.200s\" %s", archive, raw,
				    bw_path_status_str(st));
	memmove(out, out + 1, len); /* drop the leading '/' */
	return 0;
}

int bw_archive_classify(const char *path, bw_transport *out)
{
	struct archive *ar = archive_open_file(path);
	struct archive_entry *e;
	bool has_layout = false, has_index = false, has_docker_manifest = false;
	char name[BW_MAX_PATH_BYTES + 2];
	size_t count = 0;
	int r;

	if (!ar)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		if (++count > BW_MAX_ARCHIVE_MEMBERS)
			break;
		if (member_name(path, archive_entry_pathname(e) ? archive_entry_pathname(e) : "", name) < 0)
			continue;
		if (!strcmp(name, "oci-layout"))
			has_layout = true;
		else if (!strcmp(name, "index.json"))
			has_index = true;
		else if (!strcmp(name, "manifest.json"))
			has_docker_manifest = true;
	}
	if (r != ARCHIVE_EOF && r != ARCHIVE_OK && count == 0) {
		int rc = bw_error_set(BW_EINPUT, "%s: not an image archive: %s", path,
				      archive_error_string(ar) ? archive_error_string(ar) : "unreadable");
		archive_read_free(ar);
		return rc;
	}
	archive_read_free(ar);
	if (has_layout && has_index)
		*out = BW_TRANSPORT_OCI_ARCHIVE;
	else if (has_docker_manifest)
		*out = BW_TRANSPORT_DOCKER_ARCHIVE;
	else
		return bw_error_set(BW_EINPUT,
				    "%s: a tar file with neither an OCI layout nor a docker-archive manifest.json",
				    path);
	return 0;
}

/* Lists the members of an image archive once, so later lookups are cheap and
 * ambiguous archives (two members with one name) are refused up front. */
static int index_archive(bw_source *s)
{
	struct archive *ar = archive_open_file(s->path);
	struct archive_entry *e;
	char name[BW_MAX_PATH_BYTES + 2];
	bw_strmap seen = { 0 }; /* names so far, to refuse duplicates while listing */
	size_t cap = 0;
	int r, rc = BW_EINPUT;

	if (!ar)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *raw = archive_entry_pathname(e);
		if (s->n_members >= BW_MAX_ARCHIVE_MEMBERS) {
			bw_error_set(BW_EINPUT, "%s: more than %d members", s->name, BW_MAX_ARCHIVE_MEMBERS);
			goto done;
		}
		if (member_name(s->name, raw ? raw : "", name) < 0)
			goto done;
		if (!name[0])
			continue; /* "./" itself */
		if (bw_strmap_get(&seen, name)) {
			bw_error_set(BW_EINPUT, "%s: two members are named \"%.200s\"", s->name, name);
			goto done;
		}
		if (s->n_members == cap) {
			cap = cap ? cap * 2 : 64;
			member *ml = realloc(s->member_list, cap * sizeof(*ml));
			if (!ml) {
				rc = bw_error_set(BW_EINTERNAL, "out of memory");
				goto done;
			}
			s->member_list = ml;
		}
		member *m = &s->member_list[s->n_members];
		memset(m, 0, sizeof(*m));
		m->size = archive_entry_size(e) > 0 ? (uint64_t)archive_entry_size(e) : 0;
		if (!(m->name = strdup(name))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		s->n_members++;
		if (bw_strmap_put(&seen, m->name, m) < 0) { /* m moves on realloc; only the key matters */
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		if (archive_entry_filetype(e) == AE_IFLNK && archive_entry_symlink(e)) {
			char dir[BW_MAX_PATH_BYTES + 2], target[BW_MAX_PATH_BYTES + 2];
			snprintf(dir, sizeof(dir), "/%s", name);
			bw_path_dirname(dir);
			if (bw_path_join_link(dir, archive_entry_symlink(e), target, sizeof(target)) == 0)
				m->symlink = strdup(target + 1);
		}
	}
	if (r != ARCHIVE_EOF) {
		bw_error_set(BW_EINPUT, "%s: %s", s->name,
			     archive_error_string(ar) ? archive_error_string(ar) : "unreadable tar archive");
		goto done;
	}
	/* Member pointers are stable now: the list no longer grows. */
	for (size_t i = 0; i < s->n_members; i++)
		if (bw_strmap_put(&s->members, s->member_list[i].name, &s->member_list[i]) < 0) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
	rc = 0;
done:
	bw_strmap_free(&seen);
	archive_read_free(ar);
	return rc;
}

int bw_source_open(bw_source **out, const bw_ref *ref)
{
	return bw_source_open_registry(out, ref, NULL);
}

int bw_source_open_registry(bw_source **out, const bw_ref *ref, const bw_registry_options *reg_opts)
{
	bw_source *s = calloc(1, sizeof(*s));
	struct stat st;
	int rc = BW_EINPUT;

	*out = NULL;
	if (!s)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	s->dirfd = -1;
	s->transport = ref->transport;
	snprintf(s->name, sizeof(s->name), "%s:%s", bw_transport_name(ref->transport), ref->path);
	if (!(s->path = strdup(ref->path))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	switch (ref->transport) {
	case BW_TRANSPORT_OCI_DIR:
	case BW_TRANSPORT_ROOTFS_DIR:
		s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->dirfd < 0) {
			bw_error_set(BW_EINPUT, "%s: %s", s->name, strerror(errno));
			goto fail;
		}
		break;
	case BW_TRANSPORT_OCI_ARCHIVE:
	case BW_TRANSPORT_DOCKER_ARCHIVE:
		if (stat(s->path, &st) != 0) {
			bw_error_set(BW_EINPUT, "%s: %s", s->name, strerror(errno));
			goto fail;
		}
		if (!S_ISREG(st.st_mode)) {
			bw_error_set(BW_EINPUT, "%s: not a regular file", s->name);
			goto fail;
		}
		if ((rc = index_archive(s)) < 0)
			goto fail;
		break;
	case BW_TRANSPORT_REGISTRY:
		if ((rc = bw_reg_source_open(&s->reg, ref->path, reg_opts)) < 0)
			goto fail;
		snprintf(s->name, sizeof(s->name), "%s", bw_reg_source_name(s->reg));
		break;
	}
	*out = s;
	return 0;
fail:
	bw_source_free(s);
	return rc;
}

int bw_source_registry_top(bw_source *s, bw_digest *digest, uint64_t *size, char **media_type)
{
	if (!s->reg)
		return bw_error_set(BW_EINTERNAL, "%s: not a registry image", s->name);
	return bw_reg_source_top(s->reg, digest, size, media_type);
}

void bw_source_free(bw_source *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	bw_reg_source_free(s->reg);
	for (size_t i = 0; i < s->n_members; i++) {
		free(s->member_list[i].name);
		free(s->member_list[i].symlink);
	}
	free(s->member_list);
	bw_strmap_free(&s->members);
	free(s->path);
	free(s);
}

/* Follows docker save's symlinked layer members to the member holding the data. */
static member *find_member(bw_source *s, const char *name)
{
	member *m = bw_strmap_get(&s->members, name);
	for (int hops = 0; m && m->symlink && hops < 8; hops++)
		m = bw_strmap_get(&s->members, m->symlink);
	return m && !m->symlink ? m : NULL;
}

bool bw_source_has(bw_source *s, const char *member_name_, uint64_t *size)
{
	if (s->reg)
		return bw_reg_source_has(s->reg, member_name_, size);
	if (s->dirfd >= 0) {
		struct stat st;
		if (fstatat(s->dirfd, member_name_, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			return false;
		if (size)
			*size = (uint64_t)st.st_size;
		return true;
	}
	member *m = find_member(s, member_name_);
	if (m && size)
		*size = m->size;
	return m != NULL;
}

int bw_source_open_stream(bw_source *s, const char *name, bw_stream **out)
{
	bw_stream *st = calloc(1, sizeof(*st));
	int rc = BW_EINPUT;

	*out = NULL;
	if (!st)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	st->fd = -1;
	snprintf(st->what, sizeof(st->what), "%s: %s", s->name, name);
	if (s->reg) {
		if ((rc = bw_reg_source_open_stream(s->reg, name, &st->reg)) < 0)
			goto fail;
		*out = st;
		return 0;
	}
	if (s->dirfd >= 0) {
		/* O_NOFOLLOW: a layout whose blob is a symlink to a host file is refused. */
		st->fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (st->fd < 0) {
			if (errno == ENOENT)
				bw_error_set(BW_EINPUT, "%s: %s is missing", s->name, name);
			else
				bw_error_set(BW_EINPUT, "%s: %s", st->what, strerror(errno));
			goto fail;
		}
		*out = st;
		return 0;
	}
	member *m = find_member(s, name);
	if (!m) {
		bw_error_set(BW_EINPUT, "%s: %s is missing", s->name, name);
		goto fail;
	}
	st->ar = archive_open_file(s->path);
	if (!st->ar) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto fail;
	}
	struct archive_entry *e;
	char cname[BW_MAX_PATH_BYTES + 2];
	int r;
	while ((r = archive_read_next_header(st->ar, &e)) == ARCHIVE_OK) {
		const char *raw = archive_entry_pathname(e);
		if (member_name(s->name, raw ? raw : "", cname) == 0 && !strcmp(cname, m->name)) {
			*out = st;
			return 0;
		}
	}
	bw_error_set(BW_EINPUT, "%s: %s changed while being read", s->name, name);
fail:
	bw_stream_close(st);
	return rc;
}

ssize_t bw_stream_read(bw_stream *st, void *buf, size_t cap)
{
	if (st->reg)
		return bw_reg_stream_read(st->reg, buf, cap);
	if (st->fd >= 0) {
		for (;;) {
			ssize_t n = read(st->fd, buf, cap);
			if (n >= 0)
				return n;
			if (errno != EINTR)
				return bw_error_set(BW_EINPUT, "%s: %s", st->what, strerror(errno));
		}
	}
	la_ssize_t n = archive_read_data(st->ar, buf, cap);
	if (n < 0)
		return bw_error_set(BW_EINPUT, "%s: %s", st->what,
				    archive_error_string(st->ar) ? archive_error_string(st->ar) : "read error");
	return n;
}

void bw_stream_close(bw_stream *st)
{
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	if (st->ar)
		archive_read_free(st->ar);
	bw_reg_stream_close(st->reg);
	free(st);
}

int bw_source_read(bw_source *s, const char *name, size_t max, bw_buf *out)
{
	bw_stream *st;
	uint8_t chunk[65536];
	ssize_t n;
	int rc;

	if (s->reg)
		return bw_reg_source_read(s->reg, name, max, out);
	if ((rc = bw_source_open_stream(s, name, &st)) < 0)
		return rc;
	out->max = max;
	while ((n = bw_stream_read(st, chunk, sizeof(chunk))) > 0) {
		int r = bw_buf_append(out, chunk, (size_t)n);
		if (r == -1) {
			rc = bw_error_set(BW_EINPUT, "%s: %s is larger than the limit of %zu bytes", s->name,
					  name, max);
			goto done;
		}
		if (r < 0) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
	}
	rc = n < 0 ? (int)n : 0;
	if (rc == 0 && !out->data)
		rc = bw_buf_append(out, "", 0) == 0 ? 0 : bw_error_set(BW_EINTERNAL, "out of memory");
done:
	bw_stream_close(st);
	return rc;
}

/* ------------------------------------------------------------ writing archives */

static int pack_add(struct archive *aw, const char *root, const char *rel, int depth)
{
	char path[BW_MAX_PATH_BYTES + 2];
	struct stat st;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", root, rel[0] ? "/" : "", rel);
	if (lstat(path, &st) != 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
	if (rel[0]) {
		struct archive_entry *e = archive_entry_new();
		if (!e)
			return bw_error_set(BW_EINTERNAL, "out of memory");
		archive_entry_set_pathname(e, rel);
		archive_entry_set_mode(e, S_ISDIR(st.st_mode) ? (AE_IFDIR | 0755) : (AE_IFREG | 0644));
		archive_entry_set_size(e, S_ISDIR(st.st_mode) ? 0 : st.st_size);
		archive_entry_set_mtime(e, 0, 0);
		if (archive_write_header(aw, e) != ARCHIVE_OK)
			rc = bw_error_set(BW_EUSAGE, "%s: %s", path, archive_error_string(aw));
		archive_entry_free(e);
		if (rc < 0)
			return rc;
	}
	if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		uint8_t buf[256 * 1024];
		ssize_t n;
		if (fd < 0)
			return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (archive_write_data(aw, buf, (size_t)n) != n) {
				close(fd);
				return bw_error_set(BW_EUSAGE, "%s: %s", path, archive_error_string(aw));
			}
		close(fd);
		return n < 0 ? bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno)) : 0;
	}
	if (!S_ISDIR(st.st_mode) || depth > 4)
		return 0;
	DIR *d = opendir(path);
	if (!d)
		return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
	/* sorted, so the same layout always packs to the same bytes */
	struct dirent **names = NULL;
	int count = scandir(path, &names, NULL, alphasort);
	closedir(d);
	if (count < 0)
		return bw_error_set(BW_EUSAGE, "%s: %s", path, strerror(errno));
	for (int i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;
		if (rc == 0 && strcmp(nm, ".") && strcmp(nm, "..") && strncmp(nm, ".tmp-", 5)) {
			char sub[BW_MAX_PATH_BYTES + 2];
			snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", nm);
			rc = pack_add(aw, root, sub, depth + 1);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int bw_archive_pack_dir(const char *dir, const char *tarpath)
{
	size_t n = strlen(tarpath) + 16;
	char *tmp = malloc(n);
	struct archive *aw = NULL;
	int rc, fd = -1;

	if (!tmp)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	snprintf(tmp, n, "%s.tmp-XXXXXX", tarpath);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = bw_error_set(BW_EUSAGE, "%s: %s", tarpath, strerror(errno));
		free(tmp);
		return rc;
	}
	if (!(aw = archive_write_new())) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	archive_write_set_format_pax_restricted(aw);
	if (archive_write_open_fd(aw, fd) != ARCHIVE_OK) {
		rc = bw_error_set(BW_EUSAGE, "%s: %s", tarpath, archive_error_string(aw));
		goto done;
	}
	rc = pack_add(aw, dir, "", 0);
	if (archive_write_close(aw) != ARCHIVE_OK && rc == 0)
		rc = bw_error_set(BW_EUSAGE, "%s: %s", tarpath, archive_error_string(aw));
	if (rc == 0 && (fchmod(fd, 0644) != 0 || fsync(fd) != 0 || rename(tmp, tarpath) != 0))
		rc = bw_error_set(BW_EUSAGE, "%s: %s", tarpath, strerror(errno));
done:
	if (aw)
		archive_write_free(aw);
	close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

void bw_remove_dir_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_type != DT_DIR)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}
