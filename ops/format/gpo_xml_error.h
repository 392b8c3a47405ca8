/* libxml2's errors become 0 or -errno here and nowhere else; the
 * parser's own message is logged. */
#ifndef GPO_XML_ERROR_H
#define GPO_XML_ERROR_H

#include "gpo_err.h"
#include "gpo_log.h"

/* Maps libxml2's last error (of the calling thread) to -errno: malformed
 * input is -EINVAL, exhaustion -ENOMEM. Logs the parser's message. */
int gpo_xml_errno(const struct gpo_log *lg, const char *what);

/* The same mapping, with the parser's message and line as e's reason
 * (after what) instead of a log line, for callers that report through
 * a gpo_err. */
int gpo_xml_err_set(struct gpo_err *e, const char *what);

#endif
