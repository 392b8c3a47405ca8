/* Group Policy Preferences XML (MS-GPPREF 2.2.1): Groups.xml, Drives.xml,
 * ScheduledTasks.xml and the rest. libxml2 decides whether the file is
 * well-formed, but its serializer would not give the file's bytes back,
 * so a small scanner here finds the byte ranges of elements, attributes
 * and text, and the rewrite patches those ranges in the original text.
 * The scanner's view (each element's name, each attribute's name and
 * decoded value, in order) is checked against libxml2's tree, and the
 * result is parsed again: a file the two read differently is refused
 * rather than patched in the wrong place. */
#include "gpo_migrate_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "gpo_array.h"
#include "gpo_xml_error.h"

struct xattr {
	size_t nb, ne;      /* name */
	size_t vb, ve;      /* value, inside its quotes */
	char q;             /* the quote */
};

struct xel {
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

struct scan {
	const char *t;
	size_t len;
	struct xel *el;
	size_t n_el, cap_el;
	struct xattr *at;
	size_t n_at, cap_at;
	size_t lo;          /* lines counted up to here */
	unsigned ll;        /* the line at lo */
};

struct edit {
	size_t b, e;
	char *repl;         /* NULL: the range goes */
	size_t rlen;
};

struct xm {
	struct gpo_mig *g;
	struct scan *s;
	struct edit *ed;
	size_t n_ed, cap_ed;
};

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static unsigned line_at(const struct scan *s, size_t off)
{
	unsigned n = 1;

	for (size_t i = 0; i < off && i < s->len; i++)
		n += s->t[i] == '\n';
	return n;
}

static int refuse(struct gpo_mig *g, const struct scan *s, size_t off,
		  const char *why)
{
	return gpo_err_set(g->err, -EINVAL, "%s line %u: %s", g->relpath,
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
static int decode(const char *p, const char *e, bool attr, char **out)
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
static int encode(const char *s, char q, char **out, size_t *len)
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
static int check_decl(struct gpo_mig *g, struct scan *s, const char *p,
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
		return refuse(g, s, 0, "a malformed XML declaration");
	q = memchr(k + 1, *k, (size_t)(e - k - 1));
	if (!q)
		return refuse(g, s, 0, "a malformed XML declaration");
	n = (size_t)(q - k - 1);
#define ENC(x) (n == strlen(x) && !strncasecmp(k + 1, x, n))
	if (ENC("utf-8") || ENC("utf8") || ENC("utf-16") || ENC("utf16") ||
	    ENC("us-ascii") || ENC("ascii"))
		return 0;
#undef ENC
	return gpo_err_set(g->err, -EINVAL, "%s: encoding \"%.*s\" is not handled",
			   g->relpath, (int)(n > 40 ? 40 : n), k + 1);
}

/* A start tag at p ('<'): its element and attributes. */
static int start_tag(struct gpo_mig *g, struct scan *s, const char **pp,
		     const char *e, long parent, bool *empty)
{
	const char *p = *pp + 1, *n0 = p;
	struct xel *x;

	while (p < e && !ws(*p) && *p != '/' && *p != '>' && *p != '=' && *p != '<')
		p++;
	if (p == n0)
		return refuse(g, s, (size_t)(*pp - s->t), "a tag without a name");
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
		struct xattr *a;

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
			return refuse(g, s, (size_t)(an - s->t), "a malformed attribute");
		p++;
		while (p < e && ws(*p))
			p++;
		if (p >= e || (*p != '"' && *p != '\''))
			return refuse(g, s, (size_t)(an - s->t), "an attribute without quotes");
		q = memchr(p + 1, *p, (size_t)(e - p - 1));
		if (!q || memchr(p + 1, '<', (size_t)(q - p - 1)))
			return refuse(g, s, (size_t)(an - s->t), "an attribute value without its end");
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
			return refuse(g, s, (size_t)(p - s->t), "attributes not apart");
	}
	if (p >= e)
		return refuse(g, s, (size_t)(*pp - s->t), "a tag without its '>'");
	x = &s->el[s->n_el - 1];
	x->na = s->n_at - x->a0;
	/* tags come in order: count on from the last one */
	for (; s->lo < x->start; s->lo++)
		s->ll += s->t[s->lo] == '\n';
	x->line = s->ll;
	*pp = p + 1;
	return 0;
}

static int scan(struct gpo_mig *g, struct scan *s)
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
						rc = refuse(g, s, (size_t)(c - s->t), "text outside the root element");
			p = q;
			continue;
		}
		if (top >= 0 && (e - p < 2 || p[1] != '/'))
			s->el[top].markup = true;
		if (e - p >= 4 && !memcmp(p, "<!--", 4)) {
			q = find(p + 4, e, "-->");
			if (!q)
				rc = refuse(g, s, (size_t)(p - s->t), "a comment without its end");
			else
				p = q + 3;
		} else if (e - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			q = find(p + 9, e, "]]>");
			if (!q || !depth)
				rc = refuse(g, s, (size_t)(p - s->t), "a misplaced CDATA section");
			else
				p = q + 3;
		} else if (e - p >= 2 && p[1] == '!') {
			/* a DOCTYPE could declare entities that this scanner
			 * does not expand; Preferences files have none */
			rc = refuse(g, s, (size_t)(p - s->t), "a DOCTYPE or other declaration");
		} else if (e - p >= 2 && p[1] == '?') {
			q = find(p + 2, e, "?>");
			if (!q)
				rc = refuse(g, s, (size_t)(p - s->t), "a PI without its end");
			else if (p == s->t && e - p >= 6 && !memcmp(p, "<?xml", 5) && ws(p[5]))
				rc = check_decl(g, s, p, q);
			if (!rc)
				p = q + 2;
		} else if (e - p >= 2 && p[1] == '/') {
			struct xel *x;
			const char *n0 = p + 2;

			q = memchr(p, '>', (size_t)(e - p));
			if (!q || !depth)
				return free(stack), refuse(g, s, (size_t)(p - s->t), "a misplaced end tag");
			x = &s->el[top];
			{
				const char *ne = n0;

				while (ne < q && !ws(*ne))
					ne++;
				for (const char *c = ne; c < q; c++)
					if (!ws(*c))
						rc = refuse(g, s, (size_t)(p - s->t), "a malformed end tag");
				if (!rc && ((size_t)(ne - n0) != x->ne - x->nb ||
					    memcmp(n0, s->t + x->nb, x->ne - x->nb)))
					rc = refuse(g, s, (size_t)(p - s->t), "an end tag that does not match");
			}
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
				rc = refuse(g, s, (size_t)(p - s->t), "a second root element");
				break;
			}
			rc = start_tag(g, s, &p, e, top, &empty);
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
		rc = refuse(g, s, s->len, "the root element is not closed");
	free(stack);
	return rc;
}

/* ---- libxml2's view ---- */

static bool same_name(const struct scan *s, size_t nb, size_t ne, const xmlChar *prefix,
		      const xmlChar *name)
{
	char q[512];
	int n = prefix ? snprintf(q, sizeof(q), "%s:%s", prefix, name)
		       : snprintf(q, sizeof(q), "%s", name);

	return n >= 0 && (size_t)n < sizeof(q) && (size_t)n == ne - nb &&
	       !memcmp(q, s->t + nb, ne - nb);
}

static bool is_xmlns(const struct scan *s, const struct xattr *a)
{
	size_t n = a->ne - a->nb;
	const char *p = s->t + a->nb;

	return (n == 5 && !memcmp(p, "xmlns", 5)) || (n > 6 && !memcmp(p, "xmlns:", 6));
}

/* Walks libxml2's elements in document order beside the scan's. */
static int cross_check(struct gpo_mig *g, struct scan *s, xmlNodePtr node,
		       size_t *i)
{
	for (; node; node = node->next) {
		struct xel *x;
		size_t k = 0;
		int rc;

		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (*i >= s->n_el)
			return refuse(g, s, s->len, "libxml2 sees more elements");
		x = &s->el[*i];
		x->node = node;
		if (!same_name(s, x->nb, x->ne, node->ns ? node->ns->prefix : NULL, node->name))
			return refuse(g, s, x->start, "libxml2 reads another element here");
		for (xmlAttrPtr a = node->properties; a; a = a->next) {
			struct xattr *sa;
			xmlChar *v;
			char *mine = NULL;
			bool ok;

			while (k < x->na && is_xmlns(s, &s->at[x->a0 + k]))
				k++;
			if (k >= x->na)
				return refuse(g, s, x->start, "libxml2 sees more attributes");
			sa = &s->at[x->a0 + k++];
			if (!same_name(s, sa->nb, sa->ne, a->ns ? a->ns->prefix : NULL, a->name))
				return refuse(g, s, x->start, "libxml2 reads another attribute here");
			v = xmlNodeGetContent((xmlNodePtr)a);
			if (!v)
				return -ENOMEM;
			rc = decode(s->t + sa->vb, s->t + sa->ve, true, &mine);
			ok = !rc && !strcmp(mine, (const char *)v);
			free(mine);
			xmlFree(v);
			if (rc == -ENOMEM)
				return rc;
			if (!ok)
				return refuse(g, s, x->start, "libxml2 reads an attribute value otherwise");
		}
		while (k < x->na && is_xmlns(s, &s->at[x->a0 + k]))
			k++;
		if (k != x->na)
			return refuse(g, s, x->start, "libxml2 sees fewer attributes");
		(*i)++;
		rc = cross_check(g, s, node->children, i);
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

/* ---- the mapping ---- */

static int add_edit(struct xm *m, size_t b, size_t e, char *repl, size_t rlen)
{
	struct edit *d = gpo_array_push(&m->ed, &m->n_ed, &m->cap_ed, sizeof(*d));

	if (!d) {
		free(repl);
		return -ENOMEM;
	}
	d->b = b;
	d->e = e;
	d->repl = repl;
	d->rlen = rlen;
	return 0;
}

/* The element's bytes, with its line when it stands alone on one. */
static int drop_el(struct xm *m, long i)
{
	const struct xel *x = &m->s->el[i];
	const char *t = m->s->t;
	size_t b = x->start, e = x->end;

	while (b > 0 && (t[b - 1] == ' ' || t[b - 1] == '\t'))
		b--;
	while (e < m->s->len && (t[e] == ' ' || t[e] == '\t'))
		e++;
	if ((b == 0 || t[b - 1] == '\n') && e < m->s->len &&
	    (t[e] == '\n' || (t[e] == '\r' && e + 1 < m->s->len && t[e + 1] == '\n')))
		return add_edit(m, b, e + (t[e] == '\r' ? 2 : 1), NULL, 0);
	return add_edit(m, x->start, x->end, NULL, 0);
}

static int set_range(struct xm *m, size_t b, size_t e, char q, const char *v)
{
	char *enc = NULL, *old = NULL;
	size_t n = 0;
	int rc = decode(m->s->t + b, m->s->t + e, q != 0, &old);

	/* the same value stays as it was written, references and all */
	if (!rc && !strcmp(old, v)) {
		free(old);
		return 0;
	}
	free(old);
	if (!rc)
		rc = encode(v, q, &enc, &n);
	return rc ? rc : add_edit(m, b, e, enc, n);
}

static struct xattr *attr(const struct xm *m, const struct xel *x, const char *name)
{
	for (size_t k = 0; k < x->na; k++) {
		struct xattr *a = &m->s->at[x->a0 + k];

		if (a->ne - a->nb == strlen(name) &&
		    !memcmp(m->s->t + a->nb, name, a->ne - a->nb))
			return a;
	}
	return NULL;
}

/* The item a principal belongs to: the nearest element, itself or an
 * ancestor, with a clsid (every Preferences item has one; Properties and
 * the task XML inside do not). -1 when that is the root, which cannot
 * go. */
static long item_of(const struct xm *m, long i)
{
	for (; i >= 0; i = m->s->el[i].parent)
		if (attr(m, &m->s->el[i], "clsid"))
			return m->s->el[i].parent >= 0 ? i : -1;
	return -1;
}

static int value_of(const struct xm *m, const struct xattr *a, char **out)
{
	*out = NULL;
	return a ? decode(m->s->t + a->vb, m->s->t + a->ve, true, out) : 0;
}

/* One principal: sid_a and name_a (either may be NULL) the attributes
 * that hold it, drop the element that goes on DROP (-1: none). */
static int principal(struct xm *m, const struct xel *x, const char *attr_name,
		     struct xattr *sid_a, struct xattr *name_a, long drop)
{
	char *sid = NULL, *name = NULL, what[96];
	enum gpo_map_verdict v = GPO_MAP_KEEP;
	struct gpo_map_principal_out o = { 0 };
	int rc;

	rc = value_of(m, sid_a, &sid);
	if (!rc)
		rc = value_of(m, name_a, &name);
	if (rc)
		goto out;
	if (sid && !sid[0]) {
		free(sid);
		sid = NULL;
	}
	if (name && !name[0]) {
		free(name);
		name = NULL;
	}
	if (!sid && !name)
		goto out;
	snprintf(what, sizeof(what), "%.*s@%s",
		 (int)(x->ne - x->nb > 60 ? 60 : x->ne - x->nb), m->s->t + x->nb,
		 attr_name);
	rc = gpo_mig_principal(m->g, x->line, what, drop >= 0, sid, sid ? strlen(sid) : 0,
			       name, name ? strlen(name) : 0, &v, &o);
	if (rc)
		goto out;
	if (v == GPO_MAP_DROP) {
		rc = drop_el(m, drop);
	} else if (v == GPO_MAP_REPLACE) {
		if (!sid_a && !o.name)
			rc = gpo_err_set(m->g->err, -EINVAL,
					 "%s line %u: the mapper gave a SID where only a name can go",
					 m->g->relpath, x->line);
		if (!rc && o.sid && sid_a)
			rc = set_range(m, sid_a->vb, sid_a->ve, sid_a->q, o.sid);
		if (!rc && o.name && name_a)
			rc = set_range(m, name_a->vb, name_a->ve, name_a->q, o.name);
	}
out:
	gpo_mig_out_free(&o);
	free(sid);
	free(name);
	return rc;
}

static bool named(const struct xm *m, const struct xattr *a, const char *const *names)
{
	for (; *names; names++)
		if (a->ne - a->nb == strlen(*names) &&
		    !memcmp(m->s->t + a->nb, *names, a->ne - a->nb))
			return true;
	return false;
}

/* The account names Preferences items hold alone, without a SID. */
static const char *const name_attrs[] = { "userName", "runAs", "accountName", NULL };

static int map_element(struct xm *m, long i)
{
	const struct xel *x = &m->s->el[i];
	struct xattr *sid = attr(m, x, "sid");
	struct xattr *gsid = attr(m, x, "groupSid"), *gname = attr(m, x, "groupName");
	const char *principal_attrs[] = { "sid", "groupSid", "groupName",
					  sid ? "name" : "userName", "userName",
					  "runAs", "accountName", NULL };
	const char *el = m->s->t + x->nb;
	size_t eln = x->ne - x->nb;
	int rc = 0;

	/* Member, FilterGroup, FilterUser...: the element is the principal */
	if (sid)
		rc = principal(m, x, "sid", sid, attr(m, x, "name"), i);
	if (!rc && (gsid || gname))
		rc = principal(m, x, "groupSid", gsid, gname, item_of(m, i));
	for (size_t k = 0; !rc && k < x->na; k++) {
		struct xattr *a = &m->s->at[x->a0 + k];
		char *v = NULL, *np = NULL;

		if (named(m, a, name_attrs)) {
			char an[32];

			snprintf(an, sizeof(an), "%.*s", (int)(a->ne - a->nb),
				 m->s->t + a->nb);
			rc = principal(m, x, an, NULL, a, item_of(m, i));
			continue;
		}
		if (named(m, a, principal_attrs) ||
		    !gpo_mig_is_unc(m->s->t + a->vb, a->ve - a->vb))
			continue;
		rc = decode(m->s->t + a->vb, m->s->t + a->ve, true, &v);
		if (!rc && gpo_mig_is_unc(v, strlen(v)))
			rc = gpo_mig_path(m->g, x->line, "UNC path", v, strlen(v), &np);
		if (!rc && np)
			rc = set_range(m, a->vb, a->ve, a->q, np);
		free(np);
		free(v);
	}
	if (rc || !x->text_only || x->te == x->tb)
		return rc;
	/* a task's <UserId> or <GroupId>, or a UNC path as text */
	{
		char *v = NULL, *np = NULL;
		xmlChar *lv = NULL;

		rc = decode(m->s->t + x->tb, m->s->t + x->te, false, &v);
		if (rc)
			return refuse(m->g, m->s, x->start, "text libxml2 would not read");
		lv = xmlNodeGetContent(x->node);
		if (!lv || strcmp((const char *)lv, v)) {
			rc = lv ? refuse(m->g, m->s, x->start, "libxml2 reads the text otherwise")
				: -ENOMEM;
		} else if ((eln == 6 && !memcmp(el, "UserId", 6)) ||
			   (eln == 7 && !memcmp(el, "GroupId", 7))) {
			bool is_sid = (v[0] == 'S' || v[0] == 's') && v[1] == '-';
			enum gpo_map_verdict vd = GPO_MAP_KEEP;
			struct gpo_map_principal_out o = { 0 };
			long item = item_of(m, i);

			rc = gpo_mig_principal(m->g, x->line, "task principal", item >= 0,
					       is_sid ? v : NULL, strlen(v),
					       is_sid ? NULL : v, strlen(v), &vd, &o);
			if (!rc && vd == GPO_MAP_DROP)
				rc = drop_el(m, item);
			if (!rc && vd == GPO_MAP_REPLACE)
				rc = set_range(m, x->tb, x->te, 0,
					       is_sid ? (o.sid ? o.sid : o.name)
						      : (o.name ? o.name : o.sid));
			gpo_mig_out_free(&o);
		} else if (gpo_mig_is_unc(v, strlen(v))) {
			rc = gpo_mig_path(m->g, x->line, "UNC path", v, strlen(v), &np);
			if (!rc && np)
				rc = set_range(m, x->tb, x->te, 0, np);
		}
		xmlFree(lv);
		free(np);
		free(v);
	}
	return rc;
}

static int cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	/* the wider first: what it holds goes with it */
	return x->e > y->e ? -1 : x->e < y->e;
}

static int apply(struct xm *m, struct gpo_buf *b)
{
	size_t cur = 0;
	int rc = 0;

	if (m->n_ed)
		qsort(m->ed, m->n_ed, sizeof(*m->ed), cmp_edit);
	for (size_t k = 0; !rc && k < m->n_ed; k++) {
		const struct edit *d = &m->ed[k];

		if (d->b < cur) {
			/* inside an element that goes */
			if (d->e > cur)
				return refuse(m->g, m->s, d->b, "overlapping changes");
			continue;
		}
		rc = gpo_buf_add(b, m->s->t + cur, d->b - cur);
		if (!rc && d->repl)
			rc = gpo_buf_add(b, d->repl, d->rlen);
		cur = d->e;
	}
	if (!rc)
		rc = gpo_buf_add(b, m->s->t + cur, m->s->len - cur);
	return rc;
}

int gpo_mig_xml(struct gpo_mig *g, const char *text, size_t len,
		struct gpo_buf *b)
{
	struct scan s = { text, len, NULL, 0, 0, NULL, 0, 0, 0, 1 };
	struct xm m = { g, &s, NULL, 0, 0 };
	xmlDocPtr doc = NULL, again = NULL;
	size_t i = 0;
	int rc;

	rc = scan(g, &s);
	if (rc)
		goto out;
	doc = parse(text, len);
	if (!doc) {
		rc = gpo_xml_err_set(g->err, g->relpath);
		goto out;
	}
	rc = cross_check(g, &s, xmlDocGetRootElement(doc), &i);
	if (!rc && i != s.n_el)
		rc = refuse(g, &s, len, "libxml2 sees fewer elements");
	for (size_t k = 0; !rc && k < s.n_el; k++)
		rc = map_element(&m, (long)k);
	if (!rc)
		rc = apply(&m, b);
	if (!rc)
		rc = gpo_buf_add(b, "", 0);
	if (rc || (b->len == len && !memcmp(b->data, text, len)))
		goto out;
	/* what was patched must still be XML */
	again = parse(b->data, b->len);
	if (!again)
		rc = gpo_err_set(g->err, -EINVAL, "%s: the mapped file is not well-formed XML",
				 g->relpath);
out:
	for (size_t k = 0; k < m.n_ed; k++)
		free(m.ed[k].repl);
	free(m.ed);
	free(s.el);
	free(s.at);
	xmlFreeDoc(doc);
	xmlFreeDoc(again);
	return rc;
}
