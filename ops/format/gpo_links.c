#include "gpo_links.h"
#include "gpo_array.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpo_buf.h"

static int append(struct gpo_links *links, const struct gpo_link *l)
{
	struct gpo_link *slot = gpo_array_push(&links->items, &links->n,
					       &links->cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	*slot = *l;
	return 0;
}

int gpo_links_parse(struct gpo_links *links, const char *som_dn,
		    const char *gplink)
{
	size_t first = links->n;
	unsigned order = 0;
	const char *p = gplink;
	int rc = 0;

	while (*p == ' ')
		p++;
	while (*p) {
		const char *end = strchr(p, ']');
		const char *semi;
		const char *cn;
		struct gpo_link l = { 0 };
		char *num_end;

		if (*p != '[' || !end) {
			rc = -EINVAL;
			goto out;
		}
		semi = memrchr(p, ';', (size_t)(end - p));
		if (!semi) {
			rc = -EINVAL;
			goto out;
		}
		l.options = (unsigned)strtoul(semi + 1, &num_end, 10);
		if (num_end != end) {
			rc = -EINVAL;
			goto out;
		}
		/* "[LDAP://cn={GUID},cn=policies,...": the GUID follows "cn=" */
		cn = strncasecmp(p + 1, "LDAP://cn=", 10) ? NULL : p + 11;
		if (cn && cn + GPO_GUID_LEN <= semi) {
			memcpy(l.guid, cn, GPO_GUID_LEN);
			l.guid[GPO_GUID_LEN] = '\0';
			for (char *c = l.guid; *c; c++)
				*c = (char)toupper((unsigned char)*c);
		}
		if (gpo_guid_valid(l.guid)) {
			l.order = ++order;
			l.som_dn = strdup(som_dn);
			if (!l.som_dn || append(links, &l)) {
				free(l.som_dn);
				rc = -ENOMEM;
				goto out;
			}
		}
		p = end + 1;
	}
out:
	if (rc) {
		while (links->n > first)
			free(links->items[--links->n].som_dn);
	}
	return rc;
}

void gpo_links_clear(struct gpo_links *links)
{
	for (size_t i = 0; i < links->n; i++)
		free(links->items[i].som_dn);
	free(links->items);
	memset(links, 0, sizeof(*links));
}

char *gpo_som_path(const char *dn)
{
	struct gpo_buf domain = GPO_BUF_INIT;
	struct gpo_buf path = GPO_BUF_INIT;
	const char *rdns[64];
	size_t lens[64];
	size_t n = 0;
	char *out = NULL;
	int rc = 0;

	/* Split at unescaped commas. */
	for (const char *s = dn; *s && n < 64;) {
		const char *e = s;

		while (*e && *e != ',') {
			if (*e == '\\' && e[1])
				e++;
			e++;
		}
		rdns[n] = s;
		lens[n++] = (size_t)(e - s);
		s = *e ? e + 1 : e;
	}
	/* DC= parts make the domain; the rest, read right to left, the path. */
	for (size_t i = 0; i < n && !rc; i++) {
		if (lens[i] > 3 && !strncasecmp(rdns[i], "DC=", 3)) {
			if (domain.len)
				rc = gpo_buf_add(&domain, ".", 1);
			if (!rc)
				rc = gpo_buf_add(&domain, rdns[i] + 3, lens[i] - 3);
		}
	}
	if (!rc)
		rc = gpo_buf_add(&path, domain.data ? domain.data : "", domain.len);
	for (size_t i = n; i-- > 0 && !rc;) {
		const char *eq = memchr(rdns[i], '=', lens[i]);

		if (!eq || (lens[i] > 3 && !strncasecmp(rdns[i], "DC=", 3)))
			continue;
		rc = gpo_buf_add(&path, "/", 1);
		if (!rc)
			rc = gpo_buf_add(&path, eq + 1,
					 lens[i] - (size_t)(eq + 1 - rdns[i]));
	}
	if (!rc)
		out = gpo_buf_steal(&path, NULL);
	gpo_buf_free(&domain);
	gpo_buf_free(&path);
	return out;
}
