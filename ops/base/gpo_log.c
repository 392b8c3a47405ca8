#include "gpo_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

void gpo_log(const struct gpo_log *lg, enum gpo_log_level lvl,
	     const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	char line[2048];
	va_list ap;

	if (lvl == GPO_LOG_DEBUG && !(lg && lg->debug))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (lg && lg->use_syslog)
		syslog(prio[lvl], "%s", line);
	else
		fprintf(stderr, "gpofs: %s%s%s\n",
			lvl == GPO_LOG_INFO ? "" : tag[lvl],
			lvl == GPO_LOG_INFO ? "" : ": ", line);
}

int gpo_journal_init(struct gpo_journal *j, size_t max)
{
	memset(j, 0, sizeof(*j));
	j->max = max;
	return -pthread_mutex_init(&j->lock, NULL);
}

void gpo_journal_add(struct gpo_journal *j, const char *fmt, ...)
{
	char line[1024];
	size_t n;
	size_t off;
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	char *p;

	gmtime_r(&now, &tm);
	off = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	va_start(ap, fmt);
	vsnprintf(line + off, sizeof(line) - off - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	line[n++] = '\n';

	pthread_mutex_lock(&j->lock);
	if (!j->text) {
		j->text = malloc(j->max);
		if (!j->text)
			goto out;
	}
	/* Drop whole old lines until the new one fits. */
	while (j->len + n > j->max && j->len) {
		p = memchr(j->text, '\n', j->len);
		off = p ? (size_t)(p - j->text) + 1 : j->len;
		memmove(j->text, j->text + off, j->len - off);
		j->len -= off;
	}
	if (n <= j->max) {
		memcpy(j->text + j->len, line, n);
		j->len += n;
		j->last = now;
	}
out:
	pthread_mutex_unlock(&j->lock);
}

int gpo_journal_copy(struct gpo_journal *j, char **text, size_t *len)
{
	int rc = 0;

	pthread_mutex_lock(&j->lock);
	*len = j->len;
	*text = malloc(j->len + 1);
	if (!*text) {
		rc = -ENOMEM;
		goto out;
	}
	if (j->len)
		memcpy(*text, j->text, j->len);
	(*text)[j->len] = '\0';
out:
	pthread_mutex_unlock(&j->lock);
	return rc;
}

time_t gpo_journal_last(struct gpo_journal *j)
{
	time_t t;

	pthread_mutex_lock(&j->lock);
	t = j->last;
	pthread_mutex_unlock(&j->lock);
	return t;
}

void gpo_journal_destroy(struct gpo_journal *j)
{
	free(j->text);
	j->text = NULL;
	pthread_mutex_destroy(&j->lock);
}
