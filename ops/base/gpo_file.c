#include "gpo_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gpo_file_read(const char *path, size_t max, char **data, size_t *len,
		  struct stat *st_out)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;
	int rc = 0;

	/* O_NONBLOCK: a FIFO put in its place must not hang the reader */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	if ((size_t)st.st_size > max) {
		rc = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break; /* shorter than it was: what is there */
		got += (size_t)n;
	}
	buf[got] = '\0';
	*data = buf;
	buf = NULL;
	if (len)
		*len = got;
	if (st_out)
		*st_out = st;
out:
	free(buf);
	close(fd);
	return rc;
}

int gpo_file_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int gpo_file_write_synced(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc;

	if (fd < 0)
		return -errno;
	rc = gpo_file_write_all(fd, data, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

int gpo_file_each_entry(const char *dir,
			int (*fn)(void *arg, const char *dir, const char *name), void *arg)
{
	DIR *dd = opendir(dir);
	struct dirent *de;
	int sum = 0;

	if (!dd)
		return 0;
	while ((de = readdir(dd))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			sum += fn(arg, dir, de->d_name);
	}
	closedir(dd);
	return sum;
}

int gpo_file_copy_fd(int in, int out)
{
	char buf[65536];

	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);

		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -errno;
		break; /* not between these file systems: by hand */
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		int rc;

		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		rc = gpo_file_write_all(out, buf, (size_t)n);
		if (rc)
			return rc;
	}
}
