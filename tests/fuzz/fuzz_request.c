/* libFuzzer harness: control-file requests (what a user writes into a
 * domain's import, restore, copy and migtable files). A request parses or
 * is refused with EINVAL and a reason; what parses keeps the grammar's
 * promises (no control character in any value, keys of [a-z_-], flags
 * from the list, columns in order, '/' offsets right), writes back to a
 * request that parses to the same words, and goes through the helpers the
 * control files call. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_model.h"
#include "gpo_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const flags[] = { "strict", "dry-run", NULL };
static const char *const keys[] = { "acl", "migtable", NULL };
static const char *const acl[] = { "source", "default", NULL };

static void check_value(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

static void check_ref(const struct gpo_request_word *w, unsigned allow)
{
	struct gpo_ref ref;
	struct gpo_err e = { 0 };
	int rc = gpo_request_ref(w, allow, &ref, &e);

	if (rc) {
		if (rc != -EINVAL || e.code != -EINVAL || ref.value || ref.domain)
			abort();
		return;
	}
	if (!ref.value || !(ref.kind & allow))
		abort();
	if (ref.domain && !(allow & GPO_REF_DOMAIN))
		abort();
	switch (ref.kind) {
	case GPO_REF_GUID:
		if (!gpo_guid_valid(ref.value))
			abort();
		for (const char *p = ref.value; *p; p++)
			if (islower((unsigned char)*p))
				abort();
		break;
	case GPO_REF_PATH:
		if (ref.value[0] != '/' || ref.domain)
			abort();
		break;
	case GPO_REF_NAME:
		if (!*ref.value)
			abort();
		break;
	}
	if (ref.domain && (!*ref.domain || strchr(ref.domain, '/')))
		abort();
	gpo_ref_free(&ref);
}

/* Appends s to out, in double quotes, escaping '"' and '\'. */
static char *put_quoted(char *out, const char *s)
{
	*out++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*out++ = '\\';
		*out++ = *s;
	}
	*out++ = '"';
	return out;
}

/* r written back (positionals quoted, options with quoted values, flags
 * bare) parses to the same words, when it fits the limit. */
static void check_roundtrip(const struct gpo_request *r)
{
	size_t cap = 16;
	struct gpo_request again;
	struct gpo_err e = { 0 };
	char *buf, *o;

	for (size_t i = 0; i < r->n_pos; i++)
		cap += 2 * strlen(r->pos[i].value) + 3;
	for (size_t i = 0; i < r->n_opts; i++)
		cap += strlen(r->opts[i].key) + 2 * strlen(r->opts[i].value) + 4;
	for (size_t i = 0; i < r->n_flags; i++)
		cap += strlen(r->flags[i]) + 1;
	buf = malloc(cap);
	if (!buf)
		return;
	o = buf;
	for (size_t i = 0; i < r->n_pos; i++) {
		o = put_quoted(o, r->pos[i].value);
		*o++ = ' ';
	}
	for (size_t i = 0; i < r->n_opts; i++) {
		o += sprintf(o, "%s=", r->opts[i].key);
		o = put_quoted(o, r->opts[i].value);
		*o++ = ' ';
	}
	for (size_t i = 0; i < r->n_flags; i++)
		o += sprintf(o, "%s ", r->flags[i]);
	o[-1] = '\n';
	if ((size_t)(o - buf) <= GPO_REQUEST_MAX) {
		if (gpo_request_parse(buf, (size_t)(o - buf), flags, &again, &e))
			abort();
		if (again.n_pos != r->n_pos || again.n_opts != r->n_opts ||
		    again.n_flags != r->n_flags)
			abort();
		for (size_t i = 0; i < r->n_pos; i++)
			if (strcmp(again.pos[i].value, r->pos[i].value) || !again.pos[i].quoted)
				abort();
		for (size_t i = 0; i < r->n_opts; i++)
			if (strcmp(again.opts[i].key, r->opts[i].key) ||
			    strcmp(again.opts[i].value, r->opts[i].value))
				abort();
		for (size_t i = 0; i < r->n_flags; i++)
			if (again.flags[i] != r->flags[i])
				abort();
		gpo_request_free(&again);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpo_request r;
	struct gpo_err e = { 0 };
	const char *v;
	size_t col = 0;
	int rc = gpo_request_parse((const char *)data, size, flags, &r, &e);

	if (rc) {
		if (rc != -EINVAL || e.code != -EINVAL || !e.reason[0] || r.pos || r.opts ||
		    r.flags || strchr(e.reason, '\n'))
			abort();
		return 0;
	}
	if (size > GPO_REQUEST_MAX)
		abort();
	if (!r.n_pos && !r.n_opts && !r.n_flags)
		abort();
	if (r.n_pos + r.n_opts + r.n_flags > GPO_REQUEST_MAX_WORDS)
		abort();
	for (size_t i = 0; i < r.n_pos; i++) {
		const struct gpo_request_word *w = &r.pos[i];

		check_value(w->value);
		if (w->col <= col || w->col > size)
			abort();
		col = w->col;
		if (w->slash != GPO_REQUEST_NO_SLASH &&
		    (w->slash >= strlen(w->value) || w->value[w->slash] != '/'))
			abort();
		if (!w->quoted && !*w->value)
			abort();
		check_ref(w, GPO_REF_GUID | GPO_REF_NAME | GPO_REF_DOMAIN);
		check_ref(w, GPO_REF_GUID | GPO_REF_PATH);
		check_ref(w, GPO_REF_GUID | GPO_REF_NAME | GPO_REF_PATH | GPO_REF_DOMAIN);
		check_ref(w, GPO_REF_GUID);
	}
	col = 0;
	for (size_t i = 0; i < r.n_opts; i++) {
		const struct gpo_request_opt *o = &r.opts[i];

		check_value(o->value);
		if (!o->key[0] || !islower((unsigned char)o->key[0]) || o->col <= col)
			abort();
		col = o->col;
		for (const char *p = o->key; *p; p++)
			if (!islower((unsigned char)*p) && *p != '_' && *p != '-')
				abort();
		if (gpo_request_option(&r, o->key) != o->value)
			abort();
	}
	for (size_t i = 0; i < r.n_flags; i++)
		if (r.flags[i] != flags[0] && r.flags[i] != flags[1])
			abort();
	rc = gpo_request_check(&r, 1, 2, keys, &e);
	if (rc && rc != -EINVAL)
		abort();
	rc = gpo_request_choice(&r, "acl", acl, "default", &v, &e);
	if (rc ? rc != -EINVAL : (v != acl[0] && v != acl[1] && strcmp(v, "default")))
		abort();
	check_roundtrip(&r);
	gpo_request_free(&r);
	return 0;
}
