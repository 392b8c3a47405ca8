/* The mount point and the mount: checked before any domain is contacted,
 * and mounted after the sign-in, so that each failure is one line. */
#include "gpofs_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* mount.fuse3's drop_privileges hands over an open /dev/fuse as the
 * mount point "/dev/fd/N": nothing to check, nothing to resolve. */
bool gpofs_is_fuse_fd(const char *mnt)
{
	unsigned fd;
	int end = 0;

	return sscanf(mnt, "/dev/fd/%u%n", &fd, &end) == 1 && end && !mnt[end];
}

/* Checks the mount point before anything is contacted. Returns 0, or
 * -errno after printing one line. */
int gpofs_check_mountpoint(const char *mnt)
{
	struct stat st;
	struct statfs sfs;
	int err;

	/* statfs as well: stat may be answered from the kernel's cache of
	 * the root's attributes, statfs always asks the daemon */
	if (stat(mnt, &st) < 0 || statfs(mnt, &sfs) < 0) {
		err = errno;
		if (err == ENOTCONN)
			fprintf(stderr,
				"gpofs: %s is a stale mount (the daemon that served it has gone: %s); unmount it first: fusermount3 -u %s\n",
				mnt, strerror(err), mnt);
		else if (err == ENOENT)
			fprintf(stderr,
				"gpofs: mount point %s does not exist (mkdir it first)\n",
				mnt);
		else
			fprintf(stderr, "gpofs: mount point %s: %s\n", mnt,
				strerror(err));
		return -err;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "gpofs: mount point %s is not a directory\n", mnt);
		return -ENOTDIR;
	}
	/* fusermount3 mounts for a user only where the user may write */
	if (geteuid() != 0 && access(mnt, W_OK) < 0) {
		err = errno;
		fprintf(stderr,
			"gpofs: mount point %s: %s (a user mounts only on a folder that user may write to)\n",
			mnt, strerror(err));
		return -err;
	}
	return 0;
}

/* The FUSE device, as fusermount3 will open it: as this user. Returns 0,
 * or -errno after printing one line. */
int gpofs_check_fuse_device(void)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	int err;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	fprintf(stderr, "gpofs: cannot open /dev/fuse: %s%s\n", strerror(err),
		err == ENOENT || err == ENODEV
			? " (no FUSE in this kernel: modprobe fuse)"
		: err == EACCES || err == EPERM
			? " (this user may not use FUSE: mount as root, or get read-write access to /dev/fuse)"
			: "");
	return -err;
}

/* fuse_mount, with what libfuse and fusermount3 print when it fails
 * (often one line twice: libfuse tries again without subtype=) made one
 * line of ours. Returns 0 or -1. */
int gpofs_mount(struct fuse *fuse, const char *mnt)
{
	char text[1024];
	char *line;
	int cap;
	int saved = -1;
	ssize_t n = 0;
	int rc;

	fflush(stderr);
	cap = memfd_create("gpofs-mount", MFD_CLOEXEC);
	if (cap >= 0)
		saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (cap < 0 || saved < 0 || dup2(cap, STDERR_FILENO) < 0) {
		rc = fuse_mount(fuse, mnt);
		goto out;
	}
	rc = fuse_mount(fuse, mnt);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	n = pread(cap, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	if (!rc) {
		/* mounted: what was said is news, not an error */
		fputs(text, stderr);
		goto out;
	}
	line = text + strspn(text, " \n");
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "fusermount3: ", 13))
		line += 13;
	else if (!strncmp(line, "fuse: ", 6))
		line += 6;
	fprintf(stderr, "gpofs: cannot mount on %s: %s\n", mnt,
		*line ? line : "the mount failed");
out:
	if (saved >= 0)
		close(saved);
	if (cap >= 0)
		close(cap);
	return rc ? -1 : 0;
}
