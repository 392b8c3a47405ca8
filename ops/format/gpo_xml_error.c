#include "gpo_xml_error.h"

#include <errno.h>
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
