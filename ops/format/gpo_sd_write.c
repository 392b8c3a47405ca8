/* Security descriptors back to bytes: the writer, and the equality and
 * copy it rests on (gpo_sd.h). */
#include "gpo_sd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SD_HEADER_LEN 20
#define ACL_HEADER_LEN 8
#define ACE_HEADER_LEN 4
#define ACL_MAX 0xffff

/* The order of the parts in a layout, as indexes into a part table. */
enum part { P_OWNER, P_GROUP, P_SACL, P_DACL, N_PARTS };

static bool type_is_object(uint8_t type)
{
	switch (type) {
	case GPO_ACE_ALLOWED_OBJECT:
	case GPO_ACE_DENIED_OBJECT:
	case GPO_ACE_AUDIT_OBJECT:
	case GPO_ACE_ALARM_OBJECT:
	case GPO_ACE_ALLOWED_CALLBACK_OBJECT:
	case GPO_ACE_DENIED_CALLBACK_OBJECT:
	case GPO_ACE_AUDIT_CALLBACK_OBJECT:
	case GPO_ACE_ALARM_CALLBACK_OBJECT:
		return true;
	default:
		return false;
	}
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static bool sid_ok(const struct gpo_sid *sid)
{
	return sid->n_sub <= GPO_SID_MAX_SUB && sid->authority >> 48 == 0;
}

/* The size of ace in bytes, or 0 when it cannot be written. */
static size_t ace_size(const struct gpo_ace *ace)
{
	size_t n = ACE_HEADER_LEN + 4;

	if (ace->type == 0x04 || ace->type > GPO_ACE_SCOPED_POLICY_ID ||
	    !sid_ok(&ace->sid) || ace->extra_len % 4 ||
	    (ace->extra_len && !ace->extra))
		return 0;
	if (type_is_object(ace->type)) {
		if (ace->object_flags & ~(uint32_t)(GPO_ACE_OBJECT_TYPE_PRESENT |
				GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT))
			return 0;
		n += 4;
		if (ace->object_flags & GPO_ACE_OBJECT_TYPE_PRESENT)
			n += 16;
		if (ace->object_flags & GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT)
			n += 16;
	}
	n += gpo_sid_size(&ace->sid) + ace->extra_len;
	return n > ACL_MAX ? 0 : n;
}

/* The size of acl in bytes, or 0 when it cannot be written. */
static size_t acl_size(const struct gpo_acl *acl)
{
	size_t n = ACL_HEADER_LEN;

	if (acl->revision < 2 || acl->revision > 4 ||
	    (acl->n_aces && !acl->aces))
		return 0;
	for (uint16_t i = 0; i < acl->n_aces; i++) {
		size_t a = ace_size(&acl->aces[i]);

		if (!a)
			return 0;
		n += a;
	}
	return n > ACL_MAX ? 0 : n;
}

static void write_ace(unsigned char *p, const struct gpo_ace *ace, size_t size)
{
	size_t off = ACE_HEADER_LEN + 4;

	p[0] = ace->type;
	p[1] = ace->flags;
	put16(p + 2, (uint16_t)size);
	put32(p + 4, ace->mask);
	if (type_is_object(ace->type)) {
		put32(p + off, ace->object_flags);
		off += 4;
		if (ace->object_flags & GPO_ACE_OBJECT_TYPE_PRESENT) {
			memcpy(p + off, ace->object_type, 16);
			off += 16;
		}
		if (ace->object_flags & GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
			memcpy(p + off, ace->inherited_type, 16);
			off += 16;
		}
	}
	off += (size_t)gpo_sid_to_binary(&ace->sid, p + off, size - off);
	if (ace->extra_len)
		memcpy(p + off, ace->extra, ace->extra_len);
}

static void write_acl(unsigned char *p, const struct gpo_acl *acl, size_t size)
{
	size_t pos = ACL_HEADER_LEN;

	p[0] = acl->revision;
	p[1] = 0;
	put16(p + 2, (uint16_t)size);
	put16(p + 4, acl->n_aces);
	put16(p + 6, 0);
	for (uint16_t i = 0; i < acl->n_aces; i++) {
		size_t a = ace_size(&acl->aces[i]);

		write_ace(p + pos, &acl->aces[i], a);
		pos += a;
	}
}

/* The order to lay the parts out in: that of raw's offsets (parts raw
 * does not have after those it has), else Windows' own. */
static void part_order(const struct gpo_sd *sd, enum part order[N_PARTS])
{
	static const enum part windows[N_PARTS] = { P_SACL, P_DACL, P_OWNER,
						    P_GROUP };
	uint64_t key[N_PARTS];

	for (int i = 0; i < N_PARTS; i++) {
		order[i] = windows[i];
		key[windows[i]] = (uint64_t)1 << 32 | (uint64_t)i;
	}
	if (sd->raw && sd->raw_len >= SD_HEADER_LEN) {
		/* the header's offsets: owner, group, SACL, DACL */
		for (int p = 0; p < N_PARTS; p++) {
			const unsigned char *q = sd->raw + 4 + 4 * p;
			uint32_t off = (uint32_t)q[0] | (uint32_t)q[1] << 8 |
				       (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;

			if (off)
				key[p] = off;
		}
	}
	/* four entries: insertion sort */
	for (int i = 1; i < N_PARTS; i++)
		for (int j = i; j > 0 && key[order[j]] < key[order[j - 1]]; j--) {
			enum part t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

static int write_fresh(const struct gpo_sd *sd, unsigned char **out,
		       size_t *len)
{
	size_t size[N_PARTS] = { 0 };
	enum part order[N_PARTS];
	unsigned char *buf;
	size_t total = SD_HEADER_LEN, pos;

	if ((sd->has_dacl && !(sd->control & GPO_SD_DACL_PRESENT)) ||
	    (sd->has_sacl && !(sd->control & GPO_SD_SACL_PRESENT)))
		return -EINVAL;
	if (sd->has_owner) {
		if (!sid_ok(&sd->owner))
			return -EINVAL;
		size[P_OWNER] = gpo_sid_size(&sd->owner);
	}
	if (sd->has_group) {
		if (!sid_ok(&sd->group))
			return -EINVAL;
		size[P_GROUP] = gpo_sid_size(&sd->group);
	}
	if (sd->has_sacl && !(size[P_SACL] = acl_size(&sd->sacl)))
		return -EINVAL;
	if (sd->has_dacl && !(size[P_DACL] = acl_size(&sd->dacl)))
		return -EINVAL;
	for (int p = 0; p < N_PARTS; p++)
		total += size[p];
	buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;
	buf[0] = 1;
	put16(buf + 2, sd->control | GPO_SD_SELF_RELATIVE);
	part_order(sd, order);
	pos = SD_HEADER_LEN;
	for (int i = 0; i < N_PARTS; i++) {
		enum part p = order[i];

		if (!size[p])
			continue;
		put32(buf + 4 + 4 * p, (uint32_t)pos);
		switch (p) {
		case P_OWNER:
			gpo_sid_to_binary(&sd->owner, buf + pos, size[p]);
			break;
		case P_GROUP:
			gpo_sid_to_binary(&sd->group, buf + pos, size[p]);
			break;
		case P_SACL:
			write_acl(buf + pos, &sd->sacl, size[p]);
			break;
		default:
			write_acl(buf + pos, &sd->dacl, size[p]);
			break;
		}
		pos += size[p];
	}
	*out = buf;
	*len = total;
	return 0;
}

int gpo_sd_to_binary(const struct gpo_sd *sd, unsigned char **out, size_t *len)
{
	struct gpo_sd was;
	int rc;

	*out = NULL;
	*len = 0;
	/* unchanged since it was parsed: its own bytes */
	if (sd->raw && gpo_sd_parse(sd->raw, sd->raw_len, &was) == 0) {
		bool same = gpo_sd_equal(&was, sd);

		gpo_sd_free(&was);
		if (same) {
			*out = malloc(sd->raw_len);
			if (!*out)
				return -ENOMEM;
			memcpy(*out, sd->raw, sd->raw_len);
			*len = sd->raw_len;
			return 0;
		}
	}
	rc = write_fresh(sd, out, len);
	return rc;
}

static bool ace_equal(const struct gpo_ace *a, const struct gpo_ace *b)
{
	if (a->type != b->type || a->flags != b->flags || a->mask != b->mask ||
	    !gpo_sid_equal(&a->sid, &b->sid) || a->extra_len != b->extra_len)
		return false;
	if (a->extra_len && (!a->extra || !b->extra ||
			     memcmp(a->extra, b->extra, a->extra_len)))
		return false;
	if (!type_is_object(a->type))
		return true;
	if (a->object_flags != b->object_flags)
		return false;
	if ((a->object_flags & GPO_ACE_OBJECT_TYPE_PRESENT) &&
	    memcmp(a->object_type, b->object_type, 16))
		return false;
	if ((a->object_flags & GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT) &&
	    memcmp(a->inherited_type, b->inherited_type, 16))
		return false;
	return true;
}

static bool acl_equal(const struct gpo_acl *a, const struct gpo_acl *b)
{
	if (a->revision != b->revision || a->n_aces != b->n_aces)
		return false;
	for (uint16_t i = 0; i < a->n_aces; i++)
		if (!ace_equal(&a->aces[i], &b->aces[i]))
			return false;
	return true;
}

bool gpo_sd_equal(const struct gpo_sd *a, const struct gpo_sd *b)
{
	return a->control == b->control && a->has_owner == b->has_owner &&
	       a->has_group == b->has_group && a->has_dacl == b->has_dacl &&
	       a->has_sacl == b->has_sacl &&
	       (!a->has_owner || gpo_sid_equal(&a->owner, &b->owner)) &&
	       (!a->has_group || gpo_sid_equal(&a->group, &b->group)) &&
	       (!a->has_dacl || acl_equal(&a->dacl, &b->dacl)) &&
	       (!a->has_sacl || acl_equal(&a->sacl, &b->sacl));
}

/* The next ACE of acl from *i on that was not inherited, or NULL. */
static const struct gpo_ace *next_explicit(const struct gpo_acl *acl, uint16_t *i)
{
	while (*i < acl->n_aces && (acl->aces[*i].flags & GPO_ACE_INHERITED))
		++*i;
	return *i < acl->n_aces ? &acl->aces[(*i)++] : NULL;
}

bool gpo_sd_same_explicit_dacl(const struct gpo_sd *a, const struct gpo_sd *b)
{
	uint16_t i = 0, k = 0;

	if (a->has_dacl != b->has_dacl ||
	    (a->control & (GPO_SD_DACL_PRESENT | GPO_SD_DACL_PROTECTED)) !=
	    (b->control & (GPO_SD_DACL_PRESENT | GPO_SD_DACL_PROTECTED)))
		return false;
	if (!a->has_dacl)
		return true;
	for (;;) {
		const struct gpo_ace *x = next_explicit(&a->dacl, &i);
		const struct gpo_ace *y = next_explicit(&b->dacl, &k);

		if (!x || !y)
			return !x && !y;
		if (!ace_equal(x, y))
			return false;
	}
}

static int acl_copy(const struct gpo_acl *src, struct gpo_acl *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->revision = src->revision;
	if (!src->n_aces || !src->aces)
		return 0;
	dst->aces = calloc(src->n_aces, sizeof(*dst->aces));
	if (!dst->aces)
		return -ENOMEM;
	for (uint16_t i = 0; i < src->n_aces; i++) {
		struct gpo_ace *a = &dst->aces[i];

		*a = src->aces[i];
		a->extra = NULL;
		dst->n_aces = (uint16_t)(i + 1);
		if (src->aces[i].extra_len && src->aces[i].extra) {
			a->extra = malloc(a->extra_len);
			if (!a->extra)
				return -ENOMEM;
			memcpy(a->extra, src->aces[i].extra, a->extra_len);
		}
	}
	return 0;
}

int gpo_sd_copy(const struct gpo_sd *src, struct gpo_sd *dst)
{
	int rc;

	*dst = *src;
	memset(&dst->dacl, 0, sizeof(dst->dacl));
	memset(&dst->sacl, 0, sizeof(dst->sacl));
	dst->raw = NULL;
	dst->raw_len = 0;
	rc = acl_copy(&src->dacl, &dst->dacl);
	if (!rc)
		rc = acl_copy(&src->sacl, &dst->sacl);
	if (!rc && src->raw) {
		dst->raw = malloc(src->raw_len);
		if (!dst->raw)
			rc = -ENOMEM;
		else {
			memcpy(dst->raw, src->raw, src->raw_len);
			dst->raw_len = src->raw_len;
		}
	}
	if (rc)
		gpo_sd_free(dst);
	return rc;
}

void gpo_sd_forget_raw(struct gpo_sd *sd)
{
	free(sd->raw);
	sd->raw = NULL;
	sd->raw_len = 0;
}
