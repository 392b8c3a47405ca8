#include "gpo_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 1024

int gpo_journal_open(struct gpo_journal *j, const char *path, size_t max)
{
	struct stat st;
	int rc;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	j->max = max;
	j->path = strdup(path);
	if (!j->path)
		return -ENOMEM;
	/* never through a link: the folder may be shared */
	j->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		     0600);
	if (j->fd < 0 || fstat(j->fd, &st) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto fail;
	}
	/* what it tells of the domain is for its owner only */
	if ((st.st_mode & 07777) != 0600)
		(void)fchmod(j->fd, 0600);
	pthread_mutex_init(&j->lock, NULL);
	pthread_mutex_init(&j->watch_lock, NULL);
	return 0;
fail:
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	return rc;
}

static int pread_full(int fd, char *buf, size_t n, off_t off)
{
	while (n) {
		ssize_t r = pread(fd, buf, n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		buf += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/* Drops the older half of the file at a line boundary, in place: the
 * inode stays, so that other mounts' descriptors and followers keep
 * theirs. Caller holds j->lock and an exclusive flock. */
static int trim(struct gpo_journal *j)
{
	struct stat st, at;
	char *buf = NULL;
	const char *nl;
	size_t size, cut;
	int wfd = -1;
	int rc;

	if (fstat(j->fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size <= j->max)
		return 0; /* another mount trimmed it meanwhile */
	size = (size_t)st.st_size;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	rc = pread_full(j->fd, buf, size, 0);
	if (rc)
		goto out;
	nl = memchr(buf + size / 2, '\n', size - size / 2);
	cut = nl ? (size_t)(nl - buf) + 1 : size;
	/* O_APPEND would put a pwrite at the end: a second descriptor,
	 * checked to be the same file */
	wfd = open(j->path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (wfd < 0 || fstat(wfd, &at) < 0) {
		rc = -errno;
		goto out;
	}
	if (at.st_dev != st.st_dev || at.st_ino != st.st_ino) {
		rc = -ESTALE;
		goto out;
	}
	for (size_t done = 0; done < size - cut;) {
		ssize_t w = pwrite(wfd, buf + cut + done, size - cut - done,
				   (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			goto out;
		}
		done += (size_t)w;
	}
	if (ftruncate(wfd, (off_t)(size - cut)) < 0)
		rc = -errno;
out:
	if (wfd >= 0)
		close(wfd);
	free(buf);
	return rc;
}

void gpo_journal_add(struct gpo_journal *j, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES];
	gpo_journal_grew_fn fn;
	struct stat st;
	struct tm tm;
	time_t now = time(NULL);
	size_t off, n;
	va_list ap;
	bool wrote = false;

	if (!j->path)
		return;
	gmtime_r(&now, &tm);
	off = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	va_start(ap, fmt);
	vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	/* one line per entry, whatever a name in it holds */
	for (size_t i = off; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[n++] = '\n';

	pthread_mutex_lock(&j->lock);
	/* shared: other appenders go on; a trim waits for them */
	while (flock(j->fd, LOCK_SH) < 0 && errno == EINTR)
		;
	wrote = write(j->fd, line, n) == (ssize_t)n;
	if (wrote && fstat(j->fd, &st) == 0 && (size_t)st.st_size > j->max) {
		while (flock(j->fd, LOCK_EX) < 0 && errno == EINTR)
			;
		(void)trim(j);
	}
	flock(j->fd, LOCK_UN);
	pthread_mutex_unlock(&j->lock);

	if (!wrote)
		return;
	pthread_mutex_lock(&j->watch_lock);
	fn = j->grew;
	if (fn)
		fn(j->grew_arg, j);
	pthread_mutex_unlock(&j->watch_lock);
}

int gpo_journal_stat(struct gpo_journal *j, struct stat *st)
{
	int rc;

	if (!j->path)
		return -EBADF;
	pthread_mutex_lock(&j->lock);
	rc = fstat(j->fd, st) < 0 ? -errno : 0;
	pthread_mutex_unlock(&j->lock);
	return rc;
}

ssize_t gpo_journal_read(struct gpo_journal *j, char *buf, size_t size,
			 off_t off)
{
	ssize_t n;

	if (!j->path)
		return -EBADF;
	pthread_mutex_lock(&j->lock);
	do
		n = pread(j->fd, buf, size, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	pthread_mutex_unlock(&j->lock);
	return n;
}

void gpo_journal_watch(struct gpo_journal *j, gpo_journal_grew_fn fn,
		       void *arg)
{
	if (!j->path)
		return;
	pthread_mutex_lock(&j->watch_lock);
	j->grew = fn;
	j->grew_arg = arg;
	pthread_mutex_unlock(&j->watch_lock);
}

void gpo_journal_close(struct gpo_journal *j)
{
	if (!j->path)
		return;
	close(j->fd);
	free(j->path);
	pthread_mutex_destroy(&j->lock);
	pthread_mutex_destroy(&j->watch_lock);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
}
