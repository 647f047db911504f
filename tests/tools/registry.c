/*
 * tests/tools/registry.c (bw-registry): drives the registry calls the CLI has
 * no command for, for the integration tests.
 *
 *   bw-registry attach REF ARTIFACT-TYPE MEDIA-TYPE FILE   prints the artifact's digest
 *
 * Registry options from the environment: BW_CA_FILE, BW_CREDS, BW_INSECURE (one host).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulwark/bulwark.h"

int main(int argc, char **argv)
{
	bw_registry_options o = { 0 };
	const char *insecure[1];
	char digest[160];
	static char data[1 << 20];

	if (argc != 6 || strcmp(argv[1], "attach") != 0) {
		fprintf(stderr, "usage: bw-registry attach REF ARTIFACT-TYPE MEDIA-TYPE FILE\n");
		return 2;
	}
	o.ca_file = getenv("BW_CA_FILE");
	o.creds = getenv("BW_CREDS");
	if ((insecure[0] = getenv("BW_INSECURE"))) {
		o.insecure_hosts = insecure;
		o.n_insecure_hosts = 1;
	}
	FILE *f = fopen(argv[5], "rb");
	if (!f) {
		perror(argv[5]);
		return 2;
	}
	size_t n = fread(data, 1, sizeof(data), f);
	fclose(f);
	if (bw_registry_attach(argv[2], argv[3], argv[4], data, n, &o, digest) < 0) {
		fprintf(stderr, "bw-registry: %s\n", bw_error_last()->message);
		return bw_exit_status(bw_error_last()->code);
	}
	printf("%s\n", digest);
	return 0;
}
