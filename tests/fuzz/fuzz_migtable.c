/* libFuzzer harness: migration tables (.migtable files anyone may put in
 * a domain's migtables/ folder). A table parses or is refused with
 * EINVAL or EFBIG and a one-line reason; what parses keeps the format's
 * promises (trimmed non-empty values, a destination of the right kind,
 * UNC sources that are UNC paths), finds each of its principals and
 * maps each of its paths by the matching rules, and writes back to a
 * table that parses to the same entries. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_migtable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool trimmed(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n && !strchr(" \t\r\n", s[0]) && !strchr(" \t\r\n", s[n - 1]);
}

static void check_entry(const struct gpo_mig_entry *e)
{
	if (!gpo_mig_type_name(e->type) || !trimmed(e->source) || e->line < 1)
		abort();
	if ((e->dest_kind == GPO_MIG_DEST_NAME) != (e->dest != NULL))
		abort();
	if (e->dest && !trimmed(e->dest))
		abort();
	if (e->type == GPO_MIG_UNC_PATH &&
	    (e->dest_kind == GPO_MIG_DEST_NONE || e->dest_kind == GPO_MIG_DEST_RELATIVE))
		abort();
}

static void check_split(const char *s)
{
	char *dom = NULL, *acc = NULL;
	int rc = gpo_mig_split_name(s, &dom, &acc);

	if (rc == 0 ? !acc || !*acc || (dom && !*dom) : rc != -EINVAL || dom || acc)
		abort();
	free(dom);
	free(acc);
}

/* Entry e's principal is found, at e or at an earlier match. */
static void check_principal(const struct gpo_migtable *t, const struct gpo_mig_entry *e)
{
	struct gpo_mig_principal p = { .sid = e->source, .sam = e->source, .type = e->type };
	const struct gpo_mig_entry *f = gpo_migtable_find_principal(t, &p);
	char *name = NULL;
	int rc;

	if (!f || f->line > e->line || f->type == GPO_MIG_UNC_PATH)
		abort();
	rc = gpo_migtable_dest_name(e, &p, "PROD", "prod.test", &name);
	if (e->dest_kind == GPO_MIG_DEST_NONE ? rc != 0 || name : rc != 1 || !name)
		abort();
	if (e->dest_kind == GPO_MIG_DEST_NAME && strcmp(name, e->dest))
		abort();
	free(name);
	/* known by its SID alone, a relative name may have nothing to take */
	p.sam = NULL;
	rc = gpo_migtable_dest_name(e, &p, NULL, NULL, &name);
	if (rc < 0 ? rc != -EINVAL || name : (rc == 1) != (name != NULL))
		abort();
	free(name);
}

/* A UNC entry maps its own Source and a path below it (to itself, or
 * to an entry whose Source is as long or longer). */
static void check_path(const struct gpo_migtable *t, const struct gpo_mig_entry *e)
{
	const struct gpo_mig_entry *hit = NULL;
	size_t n = strlen(e->source);
	char *below = malloc(n + 3), *out = NULL;

	if (!below)
		return;
	memcpy(below, e->source, n);
	memcpy(below + n, "\\x", 3);
	if (gpo_migtable_map_path(t, e->source, &out, &hit) != 1 || !out || !hit ||
	    hit->type != GPO_MIG_UNC_PATH || strlen(hit->source) < 3 || hit->line > e->line)
		abort();
	if (hit->dest_kind == GPO_MIG_DEST_SAME && strcmp(out, e->source))
		abort();
	free(out);
	out = NULL;
	if (gpo_migtable_map_path(t, below, &out, &hit) != 1 || !out || !hit)
		abort();
	n = strlen(out);
	if (hit == e && e->dest_kind == GPO_MIG_DEST_SAME && strcmp(out, below))
		abort();
	if (hit == e && e->dest_kind == GPO_MIG_DEST_NAME && (n < 2 || strcmp(out + n - 2, "\\x")))
		abort();
	free(out);
	free(below);
}

/* t written and read again is t. */
static void check_roundtrip(const struct gpo_migtable *t)
{
	size_t n = gpo_migtable_count(t), len = 0;
	struct gpo_mig_entry_in *in = calloc(n ? n : 1, sizeof(*in));
	struct gpo_migtable *again = NULL;
	struct gpo_err e = { 0 };
	char *out = NULL;
	int rc;

	if (!in)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct gpo_mig_entry *x = gpo_migtable_get(t, i);

		in[i] = (struct gpo_mig_entry_in){ x->type, x->dest_kind, x->source, x->dest };
	}
	rc = gpo_migtable_write(in, n, &out, &len);
	if (rc == -ENOMEM)
		goto out;
	if (rc)
		abort();
	rc = gpo_migtable_parse(out, len, "again", &again, &e);
	if (rc == -EFBIG || rc == -ENOMEM)
		goto out;   /* written larger than the limit: an input near it */
	if (rc || gpo_migtable_count(again) != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct gpo_mig_entry *a = gpo_migtable_get(t, i);
		const struct gpo_mig_entry *b = gpo_migtable_get(again, i);

		if (a->type != b->type || a->dest_kind != b->dest_kind ||
		    strcmp(a->source, b->source) || (a->dest && strcmp(a->dest, b->dest)))
			abort();
	}
out:
	gpo_migtable_free(again);
	free(out);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_migtable *t = (struct gpo_migtable *)&t;
	struct gpo_err e = { 0 };
	char *path, *out = NULL;
	int rc = gpo_migtable_parse(data, size, "fuzz.migtable", &t, &e);

	if (rc) {
		if ((rc != -EINVAL && rc != -EFBIG && rc != -ENOMEM) || e.code != rc ||
		    t || !e.reason[0] || strchr(e.reason, '\n') ||
		    strncmp(e.reason, "fuzz.migtable", 13))
			abort();
		return 0;
	}
	for (size_t i = 0; i < gpo_migtable_count(t); i++) {
		const struct gpo_mig_entry *x = gpo_migtable_get(t, i);

		check_entry(x);
		check_split(x->source);
		if (x->dest)
			check_split(x->dest);
		if (x->type == GPO_MIG_UNC_PATH)
			check_path(t, x);
		else
			check_principal(t, x);
	}
	if (gpo_migtable_get(t, gpo_migtable_count(t)))
		abort();
	/* the input itself as a path: any bytes */
	path = strndup((const char *)data, size);
	if (path) {
		rc = gpo_migtable_map_path(t, path, &out, NULL);
		if (rc < 0 ? rc != -ENOMEM : (rc == 1) != (out != NULL))
			abort();
		free(out);
		free(path);
	}
	check_roundtrip(t);
	gpo_migtable_free(t);
	return 0;
}
