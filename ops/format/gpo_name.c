#include "gpo_name.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_buf.h"

#define NAME_MAX_BYTES 255

static int must_escape(unsigned char c)
{
	return c == '%' || c == '/' || c < 0x20 || c == 0x7f;
}

char *gpo_name_escape(const char *display_name)
{
	struct gpo_buf b = GPO_BUF_INIT;
	const unsigned char *p = (const unsigned char *)display_name;
	int rc = 0;

	if (!strcmp(display_name, ".") || !strcmp(display_name, "..")) {
		rc = gpo_buf_printf(&b, "%%2E%s", display_name + 1);
		p += strlen(display_name);
	}
	for (; !rc && *p; p++) {
		if (must_escape(*p))
			rc = gpo_buf_printf(&b, "%%%02X", *p);
		else
			rc = gpo_buf_add(&b, p, 1);
	}
	if (!rc && !b.len)
		rc = gpo_buf_add(&b, "%", 0); /* an empty name: see build() */
	if (rc) {
		gpo_buf_free(&b);
		return NULL;
	}
	return gpo_buf_steal(&b, NULL);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *gpo_name_unescape(const char *file_name)
{
	size_t n = strlen(file_name);
	char *out = malloc(n + 1);
	char *o = out;

	if (!out)
		return NULL;
	for (const char *p = file_name; *p; p++) {
		if (*p == '%') {
			int hi = hexval((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);

			if (lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct gpo_name_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int gpo_names_build(const char *const *display_names,
		    const char *const *guids, size_t n,
		    struct gpo_name_entry **out)
{
	struct gpo_name_entry *t = calloc(n ? n : 1, sizeof(*t));
	size_t i = 0;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		t[i].index = i;
		t[i].name = gpo_name_escape(display_names[i]);
		if (!t[i].name)
			goto fail;
	}
	qsort(t, n, sizeof(*t), cmp_entry);
	/* Shared, empty or over-long names get the GUID to stay unique. */
	for (i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && !strcmp(t[i].name, t[j].name))
			j++;
		for (size_t k = i; k < j; k++) {
			const char *guid = guids[t[k].index];
			char *named;

			if (j - i == 1 && *t[k].name &&
			    strlen(t[k].name) <= NAME_MAX_BYTES)
				continue;
			if (strlen(t[k].name) + 41 > NAME_MAX_BYTES)
				t[k].name[NAME_MAX_BYTES - 41] = '\0';
			if (asprintf(&named, "%s%s(%s)", t[k].name,
				     *t[k].name ? " " : "", guid) < 0)
				goto fail;
			free(t[k].name);
			t[k].name = named;
		}
		i = j;
	}
	qsort(t, n, sizeof(*t), cmp_entry);
	/* A name given the GUID may now equal another GPO's own name (one
	 * named "X ({GUID})"): each of such a pair gets its own GUID once
	 * more, until all differ (GUIDs differ, so a few rounds at most). */
	for (size_t round = 0; round < n; round++) {
		bool again = false;

		for (i = 0; i + 1 < n; i++) {
			if (strcmp(t[i].name, t[i + 1].name))
				continue;
			for (size_t k = i; k <= i + 1; k++) {
				char *named;

				if (asprintf(&named, "%s (%s)", t[k].name, guids[t[k].index]) < 0)
					goto fail;
				free(t[k].name);
				t[k].name = named;
			}
			again = true;
			i++;
		}
		if (!again)
			break;
		qsort(t, n, sizeof(*t), cmp_entry);
	}
	*out = t;
	return 0;
fail:
	gpo_names_free(t, n);
	return -ENOMEM;
}

const struct gpo_name_entry *gpo_names_find(const struct gpo_name_entry *t,
					    size_t n, const char *name)
{
	struct gpo_name_entry key = { (char *)name, 0 };

	if (!n)
		return NULL; /* t may be NULL: not for bsearch */
	return bsearch(&key, t, n, sizeof(*t), cmp_entry);
}

void gpo_names_free(struct gpo_name_entry *t, size_t n)
{
	if (!t)
		return;
	for (size_t i = 0; i < n; i++)
		free(t[i].name);
	free(t);
}
