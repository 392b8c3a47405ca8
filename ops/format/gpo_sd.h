/* Windows security descriptors as Active Directory returns them
 * (nTSecurityDescriptor: self-relative, MS-DTYP 2.4.6), the SIDs in them,
 * and their SDDL text as Windows writes it.
 *
 * The bytes come from the directory or from a backup on disk, so they are
 * parsed as hostile input: every offset, count and length is checked
 * against the buffer before it is used, and anything that is not a
 * well-formed descriptor is refused with -EINVAL. Nothing here keeps a
 * pointer into the caller's buffer. */
#ifndef GPO_SD_H
#define GPO_SD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPO_SID_MAX_SUB 15
/* "S-1-" + "0x" and 12 hex digits + 15 x "-4294967295" + NUL */
#define GPO_SID_STR_MAX 184

struct gpo_sid {
	uint8_t n_sub;                 /* 0..GPO_SID_MAX_SUB */
	uint64_t authority;            /* 48 bits; the revision is always 1 */
	uint32_t sub[GPO_SID_MAX_SUB];
};

/* Security descriptor control bits (MS-DTYP 2.4.6) */
#define GPO_SD_OWNER_DEFAULTED        0x0001
#define GPO_SD_GROUP_DEFAULTED        0x0002
#define GPO_SD_DACL_PRESENT           0x0004
#define GPO_SD_DACL_DEFAULTED         0x0008
#define GPO_SD_SACL_PRESENT           0x0010
#define GPO_SD_SACL_DEFAULTED         0x0020
#define GPO_SD_DACL_TRUSTED           0x0040
#define GPO_SD_SERVER_SECURITY        0x0080
#define GPO_SD_DACL_AUTO_INHERIT_REQ  0x0100
#define GPO_SD_SACL_AUTO_INHERIT_REQ  0x0200
#define GPO_SD_DACL_AUTO_INHERITED    0x0400
#define GPO_SD_SACL_AUTO_INHERITED    0x0800
#define GPO_SD_DACL_PROTECTED         0x1000
#define GPO_SD_SACL_PROTECTED         0x2000
#define GPO_SD_RM_CONTROL_VALID       0x4000
#define GPO_SD_SELF_RELATIVE          0x8000

/* ACE types (MS-DTYP 2.4.4.1) that the parser accepts; 0x04 (compound)
 * and anything above 0x13 are refused. */
#define GPO_ACE_ALLOWED                  0x00
#define GPO_ACE_DENIED                   0x01
#define GPO_ACE_AUDIT                    0x02
#define GPO_ACE_ALARM                    0x03
#define GPO_ACE_ALLOWED_OBJECT           0x05
#define GPO_ACE_DENIED_OBJECT            0x06
#define GPO_ACE_AUDIT_OBJECT             0x07
#define GPO_ACE_ALARM_OBJECT             0x08
#define GPO_ACE_ALLOWED_CALLBACK         0x09
#define GPO_ACE_DENIED_CALLBACK          0x0a
#define GPO_ACE_ALLOWED_CALLBACK_OBJECT  0x0b
#define GPO_ACE_DENIED_CALLBACK_OBJECT   0x0c
#define GPO_ACE_AUDIT_CALLBACK           0x0d
#define GPO_ACE_ALARM_CALLBACK           0x0e
#define GPO_ACE_AUDIT_CALLBACK_OBJECT    0x0f
#define GPO_ACE_ALARM_CALLBACK_OBJECT    0x10
#define GPO_ACE_MANDATORY_LABEL          0x11
#define GPO_ACE_RESOURCE_ATTRIBUTE       0x12
#define GPO_ACE_SCOPED_POLICY_ID         0x13

/* ACE flags */
#define GPO_ACE_OBJECT_INHERIT        0x01
#define GPO_ACE_CONTAINER_INHERIT     0x02
#define GPO_ACE_NO_PROPAGATE_INHERIT  0x04
#define GPO_ACE_INHERIT_ONLY          0x08
#define GPO_ACE_INHERITED             0x10
#define GPO_ACE_SUCCESSFUL_ACCESS     0x40
#define GPO_ACE_FAILED_ACCESS         0x80

/* Which GUIDs an object ACE carries */
#define GPO_ACE_OBJECT_TYPE_PRESENT            0x1
#define GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT  0x2

struct gpo_ace {
	uint8_t type;                     /* GPO_ACE_* type */
	uint8_t flags;                    /* GPO_ACE_* flags */
	uint32_t mask;
	uint32_t object_flags;            /* object ACEs: GPO_ACE_*_PRESENT */
	unsigned char object_type[16];    /* as stored (little-endian fields); */
	unsigned char inherited_type[16]; /* zero when absent */
	struct gpo_sid sid;
	uint16_t extra_len;               /* bytes after the SID: callback or
					     resource data, else slack */
	unsigned char *extra;             /* those bytes (owned by the sd that
					     holds the ACE), NULL when none */
};

struct gpo_acl {
	uint8_t revision;                 /* 2..4 */
	uint16_t n_aces;
	struct gpo_ace *aces;
};

/* A NULL DACL (everyone may do everything) is control & DACL_PRESENT
 * with has_dacl false; likewise for the SACL. */
struct gpo_sd {
	uint16_t control;                 /* GPO_SD_* bits as stored */
	bool has_owner, has_group, has_dacl, has_sacl;
	struct gpo_sid owner, group;
	struct gpo_acl dacl, sacl;
	/* The bytes gpo_sd_parse read (owned; NULL for a descriptor built
	 * in memory). gpo_sd_to_binary gives them back while the fields
	 * still say what they say, so that a descriptor passed through
	 * unchanged keeps its layout, padding and slack to the byte. */
	unsigned char *raw;
	size_t raw_len;
};

/* Parses a self-relative descriptor of len bytes. An ACL is read only
 * when its PRESENT bit is set, as Windows does. The ACEs' extra bytes and
 * a copy of the whole input (sd->raw) are kept. Returns 0 (free with
 * gpo_sd_free), -EINVAL for anything malformed (sd is then clear and
 * owns nothing), -ENOMEM. */
int gpo_sd_parse(const void *buf, size_t len, struct gpo_sd *sd);

/* Frees what sd owns and clears it; a cleared sd may be freed again. */
void gpo_sd_free(struct gpo_sd *sd);

/* Writes sd as a self-relative descriptor (MS-DTYP 2.4.6) that
 * gpo_sd_parse reads back as sd: the bytes sd was parsed from when its
 * fields are unchanged since (sd->raw), else laid out anew: the header
 * (revision 1, control with SELF_RELATIVE set), then the parts present
 * back to back in the order of sd->raw's offsets, or, for a descriptor
 * built in memory, in Windows' order (SACL, DACL, owner, group); each
 * ACL sized to its ACEs, each ACE to its fields and extra bytes. A NULL
 * ACL (PRESENT in control, has_* false) gets offset 0. Returns 0 and a
 * new buffer in *out (caller frees) of *len bytes; -EINVAL when sd cannot
 * be written so (an ACL without its PRESENT bit, an ACE type or ACL
 * revision the parser refuses, unknown object flags, extra bytes not a
 * multiple of 4 or missing, an ACE or ACL over 65535 bytes, an impossible
 * SID), -ENOMEM; *out is NULL on failure. */
int gpo_sd_to_binary(const struct gpo_sd *sd, unsigned char **out,
		     size_t *len);

/* True when a and b say the same: control, parts, ACLs and every field
 * of every ACE that gpo_sd_to_binary writes (object GUIDs only where
 * their flag is set and the type has them). raw is not compared. */
bool gpo_sd_equal(const struct gpo_sd *a, const struct gpo_sd *b);

/* True when a and b have the same DACL as a DC keeps it when given
 * either: the same ACEs that were not inherited, in order, and the same
 * PRESENT and PROTECTED bits (the inherited ACEs it derives again from
 * the parent, whatever is written). */
bool gpo_sd_same_explicit_dacl(const struct gpo_sd *a, const struct gpo_sd *b);

/* Makes dst a deep copy of src (raw and extra bytes included). Returns 0
 * (free dst with gpo_sd_free) or -ENOMEM (dst then clear). */
int gpo_sd_copy(const struct gpo_sd *src, struct gpo_sd *dst);

/* Forgets the bytes sd was parsed from, so that gpo_sd_to_binary lays it
 * out anew (Windows' order). */
void gpo_sd_forget_raw(struct gpo_sd *sd);

/* Parses one binary SID at the start of buf (len bytes; trailing bytes
 * are allowed) and stores its size in *used when used is not NULL.
 * Returns 0 or -EINVAL (revision not 1, more than 15 sub-authorities,
 * or truncated). */
int gpo_sid_parse(const void *buf, size_t len, struct gpo_sid *sid,
		  size_t *used);

/* The binary size of sid: 8 + 4 per sub-authority. */
size_t gpo_sid_size(const struct gpo_sid *sid);

/* Writes sid in binary into out (size bytes). Returns the number of bytes
 * written, -ERANGE when out is too small, -EINVAL for an impossible sid. */
int gpo_sid_to_binary(const struct gpo_sid *sid, void *out, size_t size);

/* Formats sid as "S-1-5-21-..." into out (size bytes; GPO_SID_STR_MAX is
 * always enough). An authority of 2^32 or more is written as Windows
 * writes it, "0x" and upper-case hex. Returns 0, -ERANGE when out is too
 * small, -EINVAL for an impossible sid. */
int gpo_sid_to_string(const struct gpo_sid *sid, char *out, size_t size);

/* Parses "S-1-<authority>[-<sub>]..." (the "S" in either case). Numbers
 * are decimal or, as Windows accepts, "0x" hex; no signs, spaces or empty
 * parts. Returns 0 or -EINVAL. */
int gpo_sid_from_string(const char *s, struct gpo_sid *sid);

/* True when a and b are the same SID. */
bool gpo_sid_equal(const struct gpo_sid *a, const struct gpo_sid *b);

/* True when sid is a domain account or group: S-1-5-21 followed by a
 * three-part domain identifier and a RID (or more). Well-known SIDs such
 * as Authenticated Users (S-1-5-11) or BUILTIN\Administrators
 * (S-1-5-32-544) are not. */
bool gpo_sid_is_domain_principal(const struct gpo_sid *sid);

/* The domains against which SDDL's relative aliases are written. A NULL
 * member turns its aliases off (the SID is written in full).
 *   domain:  DA DU DG DC DD CA PA CN AP KA RS (-512 -513 -514 -515 -516
 *            -517 -520 -522 -525 -526 -553)
 *   forest:  EA SA RO EK (-519 -518 -498 -527), the forest root domain
 *   machine: LA LG (-500 -501), the account domain of the machine that
 *            writes; on a domain controller that is its domain
 * GPMC's gpreport.xml writes Enterprise Admins as a full SID even in the
 * forest root domain (all 14 fixture reports), so a report passes the
 * GPO's domain as domain and NULL for forest and machine. */
struct gpo_sddl_scope {
	const struct gpo_sid *domain;
	const struct gpo_sid *forest;
	const struct gpo_sid *machine;
};

/* Writes sd as SDDL, as ConvertSecurityDescriptorToStringSecurityDescriptor
 * writes it: "O:" "G:" "D:" "S:" for the parts present; ACL flags
 * P AR AI; ACE types A D AU AL OA OD OU OL ML SP; ACE flags
 * OI CI NP IO ID SA FA; object GUIDs lower case without braces; an access
 * mask as the one alias it equals (FA FR FW FX KA KR KW), else the names
 * of its bits in bit order (CC DC LC SW RP WP DT LO CR SD RC WD WO GA GX
 * GW GR; NW NR NX in a mandatory label), else "0x%x"; a mask of 0 as
 * nothing; a NULL DACL as "D:NO_ACCESS_CONTROL" (after any flags). scope
 * may be NULL: no relative aliases. Returns 0 and a new string in *out
 * (caller frees; "" for a descriptor with no parts), -EOPNOTSUPP when an
 * ACE has no SDDL form here (callback and resource-attribute ACEs, whose
 * conditions or claims are not decompiled; types 0x0c 0x0e 0x0f 0x10;
 * ACE flag 0x20), -EINVAL for an impossible sd, -ENOMEM; *out is NULL on
 * failure. */
int gpo_sd_to_sddl(const struct gpo_sd *sd, const struct gpo_sddl_scope *scope,
		   char **out);

/* gpo_sd_to_sddl's options. */
/* Every non-zero access mask as "0x%x": Samba 4.17 reads some aliases
 * as other masks (FA as 0x1ff), so SDDL meant for Samba's tools names
 * no mask by alias. */
#define GPO_SDDL_HEX_MASKS 0x1
/* No "S:" part, whatever the control says. */
#define GPO_SDDL_NO_SACL   0x2

/* gpo_sd_to_sddl with options (GPO_SDDL_*); the same returns. */
int gpo_sd_to_sddl_opts(const struct gpo_sd *sd,
			const struct gpo_sddl_scope *scope, unsigned opts,
			char **out);

/* The domain principals (gpo_sid_is_domain_principal) that the DACL's
 * ACEs name, each once, in the order GPMC lists them in Backup.xml's
 * SecurityGroups (bkp:Source="FromDACL"): from the last ACE to the first.
 * Every real backup we have (the default GPO DACL: ...-512 twice, then
 * ...-519) lists -519 before -512, so it is not ACE order; reverse ACE
 * order reproduces them, and is a guess for other DACLs. Returns 0 with
 * a new array in *sids (caller frees; NULL when *n is 0) and its length
 * in *n, or -ENOMEM. No DACL (or a NULL one) gives none. */
int gpo_sd_domain_principals(const struct gpo_sd *sd, struct gpo_sid **sids,
			     size_t *n);

#endif
