/* An XML document's bytes scanned for where each element, attribute and
 * text run is, and checked against libxml2's reading of them. See
 * gpo_xmlscan.h. */
#include "gpo_xmlscan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "gpo_array.h"
#include "gpo_buf.h"
#include "gpo_xml_error.h"

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static unsigned line_at(const struct gpo_xmlscan *s, size_t off)
{
	unsigned n = 1;

	for (size_t i = 0; i < off && i < s->len; i++)
		n += s->t[i] == '\n';
	return n;
}

int gpo_xmlscan_refuse(const struct gpo_xmlscan *s, size_t off, const char *why)
{
	return gpo_err_set(s->err, -EINVAL, "%s line %u: %s", s->name,
			   line_at(s, off), why);
}

static int put_utf8(struct gpo_buf *b, unsigned long c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return gpo_buf_add(b, u, n);
}

/* Decodes [p, e) of an attribute value (attr) or of character data as
 * an XML 1.0 parser reports it: the five predefined entities and
 * character references, line ends made LF, and in an attribute each
 * blank made a space (XML 1.0 3.3.3). Returns 0 with a NUL-terminated
 * string in *out (caller frees), -EINVAL for a reference it does not
 * know, -ENOMEM. */
int gpo_xml_decode(const char *p, const char *e, bool attr, char **out)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int rc = 0;

	while (!rc && p < e) {
		if (*p == '&') {
			const char *semi = memchr(p, ';', (size_t)(e - p));
			size_t n = semi ? (size_t)(semi - p - 1) : 0;
			static const struct { const char *n; char c; } ents[] = {
				{ "lt", '<' }, { "gt", '>' }, { "amp", '&' },
				{ "quot", '"' }, { "apos", '\'' },
			};
			bool done = false;

			if (!semi || n > 10) {
				rc = -EINVAL;
				break;
			}
			for (size_t i = 0; i < 5 && !done; i++)
				if (strlen(ents[i].n) == n && !memcmp(p + 1, ents[i].n, n)) {
					rc = gpo_buf_add(&b, &ents[i].c, 1);
					done = true;
				}
			if (!done && n >= 2 && p[1] == '#') {
				unsigned long c = 0;
				bool hex = p[2] == 'x';
				const char *d = p + 2 + hex;

				if (d == semi)
					rc = -EINVAL;
				for (; !rc && d < semi; d++) {
					int v = *d >= '0' && *d <= '9' ? *d - '0' :
						hex && *d >= 'a' && *d <= 'f' ? *d - 'a' + 10 :
						hex && *d >= 'A' && *d <= 'F' ? *d - 'A' + 10 : -1;

					if (v < 0 || c > 0x10ffff)
						rc = -EINVAL;
					else
						c = c * (hex ? 16 : 10) + (unsigned long)v;
				}
				/* the characters XML allows (XML 1.0 2.2) */
				if (!rc && !(c == 9 || c == 10 || c == 13 ||
					     (c >= 0x20 && c <= 0xd7ff) ||
					     (c >= 0xe000 && c <= 0xfffd) ||
					     (c >= 0x10000 && c <= 0x10ffff)))
					rc = -EINVAL;
				if (!rc)
					rc = put_utf8(&b, c);
				done = true;
			}
			if (!done)
				rc = -EINVAL;
			p = semi + 1;
			continue;
		}
		if (*p == '\r' || *p == '\n' || (attr && *p == '\t')) {
			char c = attr ? ' ' : (*p == '\t' ? '\t' : '\n');

			if (*p == '\r' && p + 1 < e && p[1] == '\n')
				p++;
			rc = gpo_buf_add(&b, &c, 1);
			p++;
			continue;
		}
		rc = gpo_buf_add(&b, p++, 1);
	}
	if (!rc)
		rc = gpo_buf_add(&b, "", 0);
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*out = b.data;
	return 0;
}

/* Encodes s for an attribute quoted with q (q 0: character data): the
 * markup characters and the blanks an XML parser would not give back
 * as they are, as references. */
int gpo_xml_encode(const char *s, char q, char **out, size_t *len)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int rc = 0;

	for (; !rc && *s; s++) {
		switch (*s) {
		case '&': rc = gpo_buf_printf(&b, "&amp;"); break;
		case '<': rc = gpo_buf_printf(&b, "&lt;"); break;
		case '>': rc = gpo_buf_printf(&b, "&gt;"); break;
		case '\r': rc = gpo_buf_printf(&b, "&#13;"); break;
		case '"':
			rc = q == '"' ? gpo_buf_printf(&b, "&quot;") : gpo_buf_add(&b, s, 1);
			break;
		case '\'':
			rc = q == '\'' ? gpo_buf_printf(&b, "&apos;") : gpo_buf_add(&b, s, 1);
			break;
		case '\t':
		case '\n':
			rc = q ? gpo_buf_printf(&b, "&#%d;", *s) : gpo_buf_add(&b, s, 1);
			break;
		default:
			rc = gpo_buf_add(&b, s, 1);
		}
	}
	if (!rc)
		rc = gpo_buf_add(&b, "", 0);
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*out = gpo_buf_steal(&b, len);
	return 0;
}

/* ---- the scan ---- */

static const char *find(const char *p, const char *e, const char *what)
{
	size_t n = strlen(what);

	for (; p + n <= e; p++)
		if (!memcmp(p, what, n))
			return p;
	return NULL;
}

/* The encoding the XML declaration names, when it names one: only the
 * Unicode ones are read here (the file was decoded by its BOM). */
static int check_decl(struct gpo_xmlscan *s, const char *p,
		      const char *e)
{
	const char *k = find(p, e, "encoding"), *q;
	size_t n;

	if (!k)
		return 0;
	k += 8;
	while (k < e && ws(*k))
		k++;
	if (k < e && *k == '=')
		k++;
	while (k < e && ws(*k))
		k++;
	if (k >= e || (*k != '"' && *k != '\''))
		return gpo_xmlscan_refuse(s, 0, "a malformed XML declaration");
	q = memchr(k + 1, *k, (size_t)(e - k - 1));
	if (!q)
		return gpo_xmlscan_refuse(s, 0, "a malformed XML declaration");
	n = (size_t)(q - k - 1);
#define ENC(x) (n == strlen(x) && !strncasecmp(k + 1, x, n))
	if (ENC("utf-8") || ENC("utf8") || ENC("utf-16") || ENC("utf16") ||
	    ENC("us-ascii") || ENC("ascii"))
		return 0;
#undef ENC
	return gpo_err_set(s->err, -EINVAL, "%s: encoding \"%.*s\" is not handled",
			   s->name, (int)(n > 40 ? 40 : n), k + 1);
}

/* A start tag at p ('<'): its element and attributes. */
static int start_tag(struct gpo_xmlscan *s, const char **pp,
		     const char *e, long parent, bool *empty)
{
	const char *p = *pp + 1, *n0 = p;
	struct gpo_xml_el *x;

	while (p < e && !ws(*p) && *p != '/' && *p != '>' && *p != '=' && *p != '<')
		p++;
	if (p == n0)
		return gpo_xmlscan_refuse(s, (size_t)(*pp - s->t), "a tag without a name");
	x = gpo_array_push(&s->el, &s->n_el, &s->cap_el, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->start = (size_t)(*pp - s->t);
	x->nb = (size_t)(n0 - s->t);
	x->ne = (size_t)(p - s->t);
	x->parent = parent;
	x->a0 = s->n_at;
	for (;;) {
		const char *an, *ane, *q;
		struct gpo_xml_attr *a;

		while (p < e && ws(*p))
			p++;
		if (p < e && *p == '>') {
			*empty = false;
			break;
		}
		if (e - p >= 2 && p[0] == '/' && p[1] == '>') {
			*empty = true;
			p++;
			break;
		}
		an = p;
		while (p < e && !ws(*p) && *p != '=' && *p != '>' && *p != '/' && *p != '<')
			p++;
		ane = p;
		while (p < e && ws(*p))
			p++;
		if (an == ane || p >= e || *p != '=')
			return gpo_xmlscan_refuse(s, (size_t)(an - s->t), "a malformed attribute");
		p++;
		while (p < e && ws(*p))
			p++;
		if (p >= e || (*p != '"' && *p != '\''))
			return gpo_xmlscan_refuse(s, (size_t)(an - s->t), "an attribute without quotes");
		q = memchr(p + 1, *p, (size_t)(e - p - 1));
		if (!q || memchr(p + 1, '<', (size_t)(q - p - 1)))
			return gpo_xmlscan_refuse(s, (size_t)(an - s->t), "an attribute value without its end");
		a = gpo_array_push(&s->at, &s->n_at, &s->cap_at, sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->nb = (size_t)(an - s->t);
		a->ne = (size_t)(ane - s->t);
		a->vb = (size_t)(p + 1 - s->t);
		a->ve = (size_t)(q - s->t);
		a->q = *p;
		p = q + 1;
		if (p < e && !ws(*p) && *p != '>' && *p != '/')
			return gpo_xmlscan_refuse(s, (size_t)(p - s->t), "attributes not apart");
	}
	if (p >= e)
		return gpo_xmlscan_refuse(s, (size_t)(*pp - s->t), "a tag without its '>'");
	x = &s->el[s->n_el - 1];
	x->na = s->n_at - x->a0;
	/* tags come in order: count on from the last one */
	for (; s->lo < x->start; s->lo++)
		s->ll += s->t[s->lo] == '\n';
	x->line = s->ll;
	*pp = p + 1;
	return 0;
}

static int scan(struct gpo_xmlscan *s)
{
	const char *p = s->t, *e = s->t + s->len;
	long *stack = NULL;
	size_t depth = 0, cap = 0;
	bool root_seen = false;
	int rc = 0;

	while (!rc && p < e) {
		const char *q;
		long top = depth ? stack[depth - 1] : -1;

		if (*p != '<') {
			q = memchr(p, '<', (size_t)(e - p));
			if (!q)
				q = e;
			if (!depth)
				for (const char *c = p; !rc && c < q; c++)
					if (!ws(*c))
						rc = gpo_xmlscan_refuse(s, (size_t)(c - s->t), "text outside the root element");
			p = q;
			continue;
		}
		if (top >= 0 && (e - p < 2 || p[1] != '/'))
			s->el[top].markup = true;
		if (e - p >= 4 && !memcmp(p, "<!--", 4)) {
			q = find(p + 4, e, "-->");
			if (!q)
				rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a comment without its end");
			else
				p = q + 3;
		} else if (e - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			q = find(p + 9, e, "]]>");
			if (!q || !depth)
				rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a misplaced CDATA section");
			else
				p = q + 3;
		} else if (e - p >= 2 && p[1] == '!') {
			/* a DOCTYPE could declare entities that this scanner
			 * does not expand; Preferences files have none */
			rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a DOCTYPE or other declaration");
		} else if (e - p >= 2 && p[1] == '?') {
			q = find(p + 2, e, "?>");
			if (!q)
				rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a PI without its end");
			else if (p == s->t && e - p >= 6 && !memcmp(p, "<?xml", 5) && ws(p[5]))
				rc = check_decl(s, p, q);
			if (!rc)
				p = q + 2;
		} else if (e - p >= 2 && p[1] == '/') {
			struct gpo_xml_el *x;
			const char *n0 = p + 2;

			const char *ne = n0;

			q = memchr(p, '>', (size_t)(e - p));
			if (!q || !depth) {
				rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a misplaced end tag");
				break;
			}
			x = &s->el[top];
			while (ne < q && !ws(*ne))
				ne++;
			for (const char *c = ne; !rc && c < q; c++)
				if (!ws(*c))
					rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a malformed end tag");
			if (!rc && ((size_t)(ne - n0) != x->ne - x->nb ||
				    memcmp(n0, s->t + x->nb, x->ne - x->nb)))
				rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "an end tag that does not match");
			if (!x->markup) {
				x->text_only = true;
				x->te = (size_t)(p - s->t);
			}
			x->end = (size_t)(q + 1 - s->t);
			depth--;
			p = q + 1;
		} else {
			bool empty = false;

			if (!depth && root_seen) {
				rc = gpo_xmlscan_refuse(s, (size_t)(p - s->t), "a second root element");
				break;
			}
			rc = start_tag(s, &p, e, top, &empty);
			if (rc)
				break;
			root_seen = true;
			if (empty) {
				s->el[s->n_el - 1].end = (size_t)(p - s->t);
			} else {
				long *ns = depth == cap ? realloc(stack, (cap = cap ? 2 * cap : 16) * sizeof(*stack)) : stack;

				if (!ns) {
					rc = -ENOMEM;
					break;
				}
				stack = ns;
				stack[depth++] = (long)s->n_el - 1;
				s->el[s->n_el - 1].tb = (size_t)(p - s->t);
			}
		}
	}
	if (!rc && (depth || !root_seen))
		rc = gpo_xmlscan_refuse(s, s->len, "the root element is not closed");
	free(stack);
	return rc;
}

/* ---- libxml2's view ---- */

static bool same_name(const struct gpo_xmlscan *s, size_t nb, size_t ne, const xmlChar *prefix,
		      const xmlChar *name)
{
	char q[512];
	int n = prefix ? snprintf(q, sizeof(q), "%s:%s", prefix, name)
		       : snprintf(q, sizeof(q), "%s", name);

	return n >= 0 && (size_t)n < sizeof(q) && (size_t)n == ne - nb &&
	       !memcmp(q, s->t + nb, ne - nb);
}

static bool is_xmlns(const struct gpo_xmlscan *s, const struct gpo_xml_attr *a)
{
	size_t n = a->ne - a->nb;
	const char *p = s->t + a->nb;

	return (n == 5 && !memcmp(p, "xmlns", 5)) || (n > 6 && !memcmp(p, "xmlns:", 6));
}

/* Walks libxml2's elements in document order beside the scan's. */
static int cross_check(struct gpo_xmlscan *s, xmlNodePtr node,
		       size_t *i)
{
	for (; node; node = node->next) {
		struct gpo_xml_el *x;
		size_t k = 0;
		int rc;

		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (*i >= s->n_el)
			return gpo_xmlscan_refuse(s, s->len, "libxml2 sees more elements");
		x = &s->el[*i];
		x->node = node;
		if (!same_name(s, x->nb, x->ne, node->ns ? node->ns->prefix : NULL, node->name))
			return gpo_xmlscan_refuse(s, x->start, "libxml2 reads another element here");
		for (xmlAttrPtr a = node->properties; a; a = a->next) {
			struct gpo_xml_attr *sa;
			xmlChar *v;
			char *mine = NULL;
			bool ok;

			while (k < x->na && is_xmlns(s, &s->at[x->a0 + k]))
				k++;
			if (k >= x->na)
				return gpo_xmlscan_refuse(s, x->start, "libxml2 sees more attributes");
			sa = &s->at[x->a0 + k++];
			if (!same_name(s, sa->nb, sa->ne, a->ns ? a->ns->prefix : NULL, a->name))
				return gpo_xmlscan_refuse(s, x->start, "libxml2 reads another attribute here");
			v = xmlNodeGetContent((xmlNodePtr)a);
			if (!v)
				return -ENOMEM;
			rc = gpo_xml_decode(s->t + sa->vb, s->t + sa->ve, true, &mine);
			ok = !rc && !strcmp(mine, (const char *)v);
			free(mine);
			xmlFree(v);
			if (rc == -ENOMEM)
				return rc;
			if (!ok)
				return gpo_xmlscan_refuse(s, x->start, "libxml2 reads an attribute value otherwise");
		}
		while (k < x->na && is_xmlns(s, &s->at[x->a0 + k]))
			k++;
		if (k != x->na)
			return gpo_xmlscan_refuse(s, x->start, "libxml2 sees fewer attributes");
		(*i)++;
		rc = cross_check(s, node->children, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* Parses text as UTF-8 whatever its declaration says (the caller
 * decoded it), without the network and without expanding entities. */
static xmlDocPtr parse(const char *t, size_t len)
{
	xmlResetLastError();
	return xmlReadMemory(t, (int)len, NULL, "UTF-8",
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			     XML_PARSE_IGNORE_ENC);
}

int gpo_xmlscan(const char *t, size_t len, const char *name, struct gpo_err *err,
		struct gpo_xmlscan *s)
{
	size_t i = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->len = len;
	s->name = name;
	s->err = err;
	s->ll = 1;
	rc = scan(s);
	if (rc)
		goto out;
	s->doc = parse(t, len);
	if (!s->doc) {
		rc = gpo_xml_err(err, name);
		goto out;
	}
	rc = cross_check(s, xmlDocGetRootElement(s->doc), &i);
	if (!rc && i != s->n_el)
		rc = gpo_xmlscan_refuse(s, len, "libxml2 sees fewer elements");
out:
	if (rc)
		gpo_xmlscan_free(s);
	return rc;
}

void gpo_xmlscan_free(struct gpo_xmlscan *s)
{
	free(s->el);
	free(s->at);
	xmlFreeDoc(s->doc);
	memset(s, 0, sizeof(*s));
}

bool gpo_xml_well_formed(const char *t, size_t len)
{
	xmlDocPtr d = parse(t, len);

	xmlFreeDoc(d);
	return d != NULL;
}
