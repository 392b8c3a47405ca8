/* Writing GPMC's XML with libxml2's xmlTextWriter, GPMC's way: errors
 * collected in one code so that a generator reads as the file it writes,
 * attributes in UTF-8 as they are, whitespace written raw. The one XML
 * writer of ops/: Backup.xml, bkupInfo.xml, the extension entries and
 * gpreport.xml all go through it. */
#ifndef GPO_XMLW_H
#define GPO_XMLW_H

#include <stdbool.h>
#include <stddef.h>
#include <libxml/xmlwriter.h>

struct gpo_xmlw {
	xmlTextWriterPtr w;
	xmlBufferPtr buf;
	int failed;          /* 0, or the first error: -ENOMEM when a call
				failed, or what gpo_xmlw_fail was given */
};

/* Records an error (the first one stays). */
void gpo_xmlw_fail(struct gpo_xmlw *x, int rc);

/* Starts writing into memory. Returns 0 or -ENOMEM. */
int gpo_xmlw_open(struct gpo_xmlw *x);

/* Ends the document and hands its bytes to the caller (NUL-terminated,
 * caller frees), without the newline the writer ends a document with:
 * GPMC's files end where their last line ends. Frees the writer either
 * way. Returns 0, or the first error. */
int gpo_xmlw_close(struct gpo_xmlw *x, bool end_document, char **data,
		   size_t *len);

/* Ends the document and hands its bytes to the caller as the writer
 * made them (NUL-terminated, caller frees). Frees the writer either way.
 * Returns 0 or the first error. */
int gpo_xmlw_take(struct gpo_xmlw *x, char **data, size_t *len);

/* Frees the writer without output (after a failure elsewhere). */
void gpo_xmlw_abort(struct gpo_xmlw *x);

/* Text as it is: GPMC's declaration, comments and whitespace. */
void gpo_xmlw_raw(struct gpo_xmlw *x, const char *s);

/* Opens an element. */
void gpo_xmlw_start(struct gpo_xmlw *x, const char *name);

/* Closes an element: "/>" when nothing was written inside. */
void gpo_xmlw_end(struct gpo_xmlw *x);

/* Closes an element with a closing tag, even when empty. */
void gpo_xmlw_full_end(struct gpo_xmlw *x);

/* An attribute: markup escaped, UTF-8 as it is (xmlTextWriter's own
 * would write non-ASCII as character references; GPMC does not). */
void gpo_xmlw_attr(struct gpo_xmlw *x, const char *name, const char *value);

#endif
