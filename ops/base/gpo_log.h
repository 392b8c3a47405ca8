/* Logging. Messages go to stderr in the foreground and to syslog when
 * daemonised; debug messages only with -d. Never pass a secret. */
#ifndef GPO_LOG_H
#define GPO_LOG_H

#include <stdbool.h>
#include <pthread.h>
#include <time.h>

enum gpo_log_level { GPO_LOG_ERR, GPO_LOG_WARN, GPO_LOG_INFO, GPO_LOG_DEBUG };

struct gpo_log {
	bool debug;
	bool use_syslog;
};

/* Writes one line. Never fails; a NULL log writes to stderr. */
void gpo_log(const struct gpo_log *lg, enum gpo_log_level lvl,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A bounded in-memory journal, the domain's `log` file: newest last, the
 * oldest lines dropped past its size. Thread-safe. */
struct gpo_journal {
	pthread_mutex_t lock;
	char *text;        /* whole lines, each ending in '\n' */
	size_t len;
	size_t max;
	time_t last;       /* when the newest line was added */
};

/* Prepares an empty journal of at most max bytes. Returns 0 or -errno. */
int gpo_journal_init(struct gpo_journal *j, size_t max);

/* Appends one timestamped line (a trailing newline is added). */
void gpo_journal_add(struct gpo_journal *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Copies the journal into a new buffer the caller frees.
 * Returns 0 or -ENOMEM. */
int gpo_journal_copy(struct gpo_journal *j, char **text, size_t *len);

/* When the newest line was added (0 for none), so that the log file's
 * mtime changes only when its content does. */
time_t gpo_journal_last(struct gpo_journal *j);

/* Frees the journal's memory. */
void gpo_journal_destroy(struct gpo_journal *j);

#endif
