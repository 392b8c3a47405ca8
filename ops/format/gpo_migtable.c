#include "gpo_migtable.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "gpo_array.h"
#include "gpo_buf.h"
#include "gpo_sd.h"
#include "gpo_utf16.h"
#include "gpo_xml_error.h"
#include "gpo_xmlw.h"

#define CRLF "\r\n"
#define WS " \t\r\n"    /* XML's whitespace, trimmed around values */

/* An entry and what lookups need of it, worked out once. */
struct item {
	struct gpo_mig_entry e;  /* first: its strings are the ones below */
	char *source;
	char *dest;
	bool is_sid;
	struct gpo_sid sid;
};

struct gpo_migtable {
	struct item *items;
	size_t n, cap;
};

static const char *const type_names[] = {
	[GPO_MIG_USER] = "User",
	[GPO_MIG_COMPUTER] = "Computer",
	[GPO_MIG_LOCAL_GROUP] = "LocalGroup",
	[GPO_MIG_GLOBAL_GROUP] = "GlobalGroup",
	[GPO_MIG_UNIVERSAL_GROUP] = "UniversalGroup",
	[GPO_MIG_UNC_PATH] = "UNCPath",
	[GPO_MIG_UNKNOWN] = "Unknown",
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

/* The destination elements, indexed by enum gpo_mig_dest_kind. */
static const char *const dest_names[] = {
	[GPO_MIG_DEST_NAME] = "Destination",
	[GPO_MIG_DEST_SAME] = "DestinationSameAsSource",
	[GPO_MIG_DEST_NONE] = "DestinationNone",
	[GPO_MIG_DEST_RELATIVE] = "DestinationByRelativeName",
};
#define N_DESTS (sizeof(dest_names) / sizeof(dest_names[0]))

int gpo_mig_type_parse(const char *s)
{
	for (size_t i = 0; s && i < N_TYPES; i++)
		if (!strcmp(s, type_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *gpo_mig_type_name(enum gpo_mig_type t)
{
	return (unsigned)t < N_TYPES ? type_names[t] : NULL;
}

/* ---- comparing names ---------------------------------------------- */

/* One character of s: its code point, or for a byte that starts no valid
 * UTF-8 sequence a value above Unicode of its own (so that it equals only
 * itself); *s moves past it. The caller's paths need not be UTF-8. */
static uint32_t next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t v, min;
	size_t need;

	if (p[0] < 0x80) {
		*s += 1;
		return p[0];
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 2, v = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 3, v = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 4, v = p[0] & 0x07, min = 0x10000;
	else
		goto raw;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto raw;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff)
		goto raw;
	*s += need;
	return v;
raw:
	*s += 1;
	return 0x110000 + p[0];
}

/* Simple lower-casing of the scripts account and server names are most
 * often written in; Active Directory folds all of Unicode, but a name in
 * another script is rarely written in two cases. */
static uint32_t fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xc0)
		return c;
	if (c <= 0xde)
		return c == 0xd7 ? c : c + 32;
	if (c >= 0x100 && c <= 0x17f) {
		/* Latin Extended-A pairs upper/lower, but for dotted and
		 * dotless i (no simple pair), kra and the long s */
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17f)
			return c;
		if (c == 0x178)
			return 0xff;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
			return c & 1 ? c + 1 : c;
		return c & 1 ? c : c + 1;
	}
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		return c + 32;
	if (c == 0x3c2)           /* final sigma */
		return 0x3c3;
	if (c == 0x386)
		return 0x3ac;
	if (c >= 0x388 && c <= 0x38a)
		return c + 37;
	if (c == 0x38c)
		return 0x3cc;
	if (c == 0x38e || c == 0x38f)
		return c + 63;
	if (c >= 0x410 && c <= 0x42f)
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

/* Where s goes on after a case-insensitive p at its start, or NULL when
 * s does not start so. */
static const char *skip_ci(const char *s, const char *p)
{
	while (*p) {
		if (!*s || fold(next_cp(&s)) != fold(next_cp(&p)))
			return NULL;
	}
	return s;
}

/* True when s equals a, sep and b run together, ignoring case. */
static bool eq3(const char *s, const char *a, const char *sep, const char *b)
{
	if (!a || !*a || !b || !*b)
		return false;
	s = skip_ci(s, a);
	s = s ? skip_ci(s, sep) : NULL;
	s = s ? skip_ci(s, b) : NULL;
	return s && !*s;
}

static bool eq_ci(const char *s, const char *a)
{
	if (!a || !*a)
		return false;
	s = skip_ci(s, a);
	return s && !*s;
}

/* A SID as a table or a setting writes it: "S-1-…", or "*S-1-…". */
static bool sid_of(const char *s, struct gpo_sid *sid)
{
	if (!s)
		return false;
	if (*s == '*')
		s++;
	return !gpo_sid_from_string(s, sid);
}

static bool is_sep(char c)
{
	return c == '\\' || c == '/';
}

/* A UNC path: two separators, then a server name. */
static bool is_unc(const char *s)
{
	return is_sep(s[0]) && is_sep(s[1]) && s[2] && !is_sep(s[2]);
}

/* ---- reading -------------------------------------------------------- */

/* Everything one parse carries. */
struct reader {
	const char *name;
	struct gpo_err *err;
	struct gpo_migtable *t;
	const char *text;      /* the document, UTF-8 */
	size_t len;
};

/* s as a reason shows it: at most 40 characters (whole ones), control
 * characters as '?', so that the reason stays one line. */
static const char *shown(const char *s, char buf[static 176])
{
	size_t o = 0;

	for (int n = 0; *s && n < 40; n++) {
		const char *q = s;
		uint32_t c = next_cp(&q);

		if (c < 0x20 || c == 0x7f || c > 0x10ffff) {
			buf[o++] = '?';
		} else {
			memcpy(buf + o, s, (size_t)(q - s));
			o += (size_t)(q - s);
		}
		s = q;
	}
	if (*s) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Refuses the table for what fmt says, at the line of node n. */
static int refuse(struct reader *r, xmlNodePtr n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct reader *r, xmlNodePtr n, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return gpo_err_set(r->err, -EINVAL, "%s line %ld: %s", r->name, xmlGetLineNo(n), what);
}

static bool in_ns(xmlNodePtr n)
{
	return n->ns && !xmlStrcmp(n->ns->href, BAD_CAST GPO_MIGTABLE_NS);
}

static bool blank(const xmlChar *s)
{
	return !s || !s[strspn((const char *)s, WS)];
}

/* The text of value element n, trimmed, in *out (caller frees): text and
 * CDATA joined, comments skipped, anything else refused. */
static int value_of(struct reader *r, xmlNodePtr n, char **out)
{
	struct gpo_buf b = GPO_BUF_INIT;
	char buf[176];
	const char *s;
	size_t len;
	int rc = 0;

	*out = NULL;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		switch (c->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content && gpo_buf_add(&b, c->content,
						      strlen((const char *)c->content))) {
				rc = -ENOMEM;
				goto out;
			}
			break;
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			break;
		case XML_ELEMENT_NODE:
			rc = refuse(r, c, "%s holds an element <%s>", (const char *)n->name,
				    shown((const char *)c->name, buf));
			goto out;
		default:
			rc = refuse(r, c, "%s holds an entity reference or other markup",
				    (const char *)n->name);
			goto out;
		}
	}
	s = b.data ? b.data : "";
	s += strspn(s, WS);
	len = strlen(s);
	while (len && strchr(WS, s[len - 1]))
		len--;
	*out = strndup(s, len);
	if (!*out)
		rc = -ENOMEM;
out:
	gpo_buf_free(&b);
	return rc;
}

/* Text directly inside MigrationTable or Mapping must be whitespace. */
static int between(struct reader *r, xmlNodePtr c, const char *where)
{
	switch (c->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (!blank(c->content))
			return refuse(r, c, "text in %s outside any value",
				      where);
		return 0;
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return 0;
	default:
		return refuse(r, c, "markup in %s that is not an element",
			      where);
	}
}

/* What one Mapping holds so far. */
struct mapping {
	xmlNodePtr type, source, dest;
	enum gpo_mig_dest_kind kind;
};

static int mapping_child(struct reader *r, struct mapping *m, xmlNodePtr c)
{
	const char *name = (const char *)c->name;
	xmlNodePtr *slot = NULL;
	char buf[176];

	if (!in_ns(c))
		return refuse(r, c, "<%s> in Mapping is not in the migration table namespace",
			      shown(name, buf));
	if (!strcmp(name, "Type")) {
		slot = &m->type;
	} else if (!strcmp(name, "Source")) {
		slot = &m->source;
	} else {
		for (size_t k = 0; k < N_DESTS; k++) {
			if (strcmp(name, dest_names[k]))
				continue;
			if (m->dest && m->kind == k)
				return refuse(r, c, "Mapping has two %s", name);
			if (m->dest)
				return refuse(r, c, "Mapping has both %s and %s",
					      dest_names[m->kind], name);
			m->dest = c;
			m->kind = k;
			return 0;
		}
		return refuse(r, c, "unknown element <%s> in Mapping", shown(name, buf));
	}
	if (*slot)
		return refuse(r, c, "Mapping has two %s", name);
	*slot = c;
	return 0;
}

/* Reads one Mapping into a new item of the table. */
static int mapping(struct reader *r, xmlNodePtr map)
{
	struct mapping m = { 0 };
	char *type = NULL, *source = NULL, *dest = NULL;
	struct item *it;
	char buf[176];
	int t, rc = 0;

	for (xmlNodePtr c = map->children; c && !rc; c = c->next)
		rc = c->type == XML_ELEMENT_NODE ? mapping_child(r, &m, c)
						 : between(r, c, "Mapping");
	if (rc)
		goto out;
	if (!m.type || !m.source || !m.dest) {
		rc = refuse(r, map, "Mapping has no %s",
			    !m.type ? "Type" : !m.source ? "Source" :
			    "destination (Destination, DestinationSameAsSource, "
			    "DestinationNone or DestinationByRelativeName)");
		goto out;
	}
	if ((rc = value_of(r, m.type, &type)) || (rc = value_of(r, m.source, &source)) ||
	    (rc = value_of(r, m.dest, &dest)))
		goto out;
	if ((t = gpo_mig_type_parse(type)) < 0) {
		rc = refuse(r, m.type, "unknown Type \"%s\"", shown(type, buf));
		goto out;
	}
	if (!*source) {
		rc = refuse(r, m.source, "Source is empty");
		goto out;
	}
	if (m.kind == GPO_MIG_DEST_NAME && !*dest) {
		rc = refuse(r, m.dest, "Destination is empty");
		goto out;
	}
	if (m.kind != GPO_MIG_DEST_NAME && *dest) {
		rc = refuse(r, m.dest, "%s holds text; it must be empty",
			    dest_names[m.kind]);
		goto out;
	}
	if (t == GPO_MIG_UNC_PATH) {
		if (m.kind == GPO_MIG_DEST_NONE || m.kind == GPO_MIG_DEST_RELATIVE) {
			rc = refuse(r, m.dest, "%s on a UNCPath",
				    dest_names[m.kind]);
			goto out;
		}
		if (!is_unc(source)) {
			rc = refuse(r, m.source,
				    "UNCPath Source \"%s\" is not a UNC path (\\\\server\\share)",
				    shown(source, buf));
			goto out;
		}
	}
	it = gpo_array_push(&r->t->items, &r->t->n, &r->t->cap, sizeof(*it));
	if (!it) {
		rc = -ENOMEM;
		goto out;
	}
	it->source = source;
	it->dest = m.kind == GPO_MIG_DEST_NAME ? dest : NULL;
	it->is_sid = t != GPO_MIG_UNC_PATH && sid_of(source, &it->sid);
	it->e = (struct gpo_mig_entry){
		.type = (enum gpo_mig_type)t, .dest_kind = m.kind,
		.source = it->source, .dest = it->dest, .line = xmlGetLineNo(map),
	};
	source = NULL;
	if (m.kind == GPO_MIG_DEST_NAME)
		dest = NULL;
out:
	free(type);
	free(source);
	free(dest);
	return rc;
}

/* Refuses a DOCTYPE (none of GPMC's files has one, and it is where
 * entities are declared). libxml2 keeps no line for it: its line is
 * counted in the text. */
static int doctype(struct reader *r)
{
	const char *at = memmem(r->text, r->len, "<!DOCTYPE", 9);
	long line = 1;

	for (const char *p = r->text; at && p < at; p++)
		line += *p == '\n';
	return gpo_err_set(r->err, -EINVAL, "%s line %ld: a DOCTYPE is not allowed", r->name,
			   line);
}

static int table(struct reader *r, xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char buf[176];
	int rc = 0;

	if (doc->intSubset || doc->extSubset)
		return doctype(r);
	if (!root)
		return gpo_err_set(r->err, -EINVAL, "%s: no root element", r->name);
	if (xmlStrcmp(root->name, BAD_CAST "MigrationTable"))
		return refuse(r, root, "the root <%s> is not a MigrationTable",
			      shown((const char *)root->name, buf));
	if (!in_ns(root))
		return refuse(r, root, "the MigrationTable is not in namespace %s",
			      GPO_MIGTABLE_NS);
	for (xmlNodePtr c = root->children; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE) {
			rc = between(r, c, "MigrationTable");
		} else if (xmlStrcmp(c->name, BAD_CAST "Mapping") || !in_ns(c)) {
			rc = refuse(r, c, "unknown element <%s> in MigrationTable",
				    shown((const char *)c->name, buf));
		} else if (r->t->n >= GPO_MIGTABLE_MAX_ENTRIES) {
			rc = gpo_err_set(r->err, -EFBIG, "%s line %ld: more than %d mappings",
					 r->name, xmlGetLineNo(c), GPO_MIGTABLE_MAX_ENTRIES);
		} else {
			rc = mapping(r, c);
		}
	}
	return rc;
}

int gpo_migtable_parse(const void *data, size_t len, const char *name,
		       struct gpo_migtable **out, struct gpo_err *err)
{
	const unsigned char *d = data;
	struct reader r = { .name = name ? name : "migration table", .err = err };
	char *utf8 = NULL;
	const char *text = data;
	size_t text_len = len;
	xmlDocPtr doc = NULL;
	int rc;

	*out = NULL;
	if (len > GPO_MIGTABLE_MAX_BYTES) {
		rc = gpo_err_set(err, -EFBIG, "%s: larger than %d bytes", r.name,
				 GPO_MIGTABLE_MAX_BYTES);
		goto out;
	}
	/* The encoding is told by the first bytes alone: see the header */
	if (len >= 2 && d[0] == 0xff && d[1] == 0xfe) {
		rc = gpo_utf16_to_utf8(data, len, &utf8, &text_len);
		if (rc) {
			gpo_err_set(err, rc, "%s: not valid UTF-16LE", r.name);
			goto out;
		}
		text = utf8;
	} else if (len >= 2 && d[0] == 0xfe && d[1] == 0xff) {
		rc = gpo_err_set(err, -EINVAL,
				 "%s: UTF-16 big-endian is not read (save it as UTF-16LE or UTF-8)",
				 r.name);
		goto out;
	} else if (len >= 2 && (!d[0] || !d[1])) {
		rc = gpo_err_set(err, -EINVAL, "%s: UTF-16 without a byte order mark, or a NUL byte",
				 r.name);
		goto out;
	} else if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
		text += 3;
		text_len -= 3;
	}
	r.t = calloc(1, sizeof(*r.t));
	if (!r.t) {
		rc = -ENOMEM;
		goto out;
	}
	xmlResetLastError();
	doc = xmlReadMemory(text, (int)text_len, NULL, "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_BIG_LINES | XML_PARSE_IGNORE_ENC);
	if (!doc) {
		rc = gpo_xml_err(err, r.name);
		goto out;
	}
	r.text = text;
	r.len = text_len;
	rc = table(&r, doc);
out:
	xmlFreeDoc(doc);
	free(utf8);
	if (rc)
		gpo_migtable_free(r.t);
	else
		*out = r.t;
	return rc;
}

void gpo_migtable_free(struct gpo_migtable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->items[i].source);
		free(t->items[i].dest);
	}
	free(t->items);
	free(t);
}

size_t gpo_migtable_count(const struct gpo_migtable *t)
{
	return t ? t->n : 0;
}

const struct gpo_mig_entry *gpo_migtable_get(const struct gpo_migtable *t, size_t i)
{
	return t && i < t->n ? &t->items[i].e : NULL;
}

/* ---- lookups -------------------------------------------------------- */

static bool name_matches(const char *src, const struct gpo_mig_principal *p)
{
	return eq_ci(src, p->upn) || eq3(src, p->sam, "@", p->dns) ||
	       eq3(src, p->netbios, "\\", p->sam) || eq3(src, p->dns, "\\", p->sam) ||
	       eq_ci(src, p->sam);
}

const struct gpo_mig_entry *gpo_migtable_find_principal(const struct gpo_migtable *t,
							const struct gpo_mig_principal *p)
{
	const struct item *by_name = NULL;
	struct gpo_sid sid;
	bool has_sid;

	if (!t || !p)
		return NULL;
	has_sid = sid_of(p->sid, &sid);
	for (size_t i = 0; i < t->n; i++) {
		const struct item *it = &t->items[i];

		if (it->e.type == GPO_MIG_UNC_PATH)
			continue;
		if (it->is_sid) {
			if (has_sid && gpo_sid_equal(&it->sid, &sid))
				return &it->e;
		} else if (!by_name && name_matches(it->source, p)) {
			by_name = it;
		}
	}
	return by_name ? &by_name->e : NULL;
}

/* How much of path Source src covers (bytes of path), or -1 when it
 * does not cover it; *src_len gets the length of src that counted. */
static long covers(const char *src, const char *path, size_t *src_len)
{
	size_t n = strlen(src);
	const char *s = src, *p = path;

	while (n > 2 && is_sep(src[n - 1]))
		n--;
	while ((size_t)(s - src) < n) {
		uint32_t a, b;

		if (!*p)
			return -1;
		a = fold(next_cp(&s));
		b = fold(next_cp(&p));
		if (a == '/')
			a = '\\';
		if (b == '/')
			b = '\\';
		if (a != b)
			return -1;
	}
	if (*p && !is_sep(*p))
		return -1;
	*src_len = n;
	return p - path;
}

int gpo_migtable_map_path(const struct gpo_migtable *t, const char *path, char **out,
			  const struct gpo_mig_entry **hit)
{
	const struct item *best = NULL;
	size_t best_len = 0, len;
	long used, best_used = 0;
	const char *rest;
	size_t dn;

	*out = NULL;
	if (hit)
		*hit = NULL;
	for (size_t i = 0; t && path && i < t->n; i++) {
		const struct item *it = &t->items[i];

		if (it->e.type != GPO_MIG_UNC_PATH)
			continue;
		used = covers(it->source, path, &len);
		if (used >= 0 && (!best || len > best_len)) {
			best = it;
			best_len = len;
			best_used = used;
		}
	}
	if (!best)
		return 0;
	if (best->e.dest_kind == GPO_MIG_DEST_SAME) {
		*out = strdup(path);
	} else {
		rest = path + best_used;
		dn = strlen(best->dest);
		while (dn && is_sep(best->dest[dn - 1]))
			dn--;
		*out = malloc(dn + strlen(rest) + 1);
		if (*out) {
			memcpy(*out, best->dest, dn);
			strcpy(*out + dn, rest);
		}
	}
	if (!*out)
		return -ENOMEM;
	if (hit)
		*hit = &best->e;
	return 1;
}

int gpo_mig_split_name(const char *name, char **domain, char **account)
{
	const char *bs = strchr(name, '\\'), *at = strrchr(name, '@');
	const char *dom = NULL, *acc = name;
	size_t dom_len = 0;

	*domain = *account = NULL;
	if (bs) {
		dom = name, dom_len = (size_t)(bs - name), acc = bs + 1;
	} else if (at) {
		dom = at + 1, dom_len = strlen(dom), acc = name;
	}
	if (!*acc || acc == at || (dom && !dom_len))
		return -EINVAL;
	*account = bs || !at ? strdup(acc) : strndup(acc, (size_t)(at - name));
	if (dom)
		*domain = strndup(dom, dom_len);
	if (!*account || (dom && !*domain)) {
		free(*account);
		free(*domain);
		*domain = *account = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* "a\b", or b alone when a is NULL or empty. */
static char *qualified(const char *a, const char *b)
{
	char *s;

	if (!a || !*a)
		return strdup(b);
	s = malloc(strlen(a) + strlen(b) + 2);
	if (s)
		strcat(strcat(strcpy(s, a), "\\"), b);
	return s;
}

int gpo_migtable_dest_name(const struct gpo_mig_entry *e, const struct gpo_mig_principal *p,
			   const char *target_netbios, const char *target_dns, char **out)
{
	char *dom = NULL, *acc = NULL;
	struct gpo_sid sid;
	int rc;

	*out = NULL;
	switch (e->dest_kind) {
	case GPO_MIG_DEST_NONE:
		return 0;
	case GPO_MIG_DEST_NAME:
		*out = strdup(e->dest);
		break;
	case GPO_MIG_DEST_RELATIVE:
		if (p && p->sam && *p->sam) {
			*out = qualified(target_netbios && *target_netbios ? target_netbios
									   : target_dns,
					 p->sam);
			break;
		}
		if (sid_of(e->source, &sid))
			return -EINVAL;
		rc = gpo_mig_split_name(e->source, &dom, &acc);
		if (rc)
			return rc;
		*out = qualified(target_netbios && *target_netbios ? target_netbios : target_dns,
				 acc);
		free(dom);
		free(acc);
		break;
	case GPO_MIG_DEST_SAME:
		if (p && p->sam && *p->sam && ((p->netbios && *p->netbios) ||
					       (p->dns && *p->dns)))
			*out = qualified(p->netbios && *p->netbios ? p->netbios : p->dns,
					 p->sam);
		else if (p && p->upn && *p->upn)
			*out = strdup(p->upn);
		else
			*out = strdup(e->source);
		break;
	default:
		return -EINVAL;
	}
	return *out ? 1 : -ENOMEM;
}

/* ---- writing -------------------------------------------------------- */

/* True when s reads back as itself: non-empty, no whitespace around it,
 * UTF-8 of characters XML 1.0 can hold. */
static bool writable(const char *s)
{
	size_t n;

	if (!s || !*s || strchr(WS, s[0]))
		return false;
	n = strlen(s);
	if (strchr(WS, s[n - 1]))
		return false;
	for (const char *p = s; *p;) {
		const char *q = p;
		uint32_t c = next_cp(&q);

		if (c > 0x10ffff || !xmlIsCharQ(c))
			return false;
		p = q;
	}
	return true;
}

static bool entry_ok(const struct gpo_mig_entry_in *in)
{
	if ((unsigned)in->type >= N_TYPES || (unsigned)in->dest_kind >= N_DESTS)
		return false;
	if (!writable(in->source))
		return false;
	if (in->dest_kind == GPO_MIG_DEST_NAME && !writable(in->dest))
		return false;
	if (in->type == GPO_MIG_UNC_PATH &&
	    (!is_unc(in->source) || in->dest_kind == GPO_MIG_DEST_NONE ||
	     in->dest_kind == GPO_MIG_DEST_RELATIVE))
		return false;
	return true;
}

/* One value element, indented on a line of its own. */
static void value(struct gpo_xmlw *x, const char *name, const char *text)
{
	gpo_xmlw_raw(x, CRLF "    ");
	gpo_xmlw_start(x, name);
	if (xmlTextWriterWriteString(x->w, BAD_CAST text) < 0)
		gpo_xmlw_fail(x, -ENOMEM);
	gpo_xmlw_end(x);
}

int gpo_migtable_write(const struct gpo_mig_entry_in *entries, size_t n, char **out,
		       size_t *len)
{
	struct gpo_xmlw x = { 0 };
	char *utf8 = NULL;
	size_t utf8_len = 0;
	int rc;

	*out = NULL;
	*len = 0;
	for (size_t i = 0; i < n; i++)
		if (!entry_ok(&entries[i]))
			return -EINVAL;
	rc = gpo_xmlw_open(&x);
	if (rc)
		return rc;
	gpo_xmlw_raw(&x, "<?xml version=\"1.0\" encoding=\"utf-16\"?>" CRLF);
	gpo_xmlw_start(&x, "MigrationTable");
	gpo_xmlw_attr(&x, "xmlns:xsd", "http://www.w3.org/2001/XMLSchema");
	gpo_xmlw_attr(&x, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
	gpo_xmlw_attr(&x, "xmlns", GPO_MIGTABLE_NS);
	for (size_t i = 0; i < n; i++) {
		const struct gpo_mig_entry_in *in = &entries[i];

		gpo_xmlw_raw(&x, CRLF "  ");
		gpo_xmlw_start(&x, "Mapping");
		value(&x, "Type", type_names[in->type]);
		value(&x, "Source", in->source);
		if (in->dest_kind == GPO_MIG_DEST_NAME) {
			value(&x, "Destination", in->dest);
		} else {
			/* GPMC writes its empty elements with a space before
			 * the "/>", which xmlTextWriter does not */
			gpo_xmlw_raw(&x, CRLF "    <");
			gpo_xmlw_raw(&x, dest_names[in->dest_kind]);
			gpo_xmlw_raw(&x, " />");
		}
		gpo_xmlw_raw(&x, CRLF "  ");
		gpo_xmlw_end(&x);
	}
	if (n)
		gpo_xmlw_raw(&x, CRLF);
	gpo_xmlw_end(&x);
	rc = gpo_xmlw_close(&x, true, &utf8, &utf8_len);
	if (!rc)
		rc = gpo_utf8_to_utf16(utf8, utf8_len, true, out, len);
	free(utf8);
	return rc;
}
