/*
 * tests/fuzz/fuzz_manifest.c: the JSON documents of an image.
 *
 * Every input goes to each parser of image/manifest.h in turn: image index,
 * image manifest, image config, docker-archive manifest.json, and
 * bw_doc_kind_of (with no descriptor media type, so it reads the document).
 * Whatever a parser returns is touched and freed: LeakSanitizer checks that
 * the error paths release what they allocated, ASan that nothing returned
 * points into freed JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulwark/errors.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void touch_list(const bw_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		touch(l->v[i]);
}

static void touch_descriptor(const bw_descriptor *d)
{
	touch(d->media_type);
	touch(d->digest.text);
	touch(bw_digest_hex(&d->digest));
	touch(d->ref_name);
	touch(d->os);
	touch(d->architecture);
	touch(d->variant);
	sink += (size_t)d->size + d->has_urls;
	if (d->media_type) {
		bool foreign;
		touch(bw_compression_name(bw_layer_compression(d->media_type, &foreign)));
		sink += bw_media_type_is_index(d->media_type) + bw_media_type_is_manifest(d->media_type);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bw_index idx;
	bw_manifest man;
	bw_config cfg;
	bw_docker_manifest dm;

	if (bw_index_parse("fuzz index", data, size, &idx) == 0) {
		for (size_t i = 0; i < idx.n; i++)
			touch_descriptor(&idx.manifests[i]);
	}
	bw_index_free(&idx);

	if (bw_manifest_parse("fuzz manifest", data, size, &man) == 0) {
		touch(man.media_type);
		touch_descriptor(&man.config);
		for (size_t i = 0; i < man.n_layers; i++)
			touch_descriptor(&man.layers[i]);
	}
	bw_manifest_free(&man);

	if (bw_config_parse("fuzz config", data, size, &cfg) == 0) {
		touch(cfg.architecture);
		touch(cfg.os);
		touch(cfg.variant);
		touch(cfg.created);
		touch(cfg.user);
		touch(cfg.working_dir);
		touch_list(&cfg.env);
		touch_list(&cfg.entrypoint);
		touch_list(&cfg.cmd);
		touch_list(&cfg.exposed_ports);
		touch_list(&cfg.volumes);
		for (size_t i = 0; i < cfg.labels.n; i++) {
			touch(cfg.labels.keys[i]);
			touch(cfg.labels.values[i]);
		}
		for (size_t i = 0; i < cfg.n_diff_ids; i++)
			touch(cfg.diff_ids[i].text);
		for (size_t i = 0; i < cfg.n_history; i++) {
			touch(cfg.history[i].created);
			touch(cfg.history[i].created_by);
			sink += cfg.history[i].empty_layer;
		}
		sink += cfg.has_healthcheck;
	}
	bw_config_free(&cfg);

	if (bw_docker_manifest_parse("fuzz manifest.json", data, size, &dm) == 0) {
		touch(dm.config);
		touch_list(&dm.layers);
		touch_list(&dm.repo_tags);
	}
	bw_docker_manifest_free(&dm);

	sink += (size_t)bw_doc_kind_of("fuzz doc", data, size, NULL);
	/* The error text is built with %s from input: make sure it is a string. */
	touch(bw_error_last()->message);
	bw_error_clear();
	return 0;
}
