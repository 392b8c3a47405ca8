/* Group Policy Preferences XML (MS-GPPREF 2.2.1): Groups.xml, Drives.xml,
 * ScheduledTasks.xml and the rest. The scan (gpo_xmlscan.h) gives where
 * each element, attribute and text run is, as libxml2 reads them; the
 * rewrite patches those byte ranges in the original text, and the result
 * must parse again. */
#include "gpo_migrate_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "gpo_array.h"
#include "gpo_xmlscan.h"

struct edit {
	size_t b, e;
	char *repl;         /* NULL: the range goes */
	size_t rlen;
};

struct xm {
	struct gpo_mig *g;
	struct gpo_xmlscan *s;
	struct edit *ed;
	size_t n_ed, cap_ed;
};

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
	const struct gpo_xml_el *x = &m->s->el[i];
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
	int rc = gpo_xml_decode(m->s->t + b, m->s->t + e, q != 0, &old);

	/* the same value stays as it was written, references and all */
	if (!rc && !strcmp(old, v)) {
		free(old);
		return 0;
	}
	free(old);
	if (!rc)
		rc = gpo_xml_encode(v, q, &enc, &n);
	return rc ? rc : add_edit(m, b, e, enc, n);
}

static struct gpo_xml_attr *attr(const struct xm *m, const struct gpo_xml_el *x, const char *name)
{
	for (size_t k = 0; k < x->na; k++) {
		struct gpo_xml_attr *a = &m->s->at[x->a0 + k];

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

static int value_of(const struct xm *m, const struct gpo_xml_attr *a, char **out)
{
	*out = NULL;
	return a ? gpo_xml_decode(m->s->t + a->vb, m->s->t + a->ve, true, out) : 0;
}

/* One principal: sid_a and name_a (either may be NULL) the attributes
 * that hold it, drop the element that goes on DROP (-1: none). */
static int principal(struct xm *m, const struct gpo_xml_el *x, const char *attr_name,
		     struct gpo_xml_attr *sid_a, struct gpo_xml_attr *name_a, long drop)
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

static bool named(const struct xm *m, const struct gpo_xml_attr *a, const char *const *names)
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
	const struct gpo_xml_el *x = &m->s->el[i];
	struct gpo_xml_attr *sid = attr(m, x, "sid");
	struct gpo_xml_attr *gsid = attr(m, x, "groupSid"), *gname = attr(m, x, "groupName");
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
		struct gpo_xml_attr *a = &m->s->at[x->a0 + k];
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
		rc = gpo_xml_decode(m->s->t + a->vb, m->s->t + a->ve, true, &v);
		if (!rc && gpo_mig_is_unc(v, strlen(v))) {
			char what[96];

			snprintf(what, sizeof(what), "%.*s@%.*s",
				 (int)(eln > 40 ? 40 : eln), el,
				 (int)(a->ne - a->nb > 40 ? 40 : a->ne - a->nb),
				 m->s->t + a->nb);
			rc = gpo_mig_path(m->g, x->line, what, v, strlen(v), &np);
		}
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

		rc = gpo_xml_decode(m->s->t + x->tb, m->s->t + x->te, false, &v);
		if (rc)
			return gpo_xmlscan_refuse(m->s, x->start, "text libxml2 would not read");
		lv = xmlNodeGetContent(x->node);
		if (!lv || strcmp((const char *)lv, v)) {
			rc = lv ? gpo_xmlscan_refuse(m->s, x->start, "libxml2 reads the text otherwise")
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
			char what[64];

			snprintf(what, sizeof(what), "<%.*s>", (int)(eln > 40 ? 40 : eln), el);
			rc = gpo_mig_path(m->g, x->line, what, v, strlen(v), &np);
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
				return gpo_xmlscan_refuse(m->s, d->b, "overlapping changes");
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
	struct gpo_xmlscan s;
	struct xm m = { g, &s, NULL, 0, 0 };
	int rc;

	rc = gpo_xmlscan(text, len, g->relpath, g->err, &s);
	if (rc)
		return rc;
	for (size_t k = 0; !rc && k < s.n_el; k++)
		rc = map_element(&m, (long)k);
	if (!rc)
		rc = apply(&m, b);
	if (!rc)
		rc = gpo_buf_add(b, "", 0);
	/* what was patched must still be XML */
	if (!rc && !(b->len == len && !memcmp(b->data, text, len)) &&
	    !gpo_xml_well_formed(b->data, b->len))
		rc = gpo_err_set(g->err, -EINVAL, "%s: the mapped file is not well-formed XML",
				 g->relpath);
	for (size_t k = 0; k < m.n_ed; k++)
		free(m.ed[k].repl);
	free(m.ed);
	gpo_xmlscan_free(&s);
	return rc;
}
