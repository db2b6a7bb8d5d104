// SPDX-License-Identifier: GPL-2.0
/* The hash files of the tests (see ram.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ram.h"

int ram_write_file(const char *file, const char *line)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fputs(line, f) < 0) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	if (fclose(f) || rename(tmp, file)) {
		int e = -errno;

		unlink(tmp);
		return e;
	}
	return 0;
}

int ram_append_file(const char *file, const char *line)
{
	size_t len = strlen(line);
	ssize_t n;
	int fd, e = 0;

	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, line, len);
	if (n < 0)
		e = -errno;
	else if ((size_t)n != len)
		e = -EIO;
	if (close(fd) && !e)
		e = -errno;
	return e;
}
