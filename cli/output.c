#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_output_open(cli_output *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	size_t n = strlen(path) + 16;
	o->path = strdup(path);
	o->tmp = malloc(n);
	if (!o->path || !o->tmp) {
		bw_error_set(BW_EINTERNAL, "out of memory");
		return cli_fail();
	}
	snprintf(o->tmp, n, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		bw_error_set(BW_EUSAGE, "-o %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(o->path);
		free(o->tmp);
		o->path = o->tmp = NULL;
		return cli_fail();
	}
	return 0;
}

int cli_output_close(cli_output *o, bool ok)
{
	int status = 0;
	if (o->f == stdout) {
		if (fflush(stdout) != 0 && ok) {
			bw_error_set(BW_EINTERNAL, "writing to standard output: %s", strerror(errno));
			status = cli_fail();
		}
		return status;
	}
	if (!o->f)
		return 0;
	bool write_ok = fflush(o->f) == 0 && fsync(fileno(o->f)) == 0;
	write_ok = (fclose(o->f) == 0) && write_ok;
	if (ok && !write_ok) {
		bw_error_set(BW_EINTERNAL, "writing %s: %s", o->path, strerror(errno));
		status = cli_fail();
	}
	if (ok && write_ok) {
		if (rename(o->tmp, o->path) != 0) {
			bw_error_set(BW_EINTERNAL, "%s: %s", o->path, strerror(errno));
			status = cli_fail();
			unlink(o->tmp);
		}
	} else {
		unlink(o->tmp);
	}
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return status;
}
