#include "gpo_xml_error.h"

#include <errno.h>
#include <string.h>
#include <libxml/xmlerror.h>

int gpo_xml_errno(const struct gpo_log *lg, const char *what)
{
	const xmlError *e = xmlGetLastError();

	if (!e) {
		gpo_log(lg, GPO_LOG_WARN, "XML %s: failed", what);
		return -EINVAL;
	}
	gpo_log(lg, GPO_LOG_WARN, "XML %s: line %d: %s", what, e->line,
		e->message ? e->message : "error");
	if (e->code == XML_ERR_NO_MEMORY)
		return -ENOMEM;
	return -EINVAL;
}

int gpo_xml_err_set(struct gpo_err *e, const char *what)
{
	const xmlError *x = xmlGetLastError();
	int code = x && x->code == XML_ERR_NO_MEMORY ? -ENOMEM : -EINVAL;
	size_t n;

	if (!x || !x->message)
		return gpo_err_set(e, code, "%s: not well-formed XML", what);
	/* libxml2's messages end in a newline */
	n = strcspn(x->message, "\n");
	return gpo_err_set(e, code, "%s: line %d: %.*s", what, x->line, (int)n,
			   x->message);
}
