#include "gpo_model.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

void gpo_clear(struct gpo *g)
{
	free(g->dn);
	free(g->display_name);
	free(g->machine_ext);
	free(g->user_ext);
	free(g->wmi_filter);
	free(g->wmi_filter_name);
	free(g->sd);
	memset(g, 0, sizeof(*g));
}

static int dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int gpo_copy(struct gpo *dst, const struct gpo *src)
{
	int rc = 0;

	*dst = *src;
	rc |= dup_or_null(&dst->dn, src->dn);
	rc |= dup_or_null(&dst->display_name, src->display_name);
	rc |= dup_or_null(&dst->machine_ext, src->machine_ext);
	rc |= dup_or_null(&dst->user_ext, src->user_ext);
	rc |= dup_or_null(&dst->wmi_filter, src->wmi_filter);
	rc |= dup_or_null(&dst->wmi_filter_name, src->wmi_filter_name);
	dst->sd = NULL;
	if (src->sd) {
		dst->sd = malloc(src->sd_len);
		if (dst->sd)
			memcpy(dst->sd, src->sd, src->sd_len);
		else
			rc = -ENOMEM;
	}
	if (rc) {
		gpo_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

bool gpo_guid_valid(const char *s)
{
	uuid_t u;
	char inner[37];

	if (!s || strlen(s) != GPO_GUID_LEN || s[0] != '{' || s[37] != '}')
		return false;
	memcpy(inner, s + 1, 36);
	inner[36] = '\0';
	return uuid_parse(inner, u) == 0;
}

int gpo_parse_gentime(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	int n = 0;

	if (!s || sscanf(s, "%4d%2d%2d%2d%2d%2d%n", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
			 &n) != 6 || n != 14)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -EINVAL : 0;
}

int gpo_gptini_version(const char *text, size_t len, uint32_t *version)
{
	bool general = false;
	const char *p = text;
	const char *end = text + len;

	/* GPT.INI is ANSI; a UTF-8 BOM is tolerated. */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end;
		unsigned long long v = 0;
		const char *d;

		p = nl ? nl + 1 : end;
		/* the line without its blanks at both ends, however long */
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s < e && *s == '[') {
			general = e - s == 9 && !strncasecmp(s, "[General]", 9);
			continue;
		}
		if (!general || e - s < 7 || strncasecmp(s, "Version", 7))
			continue;
		s += 7;
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s == e || *s != '=')
			continue;
		s++;
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s == e)
			return -EINVAL;
		for (d = s; d < e; d++) {
			if (!isdigit((unsigned char)*d))
				return -EINVAL;
			v = v * 10 + (unsigned)(*d - '0');
			if (v > UINT32_MAX)
				return -EINVAL;
		}
		*version = (uint32_t)v;
		return 0;
	}
	return -ENOENT;
}

int gpo_wmi_filter_guid(const char *link, char *guid)
{
	const char *semi;

	if (!link || link[0] != '[')
		return -EINVAL;
	semi = strchr(link, ';');
	if (!semi || strlen(semi + 1) < GPO_GUID_LEN)
		return -EINVAL;
	memcpy(guid, semi + 1, GPO_GUID_LEN);
	guid[GPO_GUID_LEN] = '\0';
	if (!gpo_guid_valid(guid) || semi[1 + GPO_GUID_LEN] != ';')
		return -EINVAL;
	return 0;
}

char *gpo_hex_bytes(const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *out = malloc(len ? len * 3 : 1);
	char *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (i)
			*o++ = ' ';
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o = '\0';
	return out;
}

int gpo_guid_from_binary(const unsigned char *p, size_t len, char *out)
{
	if (len != 16)
		return -EINVAL;
	snprintf(out, GPO_GUID_LEN + 1,
		 "{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
		 p[3], p[2], p[1], p[0], p[5], p[4], p[7], p[6], p[8], p[9],
		 p[10], p[11], p[12], p[13], p[14], p[15]);
	return 0;
}

static unsigned next_half(unsigned h)
{
	return h >= 0xffff ? 1 : h + 1;
}

uint32_t gpo_version_bump(uint32_t v, bool user, bool machine)
{
	unsigned u = gpo_version_user(v), m = gpo_version_machine(v);

	if (user)
		u = next_half(u);
	if (machine)
		m = next_half(m);
	return (uint32_t)u << 16 | m;
}

uint32_t gpo_version_above(uint32_t a, uint32_t b)
{
	unsigned u = gpo_version_user(a) > gpo_version_user(b) ? gpo_version_user(a)
								: gpo_version_user(b);
	unsigned m = gpo_version_machine(a) > gpo_version_machine(b)
			     ? gpo_version_machine(a) : gpo_version_machine(b);

	return (uint32_t)next_half(u) << 16 | next_half(m);
}
