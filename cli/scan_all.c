/*
 * `scan --platform all`: every platform of an index in one run (docs/layer-cache.md:
 * layers that platforms share are read once, the others replay them from the layer
 * cache). Each platform is scanned by cmd_scan itself, with the same arguments plus
 * "--platform P -o TMP" (the last --platform and -o win), and the results are put
 * together: JSON as {"schema", "tool", "reference", "platforms": [P...], "results":
 * [one scan document per platform]}, a table per platform under a heading. The exit
 * status is the worst of the platforms'.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_scan_all_platforms(int argc, char **argv, const char *reference, const char *outpath, bw_format format,
			   const bw_image_options *opts, int (*scan)(int, char **))
{
	char **platforms = NULL, tmpdir[] = "/tmp/bulwark-platforms.XXXXXX";
	size_t n = 0;
	int status = 0, rc;
	cli_output out;

	if (format != BW_FORMAT_JSON && format != BW_FORMAT_TABLE)
		return cli_usage("scan: --platform all writes table or json (one document per platform)");
	bw_image_options list_opts = *opts;
	list_opts.platform = NULL;
	if (bw_image_platforms(reference, &list_opts, &platforms, &n) < 0)
		return cli_fail();
	if (n == 0)
		return cli_usage("scan: --platform all: %s is a single image, not an index", reference);
	if (!mkdtemp(tmpdir)) {
		status = cli_usage("scan: --platform all: cannot create a temporary directory");
		goto done;
	}
	char **args = calloc((size_t)argc + 5, sizeof(*args));
	char **files = calloc(n, sizeof(*files));
	if (!args || !files) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		status = cli_fail();
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		if (!(files[i] = malloc(sizeof(tmpdir) + 24))) {
			bw_error_set(BW_EINTERNAL, "out of memory");
			status = cli_fail();
			goto cleanup;
		}
	const char *global = g_cli.platform;
	for (size_t i = 0; i < n; i++) {
		snprintf(files[i], sizeof(tmpdir) + 24, "%s/%zu", tmpdir, i);
		memcpy(args, argv, (size_t)argc * sizeof(*args));
		args[argc] = "--platform";
		args[argc + 1] = platforms[i];
		args[argc + 2] = "-o";
		args[argc + 3] = files[i];
		args[argc + 4] = NULL;
		g_cli.platform = platforms[i];
		rc = scan(argc + 4, args);
		/* a platform that could not be scanned at all fails the run */
		if (!rc && access(files[i], F_OK) != 0)
			rc = 5;
		if (rc > status)
			status = rc;
	}
	g_cli.platform = global;
	if ((rc = cli_output_open(&out, outpath)) != 0) {
		status = rc;
	} else {
		bool ok = bw_report_platforms(out.f, format, reference, (const char *const *)platforms,
					      (const char *const *)files, n) == 0;
		rc = cli_output_close(&out, ok);
		if (!ok && rc == 0)
			rc = cli_fail();
		if (rc)
			status = rc;
	}
cleanup:
	for (size_t i = 0; files && i < n; i++) {
		if (files[i])
			unlink(files[i]);
		free(files[i]);
	}
	rmdir(tmpdir);
	free(args);
	free(files);
done:
	for (size_t i = 0; i < n; i++)
		free(platforms[i]);
	free(platforms);
	return status;
}
