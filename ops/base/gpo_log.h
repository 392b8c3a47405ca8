/* Logging. Messages go to stderr in the foreground and to syslog when
 * daemonised; debug messages only with -d. Never pass a secret. */
#ifndef GPO_LOG_H
#define GPO_LOG_H

#include <stdbool.h>

enum gpo_log_level { GPO_LOG_ERR, GPO_LOG_WARN, GPO_LOG_INFO, GPO_LOG_DEBUG };

struct gpo_log {
	bool debug;
	bool use_syslog;
};

/* Writes one line. Never fails; a NULL log writes to stderr. */
void gpo_log(const struct gpo_log *lg, enum gpo_log_level lvl,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
