#include "gpo_sd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_buf.h"

#define SD_HEADER_LEN 20
#define ACL_HEADER_LEN 8
#define ACE_HEADER_LEN 4
#define SID_MIN_LEN 8
/* header, mask, and the smallest SID */
#define ACE_MIN_LEN (ACE_HEADER_LEN + 4 + SID_MIN_LEN)

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- SIDs ---- */

int gpo_sid_parse(const void *buf, size_t len, struct gpo_sid *sid,
		  size_t *used)
{
	const unsigned char *p = buf;
	size_t need;

	if (len < SID_MIN_LEN || p[0] != 1 || p[1] > GPO_SID_MAX_SUB)
		return -EINVAL;
	need = SID_MIN_LEN + 4 * (size_t)p[1];
	if (len < need)
		return -EINVAL;
	memset(sid, 0, sizeof(*sid));
	sid->n_sub = p[1];
	/* the authority is the one big-endian field of a SID */
	for (int i = 2; i < 8; i++)
		sid->authority = sid->authority << 8 | p[i];
	for (int i = 0; i < sid->n_sub; i++)
		sid->sub[i] = le32(p + SID_MIN_LEN + 4 * i);
	if (used)
		*used = need;
	return 0;
}

size_t gpo_sid_size(const struct gpo_sid *sid)
{
	return SID_MIN_LEN + 4 * (size_t)sid->n_sub;
}

static bool sid_possible(const struct gpo_sid *sid)
{
	return sid->n_sub <= GPO_SID_MAX_SUB && sid->authority >> 48 == 0;
}

int gpo_sid_to_binary(const struct gpo_sid *sid, void *out, size_t size)
{
	unsigned char *p = out;
	size_t need;

	if (!sid_possible(sid))
		return -EINVAL;
	need = gpo_sid_size(sid);
	if (size < need)
		return -ERANGE;
	p[0] = 1;
	p[1] = sid->n_sub;
	for (int i = 0; i < 6; i++)
		p[2 + i] = (unsigned char)(sid->authority >> (8 * (5 - i)));
	for (int i = 0; i < sid->n_sub; i++) {
		unsigned char *q = p + SID_MIN_LEN + 4 * i;

		q[0] = (unsigned char)sid->sub[i];
		q[1] = (unsigned char)(sid->sub[i] >> 8);
		q[2] = (unsigned char)(sid->sub[i] >> 16);
		q[3] = (unsigned char)(sid->sub[i] >> 24);
	}
	return (int)need;
}

int gpo_sid_to_string(const struct gpo_sid *sid, char *out, size_t size)
{
	char buf[GPO_SID_STR_MAX];
	size_t n;

	if (!sid_possible(sid))
		return -EINVAL;
	/* Windows switches to hex where the authority stops fitting 32 bits
	 * ("S-1-0x500000000-32-579" in its own SDDL output). */
	if (sid->authority >> 32)
		n = (size_t)snprintf(buf, sizeof(buf), "S-1-0x%" PRIX64,
				     sid->authority);
	else
		n = (size_t)snprintf(buf, sizeof(buf), "S-1-%" PRIu64,
				     sid->authority);
	for (int i = 0; i < sid->n_sub; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "-%" PRIu32,
				      sid->sub[i]);
	if (n >= size)
		return -ERANGE;
	memcpy(out, buf, n + 1);
	return 0;
}

/* One number of a string SID: decimal, or 0x hex as Windows accepts.
 * No sign, no space, at least one digit, at most max. */
static int parse_sid_number(const char **sp, uint64_t max, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;
	int base = 10;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (x > (max - (uint64_t)d) / (uint64_t)base)
			return -EINVAL;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	if (!digits)
		return -EINVAL;
	*sp = s;
	*v = x;
	return 0;
}

int gpo_sid_from_string(const char *s, struct gpo_sid *sid)
{
	struct gpo_sid t = { 0 };
	uint64_t v;

	if (!s || (s[0] != 'S' && s[0] != 's') || strncmp(s + 1, "-1-", 3))
		return -EINVAL;
	s += 4;
	if (parse_sid_number(&s, (UINT64_C(1) << 48) - 1, &t.authority))
		return -EINVAL;
	while (*s == '-') {
		s++;
		if (t.n_sub == GPO_SID_MAX_SUB ||
		    parse_sid_number(&s, UINT32_MAX, &v))
			return -EINVAL;
		t.sub[t.n_sub++] = (uint32_t)v;
	}
	if (*s)
		return -EINVAL;
	*sid = t;
	return 0;
}

bool gpo_sid_equal(const struct gpo_sid *a, const struct gpo_sid *b)
{
	if (a->n_sub != b->n_sub || a->authority != b->authority)
		return false;
	for (int i = 0; i < a->n_sub; i++)
		if (a->sub[i] != b->sub[i])
			return false;
	return true;
}

bool gpo_sid_is_domain_principal(const struct gpo_sid *sid)
{
	return sid->authority == 5 && sid->n_sub >= 5 && sid->sub[0] == 21;
}

/* True when sid is domain plus one RID, which is returned. */
static bool sid_in_domain(const struct gpo_sid *domain,
			  const struct gpo_sid *sid, uint32_t *rid)
{
	if (!domain || sid->n_sub != domain->n_sub + 1 ||
	    sid->authority != domain->authority)
		return false;
	for (int i = 0; i < domain->n_sub; i++)
		if (sid->sub[i] != domain->sub[i])
			return false;
	*rid = sid->sub[domain->n_sub];
	return true;
}

/* ---- parsing ---- */

static int parse_ace(const unsigned char *p, size_t size, struct gpo_ace *ace)
{
	size_t off = ACE_HEADER_LEN + 4;
	size_t used;
	bool object = false;

	memset(ace, 0, sizeof(*ace));
	ace->type = p[0];
	ace->flags = p[1];
	switch (ace->type) {
	case GPO_ACE_ALLOWED_OBJECT:
	case GPO_ACE_DENIED_OBJECT:
	case GPO_ACE_AUDIT_OBJECT:
	case GPO_ACE_ALARM_OBJECT:
	case GPO_ACE_ALLOWED_CALLBACK_OBJECT:
	case GPO_ACE_DENIED_CALLBACK_OBJECT:
	case GPO_ACE_AUDIT_CALLBACK_OBJECT:
	case GPO_ACE_ALARM_CALLBACK_OBJECT:
		object = true;
		break;
	case 0x04:
		/* ACCESS_ALLOWED_COMPOUND_ACE has another layout and
		 * MS-DTYP reserves it; nothing writes it into AD */
		return -EINVAL;
	default:
		if (ace->type > GPO_ACE_SCOPED_POLICY_ID)
			return -EINVAL;
	}
	if (size < ACE_MIN_LEN)
		return -EINVAL;
	ace->mask = le32(p + ACE_HEADER_LEN);
	if (object) {
		if (size < off + 4)
			return -EINVAL;
		ace->object_flags = le32(p + off);
		off += 4;
		if (ace->object_flags & ~(uint32_t)(GPO_ACE_OBJECT_TYPE_PRESENT |
				GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT))
			return -EINVAL;
		if (ace->object_flags & GPO_ACE_OBJECT_TYPE_PRESENT) {
			if (size < off + 16)
				return -EINVAL;
			memcpy(ace->object_type, p + off, 16);
			off += 16;
		}
		if (ace->object_flags & GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT) {
			if (size < off + 16)
				return -EINVAL;
			memcpy(ace->inherited_type, p + off, 16);
			off += 16;
		}
	}
	if (off > size || gpo_sid_parse(p + off, size - off, &ace->sid, &used))
		return -EINVAL;
	ace->extra_len = (uint16_t)(size - off - used);
	/* callback conditions and claims live here: kept, so that writing
	 * the descriptor again does not change what it grants */
	if (ace->extra_len) {
		ace->extra = malloc(ace->extra_len);
		if (!ace->extra)
			return -ENOMEM;
		memcpy(ace->extra, p + off + used, ace->extra_len);
	}
	return 0;
}

static void acl_free(struct gpo_acl *acl)
{
	for (uint16_t i = 0; acl->aces && i < acl->n_aces; i++)
		free(acl->aces[i].extra);
	free(acl->aces);
	memset(acl, 0, sizeof(*acl));
}

/* Reads the ACL at offset off of the descriptor (len bytes). */
static int parse_acl(const unsigned char *sd, size_t len, uint32_t off,
		     struct gpo_acl *acl)
{
	const unsigned char *p;
	size_t acl_size, pos;
	uint16_t count;
	int rc;

	memset(acl, 0, sizeof(*acl));
	/* Windows keeps every part of a descriptor ULONG-aligned and out
	 * of its header; anything else is not one it wrote. */
	if (off < SD_HEADER_LEN || off % 4 || off > len ||
	    len - off < ACL_HEADER_LEN)
		return -EINVAL;
	p = sd + off;
	acl_size = le16(p + 2);
	count = le16(p + 4);
	if (p[0] < 2 || p[0] > 4 || acl_size < ACL_HEADER_LEN ||
	    acl_size % 4 || acl_size > len - off)
		return -EINVAL;
	/* refuse a count the ACL cannot hold before allocating for it */
	if ((size_t)count * ACE_MIN_LEN > acl_size - ACL_HEADER_LEN)
		return -EINVAL;
	acl->revision = p[0];
	if (count) {
		acl->aces = calloc(count, sizeof(*acl->aces));
		if (!acl->aces)
			return -ENOMEM;
	}
	pos = ACL_HEADER_LEN;
	for (uint16_t i = 0; i < count; i++) {
		size_t ace_size;

		if (acl_size - pos < ACE_HEADER_LEN) {
			rc = -EINVAL;
			goto out;
		}
		ace_size = le16(p + pos + 2);
		if (ace_size < ACE_HEADER_LEN || ace_size % 4 ||
		    ace_size > acl_size - pos) {
			rc = -EINVAL;
			goto out;
		}
		rc = parse_ace(p + pos, ace_size, &acl->aces[i]);
		acl->n_aces = (uint16_t)(i + 1);
		if (rc)
			goto out;
		pos += ace_size;
	}
	rc = 0;
out:
	if (rc)
		acl_free(acl);
	return rc;
}

static int parse_sid_at(const unsigned char *sd, size_t len, uint32_t off,
			struct gpo_sid *sid)
{
	if (off < SD_HEADER_LEN || off % 4 || off > len)
		return -EINVAL;
	return gpo_sid_parse(sd + off, len - off, sid, NULL);
}

int gpo_sd_parse(const void *buf, size_t len, struct gpo_sd *sd)
{
	const unsigned char *p = buf;
	uint32_t owner, group, sacl, dacl;
	int rc = -EINVAL;

	memset(sd, 0, sizeof(*sd));
	if (!p || len < SD_HEADER_LEN || p[0] != 1)
		goto out;
	sd->control = le16(p + 2);
	/* An absolute descriptor holds pointers, not offsets: it can only
	 * have come from memory, never from the directory. */
	if (!(sd->control & GPO_SD_SELF_RELATIVE))
		goto out;
	owner = le32(p + 4);
	group = le32(p + 8);
	sacl = le32(p + 12);
	dacl = le32(p + 16);
	if (owner) {
		rc = parse_sid_at(p, len, owner, &sd->owner);
		if (rc)
			goto out;
		sd->has_owner = true;
	}
	if (group) {
		rc = parse_sid_at(p, len, group, &sd->group);
		if (rc)
			goto out;
		sd->has_group = true;
	}
	if ((sd->control & GPO_SD_SACL_PRESENT) && sacl) {
		rc = parse_acl(p, len, sacl, &sd->sacl);
		if (rc)
			goto out;
		sd->has_sacl = true;
	}
	if ((sd->control & GPO_SD_DACL_PRESENT) && dacl) {
		rc = parse_acl(p, len, dacl, &sd->dacl);
		if (rc)
			goto out;
		sd->has_dacl = true;
	}
	sd->raw = malloc(len);
	if (!sd->raw) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(sd->raw, p, len);
	sd->raw_len = len;
	rc = 0;
out:
	if (rc)
		gpo_sd_free(sd);
	return rc;
}

void gpo_sd_free(struct gpo_sd *sd)
{
	acl_free(&sd->dacl);
	acl_free(&sd->sacl);
	free(sd->raw);
	memset(sd, 0, sizeof(*sd));
}

/* ---- SDDL ---- */

struct sid_alias {
	char code[3];
	uint8_t authority;
	uint8_t n_sub;
	uint32_t sub[6];
};

/* The fixed SIDs that SDDL names (MS-DTYP 2.5.1.1, as Windows writes
 * them); the domain-relative ones are in rid_aliases. */
static const struct sid_alias sid_aliases[] = {
	{ "WD", 1, 1, { 0 } },
	{ "CO", 3, 1, { 0 } },
	{ "CG", 3, 1, { 1 } },
	{ "OW", 3, 1, { 4 } },
	{ "NU", 5, 1, { 2 } },
	{ "IU", 5, 1, { 4 } },
	{ "SU", 5, 1, { 6 } },
	{ "AN", 5, 1, { 7 } },
	{ "ED", 5, 1, { 9 } },
	{ "PS", 5, 1, { 10 } },
	{ "AU", 5, 1, { 11 } },
	{ "RC", 5, 1, { 12 } },
	{ "SY", 5, 1, { 18 } },
	{ "LS", 5, 1, { 19 } },
	{ "NS", 5, 1, { 20 } },
	{ "WR", 5, 1, { 33 } },
	{ "BA", 5, 2, { 32, 544 } },
	{ "BU", 5, 2, { 32, 545 } },
	{ "BG", 5, 2, { 32, 546 } },
	{ "PU", 5, 2, { 32, 547 } },
	{ "AO", 5, 2, { 32, 548 } },
	{ "SO", 5, 2, { 32, 549 } },
	{ "PO", 5, 2, { 32, 550 } },
	{ "BO", 5, 2, { 32, 551 } },
	{ "RE", 5, 2, { 32, 552 } },
	{ "RU", 5, 2, { 32, 554 } },
	{ "RD", 5, 2, { 32, 555 } },
	{ "NO", 5, 2, { 32, 556 } },
	{ "MU", 5, 2, { 32, 558 } },
	{ "LU", 5, 2, { 32, 559 } },
	{ "IS", 5, 2, { 32, 568 } },
	{ "CY", 5, 2, { 32, 569 } },
	{ "ER", 5, 2, { 32, 573 } },
	{ "CD", 5, 2, { 32, 574 } },
	{ "RA", 5, 2, { 32, 575 } },
	{ "ES", 5, 2, { 32, 576 } },
	{ "MS", 5, 2, { 32, 577 } },
	{ "HA", 5, 2, { 32, 578 } },
	{ "AA", 5, 2, { 32, 579 } },
	{ "RM", 5, 2, { 32, 580 } },
	{ "UD", 5, 6, { 84, 0, 0, 0, 0, 0 } },
	{ "AC", 15, 2, { 2, 1 } },
	{ "LW", 16, 1, { 4096 } },
	{ "ME", 16, 1, { 8192 } },
	{ "MP", 16, 1, { 8448 } },
	{ "HI", 16, 1, { 12288 } },
	{ "SI", 16, 1, { 16384 } },
	{ "AS", 18, 1, { 1 } },
	{ "SS", 18, 1, { 2 } },
};

enum rid_scope { IN_DOMAIN, IN_FOREST, IN_MACHINE };

static const struct {
	char code[3];
	enum rid_scope scope;
	uint32_t rid;
} rid_aliases[] = {
	{ "RO", IN_FOREST, 498 },
	{ "LA", IN_MACHINE, 500 },
	{ "LG", IN_MACHINE, 501 },
	{ "DA", IN_DOMAIN, 512 },
	{ "DU", IN_DOMAIN, 513 },
	{ "DG", IN_DOMAIN, 514 },
	{ "DC", IN_DOMAIN, 515 },
	{ "DD", IN_DOMAIN, 516 },
	{ "CA", IN_DOMAIN, 517 },
	{ "SA", IN_FOREST, 518 },
	{ "EA", IN_FOREST, 519 },
	{ "PA", IN_DOMAIN, 520 },
	{ "CN", IN_DOMAIN, 522 },
	{ "AP", IN_DOMAIN, 525 },
	{ "KA", IN_DOMAIN, 526 },
	{ "EK", IN_FOREST, 527 },
	{ "RS", IN_DOMAIN, 553 },
};

static const char *sid_alias(const struct gpo_sid *sid,
			     const struct gpo_sddl_scope *scope)
{
	const struct gpo_sid *domains[] = {
		[IN_DOMAIN] = scope ? scope->domain : NULL,
		[IN_FOREST] = scope ? scope->forest : NULL,
		[IN_MACHINE] = scope ? scope->machine : NULL,
	};

	for (size_t i = 0; i < sizeof(sid_aliases) / sizeof(sid_aliases[0]); i++) {
		const struct sid_alias *a = &sid_aliases[i];

		if (sid->authority == a->authority && sid->n_sub == a->n_sub &&
		    !memcmp(sid->sub, a->sub, a->n_sub * sizeof(uint32_t)))
			return a->code;
	}
	for (size_t i = 0; i < sizeof(rid_aliases) / sizeof(rid_aliases[0]); i++) {
		uint32_t rid;

		if (sid_in_domain(domains[rid_aliases[i].scope], sid, &rid) &&
		    rid == rid_aliases[i].rid)
			return rid_aliases[i].code;
	}
	return NULL;
}

static int put_sid(struct gpo_buf *b, const struct gpo_sid *sid,
		   const struct gpo_sddl_scope *scope)
{
	const char *alias = sid_alias(sid, scope);
	char s[GPO_SID_STR_MAX];
	int rc;

	if (alias)
		return gpo_buf_add(b, alias, 2);
	rc = gpo_sid_to_string(sid, s, sizeof(s));
	return rc ? rc : gpo_buf_add(b, s, strlen(s));
}

static int put_mask(struct gpo_buf *b, uint32_t mask, bool label, bool hex)
{
	/* Aliases that stand for a whole mask; Windows prefers them to the
	 * bit names (KA for 0xf003f, not CCDCLCSWRPWPSDRCWDWO). KX is KR's
	 * value, so KR wins as it does on Windows. */
	static const struct { char code[3]; uint32_t mask; } whole[] = {
		{ "FA", 0x1f01ff }, { "FR", 0x120089 }, { "FW", 0x120116 },
		{ "FX", 0x1200a0 }, { "KA", 0xf003f }, { "KR", 0x20019 },
		{ "KW", 0x20006 },
	};
	static const char *const bits[32] = {
		"CC", "DC", "LC", "SW", "RP", "WP", "DT", "LO", "CR",
		[16] = "SD", "RC", "WD", "WO",
		[28] = "GA", "GX", "GW", "GR",
	};
	static const char *const label_bits[32] = { "NW", "NR", "NX" };
	const char *const *names = label ? label_bits : bits;
	int rc = 0;

	if (!mask)
		return 0;
	if (hex)
		return gpo_buf_printf(b, "0x%" PRIx32, mask);
	if (!label)
		for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
			if (mask == whole[i].mask)
				return gpo_buf_add(b, whole[i].code, 2);
	for (int i = 0; i < 32; i++)
		if ((mask >> i & 1) && !names[i])
			return gpo_buf_printf(b, "0x%" PRIx32, mask);
	for (int i = 0; i < 32 && !rc; i++)
		if (mask >> i & 1)
			rc = gpo_buf_add(b, names[i], 2);
	return rc;
}

static int put_guid(struct gpo_buf *b, const unsigned char *g)
{
	return gpo_buf_printf(b,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
		g[10], g[11], g[12], g[13], g[14], g[15]);
}

static const char *ace_type_code(uint8_t type)
{
	/* Callback and resource-attribute ACEs carry conditions or claims
	 * after the SID that would have to be decompiled; they do not
	 * occur on GPOs, so they are refused rather than half-written. */
	switch (type) {
	case GPO_ACE_ALLOWED: return "A";
	case GPO_ACE_DENIED: return "D";
	case GPO_ACE_AUDIT: return "AU";
	case GPO_ACE_ALARM: return "AL";
	case GPO_ACE_ALLOWED_OBJECT: return "OA";
	case GPO_ACE_DENIED_OBJECT: return "OD";
	case GPO_ACE_AUDIT_OBJECT: return "OU";
	case GPO_ACE_ALARM_OBJECT: return "OL";
	case GPO_ACE_MANDATORY_LABEL: return "ML";
	case GPO_ACE_SCOPED_POLICY_ID: return "SP";
	default: return NULL;
	}
}

static bool ace_is_object(uint8_t type)
{
	return type == GPO_ACE_ALLOWED_OBJECT || type == GPO_ACE_DENIED_OBJECT ||
	       type == GPO_ACE_AUDIT_OBJECT || type == GPO_ACE_ALARM_OBJECT;
}

static int put_ace(struct gpo_buf *b, const struct gpo_ace *ace,
		   const struct gpo_sddl_scope *scope, unsigned opts)
{
	static const struct { char code[3]; uint8_t flag; } flags[] = {
		{ "OI", GPO_ACE_OBJECT_INHERIT },
		{ "CI", GPO_ACE_CONTAINER_INHERIT },
		{ "NP", GPO_ACE_NO_PROPAGATE_INHERIT },
		{ "IO", GPO_ACE_INHERIT_ONLY },
		{ "ID", GPO_ACE_INHERITED },
		{ "SA", GPO_ACE_SUCCESSFUL_ACCESS },
		{ "FA", GPO_ACE_FAILED_ACCESS },
	};
	const char *type = ace_type_code(ace->type);
	int rc;

	if (!type || (ace->flags & 0x20))
		return -EOPNOTSUPP;
	rc = gpo_buf_printf(b, "(%s;", type);
	for (size_t i = 0; !rc && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (ace->flags & flags[i].flag)
			rc = gpo_buf_add(b, flags[i].code, 2);
	if (!rc)
		rc = gpo_buf_add(b, ";", 1);
	if (!rc)
		rc = put_mask(b, ace->mask, ace->type == GPO_ACE_MANDATORY_LABEL,
			      opts & GPO_SDDL_HEX_MASKS);
	if (!rc)
		rc = gpo_buf_add(b, ";", 1);
	if (!rc && ace_is_object(ace->type) &&
	    (ace->object_flags & GPO_ACE_OBJECT_TYPE_PRESENT))
		rc = put_guid(b, ace->object_type);
	if (!rc)
		rc = gpo_buf_add(b, ";", 1);
	if (!rc && ace_is_object(ace->type) &&
	    (ace->object_flags & GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT))
		rc = put_guid(b, ace->inherited_type);
	if (!rc)
		rc = gpo_buf_add(b, ";", 1);
	if (!rc)
		rc = put_sid(b, &ace->sid, scope);
	if (!rc)
		rc = gpo_buf_add(b, ")", 1);
	return rc;
}

static int put_acl(struct gpo_buf *b, const char *tag, bool present,
		   const struct gpo_acl *acl, bool protected, bool auto_req,
		   bool auto_inherited, const struct gpo_sddl_scope *scope,
		   unsigned opts)
{
	int rc = gpo_buf_printf(b, "%s:%s%s%s", tag, protected ? "P" : "",
				auto_req ? "AR" : "", auto_inherited ? "AI" : "");

	if (!rc && !present)
		rc = gpo_buf_printf(b, "NO_ACCESS_CONTROL");
	for (uint16_t i = 0; !rc && present && i < acl->n_aces; i++)
		rc = put_ace(b, &acl->aces[i], scope, opts);
	return rc;
}

int gpo_sd_to_sddl(const struct gpo_sd *sd, const struct gpo_sddl_scope *scope,
		   char **out)
{
	return gpo_sd_to_sddl_opts(sd, scope, 0, out);
}

int gpo_sd_to_sddl_opts(const struct gpo_sd *sd,
			const struct gpo_sddl_scope *scope, unsigned opts,
			char **out)
{
	struct gpo_buf b = GPO_BUF_INIT;
	uint16_t c = sd->control;
	int rc = 0;

	*out = NULL;
	if (sd->has_owner) {
		rc = gpo_buf_add(&b, "O:", 2);
		if (!rc)
			rc = put_sid(&b, &sd->owner, scope);
	}
	if (!rc && sd->has_group) {
		rc = gpo_buf_add(&b, "G:", 2);
		if (!rc)
			rc = put_sid(&b, &sd->group, scope);
	}
	if (!rc && (c & GPO_SD_DACL_PRESENT))
		rc = put_acl(&b, "D", sd->has_dacl, &sd->dacl,
			     c & GPO_SD_DACL_PROTECTED,
			     c & GPO_SD_DACL_AUTO_INHERIT_REQ,
			     c & GPO_SD_DACL_AUTO_INHERITED, scope, opts);
	if (!rc && (c & GPO_SD_SACL_PRESENT) && !(opts & GPO_SDDL_NO_SACL))
		rc = put_acl(&b, "S", sd->has_sacl, &sd->sacl,
			     c & GPO_SD_SACL_PROTECTED,
			     c & GPO_SD_SACL_AUTO_INHERIT_REQ,
			     c & GPO_SD_SACL_AUTO_INHERITED, scope, opts);
	/* an empty descriptor is the empty string, not NULL */
	if (!rc)
		rc = gpo_buf_add(&b, "", 0);
	if (rc)
		goto out;
	*out = gpo_buf_steal(&b, NULL);
out:
	gpo_buf_free(&b);
	return rc;
}

int gpo_sd_domain_principals(const struct gpo_sd *sd, struct gpo_sid **sids,
			     size_t *n)
{
	struct gpo_sid *list;
	size_t count = 0;

	*sids = NULL;
	*n = 0;
	if (!sd->has_dacl || !sd->dacl.n_aces)
		return 0;
	list = calloc(sd->dacl.n_aces, sizeof(*list));
	if (!list)
		return -ENOMEM;
	/* at most 4095 ACEs fit an ACL, so the quadratic search is cheap */
	for (size_t i = sd->dacl.n_aces; i-- > 0;) {
		const struct gpo_sid *sid = &sd->dacl.aces[i].sid;
		bool seen = false;

		if (!gpo_sid_is_domain_principal(sid))
			continue;
		for (size_t j = 0; j < count && !seen; j++)
			seen = gpo_sid_equal(&list[j], sid);
		if (!seen)
			list[count++] = *sid;
	}
	if (!count) {
		free(list);
		return 0;
	}
	*sids = list;
	*n = count;
	return 0;
}
