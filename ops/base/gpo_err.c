#include "gpo_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gpo_err_set(struct gpo_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e || !code || e->code)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return code;
}

const char *gpo_err_reason(const struct gpo_err *e)
{
	/* a caller that passed no carrier (NULL: "the reason is not
	 * wanted") may still hand it on to a log line */
	if (!e)
		return "no reason kept";
	return *e->reason ? e->reason : strerror(-e->code);
}
