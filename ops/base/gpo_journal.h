/* A domain's journal: the `log` file of the mount, kept on disk so that it
 * outlives the mount (a second rsync across a remount finds it as it
 * was).
 *
 * One file per domain, <log_dir>/<dns name>.log, mode 0600. Lines are
 * whole ("<UTC time> <text>\n"), each appended by one write on an
 * O_APPEND descriptor, so that two mounts of one domain may share the
 * file. Past max bytes the older half is dropped at a line boundary, in
 * place (the file keeps its inode: readers and other mounts keep theirs)
 * and under an exclusive flock, while appends hold a shared one. A
 * follower sees the file truncated then, as after logrotate's
 * copytruncate. The file's mtime is that of its last line; opening it
 * writes nothing. Thread-safe. */
#ifndef GPO_JOURNAL_H
#define GPO_JOURNAL_H

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define GPO_JOURNAL_MAX (1024 * 1024)

struct gpo_journal;

/* Told after each line was added (outside the journal's lock), e.g. to
 * make the kernel drop the log file's cached size. */
typedef void (*gpo_journal_grew_fn)(void *arg, struct gpo_journal *j);

struct gpo_journal {
	pthread_mutex_t lock;        /* the descriptor and its offsets */
	int fd;                      /* O_APPEND; -1 before open */
	char *path;
	size_t max;
	pthread_mutex_t watch_lock;  /* grew and its arg */
	gpo_journal_grew_fn grew;
	void *grew_arg;
};

/* Opens (creating it, mode 0600) the journal file at path, the folder
 * existing, bounded at max bytes. Writes nothing to it. Returns 0 or
 * -errno. j needs no preparation; after a failure it needs no close. */
int gpo_journal_open(struct gpo_journal *j, const char *path, size_t max);

/* Appends one line, "<UTC time> <text>" (control characters in the text
 * become '?'), and trims the file when it passed max. Never fails: a
 * line that cannot be written is lost (and said so on stderr/syslog by
 * the caller's gpo_log, if any). */
void gpo_journal_add(struct gpo_journal *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The file's attributes now (size, mtime: its last line's time). Returns
 * 0 or -errno. */
int gpo_journal_stat(struct gpo_journal *j, struct stat *st);

/* Reads up to size bytes at off, as the file is now. Returns the count
 * (0 at the end) or -errno. */
ssize_t gpo_journal_read(struct gpo_journal *j, char *buf, size_t size,
			 off_t off);

/* Sets (fn non-NULL) or clears the function told of each new line; once
 * it is cleared, no call of the old one is running or will run. */
void gpo_journal_watch(struct gpo_journal *j, gpo_journal_grew_fn fn,
		       void *arg);

/* Closes the file and frees what j holds; a journal never opened (zeroed)
 * or closed already is left alone. */
void gpo_journal_close(struct gpo_journal *j);

#endif
