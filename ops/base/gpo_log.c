#include "gpo_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

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
