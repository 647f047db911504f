/*
 * tests/tools/secrets.c: bw-secrets [-c CONFIG] [-m MAXBYTES] [-b] [-q] PATH...
 * scans files and directory trees on the host with the secret engine, as the
 * layer pass would (text files only unless -b, in 64 KiB pieces, the same
 * size limit), and prints one finding per line, "PATH:LINE: RULE SEVERITY
 * MATCH" (MATCH redacted), then a summary line on stderr:
 *   # files N skipped S bytes B findings F seconds T cpu C MB/s R
 * (R: bytes scanned per CPU second, rule compilation excluded, file reading included)
 * For bench/secrets.sh (engine throughput) and the unit-level tests in shell.
 * -l lists the rules as "ID<TAB>CATEGORY<TAB>SEVERITY<TAB>TITLE" and exits.
 * For the differential test of numbers.c (tests/integration/secrets.sh):
 *   -R  the regex path: credit-card, us-ssn and iban in Hyperscan, as before numbers.c
 *   -I N  numbers.c's digit search: 0 scalar, 1 SSE2, 2 AVX2 (default: the best the CPU has)
 *   -P N  feed files in pieces of N bytes (default 65536)
 *   -T FILE  write every candidate, "PATH END RULE-ID" in the order handled, to FILE
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "bulwark/secrets.h"
#include "secrets/secrets_int.h"

static secret_scanner *sc;
static const secret_engine *eng;
static bool binaries, quiet;
static size_t piece = 65536;
static FILE *trace;
static const char *trace_path;

static void on_trace(void *arg, unsigned rule, uint64_t end)
{
	(void)arg;
	fprintf(trace, "%s %llu %s\n", trace_path, (unsigned long long)end, bw_secret_engine_rule(eng, rule)->id);
}
static uint64_t n_files, n_skipped, n_bytes, n_found;
static uint8_t buf[65536];

static int scan_file(const char *path, const struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	bool first = true;
	const secret_hit *hits;
	size_t n;

	if (fd < 0)
		return 0;
	if ((uint64_t)st->st_size > bw_secret_engine_max_file(eng) || st->st_size == 0) {
		n_skipped++;
		close(fd);
		return 0;
	}
	bw_secret_scanner_begin(sc, path);
	trace_path = path;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if (first && !binaries && bw_secret_binary_head(buf, (size_t)r < 4096 ? (size_t)r : 4096)) {
			n_skipped++;
			close(fd);
			bw_secret_scanner_end(sc, &hits, &n);
			return 0;
		}
		first = false;
		n_bytes += (uint64_t)r;
		for (size_t off = 0; off < (size_t)r; off += piece)
			if (bw_secret_scanner_feed(sc, buf + off, (size_t)r - off < piece ? (size_t)r - off : piece) < 0) {
				fprintf(stderr, "bw-secrets: %s\n", bw_error_last()->message);
				exit(5);
			}
	}
	close(fd);
	n_files++;
	bw_secret_scanner_end(sc, &hits, &n);
	for (size_t i = 0; i < n; i++) {
		const secret_rule *rule = bw_secret_engine_rule(eng, hits[i].rule);
		n_found++;
		if (!quiet)
			printf("%s:%llu: %s %s %s\n", path, (unsigned long long)hits[i].line, rule->id, rule->severity,
			       hits[i].match);
	}
	return 0;
}

static int walk_fn(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && S_ISREG(st->st_mode))
		return scan_file(path, st);
	return 0;
}

int main(int argc, char **argv)
{
	bw_secrets_options opts = { 0 };
	bw_secrets_config *cfg = NULL;
	int c;
	bool regex_path = false;
	secret_engine *own = NULL;
	struct timespec t0, t1, c0, c1;

	while ((c = getopt(argc, argv, "c:m:bqlRI:P:T:")) != -1) {
		switch (c) {
		case 'c':
			if (bw_secrets_config_load(&cfg, optarg) < 0) {
				fprintf(stderr, "bw-secrets: %s\n", bw_error_last()->message);
				return 2;
			}
			opts.config = cfg;
			break;
		case 'm': opts.max_file_size = strtoull(optarg, NULL, 10); break;
		case 'b': binaries = true; break;
		case 'q': quiet = true; break;
		case 'R': regex_path = true; break;
		case 'I': bw_secret_numscan_impl = atoi(optarg); break;
		case 'P':
			piece = strtoull(optarg, NULL, 10);
			if (piece == 0 || piece > sizeof(buf))
				piece = sizeof(buf);
			break;
		case 'T':
			if (!(trace = fopen(optarg, "w"))) {
				fprintf(stderr, "bw-secrets: %s: cannot write\n", optarg);
				return 2;
			}
			break;
		case 'l': {
			bw_secret_rule_info info;
			for (size_t i = 0; bw_secrets_rule_at(i, &info) == 0; i++)
				printf("%s\t%s\t%s\t%s\n", info.id, info.category, info.severity, info.title);
			return 0;
		}
		default:
			fprintf(stderr, "usage: bw-secrets [-c CONFIG] [-m MAXBYTES] [-b] [-q] [-l] [-R] [-I N] [-P N] [-T FILE] PATH...\n");
			return 2;
		}
	}
	if (bw_secrets_setup(&opts) < 0) {
		fprintf(stderr, "bw-secrets: %s\n", bw_error_last()->message);
		return 2;
	}
	eng = bw_secret_engine_current();
	if (regex_path) {
		if (bw_secret_engine_new_ex(&own, cfg, opts.max_file_size, SECRET_ENGINE_ALL_REGEX) < 0) {
			fprintf(stderr, "bw-secrets: %s\n", bw_error_last()->message);
			return 2;
		}
		eng = own;
	}
	if (!eng || bw_secret_scanner_new(&sc, eng) < 0)
		return 5;
	if (trace)
		bw_secret_scanner_trace(sc, on_trace, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "bw-secrets: %s: cannot stat\n", argv[i]);
			return 3;
		}
		if (S_ISDIR(st.st_mode))
			nftw(argv[i], walk_fn, 32, FTW_PHYS);
		else
			scan_file(argv[i], &st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	/* CPU time, not wall time, is the per-core rate: the machine may be shared */
	fprintf(stderr, "# files %llu skipped %llu bytes %llu findings %llu seconds %.3f cpu %.3f MB/s %.1f\n",
		(unsigned long long)n_files, (unsigned long long)n_skipped, (unsigned long long)n_bytes,
		(unsigned long long)n_found, secs, cpu, cpu > 0 ? (double)n_bytes / cpu / 1e6 : 0.0);
	bw_secret_scanner_free(sc);
	bw_secret_engine_free(own);
	if (trace)
		fclose(trace);
	bw_secrets_setup(NULL);
	bw_secrets_config_free(cfg);
	return 0;
}
