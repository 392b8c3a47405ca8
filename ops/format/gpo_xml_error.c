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

int gpo_xml_err(struct gpo_err *e, const char *what)
{
	const xmlError *x = xmlGetLastError();
	int rc = x && x->code == XML_ERR_NO_MEMORY ? -ENOMEM : -EINVAL;
	const char *msg = x && x->message ? x->message : "not well-formed XML";

	/* libxml2's messages end in a newline, and may quote the input; a
	 * reason is one line */
	gpo_err_set(e, rc, "%s line %d: %.*s", what, x ? x->line : 0,
		    (int)strcspn(msg, "\n"), msg);
	for (char *p = e ? e->reason : NULL; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return rc;
}
