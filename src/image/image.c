/*
 * image/image.c: from a reference to a verified manifest and config
 * (bw_image_open), and the parallel layer pass that builds the merged
 * filesystem (bw_image_scan).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/decompress.h"
#include "image/image_int.h"
#include "inventory/sbom_in.h"
#include "inventory/package.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/path.h"

const char *bw_version(void)
{
	return BW_VERSION;
}

const char *bw_image_name(const bw_image *img)
{
	return img->name;
}

const bw_fs *bw_image_fs(const bw_image *img)
{
	return img->fs;
}

int bw_image_set_os(bw_image *img, const char *family, const char *version, const char *codename,
		    const char *pretty)
{
	free(img->os_family);
	free(img->os_version);
	free(img->os_codename);
	free(img->os_pretty_name);
	img->os_family = family ? strdup(family) : NULL;
	img->os_version = version ? strdup(version) : NULL;
	img->os_codename = codename ? strdup(codename) : NULL;
	img->os_pretty_name = pretty ? strdup(pretty) : NULL;
	return 0;
}

/* ------------------------------------------------------------- platforms */

typedef struct platform {
	char os[32], arch[32], variant[32];
} platform;

static void host_platform(platform *p)
{
	struct utsname u;
	memset(p, 0, sizeof(*p));
	snprintf(p->os, sizeof(p->os), "linux");
	snprintf(p->arch, sizeof(p->arch), "amd64");
	if (uname(&u) != 0)
		return;
	if (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64"))
		snprintf(p->arch, sizeof(p->arch), "arm64");
	else if (!strncmp(u.machine, "armv7", 5))
		snprintf(p->arch, sizeof(p->arch), "arm"), snprintf(p->variant, sizeof(p->variant), "v7");
	else if (!strcmp(u.machine, "ppc64le") || !strcmp(u.machine, "s390x") || !strcmp(u.machine, "riscv64"))
		snprintf(p->arch, sizeof(p->arch), "%s", u.machine);
	else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
		snprintf(p->arch, sizeof(p->arch), "386");
}

static int parse_platform(const char *text, platform *p)
{
	memset(p, 0, sizeof(*p));
	const char *a = strchr(text, '/');
	if (!a || a == text || !a[1])
		return bw_error_set(BW_EUSAGE, "--platform \"%s\": expected os/arch[/variant]", text);
	const char *v = strchr(a + 1, '/');
	size_t oslen = (size_t)(a - text), archlen = v ? (size_t)(v - a - 1) : strlen(a + 1);
	if (oslen >= sizeof(p->os) || archlen >= sizeof(p->arch) || archlen == 0 ||
	    (v && (strlen(v + 1) >= sizeof(p->variant) || !v[1] || strchr(v + 1, '/'))))
		return bw_error_set(BW_EUSAGE, "--platform \"%s\": expected os/arch[/variant]", text);
	memcpy(p->os, text, oslen);
	memcpy(p->arch, a + 1, archlen);
	if (v)
		snprintf(p->variant, sizeof(p->variant), "%s", v + 1);
	return 0;
}

/* arm64's only variant is v8; an index may or may not say so. */
static const char *norm_variant(const char *arch, const char *variant)
{
	if (variant && *variant)
		return variant;
	if (!strcmp(arch, "arm64"))
		return "v8";
	return "";
}

static bool platform_matches(const platform *want, const bw_descriptor *d)
{
	if (!d->os || !d->architecture || strcmp(want->os, d->os) || strcmp(want->arch, d->architecture))
		return false;
	if (!want->variant[0])
		return true;
	return !strcmp(norm_variant(want->arch, want->variant), norm_variant(d->architecture, d->variant));
}

static void platform_text(const char *os, const char *arch, const char *variant, char *out, size_t n)
{
	if (variant && *variant)
		snprintf(out, n, "%s/%s/%s", os ? os : "?", arch ? arch : "?", variant);
	else
		snprintf(out, n, "%s/%s", os ? os : "?", arch ? arch : "?");
}

/* ------------------------------------------------------------ blobs */

static int blob_member(const bw_digest *d, char *out, size_t n)
{
	snprintf(out, n, "blobs/%s/%s", bw_digest_alg_name(d->alg), bw_digest_hex(d));
	return 0;
}

/* Reads a small blob (manifest, index, config) whole and verifies it. */
static int read_blob(bw_image *img, const char *what, const bw_descriptor *d, size_t max, bw_buf *out)
{
	char member[BW_DIGEST_TEXT_MAX + 16];
	bw_digest got;
	int rc;

	if (d->size > max)
		return bw_error_set(BW_EINPUT, "%s: %s %s is %llu bytes, larger than the limit of %zu",
				    img->name, what, d->digest.text, (unsigned long long)d->size, max);
	if (img->ref.transport == BW_TRANSPORT_REGISTRY) {
		/* a registry serves manifests apart from blobs; a missing one is its 404 */
		if (!strcmp(what, "manifest"))
			snprintf(member, sizeof(member), "manifests/%s", d->digest.text);
		else
			blob_member(&d->digest, member, sizeof(member));
	} else {
		blob_member(&d->digest, member, sizeof(member));
		if (!bw_source_has(img->src, member, NULL))
			return bw_error_set(BW_EINPUT, "%s: %s blob %s is missing", img->name, what, d->digest.text);
	}
	if ((rc = bw_source_read(img->src, member, max, out)) < 0)
		return rc;
	if ((rc = bw_digest_buffer(d->digest.alg, out->data, out->len, &got)) < 0)
		return rc;
	if (!bw_digest_equal(&got, &d->digest))
		return bw_error_set(BW_EINPUT, "%s: %s blob %s: digest mismatch: content hashes to %s",
				    img->name, what, d->digest.text, got.text);
	if (out->len != d->size)
		return bw_error_set(BW_EINPUT, "%s: %s blob %s is %zu bytes, its descriptor says %llu",
				    img->name, what, d->digest.text, out->len, (unsigned long long)d->size);
	return 0;
}

static int dup_layer_fields(bw_layer *l, const bw_descriptor *d)
{
	l->have_digest = true;
	l->digest = d->digest;
	l->size = d->size;
	l->size_known = true;
	if (d->media_type && !(l->media_type = strdup(d->media_type)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	char member[BW_DIGEST_TEXT_MAX + 16];
	blob_member(&d->digest, member, sizeof(member));
	if (!(l->member = strdup(member)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	return 0;
}

static int take_manifest(bw_image *img, const bw_manifest *m)
{
	bool foreign;

	if (m->n_layers == 0)
		bw_warn("%s: the manifest lists no layers", img->name);
	if ((m->base_name && !(img->base_annotation_name = strdup(m->base_name))) ||
	    (m->base_digest && !(img->base_annotation_digest = strdup(m->base_digest))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (!(img->layers = calloc(m->n_layers + 1, sizeof(*img->layers))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	img->n_layers = m->n_layers;
	for (size_t i = 0; i < m->n_layers; i++) {
		bw_layer *l = &img->layers[i];
		l->index = i;
		if (dup_layer_fields(l, &m->layers[i]) < 0)
			return BW_EINTERNAL;
		l->comp = bw_layer_compression(m->layers[i].media_type, &foreign);
		l->foreign = foreign;
		if (l->comp == BW_COMP_UNKNOWN)
			return bw_error_set(BW_EINPUT, "%s: layer %zu has media type \"%.100s\", not an image layer",
					    img->name, i + 1, m->layers[i].media_type ? m->layers[i].media_type : "(none)");
		if (foreign && !bw_source_has(img->src, l->member, NULL)) {
			if (!(l->skipped = strdup("foreign (non-distributable) layer, blob not present")))
				return bw_error_set(BW_EINTERNAL, "out of memory");
			bw_warn("%s: layer %zu (%s) is a foreign layer that is not in the image; skipped, so the "
				"filesystem view lacks its files", img->name, i + 1, l->digest.text);
		}
	}
	return 0;
}

/*
 * Follows a descriptor down through indexes to one manifest. Indexes nest at
 * most BW_MAX_INDEX_DEPTH deep; digests already visited are refused, though
 * content addressing makes a true cycle impossible without a digest mismatch.
 */
static int resolve(bw_image *img, const bw_descriptor *d, const platform *want, int depth,
		   bw_manifest *out)
{
	bw_buf buf = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	bw_index idx = { 0 };
	char what[256];
	int rc;

	if (depth > BW_MAX_INDEX_DEPTH)
		return bw_error_set(BW_EINPUT, "%s: image indexes nested deeper than %d levels", img->name,
				    BW_MAX_INDEX_DEPTH);
	snprintf(what, sizeof(what), "%s: %s", img->name, d->digest.text);
	if ((rc = read_blob(img, "manifest", d, BW_MAX_MANIFEST_BYTES, &buf)) < 0)
		goto done;
	switch (bw_doc_kind_of(what, buf.data, buf.len, d->media_type)) {
	case BW_DOC_INDEX: {
		if ((rc = bw_index_parse(what, buf.data, buf.len, &idx)) < 0)
			goto done;
		if (!img->have_index_digest) {
			img->index_digest = d->digest;
			img->have_index_digest = true;
		}
		if (img->collect_platforms) {
			/* bw_image_platforms(): every platform of the index, nested indexes included */
			rc = 1;
			for (size_t i = 0; i < idx.n && rc == 1; i++) {
				const bw_descriptor *m = &idx.manifests[i];
				char one[128];
				if (!m->os && bw_media_type_is_index(m->media_type)) {
					bw_manifest ignored = { 0 };
					if (bw_digest_equal(&m->digest, &d->digest))
						rc = bw_error_set(BW_EINPUT, "%s: index %s lists itself", img->name,
								  d->digest.text);
					else
						rc = resolve(img, m, want, depth + 1, &ignored);
					bw_manifest_free(&ignored);
					if (rc == 0)
						rc = 1;
					continue;
				}
				if (!m->os || !m->architecture || !strcmp(m->os, "unknown"))
					continue; /* attestation manifests (BuildKit) name no platform */
				platform_text(m->os, m->architecture, m->variant, one, sizeof(one));
				if ((rc = bw_strlist_add_unique(img->collect_platforms, one, BW_MAX_PLATFORMS)) < 0)
					bw_error_prefix("%s: index %s", img->name, d->digest.text);
				else
					rc = 1;
			}
			goto done;
		}
		const bw_descriptor *pick = NULL;
		for (size_t i = 0; i < idx.n && !pick; i++)
			if (platform_matches(want, &idx.manifests[i]))
				pick = &idx.manifests[i];
		/* An index entry that is itself an index and names no platform is
		 * followed: the platform choice is made further down. */
		for (size_t i = 0; i < idx.n && !pick; i++)
			if (!idx.manifests[i].os && bw_media_type_is_index(idx.manifests[i].media_type))
				pick = &idx.manifests[i];
		if (!pick) {
			char avail[1024] = "", one[128];
			size_t o = 0;
			for (size_t i = 0; i < idx.n; i++) {
				const bw_descriptor *m = &idx.manifests[i];
				if (!m->os || !strcmp(m->os, "unknown"))
					continue;
				platform_text(m->os, m->architecture, m->variant, one, sizeof(one));
				o += (size_t)snprintf(avail + o, o < sizeof(avail) ? sizeof(avail) - o : 0, "%s%s",
						      o ? ", " : "", one);
				if (o >= sizeof(avail))
					break;
			}
			platform_text(want->os, want->arch, want->variant, one, sizeof(one));
			rc = bw_error_set(BW_EINPUT, "%s: no image for platform %s; available: %s (use --platform)",
					  img->name, one, avail[0] ? avail : "none");
			goto done;
		}
		if (bw_digest_equal(&pick->digest, &d->digest)) {
			rc = bw_error_set(BW_EINPUT, "%s: index %s lists itself", img->name, d->digest.text);
			goto done;
		}
		rc = resolve(img, pick, want, depth + 1, out);
		goto done;
	}
	case BW_DOC_MANIFEST:
		if ((rc = bw_manifest_parse(what, buf.data, buf.len, out)) < 0)
			goto done;
		img->manifest_digest = d->digest;
		img->have_manifest_digest = true;
		img->manifest_media_type = strdup(out->media_type ? out->media_type
					       : d->media_type ? d->media_type : BW_MT_OCI_MANIFEST);
		rc = 0;
		goto done;
	case BW_DOC_SCHEMA1:
		rc = bw_error_set(BW_EINPUT, "%s: Docker schema 1 manifests are not supported (deprecated since 2017)", what);
		goto done;
	default:
		if (bw_error_last()->code == BW_EINPUT && strstr(bw_error_last()->message, what))
			rc = BW_EINPUT; /* the JSON itself was bad: keep that message */
		else
			rc = bw_error_set(BW_EINPUT, "%s: neither an image manifest nor an index", what);
		goto done;
	}
done:
	bw_index_free(&idx);
	bw_buf_free(&buf);
	return rc;
}

/* The layers of the chosen manifest, then its config, read and verified. */
static int take_manifest_and_config(bw_image *img, const bw_manifest *m)
{
	bw_buf cbuf = BW_BUF_INIT(BW_MAX_CONFIG_BYTES);
	char what[600];
	int rc;

	if ((rc = take_manifest(img, m)) < 0)
		return rc;
	img->config_digest = m->config.digest;
	img->have_config_digest = true;
	snprintf(what, sizeof(what), "%s: config %s", img->name, m->config.digest.text);
	if ((rc = read_blob(img, "config", &m->config, BW_MAX_CONFIG_BYTES, &cbuf)) == 0)
		rc = bw_config_parse(what, cbuf.data, cbuf.len, &img->config);
	bw_buf_free(&cbuf);
	return rc;
}

/* A registry image: the manifest or index the tag or digest names, then as an OCI layout. */
static int open_registry(bw_image *img, const platform *want)
{
	bw_descriptor top = { 0 };
	bw_manifest m = { 0 };
	char *mt = NULL;
	int rc;

	if ((rc = bw_source_registry_top(img->src, &top.digest, &top.size, &mt)) < 0)
		return rc;
	/* a Content-Type that is no image type says nothing: let the document speak */
	top.media_type = mt && (bw_media_type_is_index(mt) || bw_media_type_is_manifest(mt)) ? mt : NULL;
	if ((rc = resolve(img, &top, want, 0, &m)) == 0)
		rc = take_manifest_and_config(img, &m);
	/* rc 1: bw_image_platforms() collected the index's platforms */
	bw_manifest_free(&m);
	free(mt);
	return rc;
}

static int open_oci(bw_image *img, const platform *want)
{
	bw_buf layout = BW_BUF_INIT(4096), ibuf = BW_BUF_INIT(BW_MAX_MANIFEST_BYTES);
	bw_index idx = { 0 };
	bw_manifest m = { 0 };
	json_t *lj = NULL;
	const char *ver;
	char what[600];
	int rc;

	snprintf(what, sizeof(what), "%s: oci-layout", img->name);
	if ((rc = bw_source_read(img->src, "oci-layout", 4096, &layout)) < 0 ||
	    (rc = bw_json_parse(what, layout.data, layout.len, 4096, &lj)) < 0)
		goto done;
	if ((rc = bw_json_string(what, lj, "imageLayoutVersion", &ver)) < 0)
		goto done;
	if (strncmp(ver, "1.", 2) != 0) {
		rc = bw_error_set(BW_EINPUT, "%s: imageLayoutVersion \"%.20s\" is not supported", what, ver);
		goto done;
	}
	snprintf(what, sizeof(what), "%s: index.json", img->name);
	if ((rc = bw_source_read(img->src, "index.json", BW_MAX_MANIFEST_BYTES, &ibuf)) < 0 ||
	    (rc = bw_index_parse(what, ibuf.data, ibuf.len, &idx)) < 0)
		goto done;
	const bw_descriptor *pick = NULL;
	if (img->ref.tag) {
		for (size_t i = 0; i < idx.n && !pick; i++)
			if (idx.manifests[i].ref_name && !strcmp(idx.manifests[i].ref_name, img->ref.tag))
				pick = &idx.manifests[i];
	} else if (idx.n == 1) {
		pick = &idx.manifests[0];
	}
	if (!pick) {
		char tags[1024] = "";
		size_t o = 0;
		for (size_t i = 0; i < idx.n && o < sizeof(tags); i++)
			if (idx.manifests[i].ref_name)
				o += (size_t)snprintf(tags + o, sizeof(tags) - o, "%s%s", o ? ", " : "",
						      idx.manifests[i].ref_name);
		if (img->ref.tag)
			rc = bw_error_set(BW_EINPUT, "%s: no image tagged \"%s\" (tags: %s)", img->name,
					  img->ref.tag, tags[0] ? tags : "none");
		else if (idx.n == 0)
			rc = bw_error_set(BW_EINPUT, "%s: the layout holds no image", img->name);
		else
			rc = bw_error_set(BW_EUSAGE, "%s: the layout holds %zu images; name one as %s:TAG (tags: %s)",
					  img->name, idx.n, img->name, tags[0] ? tags : "none");
		goto done;
	}
	if ((rc = resolve(img, pick, want, 0, &m)) != 0)
		goto done; /* < 0, or 1: platforms collected */
	rc = take_manifest_and_config(img, &m);
done:
	json_decref(lj);
	bw_manifest_free(&m);
	bw_index_free(&idx);
	bw_buf_free(&layout);
	bw_buf_free(&ibuf);
	return rc;
}

/* "<64 hex>" followed by suffix, exactly: docker save names files by digest. */
static bool hex_named(const char *name, const char *suffix, char hex[65])
{
	size_t n = strlen(name), s = strlen(suffix);
	if (n != 64 + s || strcmp(name + 64, suffix) != 0)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	memcpy(hex, name, 64);
	hex[64] = '\0';
	return true;
}

/* The digest a docker-archive member's name promises, if it promises one. */
static bool member_digest(const char *member, bw_digest *out)
{
	char hex[65], text[80];
	const char *base = member;
	if (!strncmp(member, "blobs/sha256/", 13))
		base = member + 13;
	if (!(hex_named(base, "", hex) && base != member) && !hex_named(member, ".tar", hex) &&
	    !hex_named(member, ".json", hex))
		return false;
	snprintf(text, sizeof(text), "sha256:%s", hex);
	return bw_digest_parse("member", text, out) == 0;
}

/*
 * The Docker v2 schema 2 manifest that containers/image (skopeo) derives
 * from a docker-archive, byte for byte, so that the digest we report for a
 * docker-archive is the one skopeo reports: layers described by their
 * diff_id and uncompressed size.
 */
static int docker_archive_manifest_digest(bw_image *img, size_t config_size, const uint64_t *sizes)
{
	bw_buf b = BW_BUF_INIT(64 * BW_KiB);
	char tmp[512];
	int rc = 0;

	snprintf(tmp, sizeof(tmp),
		 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"size\":%zu,"
		 "\"digest\":\"%s\"},\"layers\":[",
		 BW_MT_DOCKER_MANIFEST, BW_MT_DOCKER_CONFIG, config_size, img->config_digest.text);
	rc |= bw_buf_append_str(&b, tmp);
	for (size_t i = 0; i < img->n_layers; i++) {
		snprintf(tmp, sizeof(tmp), "%s{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
			 "\"size\":%llu,\"digest\":\"%s\"}", i ? "," : "", (unsigned long long)sizes[i],
			 img->config.diff_ids[i].text);
		rc |= bw_buf_append_str(&b, tmp);
	}
	rc |= bw_buf_append_str(&b, "]}");
	if (rc == 0)
		rc = bw_digest_buffer(BW_SHA256, b.data, b.len, &img->manifest_digest);
	else
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
	img->have_manifest_digest = rc == 0;
	bw_buf_free(&b);
	return rc;
}

static int checked_member(bw_image *img, const char *raw, char *out)
{
	size_t len;
	bw_path_status st = bw_path_from_tar(raw, out, &len);
	if (st != BW_PATH_OK)
		return bw_error_set(BW_EINPUT, "%s: manifest.json names \"%.200s\", which %s", img->name, raw,
				    bw_path_status_str(st));
	memmove(out, out + 1, len);
	return 0;
}

static int open_docker_archive(bw_image *img)
{
	bw_buf mbuf = BW_BUF_INIT(BW_MAX_ARCHIVE_MANIFEST), cbuf = BW_BUF_INIT(BW_MAX_CONFIG_BYTES);
	bw_docker_manifest dm = { 0 };
	char what[600], name[BW_MAX_PATH_BYTES + 2];
	uint64_t *sizes = NULL;
	bool all_plain = true;
	int rc;

	snprintf(what, sizeof(what), "%s: manifest.json", img->name);
	if ((rc = bw_source_read(img->src, "manifest.json", BW_MAX_ARCHIVE_MANIFEST, &mbuf)) < 0 ||
	    (rc = bw_docker_manifest_parse(what, mbuf.data, mbuf.len, &dm)) < 0)
		goto done;
	if ((rc = checked_member(img, dm.config, name)) < 0)
		goto done;
	if ((rc = bw_source_read(img->src, name, BW_MAX_CONFIG_BYTES, &cbuf)) < 0 ||
	    (rc = bw_digest_buffer(BW_SHA256, cbuf.data, cbuf.len, &img->config_digest)) < 0)
		goto done;
	img->have_config_digest = true;
	bw_digest promised;
	if (member_digest(name, &promised) && !bw_digest_equal(&promised, &img->config_digest)) {
		rc = bw_error_set(BW_EINPUT, "%s: config %s: digest mismatch: content hashes to %s", img->name,
				  name, img->config_digest.text);
		goto done;
	}
	snprintf(what, sizeof(what), "%s: config %s", img->name, name);
	if ((rc = bw_config_parse(what, cbuf.data, cbuf.len, &img->config)) < 0)
		goto done;
	img->repo_tags = dm.repo_tags;
	memset(&dm.repo_tags, 0, sizeof(dm.repo_tags));
	img->manifest_media_type = strdup(BW_MT_DOCKER_MANIFEST);

	if (!(img->layers = calloc(dm.layers.n + 1, sizeof(*img->layers))) ||
	    !(sizes = calloc(dm.layers.n + 1, sizeof(*sizes)))) {
		rc = bw_error_set(BW_EINTERNAL, "out of memory");
		goto done;
	}
	img->n_layers = dm.layers.n;
	for (size_t i = 0; i < dm.layers.n; i++) {
		bw_layer *l = &img->layers[i];
		l->index = i;
		if ((rc = checked_member(img, dm.layers.v[i], name)) < 0)
			goto done;
		if (!bw_source_has(img->src, name, &l->size)) {
			rc = bw_error_set(BW_EINPUT, "%s: layer %zu: %s is missing", img->name, i + 1, name);
			goto done;
		}
		l->size_known = true;
		l->have_digest = member_digest(name, &l->digest);
		if (!(l->member = strdup(name))) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		/* docker save writes plain tars; sniff, as containers/image does, for the others. */
		bw_stream *st;
		uint8_t head[4];
		ssize_t n = 0;
		if ((rc = bw_source_open_stream(img->src, name, &st)) < 0)
			goto done;
		n = bw_stream_read(st, head, sizeof(head));
		bw_stream_close(st);
		if (n < 0) {
			rc = (int)n;
			goto done;
		}
		l->comp = bw_compression_sniff(head, (size_t)n);
		l->media_type = strdup(l->comp == BW_COMP_GZIP ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
				       : l->comp == BW_COMP_ZSTD ? "application/vnd.docker.image.rootfs.diff.tar.zstd"
				       : BW_MT_DOCKER_LAYER_TAR);
		sizes[i] = l->size;
		if (l->comp != BW_COMP_NONE)
			all_plain = false;
	}
	if (img->config.n_diff_ids == img->n_layers && all_plain)
		rc = docker_archive_manifest_digest(img, cbuf.len, sizes);
	img->docker_config_size = cbuf.len;
done:
	free(sizes);
	bw_docker_manifest_free(&dm);
	bw_buf_free(&mbuf);
	bw_buf_free(&cbuf);
	return rc;
}

static int open_rootfs(bw_image *img)
{
	if (!(img->layers = calloc(1, sizeof(*img->layers))) ||
	    !(img->layers[0].member = strdup(img->ref.path)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	img->n_layers = 1;
	img->layers[0].comp = BW_COMP_NONE;
	return 0;
}

static int build_dispatch(bw_image *img)
{
	size_t all = 0;
	while (bw_analyzers[all])
		all++;
	if (!(img->analyzers = calloc(all + 1, sizeof(*img->analyzers))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	for (size_t i = 0; i < all; i++)
		if (img->opts.analyzers ? (bw_analyzers[i]->kind & img->opts.analyzers) != 0
					: !(bw_analyzers[i]->kind & (BW_ANALYZE_DIGESTS | BW_ANALYZE_SECRETS)))
			img->analyzers[img->n_analyzers++] = bw_analyzers[i];
	if (img->n_analyzers > sizeof(uintptr_t) * 8)
		return bw_error_set(BW_EINTERNAL, "too many analyzers for the dispatch mask");
	for (size_t i = 0; i < img->n_analyzers; i++) {
		const bw_analyzer *a = img->analyzers[i];
		if (a->wants)
			img->analyzers_peek = true;
		for (const char *const *p = a->paths; p && *p; p++) {
			uintptr_t mask = (uintptr_t)bw_strmap_get(&img->analyzer_paths, *p);
			if (bw_strmap_put(&img->analyzer_paths, *p, (void *)(mask | ((uintptr_t)1 << i))) < 0)
				return bw_error_set(BW_EINTERNAL, "out of memory");
		}
	}
	return 0;
}

/* collect: NULL to open the image; else bw_image_platforms(): rc 1 when the
 * reference named an index, whose platforms are in *collect. */
static int image_open(bw_image **out, const char *reference, const bw_image_options *opts, bw_strlist *collect)
{
	bw_image *img = calloc(1, sizeof(*img));
	platform want;
	int rc;

	*out = NULL;
	if (!img)
		return bw_error_set(BW_EINTERNAL, "out of memory");
	img->collect_platforms = collect;
	if (opts) {
		if (opts->version != BW_IMAGE_OPTIONS_VERSION) {
			free(img);
			return bw_error_set(BW_EUSAGE, "bw_image_options version %u is not supported", opts->version);
		}
		img->opts = *opts;
	} else {
		img->opts = (bw_image_options)BW_IMAGE_OPTIONS_INIT;
	}
	img->opts.platform = NULL; /* not kept: the caller owns the string */
	snprintf(img->name, sizeof(img->name), "%s", reference ? reference : "");
	if (!(img->reference = strdup(img->name))) {
		free(img);
		return bw_error_set(BW_EINTERNAL, "out of memory");
	}
	if (strncmp(img->name, "sbom:", 5) == 0) {
		/* packages read from an SBOM: no layers, nothing to stream */
		img->from_sbom = true;
		img->scanned = true;
		if ((rc = bw_sbom_image_open(img, img->name + 5)) < 0)
			goto fail;
		*out = img;
		return 0;
	}
	if (opts && opts->platform) {
		if ((rc = parse_platform(opts->platform, &want)) < 0)
			goto fail;
	} else {
		host_platform(&want);
	}
	if ((rc = build_dispatch(img)) < 0 || (rc = bw_ref_parse(reference, &img->ref)) < 0 ||
	    (rc = bw_source_open_registry(&img->src, &img->ref, opts ? opts->registry : NULL)) < 0)
		goto fail;
	switch (img->ref.transport) {
	case BW_TRANSPORT_OCI_DIR:
	case BW_TRANSPORT_OCI_ARCHIVE:
		rc = open_oci(img, &want);
		break;
	case BW_TRANSPORT_DOCKER_ARCHIVE:
		rc = open_docker_archive(img);
		break;
	case BW_TRANSPORT_ROOTFS_DIR:
		rc = open_rootfs(img);
		break;
	case BW_TRANSPORT_REGISTRY:
		rc = open_registry(img, &want);
		break;
	default:
		rc = bw_error_set(BW_EUSAGE, "%s: unsupported transport", img->name);
	}
	if (rc < 0)
		goto fail;
	if (rc == 1) { /* platforms collected */
		bw_image_free(img);
		return 1;
	}
	if (img->ref.transport != BW_TRANSPORT_ROOTFS_DIR) {
		if (img->config.n_diff_ids != img->n_layers) {
			rc = bw_error_set(BW_EINPUT, "%s: the config lists %zu diff_ids but the manifest has %zu layers",
					  img->name, img->config.n_diff_ids, img->n_layers);
			goto fail;
		}
		size_t h = 0;
		for (size_t i = 0; i < img->n_layers; i++) {
			img->layers[i].diff_id = img->config.diff_ids[i];
			while (h < img->config.n_history && img->config.history[h].empty_layer)
				h++;
			if (h < img->config.n_history) {
				const char *cb = img->config.history[h++].created_by;
				if (cb && !(img->layers[i].created_by = strdup(cb))) {
					rc = bw_error_set(BW_EINTERNAL, "out of memory");
					goto fail;
				}
			}
		}
		platform_text(img->config.os, img->config.architecture, img->config.variant,
			      img->platform_text, sizeof(img->platform_text));
	}
	*out = img;
	return 0;
fail:
	bw_image_free(img);
	return rc;
}

int bw_image_open(bw_image **out, const char *reference, const bw_image_options *opts)
{
	return image_open(out, reference, opts, NULL);
}

int bw_image_platforms(const char *reference, const bw_image_options *opts, char ***out, size_t *n)
{
	bw_strlist list = { 0 };
	bw_image *img = NULL;
	int rc = image_open(&img, reference, opts, &list);

	bw_image_free(img); /* a single image: nothing to list */
	if (rc < 0) {
		bw_strlist_free(&list);
		return rc;
	}
	if (rc == 1 && list.n == 0) {
		bw_strlist_free(&list);
		return bw_error_set(BW_EINPUT, "%s: the index names no platform", reference);
	}
	*out = list.v;
	*n = list.n;
	return 0;
}

/* ------------------------------------------------------------ the scan */

/*
 * Layers are merged into the tree in order as soon as they and every layer
 * below them are done, by whichever worker finished the last of them: a
 * layer's records live only until then, not until the slowest layer ends.
 */
typedef struct scan_job {
	bw_image *img;
	atomic_size_t next;
	pthread_mutex_t merge_mu;
	bool *done;      /* per layer: its pass (or replay) has finished */
	size_t merged;   /* layers 0..merged-1 are in the tree */
	bool failed;     /* a layer failed: nothing more is merged */
} scan_job;

static void layer_finished(scan_job *job, size_t i)
{
	bw_image *img = job->img;

	pthread_mutex_lock(&job->merge_mu);
	job->done[i] = true;
	if (img->layers[i].rc < 0)
		job->failed = true;
	while (!job->failed && job->merged < img->n_layers && job->done[job->merged]) {
		bw_layer *m = &img->layers[job->merged];
		/* a direct layer's records, if any, were kept for the cache only */
		if (!m->direct_fs && bw_layer_merge_into(img->fs, m) < 0) {
			m->rc = bw_error_last()->code < 0 ? bw_error_last()->code : BW_EINTERNAL;
			m->err = *bw_error_last();
			job->failed = true;
			break;
		}
		bw_layer_release(m);
		job->merged++;
	}
	pthread_mutex_unlock(&job->merge_mu);
}

static void *scan_worker(void *arg)
{
	scan_job *job = arg;
	bw_image *img = job->img;
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		if (i >= img->n_layers)
			return NULL;
		bw_layer *l = &img->layers[i];
		if (l->skipped) {
			layer_finished(job, i);
			continue;
		}
		if (img->ref.transport == BW_TRANSPORT_ROOTFS_DIR) {
			bw_rootfs_pass(img, l);
		} else if (bw_layer_cache_usable(img)) {
			/* a hit replays the layer without reading its blob */
			if (!bw_layer_cache_load(img, l) && bw_layer_pass(img, l) == 0)
				bw_layer_cache_store(img, l);
		} else {
			bw_layer_pass(img, l);
		}
		layer_finished(job, i);
		/* A failed layer fails the scan: the others need not finish. */
		if (l->rc < 0)
			atomic_store(&job->next, img->n_layers);
	}
}

int bw_layer_merge_into(bw_fs *fs, bw_layer *l)
{
	bw_reclog_iter it;
	bw_layer_rec r;

	bw_reclog_iter_init(&l->recs, &it);
	while (bw_reclog_next(&it, &r))
		if (r.kind != BW_REC_ENTRY && bw_fs_whiteout(fs, (bw_rec_kind)r.kind, r.path, (uint32_t)l->index) < 0)
			return BW_EINTERNAL;
	bw_reclog_iter_init(&l->recs, &it);
	while (bw_reclog_next(&it, &r)) {
		if (r.kind != BW_REC_ENTRY)
			continue;
		bw_entry e = { .path = r.path, .path_len = r.path_len, .type = r.type, .mode = r.mode,
			       .uid = r.uid, .gid = r.gid, .size = r.size, .link = r.link, .layer = l->index };
		if (bw_fs_add(fs, &e) < 0)
			return BW_EINTERNAL;
	}
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_package(const void *x, const void *y)
{
	const bw_package *a = x, *b = y;
	int c;
	if ((c = cmp_str(a->type, b->type)) || (c = cmp_str(a->name, b->name)) ||
	    (c = cmp_str(a->version, b->version)) || (c = cmp_str(a->path, b->path)))
		return c;
	return cmp_str(a->arch, b->arch);
}

/* The layer pass over every layer, in parallel, merged into img->fs. */
static int scan_layers(bw_image *img)
{
	scan_job job = { .img = img };
	pthread_t threads[64];
	size_t n_threads = img->opts.threads;
	int rc = 0;

	if (n_threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		n_threads = n > 0 ? (size_t)n : 1;
		/* layers from a registry wait on the network as much as on the CPU */
		if (img->ref.transport == BW_TRANSPORT_REGISTRY && n_threads < 4)
			n_threads = 4;
	}
	if (n_threads > 64)
		n_threads = 64;
	if (n_threads > img->n_layers)
		n_threads = img->n_layers ? img->n_layers : 1;
	/* The bottom layer goes straight into the merged tree (image_int.h, direct_fs). */
	if (!img->fs && !(img->fs = bw_fs_new(img->opts.keep_deleted)))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	if (img->n_layers > 0)
		img->layers[0].direct_fs = img->fs;
	if (!(job.done = calloc(img->n_layers + 1, sizeof(*job.done))))
		return bw_error_set(BW_EINTERNAL, "out of memory");
	pthread_mutex_init(&job.merge_mu, NULL);
	atomic_init(&job.next, 0);
	size_t started = 0;
	for (; started < n_threads; started++)
		if (pthread_create(&threads[started], NULL, scan_worker, &job) != 0)
			break;
	if (started == 0)
		scan_worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&job.merge_mu);
	free(job.done);

	/* Report the lowest failing layer, so the message does not depend on timing. */
	for (size_t i = 0; i < img->n_layers; i++)
		if (img->layers[i].rc < 0) {
			rc = bw_error_restore(&img->layers[i].err);
			if (rc >= 0) /* never report success for a failed layer */
				rc = bw_error_set(BW_EINTERNAL, "%s: layer %zu failed without a message", img->name, i + 1);
			goto done;
		}
	if (img->ref.transport == BW_TRANSPORT_DOCKER_ARCHIVE && !img->have_manifest_digest) {
		uint64_t *sizes = calloc(img->n_layers + 1, sizeof(*sizes));
		if (!sizes) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < img->n_layers; i++)
			sizes[i] = img->layers[i].tar_bytes;
		rc = docker_archive_manifest_digest(img, img->docker_config_size, sizes);
		free(sizes);
		if (rc < 0)
			goto done;
	}
	if (job.merged != img->n_layers) /* every layer succeeded, so every one was merged */
		rc = bw_error_set(BW_EINTERNAL, "%s: %zu of %zu layers merged", img->name, job.merged, img->n_layers);
done:
	return rc;
}

int bw_image_scan(bw_image *img)
{
	int rc;

	if (img->scanned)
		return 0;
	bool image_cache = bw_image_cache_usable(img);
	if (image_cache && bw_image_cache_load(img)) {
		img->scanned = img->tree_deferred = true;
		return 0;
	}
	if ((rc = scan_layers(img)) < 0)
		goto done;
	for (size_t a = 0; a < img->n_analyzers; a++) {
		const bw_analyzer *an = img->analyzers[a];
		void **states = calloc(img->n_layers + 1, sizeof(void *));
		if (!states) {
			rc = bw_error_set(BW_EINTERNAL, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < img->n_layers; i++)
			states[i] = img->layers[i].states ? img->layers[i].states[a] : NULL;
		if (an->finish && (rc = an->finish(img, states, img->n_layers)) < 0) {
			if (rc != BW_EINTERNAL) {
				bw_warn("%s: analyzer %s: %s", img->name, an->name, bw_error_last()->message);
				rc = 0;
			}
		}
		free(states);
		if (rc < 0)
			goto done;
	}
	if ((rc = bw_packages_mark_os_owned(img)) < 0)
		goto done;
	/* stable output whatever the hash order inside analyzers */
	if (img->n_packages > 1)
		qsort(img->packages, img->n_packages, sizeof(*img->packages), cmp_package);
	img->scanned = true;
	if (image_cache)
		bw_image_cache_store(img);
done:
	return rc;
}

/*
 * After an image cache hit: the merged tree, for the calls that walk it. The
 * layers are read again, not replayed: the layer cache is borrowed only until
 * bw_image_scan() returns (bulwark/image.h) and may be closed by now.
 */
static int build_deferred_tree(const bw_image *cimg)
{
	bw_image *img = (bw_image *)cimg;
	if (!img->tree_deferred)
		return 0;
	img->tree_deferred = false;
	img->opts.layer_cache = NULL;
	for (size_t i = 0; i < img->n_layers; i++) /* the pass counts them again */
		img->layers[i].entries = img->layers[i].file_bytes = img->layers[i].tar_bytes = 0;
	return scan_layers(img);
}

/* ------------------------------------------------------------ results */

const bw_image_info *bw_image_get_info(const bw_image *cimg)
{
	bw_image *img = (bw_image *)cimg;
	bw_image_info *in = &img->info;
	const bw_config *c = &img->config;

	memset(in, 0, sizeof(*in));
	in->reference = img->reference;
	in->transport = img->from_sbom ? "sbom" : bw_transport_name(img->ref.transport);
	in->manifest_digest = img->have_manifest_digest ? img->manifest_digest.text : NULL;
	in->manifest_media_type = img->manifest_media_type;
	in->index_digest = img->have_index_digest ? img->index_digest.text : NULL;
	in->config_digest = img->have_config_digest ? img->config_digest.text : NULL;
	in->os = c->os;
	in->architecture = c->architecture;
	in->variant = c->variant;
	in->created = c->created;
	in->user = c->user;
	in->working_dir = c->working_dir;
#define LIST(field, src) in->field = (const char *const *)(src).v, in->n_##field = (src).n
	LIST(env, c->env);
	LIST(entrypoint, c->entrypoint);
	LIST(cmd, c->cmd);
	LIST(exposed_ports, c->exposed_ports);
	LIST(volumes, c->volumes);
	LIST(repo_tags, img->repo_tags);
#undef LIST
	in->label_keys = (const char *const *)c->labels.keys;
	in->label_values = (const char *const *)c->labels.values;
	in->n_labels = c->labels.n;
	in->has_healthcheck = c->has_healthcheck;
	if (!img->layer_infos)
		img->layer_infos = calloc(img->n_layers + 1, sizeof(*img->layer_infos));
	if (img->layer_infos) {
		for (size_t i = 0; i < img->n_layers; i++) {
			const bw_layer *l = &img->layers[i];
			bw_layer_info *li = &img->layer_infos[i];
			bool rootfs = img->ref.transport == BW_TRANSPORT_ROOTFS_DIR;
			li->digest = rootfs ? NULL : l->digest.text;
			li->diff_id = rootfs ? NULL : l->diff_id.text;
			li->media_type = l->media_type;
			li->compression = bw_compression_name(l->comp);
			li->size = l->size;
			li->created_by = l->created_by;
			li->entries = l->entries;
			li->file_bytes = l->file_bytes;
			li->skipped = l->skipped;
		}
		in->layers = img->layer_infos;
		in->n_layers = img->n_layers;
	}
	in->os_family = img->os_family;
	in->os_version = img->os_version;
	in->os_codename = img->os_codename;
	in->os_pretty_name = img->os_pretty_name;
	in->n_files = img->tree_deferred ? img->cached_n_files : img->fs && img->scanned ? bw_fs_count(img->fs) : 0;
	in->base_annotation_name = img->base_annotation_name;
	in->base_annotation_digest = img->base_annotation_digest;
	in->base_name = img->base_name;
	in->base_layers = img->base_name ? img->base_layers : 0;
	return in;
}

typedef struct walk_ctx {
	const bw_image *img;
	int (*fn)(const bw_file_info *, void *);
	int (*dfn)(const bw_deleted_info *, void *);
	void *ctx;
} walk_ctx;

static int file_cb(const bw_fsnode *n, void *arg)
{
	walk_ctx *w = arg;
	bw_file_info f = { .path = n->path, .type = n->type, .mode = n->mode, .uid = n->uid, .gid = n->gid,
			   .size = n->size, .link = n->link, .layer = n->layer };
	if (n->type == BW_FT_FILE || n->type == BW_FT_HARDLINK)
		f.digest = bw_image_file_digest(w->img, n->data_path, n->data_layer);
	return w->fn(&f, w->ctx);
}

int bw_image_files(const bw_image *img, int (*fn)(const bw_file_info *f, void *ctx), void *ctx)
{
	walk_ctx w = { .img = img, .fn = fn, .ctx = ctx };
	int rc = build_deferred_tree(img);
	if (rc < 0)
		return rc;
	if (!img->fs || !img->scanned)
		return bw_error_set(BW_EUSAGE, "bw_image_files: the image has not been scanned");
	return bw_fs_walk(img->fs, file_cb, &w);
}

static int deleted_cb(const bw_fs_deleted *d, void *arg)
{
	walk_ctx *w = arg;
	bw_deleted_info di = { .path = d->path, .layer = d->layer, .from_layer = d->from_layer };
	return w->dfn(&di, w->ctx);
}

int bw_image_deleted(const bw_image *img, int (*fn)(const bw_deleted_info *d, void *ctx), void *ctx)
{
	walk_ctx w = { .img = img, .dfn = fn, .ctx = ctx };
	int rc = build_deferred_tree(img);
	if (rc < 0)
		return rc;
	if (!img->fs || !img->scanned)
		return bw_error_set(BW_EUSAGE, "bw_image_deleted: the image has not been scanned");
	return bw_fs_walk_deleted(img->fs, deleted_cb, &w);
}

void bw_image_free(bw_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->n_layers; i++) {
		bw_layer *l = &img->layers[i];
		if (l->states)
			for (size_t a = 0; a < img->n_analyzers; a++)
				if (l->states[a] && img->analyzers[a]->layer_free)
					img->analyzers[a]->layer_free(l->states[a]);
		free(l->states);
		bw_layer_release(l);
		free(l->member);
		free(l->media_type);
		free(l->created_by);
		free(l->skipped);
	}
	free(img->layers);
	free(img->layer_infos);
	if (img->misconfig_free)
		img->misconfig_free(img->misconfig);
	free(img->packages);
	bw_arena_free(&img->pkg_mem);
	if (img->secrets_free)
		img->secrets_free(img->secrets);
	bw_fs_free(img->fs);
	bw_strmap_free(&img->analyzer_paths);
	free(img->analyzers);
	bw_config_free(&img->config);
	bw_strlist_free(&img->repo_tags);
	free(img->manifest_media_type);
	free(img->os_family);
	free(img->os_version);
	free(img->os_codename);
	free(img->os_pretty_name);
	free(img->base_annotation_name);
	free(img->base_annotation_digest);
	free(img->base_name);
	bw_source_free(img->src);
	bw_ref_free(&img->ref);
	free(img->reference);
	free(img);
}
