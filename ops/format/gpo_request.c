#include "gpo_request.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_array.h"
#include "gpo_model.h"

#define NONE ((size_t)-1)

enum state { BETWEEN, WORD, DQUOTE, SQUOTE };

/* The word being read: its unquoted bytes go to buf (sized for the whole
 * request, which no word can outgrow). */
struct word {
	char *buf;
	size_t len;
	size_t col;
	size_t slash;    /* first unquoted '/', or NONE */
	size_t eq;       /* the '=' after an unquoted key, or NONE */
	bool key;        /* every byte so far is an unquoted key character */
	bool quoted;
};

/* One UTF-8 sequence at s (n bytes left): its length, or 0 when it is not
 * valid (bad lead or continuation byte, truncated, overlong, a surrogate,
 * beyond U+10FFFF). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t need;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2, v = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3, v = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4, v = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

static bool is_control(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

static const char *find_flag(const char *const *flags, const char *s, size_t n)
{
	for (; flags && *flags; flags++)
		if (strlen(*flags) == n && !memcmp(*flags, s, n))
			return *flags;
	return NULL;
}

/* Files the finished word w as an option, a flag or a positional. */
static int end_word(struct gpo_request *r, struct word *w,
		    const char *const *flags, struct gpo_err *e)
{
	const char *flag;

	if (w->eq != NONE) {
		struct gpo_request_opt *o;

		w->buf[w->eq] = '\0';
		w->buf[w->len] = '\0';
		for (size_t i = 0; i < r->n_opts; i++)
			if (!strcmp(r->opts[i].key, w->buf))
				return gpo_err_set(e, -EINVAL,
						   "column %zu: option %s= given twice (first at column %zu)",
						   w->col, w->buf, r->opts[i].col);
		o = gpo_array_push(&r->opts, &r->n_opts, &r->cap_opts, sizeof(*o));
		if (!o)
			return -ENOMEM;
		o->col = w->col;
		o->key = strdup(w->buf);
		o->value = strdup(w->buf + w->eq + 1);
		return o->key && o->value ? 0 : -ENOMEM;
	}
	if (!w->quoted && (flag = find_flag(flags, w->buf, w->len))) {
		const char **f;

		if (gpo_request_flag(r, flag))
			return gpo_err_set(e, -EINVAL, "column %zu: %s given twice",
					   w->col, flag);
		f = gpo_array_push(&r->flags, &r->n_flags, &r->cap_flags, sizeof(*f));
		if (!f)
			return -ENOMEM;
		*f = flag;
		return 0;
	}
	struct gpo_request_word *p = gpo_array_push(&r->pos, &r->n_pos, &r->cap_pos,
						    sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->col = w->col;
	p->slash = w->slash;
	p->quoted = w->quoted;
	p->value = strndup(w->buf, w->len);
	return p->value ? 0 : -ENOMEM;
}

/* An unquoted character of a word: does it keep the word an option? */
static void plain_char(struct word *w, uint32_t c)
{
	if (c == '/' && w->slash == NONE)
		w->slash = w->len;
	if (w->eq != NONE || !w->key)
		return;
	if (c == '=' && w->len > 0)
		w->eq = w->len;
	else if (!((c >= 'a' && c <= 'z') || (w->len > 0 && (c == '_' || c == '-'))))
		w->key = false;
}

static int parse(const unsigned char *s, size_t len, const char *const *flags,
		 struct gpo_request *r, struct word *w, struct gpo_err *e)
{
	enum state st = BETWEEN;
	size_t col = 1, qcol = 0, words = 0, n;
	int rc;

	for (size_t i = 0; i < len; i += n, col++) {
		uint32_t c;
		bool blank;

		n = utf8_next(s + i, len - i, &c);
		if (!n)
			return gpo_err_set(e, -EINVAL, "column %zu: invalid UTF-8 (byte 0x%02X)",
					   col, s[i]);
		if (c == '\0')
			return gpo_err_set(e, -EINVAL, "column %zu: NUL byte", col);
		if (c == '\n')
			return gpo_err_set(e, -EINVAL,
					   "column %zu: a second line (one request per write)", col);
		blank = c == ' ' || c == '\t';
		if (is_control(c) && !(c == '\t' && (st == BETWEEN || st == WORD)))
			return gpo_err_set(e, -EINVAL, "column %zu: control character U+%04X%s",
					   col, (unsigned)c,
					   c == '\r' ? " (a Windows line end?)" :
					   c == '\t' ? " inside quotes" : "");
		switch (st) {
		case BETWEEN:
			if (blank)
				continue;
			if (++words > GPO_REQUEST_MAX_WORDS)
				return gpo_err_set(e, -EINVAL, "column %zu: more than %d words",
						   col, GPO_REQUEST_MAX_WORDS);
			*w = (struct word){ .buf = w->buf, .col = col, .slash = NONE,
					    .eq = NONE, .key = true };
			st = WORD;
			/* fall through */
		case WORD:
			if (blank) {
				if ((rc = end_word(r, w, flags, e)))
					return rc;
				st = BETWEEN;
			} else if (c == '"' || c == '\'') {
				st = c == '"' ? DQUOTE : SQUOTE;
				qcol = col;
				w->quoted = true;
				if (w->eq == NONE)
					w->key = false;
			} else if (c == '\\') {
				return gpo_err_set(e, -EINVAL,
						   "column %zu: backslash outside quotes (quote the word)",
						   col);
			} else {
				plain_char(w, c);
				memcpy(w->buf + w->len, s + i, n);
				w->len += n;
			}
			break;
		case DQUOTE:
			if (c == '"') {
				st = WORD;
			} else if (c == '\\') {
				if (i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
					w->buf[w->len++] = (char)s[++i];
					col++;
				} else if (i + 1 < len) {
					return gpo_err_set(e, -EINVAL,
							   "column %zu: in double quotes a backslash escapes only \" and \\",
							   col);
				}
				/* else: unterminated, said below */
			} else {
				memcpy(w->buf + w->len, s + i, n);
				w->len += n;
			}
			break;
		case SQUOTE:
			if (c == '\'') {
				st = WORD;
			} else {
				memcpy(w->buf + w->len, s + i, n);
				w->len += n;
			}
			break;
		}
	}
	if (st == DQUOTE || st == SQUOTE)
		return gpo_err_set(e, -EINVAL,
				   "column %zu: the %s quote opened at column %zu is not closed",
				   col, st == DQUOTE ? "double" : "single", qcol);
	if (st == WORD && (rc = end_word(r, w, flags, e)))
		return rc;
	if (!words)
		return gpo_err_set(e, -EINVAL, "empty request");
	return 0;
}

int gpo_request_parse(const char *buf, size_t len, const char *const *flags,
		      struct gpo_request *r, struct gpo_err *e)
{
	struct word w = { 0 };
	int rc;

	memset(r, 0, sizeof(*r));
	if (len > GPO_REQUEST_MAX)
		return gpo_err_set(e, -EINVAL, "the request is longer than %d bytes",
				   GPO_REQUEST_MAX);
	if (len && buf[len - 1] == '\n')
		len--;
	w.buf = malloc(len + 1);
	if (!w.buf)
		return -ENOMEM;
	rc = parse((const unsigned char *)buf, len, flags, r, &w, e);
	free(w.buf);
	if (rc)
		gpo_request_free(r);
	return rc;
}

void gpo_request_free(struct gpo_request *r)
{
	for (size_t i = 0; i < r->n_pos; i++)
		free(r->pos[i].value);
	for (size_t i = 0; i < r->n_opts; i++) {
		free(r->opts[i].key);
		free(r->opts[i].value);
	}
	free(r->pos);
	free(r->opts);
	free(r->flags);
	memset(r, 0, sizeof(*r));
}

bool gpo_request_flag(const struct gpo_request *r, const char *flag)
{
	for (size_t i = 0; i < r->n_flags; i++)
		if (!strcmp(r->flags[i], flag))
			return true;
	return false;
}

static const struct gpo_request_opt *find_opt(const struct gpo_request *r,
					      const char *key)
{
	for (size_t i = 0; i < r->n_opts; i++)
		if (!strcmp(r->opts[i].key, key))
			return &r->opts[i];
	return NULL;
}

const char *gpo_request_option(const struct gpo_request *r, const char *key)
{
	const struct gpo_request_opt *o = find_opt(r, key);

	return o ? o->value : NULL;
}

bool gpo_request_word_is(const struct gpo_request_word *w, const char *s)
{
	return !w->quoted && !strcmp(w->value, s);
}

/* How many bytes of s (valid UTF-8; n bytes at most) a reason quotes: 40
 * characters and 120 bytes at most (a reason has 256), never half a
 * character. */
static int clip(const char *s, size_t n)
{
	size_t chars = 0, i = 0;

	for (; i < n && s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && (++chars > 40 || i + 4 > 120))
			break;
	return (int)i;
}

/* "a, b or c" of a NULL-terminated list, cut to fit out. */
static void list_words(const char *const *l, const char *suffix, char *out,
		       size_t size)
{
	size_t n = 0, used = 0;

	out[0] = '\0';
	while (l && l[n])
		n++;
	for (size_t i = 0; i < n && used < size; i++) {
		int k = snprintf(out + used, size - used, "%s%s%s",
				 i == 0 ? "" : i + 1 == n ? " or " : ", ", l[i], suffix);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (!n)
		snprintf(out, size, "none");
}

int gpo_request_check(const struct gpo_request *r, size_t min, size_t max,
		      const char *const *keys, struct gpo_err *e)
{
	char known[96];

	if (r->n_pos < min)
		return gpo_err_set(e, -EINVAL, "expected %s%zu argument%s, got %zu",
				   min == max ? "" : "at least ", min,
				   min == 1 ? "" : "s", r->n_pos);
	if (r->n_pos > max)
		return gpo_err_set(e, -EINVAL,
				   "column %zu: unexpected argument \"%.*s\" (at most %zu)",
				   r->pos[max].col, clip(r->pos[max].value, SIZE_MAX),
				   r->pos[max].value, max);
	for (size_t i = 0; i < r->n_opts; i++) {
		const char *const *k = keys;

		while (k && *k && strcmp(*k, r->opts[i].key))
			k++;
		if (k && *k)
			continue;
		list_words(keys, "=", known, sizeof(known));
		return gpo_err_set(e, -EINVAL, "column %zu: unknown option %.40s= (known: %s)",
				   r->opts[i].col, r->opts[i].key, known);
	}
	return 0;
}

int gpo_request_choice(const struct gpo_request *r, const char *key,
		       const char *const *values, const char *dflt,
		       const char **out, struct gpo_err *e)
{
	const struct gpo_request_opt *o = find_opt(r, key);
	char allowed[96];

	*out = dflt;
	if (!o)
		return 0;
	for (const char *const *v = values; v && *v; v++) {
		if (!strcmp(*v, o->value)) {
			*out = *v;
			return 0;
		}
	}
	list_words(values, "", allowed, sizeof(allowed));
	return gpo_err_set(e, -EINVAL, "column %zu: %s=%.*s: expected %s=%s",
			   o->col, key, clip(o->value, SIZE_MAX), o->value, key, allowed);
}

/* A DNS name: dot-separated labels of letters, digits and '-', each 1 to
 * 63 long, 253 in all. */
static bool dns_name(const char *s, size_t n)
{
	size_t label = 0;

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

static const char *kinds(unsigned allow)
{
	switch (allow & (GPO_REF_GUID | GPO_REF_NAME | GPO_REF_PATH)) {
	case GPO_REF_GUID: return "a {GUID}";
	case GPO_REF_NAME: return "a display name";
	case GPO_REF_PATH: return "an absolute path";
	case GPO_REF_GUID | GPO_REF_NAME: return "a {GUID} or a display name";
	case GPO_REF_GUID | GPO_REF_PATH: return "a {GUID} or an absolute path";
	default: return "a {GUID}, a display name or an absolute path";
	}
}

int gpo_request_ref(const struct gpo_request_word *w, unsigned allow,
		    struct gpo_ref *out, struct gpo_err *e)
{
	const char *rest = w->value;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if ((allow & GPO_REF_PATH) && w->value[0] == '/') {
		out->kind = GPO_REF_PATH;
		out->value = strdup(w->value);
		return out->value ? 0 : -ENOMEM;
	}
	if ((allow & GPO_REF_DOMAIN) && w->slash != GPO_REQUEST_NO_SLASH) {
		if (!dns_name(w->value, w->slash)) {
			rc = gpo_err_set(e, -EINVAL,
					 "column %zu: \"%.*s\" before '/' is not a domain name",
					 w->col, clip(w->value, w->slash), w->value);
			goto out;
		}
		out->domain = strndup(w->value, w->slash);
		if (!out->domain) {
			rc = -ENOMEM;
			goto out;
		}
		rest = w->value + w->slash + 1;
	}
	if ((allow & GPO_REF_GUID) && gpo_guid_valid(rest)) {
		out->kind = GPO_REF_GUID;
	} else if ((allow & GPO_REF_NAME) && *rest) {
		out->kind = GPO_REF_NAME;
	} else {
		rc = gpo_err_set(e, -EINVAL, "column %zu: expected %s%s, not \"%.*s\"",
				 w->col, out->domain ? "after the domain " : "", kinds(allow),
				 clip(rest, SIZE_MAX), rest);
		goto out;
	}
	out->value = strdup(rest);
	if (!out->value) {
		rc = -ENOMEM;
		goto out;
	}
	if (out->kind == GPO_REF_GUID)
		for (char *p = out->value; *p; p++)
			*p = (char)toupper((unsigned char)*p);
out:
	if (rc)
		gpo_ref_free(out);
	return rc;
}

void gpo_ref_free(struct gpo_ref *ref)
{
	free(ref->domain);
	free(ref->value);
	memset(ref, 0, sizeof(*ref));
}
