/*
 * tests/tools/cvss.c -> build/bw-cvss: match/cvss.h from the shell, for
 * tests/integration/cvss.sh and its oracles.
 *
 * Reads vectors from stdin, one per line (a trailing CR is dropped), and
 * prints for each
 *   VECTOR<TAB>SCORE<TAB>SEVERITY       (SCORE with one decimal)
 *   VECTOR<TAB>!<TAB>MESSAGE            (the vector was refused)
 * With -b, SCORE is the base score (differs from the score only for 4.0
 * vectors with threat or environmental metrics, scored CVSS-B). With -n, a
 * fourth column gives the 4.0 nomenclature ("-" for other versions).
 * Exit status 0, or 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "bulwark/errors.h"
#include "match/cvss.h"

int main(int argc, char **argv)
{
	bool base = false, nomenclature = false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int opt;

	while ((opt = getopt(argc, argv, "bn")) != -1) {
		switch (opt) {
		case 'b':
			base = true;
			break;
		case 'n':
			nomenclature = true;
			break;
		default:
			fprintf(stderr, "usage: bw-cvss [-b] [-n] < vectors\n");
			return 2;
		}
	}
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		size_t len = (size_t)n;
		bw_cvss c;

		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		fwrite(line, 1, len, stdout);
		if (bw_cvss_parse_n(line, len, &c) < 0) {
			printf("\t!\t%s\n", bw_error_last()->message);
			continue;
		}
		double score = base ? c.base_score : c.score;
		printf("\t%.1f\t%s", score, bw_cvss_severity_for(score, c.major));
		if (nomenclature)
			printf("\t%s", c.nomenclature[0] ? c.nomenclature : "-");
		putchar('\n');
	}
	free(line);
	return 0;
}
