#include "gpo_gptini.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gpo_buf.h"

/* The line [p, end) without its blanks at both ends, in [*b, *e). */
static void trim(const char *p, const char *end, const char **b, const char **e)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	*b = p;
	*e = end;
}

static bool is_key(const char *b, const char *e, const char *key, const char **value)
{
	size_t n = strlen(key);

	if ((size_t)(e - b) < n || strncasecmp(b, key, n))
		return false;
	b += n;
	/* blanks as gpo_gptini_version skips them, so that both agree on
	 * which line is the Version line */
	while (b < e && isspace((unsigned char)*b))
		b++;
	if (b == e || *b != '=')
		return false;
	*value = b + 1;
	return true;
}

/* Adds line to b on a line of its own: after a line ending first when
 * the last line has none. */
static int add_line(struct gpo_buf *b, const char *line, const char *eol)
{
	int rc = 0;

	if (b->len && b->data[b->len - 1] != '\n')
		rc = gpo_buf_add(b, eol, strlen(eol));
	return rc ? rc : gpo_buf_printf(b, "%s%s", line, eol);
}

int gpo_gptini_with_version(const char *text, size_t len, uint32_t version,
			    char **out, size_t *out_len)
{
	struct gpo_buf b = GPO_BUF_INIT;
	const char *p = text, *end = text + len;
	/* LF only for a file whose lines end so; else Windows' CRLF */
	const char *eol = len && memchr(text, '\n', len) &&
			  !memmem(text, len, "\r\n", 2) ? "\n" : "\r\n";
	char line[32];
	bool general = false, done = false, any_general = false;
	int rc = 0;

	if (len > GPO_GPTINI_MAX)
		return -EFBIG;
	if (len && memchr(text, '\0', len))
		return -EINVAL;
	snprintf(line, sizeof(line), "Version=%u", version);
	/* a UTF-8 BOM stays first, and is no part of the first line (as
	 * gpo_gptini_version reads it) */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
		rc = gpo_buf_add(&b, p, 3);
		p += 3;
	}
	while (!rc && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		const char *tb, *te, *value;

		trim(p, le, &tb, &te);
		if (tb < te && *tb == '[') {
			/* leaving [General] without a Version line: add one */
			if (general && !done) {
				rc = add_line(&b, line, eol);
				done = true;
			}
			general = te - tb == 9 && !strncasecmp(tb, "[General]", 9);
			any_general |= general;
			if (!rc)
				rc = gpo_buf_add(&b, p, (size_t)(le - p));
			if (!rc && general && !nl)
				rc = gpo_buf_add(&b, eol, strlen(eol));
		} else if (general && !done && is_key(tb, te, "Version", &value)) {
			/* keep the key's spelling and the line's ending */
			const char *ending = te;

			while (value < te && isspace((unsigned char)*value))
				value++;
			rc = gpo_buf_add(&b, p, (size_t)(value - p));
			if (!rc)
				rc = gpo_buf_printf(&b, "%u", version);
			if (!rc)
				rc = gpo_buf_add(&b, ending, (size_t)(le - ending));
			done = true;
		} else {
			rc = gpo_buf_add(&b, p, (size_t)(le - p));
		}
		p = le;
	}
	if (!rc && general && !done) {
		rc = add_line(&b, line, eol);
		done = true;
	}
	if (!rc && !any_general) {
		/* no [General]: one first, before whatever the file holds */
		struct gpo_buf head = GPO_BUF_INIT;

		rc = gpo_buf_printf(&head, "[General]%s%s%s", eol, line, eol);
		if (!rc)
			rc = gpo_buf_add(&head, b.data ? b.data : "", b.len);
		gpo_buf_free(&b);
		b = head;
	}
	if (!rc)
		rc = gpo_buf_add(&b, "", 0);
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*out = gpo_buf_steal(&b, out_len);
	return 0;
}
