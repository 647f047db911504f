/*
 * tests/tools/yaml2json.c: bw-yaml2json [-t] [-a] [-A] [-s] [-T] [-l LIST] FILE... -- a
 * test-only program (not installed) that parses YAML files with
 * bw_yaml_parse (or bw_yaml_parse_all with -a) and prints the values as
 * compact JSON, so tests/integration/yaml.sh can compare bulwark with PyYAML.
 *
 *   -t  BW_YAML_TYPED        -A  BW_YAML_ALLOW_ALIASES
 *   -a  all documents (a JSON array)
 *   -s  keys sorted (canonical form); by default keys keep the document's order
 *   -T  report on stderr the time spent in the parser alone (files are read
 *       into memory first; printing is not counted)
 *   -l LIST  also the files named in LIST, one path per line (no argv limit)
 *
 * One file: the JSON on stdout; an error is one line on stderr and exit 3.
 * Several files: one line per file, "FILE<TAB>JSON" or "FILE<TAB>!error: MESSAGE",
 * exit 3 if any failed. FILE "-" is standard input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/yaml.h"

#define MAX_FILE_BYTES BW_MAX_ANALYZER_CONTENT
#define MAX_LIST_BYTES (64 * BW_MiB)
#define USAGE "usage: bw-yaml2json [-t] [-a] [-A] [-s] [-T] [-l LIST] FILE...\n"

static int read_file(const char *path, bw_buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f)
		return bw_error_set(BW_EINPUT, "%s: cannot open", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (bw_buf_append(b, chunk, n) != 0) {
			rc = bw_error_set(BW_EINPUT, "%s: larger than %llu bytes or out of memory",
					  path, (unsigned long long)MAX_FILE_BYTES);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = bw_error_set(BW_EINPUT, "%s: read error", path);
	if (f != stdin)
		fclose(f);
	return rc;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends the paths of the list file (one a line) to *paths. */
static int read_list(const char *list, char ***paths, size_t *n)
{
	bw_buf b = BW_BUF_INIT(MAX_LIST_BYTES);
	char *p, *line, *end;
	int rc;

	if ((rc = read_file(list, &b)) < 0)
		goto done;
	p = (char *)b.data;
	end = p + b.len;
	for (line = p; p && line < end; line = p + 1) {
		p = memchr(line, '\n', (size_t)(end - line));
		if (p)
			*p = '\0';
		if (!*line)
			continue;
		char **grown = realloc(*paths, (*n + 1) * sizeof(**paths));
		if (!grown || !(grown[*n] = strdup(line))) {
			*paths = grown ? grown : *paths;
			rc = bw_error_set(BW_EINTERNAL, "%s: out of memory", list);
			goto done;
		}
		*paths = grown;
		(*n)++;
		if (!p)
			break;
	}
	rc = 0;
done:
	bw_buf_free(&b);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned flags = 0;
	int all = 0, sort = 0, timing = 0, opt, status = 5, failed = 0, lines;
	size_t nfiles = 0, total_bytes = 0;
	char **paths = NULL;
	const char *list = NULL;
	bw_buf *bufs = NULL;
	double parse_seconds = 0;

	while ((opt = getopt(argc, argv, "taAsTl:")) != -1) {
		switch (opt) {
		case 't': flags |= BW_YAML_TYPED; break;
		case 'A': flags |= BW_YAML_ALLOW_ALIASES; break;
		case 'a': all = 1; break;
		case 's': sort = 1; break;
		case 'T': timing = 1; break;
		case 'l': list = optarg; break;
		default:
			fprintf(stderr, USAGE);
			return 2;
		}
	}
	if (list && read_list(list, &paths, &nfiles) < 0) {
		fprintf(stderr, "bw-yaml2json: %s\n", bw_error_last()->message);
		status = 3;
		goto done;
	}
	for (int i = optind; i < argc; i++) {
		char **grown = realloc(paths, (nfiles + 1) * sizeof(*paths));
		if (!grown)
			goto done;
		paths = grown;
		if (!(paths[nfiles] = strdup(argv[i])))
			goto done;
		nfiles++;
	}
	if (nfiles == 0) {
		fprintf(stderr, USAGE);
		status = 2;
		goto done;
	}
	lines = list || nfiles > 1;
	if (!(bufs = calloc(nfiles, sizeof(*bufs))))
		goto done;
	/* read everything first, so that -T times the parser and not the disk */
	for (size_t i = 0; i < nfiles; i++) {
		bufs[i] = (bw_buf)BW_BUF_INIT(MAX_FILE_BYTES);
		if (read_file(paths[i], &bufs[i]) < 0) {
			fprintf(stderr, "bw-yaml2json: %s\n", bw_error_last()->message);
			status = 3;
			goto done;
		}
		total_bytes += bufs[i].len;
	}

	for (size_t i = 0; i < nfiles; i++) {
		const char *path = paths[i];
		json_t *v = NULL;
		char *text;
		double t0 = now_seconds();
		int rc = all ? bw_yaml_parse_all(path, bufs[i].data, bufs[i].len, MAX_FILE_BYTES,
						 flags, &v)
			     : bw_yaml_parse(path, bufs[i].data, bufs[i].len, MAX_FILE_BYTES, flags,
					     &v);
		parse_seconds += now_seconds() - t0;
		if (rc < 0) {
			failed = 1;
			if (!lines)
				fprintf(stderr, "%s\n", bw_error_last()->message);
			else
				printf("%s\t!error: %s\n", path, bw_error_last()->message);
			continue;
		}
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | (sort ? JSON_SORT_KEYS : 0));
		json_decref(v);
		if (!text) {
			fprintf(stderr, "bw-yaml2json: %s: cannot write JSON\n", path);
			goto done;
		}
		if (!lines)
			printf("%s\n", text);
		else
			printf("%s\t%s\n", path, text);
		free(text);
	}
	if (timing)
		fprintf(stderr, "bw-yaml2json: %zu files, %zu bytes parsed in %.1f ms\n", nfiles,
			total_bytes, parse_seconds * 1000.0);
	status = failed ? 3 : 0;
done:
	for (size_t i = 0; i < nfiles; i++) {
		if (bufs)
			bw_buf_free(&bufs[i]);
		free(paths[i]);
	}
	free(bufs);
	free(paths);
	return status;
}
