/* Local files: the one bounded reader of ops/, and whole, synced writes. */
#ifndef GPO_FILE_H
#define GPO_FILE_H

#include <stddef.h>
#include <sys/stat.h>

/* Reads path (a regular file, not through a symbolic link) whole into a
 * new NUL-terminated buffer (caller frees; its length, which may be less
 * than st_size if the file shrank meanwhile, in *len unless NULL), and
 * its attributes into *st unless NULL. Returns 0; -errno when it cannot
 * be opened; -EINVAL when it is not a regular file; -EFBIG when it is
 * larger than max bytes; -EIO or -errno when reading fails; -ENOMEM. */
int gpo_file_read(const char *path, size_t max, char **data, size_t *len,
		  struct stat *st);

/* Writes all n bytes of p to fd (a short write is carried on, EINTR
 * retried). Returns 0 or -errno. */
int gpo_file_write_all(int fd, const void *p, size_t n);

/* Copies what is left of in (from its offset) to out (at its offset),
 * in the kernel where it can (copy_file_range), else by read and write.
 * Returns 0 or -errno. */
int gpo_file_copy_fd(int in, int out);

/* Writes len bytes of data into a new file path (0600, created or
 * truncated, not through a symbolic link), synced to disk: what a
 * journal needs before the change it describes. Returns 0 or -errno. */
int gpo_file_write_synced(const char *path, const void *data, size_t len);

/* Calls fn(arg, dir, name) for each entry of folder dir but "." and "..", in
 * the order readdir gives them: how each start's recovery walks its
 * journals. Returns the sum of what fn returned (fn's count of what it
 * left), 0 when dir cannot be opened. fn may remove its own entry. */
int gpo_file_each_entry(const char *dir,
			int (*fn)(void *arg, const char *dir, const char *name), void *arg);

#endif
