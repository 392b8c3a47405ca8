#include "gpo_inf.h"
#include "gpo_array.h"
#include "gpo_utf16.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int gpo_inf_text(const char *data, size_t len, char **text)
{
	if (len > GPO_INF_MAX)
		return -EFBIG;
	if (len < 2 || (unsigned char)data[0] != 0xff ||
	    (unsigned char)data[1] != 0xfe) {
		/* not UTF-16: take it as UTF-8 (ASCII templates exist) */
		if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
			data += 3;
			len -= 3;
		}
		if (memchr(data, '\0', len))
			return -EINVAL;
		*text = strndup(data, len);
		return *text ? 0 : -ENOMEM;
	}
	return gpo_utf16_to_utf8(data, len, text, NULL);
}

struct list {
	struct gpo_inf_principal *p;
	size_t n, cap;
};

static int add(struct list *l, const char *s, size_t len)
{
	struct gpo_inf_principal *q;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (!len)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->p[i].name) == len &&
		    !strncasecmp(l->p[i].name, s, len))
			return 0;
	q = gpo_array_push(&l->p, &l->n, &l->cap, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->name = strndup(s, len);
	if (!q->name) {
		l->n--;
		return -ENOMEM;
	}
	return 0;
}

static int add_list(struct list *l, const char *value)
{
	int rc = 0;

	while (!rc && *value) {
		size_t len = strcspn(value, ",");

		rc = add(l, value, len);
		value += len;
		if (*value == ',')
			value++;
	}
	return rc;
}

/* Adds the domain SIDs ("S-1-5-21-a-b-c-rid") that an SDDL string in a
 * value names, as "*S-..." principals. */
static int add_sddl_sids(struct list *l, const char *value)
{
	int rc = 0;

	for (const char *p = strstr(value, "S-1-5-21-"); !rc && p;
	     p = strstr(p + 1, "S-1-5-21-")) {
		size_t len = 9 + strspn(p + 9, "0123456789-");
		char sid[192];

		if (len + 1 >= sizeof(sid))
			continue;
		sid[0] = '*';
		memcpy(sid + 1, p, len);
		sid[len + 1] = '\0';
		rc = add(l, sid, len + 1);
	}
	return rc;
}

int gpo_inf_principals(const char *text, struct gpo_inf_principal **out,
		       size_t *n)
{
	enum { OTHER, PRIVILEGES, MEMBERSHIP, SECURITY } section = OTHER;
	struct list l = { 0 };
	const char *p = text;
	int rc = 0;

	while (!rc && *p) {
		size_t len = strcspn(p, "\r\n");
		char line[8192];
		char *s, *eq;

		if (len >= sizeof(line)) {
			rc = -EINVAL;
			break;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len;
		p += strspn(p, "\r\n");
		s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == ';')
			continue;
		if (*s == '[') {
			if (!strncasecmp(s, "[Privilege Rights]", 18))
				section = PRIVILEGES;
			else if (!strncasecmp(s, "[Group Membership]", 18))
				section = MEMBERSHIP;
			else if (!strncasecmp(s, "[Service General Setting]", 25) ||
				 !strncasecmp(s, "[Registry Keys]", 15) ||
				 !strncasecmp(s, "[File Security]", 15))
				section = SECURITY;
			else
				section = OTHER;
			continue;
		}
		if (section == SECURITY) {
			/* "name",mode,"SDDL": the SDDL names principals */
			rc = add_sddl_sids(&l, s);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			rc = section == OTHER ? 0 : -EINVAL;
			continue;
		}
		*eq = '\0';
		if (section == MEMBERSHIP) {
			/* "<group>__Memberof" / "<group>__Members" */
			char *sep = strstr(s, "__");

			if (!sep) {
				rc = -EINVAL;
				break;
			}
			rc = add(&l, s, (size_t)(sep - s));
		}
		if (!rc && section != OTHER)
			rc = add_list(&l, eq + 1);
	}
	if (rc) {
		gpo_inf_principals_free(l.p, l.n);
		return rc;
	}
	*out = l.p;
	*n = l.n;
	return 0;
}

int gpo_ini_unc_paths(const char *text, struct gpo_inf_principal **out,
		      size_t *n)
{
	struct list l = { 0 };
	const char *p = text;
	int rc = 0;

	while (!rc && *p) {
		size_t len = strcspn(p, "\r\n");
		const char *eq = memchr(p, '=', len);

		if (eq) {
			const char *v = eq + 1;
			size_t vlen = len - (size_t)(v - p);

			while (vlen && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			if (vlen > 2 && v[0] == '\\' && v[1] == '\\')
				rc = add(&l, v, vlen);
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	if (rc) {
		gpo_inf_principals_free(l.p, l.n);
		return rc;
	}
	*out = l.p;
	*n = l.n;
	return 0;
}

void gpo_inf_principals_free(struct gpo_inf_principal *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].name);
	free(p);
}
