/* An XML document's bytes, scanned for the byte ranges of its elements,
 * attributes and text, so that a rewrite can patch a value in place and
 * keep every other byte (libxml2's serializer would not). libxml2 still
 * decides whether the document is well-formed, and the scan is checked
 * against its tree: each element's name and each attribute's name and
 * decoded value, in document order. A document the two read differently
 * is refused. No DOCTYPE (entities it declared would not be expanded
 * here), and an XML declaration may name only a Unicode encoding: the
 * caller has decoded the text to UTF-8. Internal to ops/format. */
#ifndef GPO_XMLSCAN_H
#define GPO_XMLSCAN_H

#ifndef GPO_OPS_INTERNAL
#error "gpo_xmlscan.h is ops/format's own"
#endif

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "gpo_err.h"

/* Offsets are into the scanned text. */
struct gpo_xml_attr {
	size_t nb, ne;      /* name */
	size_t vb, ve;      /* value, inside its quotes */
	char q;             /* the quote */
};

struct gpo_xml_el {
	size_t start;       /* '<' */
	size_t end;         /* after the end tag (after "/>" when empty) */
	size_t nb, ne;      /* name */
	size_t a0, na;      /* its attributes in the scan's array */
	size_t tb, te;      /* content when it is character data only */
	bool text_only;
	bool markup;        /* child elements, comments, PIs or CDATA seen */
	long parent;        /* -1 for the root */
	unsigned line;
	xmlNodePtr node;    /* libxml2's view of it */
};

struct gpo_xmlscan {
	const char *t;
	size_t len;
	const char *name;   /* for reasons: the file's name */
	struct gpo_err *err;
	xmlDocPtr doc;      /* libxml2's tree */
	struct gpo_xml_el *el;
	size_t n_el, cap_el;
	struct gpo_xml_attr *at;
	size_t n_at, cap_at;
	size_t lo;          /* lines counted up to here */
	unsigned ll;        /* the line at lo */
};

/* Scans len bytes of UTF-8 text t (kept, not copied) into s. name
 * prefixes the reasons given in err. Returns 0 (free s with
 * gpo_xmlscan_free), -EINVAL for a document that is not well-formed or
 * that the scan and libxml2 read differently (s is then clear), -ENOMEM. */
int gpo_xmlscan(const char *t, size_t len, const char *name, struct gpo_err *err,
		struct gpo_xmlscan *s);

void gpo_xmlscan_free(struct gpo_xmlscan *s);

/* Records -EINVAL and why, with the line of offset off, in s->err.
 * Returns -EINVAL. */
int gpo_xmlscan_refuse(const struct gpo_xmlscan *s, size_t off, const char *why);

/* Decodes [p, e) of an attribute value (attr) or of character data as an
 * XML parser reports it (the five predefined entities and character
 * references, line ends as LF, in an attribute each blank a space).
 * Returns 0 and a new string in *out (caller frees), -EINVAL for a
 * reference it does not know, -ENOMEM. */
int gpo_xml_decode(const char *p, const char *e, bool attr, char **out);

/* Encodes s for an attribute quoted with q, or for character data (q
 * 0). Returns 0 and a new string of *len bytes in *out (caller frees),
 * or -ENOMEM. */
int gpo_xml_encode(const char *s, char q, char **out, size_t *len);

/* Whether len bytes of UTF-8 text are a well-formed document. */
bool gpo_xml_well_formed(const char *t, size_t len);

#endif
