#include "gpo_xmlw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int gpo_xmlw_open(struct gpo_xmlw *x)
{
	x->failed = 0;
	x->buf = xmlBufferCreate();
	if (!x->buf)
		return -ENOMEM;
	x->w = xmlNewTextWriterMemory(x->buf, 0);
	if (!x->w) {
		xmlBufferFree(x->buf);
		x->buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

void gpo_xmlw_fail(struct gpo_xmlw *x, int rc)
{
	if (!x->failed)
		x->failed = rc;
}

void gpo_xmlw_abort(struct gpo_xmlw *x)
{
	if (x->w)
		xmlFreeTextWriter(x->w);
	if (x->buf)
		xmlBufferFree(x->buf);
	x->w = NULL;
	x->buf = NULL;
}

/* Ends the writer and copies its bytes, less a trailing newline when
 * trim is set. */
static int finish(struct gpo_xmlw *x, bool end_document, bool trim,
		  char **data, size_t *len)
{
	int rc;
	size_t n;

	if (end_document ? xmlTextWriterEndDocument(x->w) < 0
			 : xmlTextWriterFlush(x->w) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
	xmlFreeTextWriter(x->w);
	x->w = NULL;
	rc = x->failed;
	if (rc)
		goto out;
	n = (size_t)xmlBufferLength(x->buf);
	if (trim && n && xmlBufferContent(x->buf)[n - 1] == '\n')
		n--;
	*data = malloc(n + 1);
	if (!*data) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(*data, xmlBufferContent(x->buf), n);
	(*data)[n] = '\0';
	*len = n;
out:
	gpo_xmlw_abort(x);
	return rc;
}

int gpo_xmlw_close(struct gpo_xmlw *x, bool end_document, char **data,
		   size_t *len)
{
	return finish(x, end_document, end_document, data, len);
}

int gpo_xmlw_take(struct gpo_xmlw *x, char **data, size_t *len)
{
	return finish(x, true, false, data, len);
}

void gpo_xmlw_raw(struct gpo_xmlw *x, const char *s)
{
	if (xmlTextWriterWriteRaw(x->w, BAD_CAST s) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
}

void gpo_xmlw_start(struct gpo_xmlw *x, const char *name)
{
	if (xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
}

void gpo_xmlw_end(struct gpo_xmlw *x)
{
	if (xmlTextWriterEndElement(x->w) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
}

void gpo_xmlw_full_end(struct gpo_xmlw *x)
{
	if (xmlTextWriterFullEndElement(x->w) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
}

void gpo_xmlw_attr(struct gpo_xmlw *x, const char *name, const char *value)
{
	xmlChar *esc = xmlEncodeSpecialChars(NULL, BAD_CAST value);

	if (!esc || xmlTextWriterStartAttribute(x->w, BAD_CAST name) < 0 ||
	    xmlTextWriterWriteRaw(x->w, esc) < 0 ||
	    xmlTextWriterEndAttribute(x->w) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
	xmlFree(esc);
}
