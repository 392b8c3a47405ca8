/* The GPO as the directory and SYSVOL describe it, and the small formats
 * its attributes use. */
#ifndef GPO_MODEL_H
#define GPO_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define GPO_GUID_LEN 38 /* "{8-4-4-4-12}" */

/* flags attribute bits (MS-GPOL 2.2.4) */
#define GPO_FLAG_USER_DISABLED 0x1
#define GPO_FLAG_MACHINE_DISABLED 0x2

struct gpo {
	char guid[GPO_GUID_LEN + 1];  /* upper case, with braces */
	char *dn;
	char *display_name;           /* "" when unset */
	unsigned flags;
	uint32_t version;             /* versionNumber: user << 16 | machine */
	char *machine_ext;            /* gPCMachineExtensionNames, "" if none */
	char *user_ext;
	char *wmi_filter;             /* gPCWQLFilter, NULL if none */
	char *wmi_filter_name;        /* msWMI-Name of that filter, or NULL */
	unsigned char *sd;            /* self-relative, DACL only */
	size_t sd_len;
	time_t created;
	time_t changed;               /* whenChanged */
};

/* Frees what g owns (not g itself). */
void gpo_clear(struct gpo *g);

/* Copies src into dst (deep). Returns 0 or -ENOMEM (dst is then clear). */
int gpo_copy(struct gpo *dst, const struct gpo *src);

/* True when s is a GUID in braces, "{8-4-4-4-12}" hex. */
bool gpo_guid_valid(const char *s);

/* Parses LDAP GeneralizedTime ("20240131235959.0Z"). Returns 0 or
 * -EINVAL. */
int gpo_parse_gentime(const char *s, time_t *t);

/* The user and machine halves of a packed version. */
static inline unsigned gpo_version_user(uint32_t v) { return v >> 16; }
static inline unsigned gpo_version_machine(uint32_t v) { return v & 0xffff; }

/* v with the user half bumped when user is set and the machine half when
 * machine is set: each goes up by one, and a half that would wrap to 0
 * becomes 1 (MS-GPOL: 0 means never changed, and clients skip a GPO
 * whose version they have seen). */
uint32_t gpo_version_bump(uint32_t v, bool user, bool machine);

/* A version whose each half is above both a's and b's (by one, wrapping
 * to 1), so that clients that saw either apply it again: what a restore
 * writes. */
uint32_t gpo_version_above(uint32_t a, uint32_t b);

/* Reads Version= from the [General] section of a GPT.INI text. Returns 0,
 * -ENOENT when there is none, -EINVAL when it is not a 32-bit number. */
int gpo_gptini_version(const char *text, size_t len, uint32_t *version);

/* Extracts the filter GUID from a gPCWQLFilter value "[domain;{GUID};0]"
 * into guid (GPO_GUID_LEN + 1 bytes). Returns 0 or -EINVAL. */
int gpo_wmi_filter_guid(const char *link, char *guid);

/* Writes bytes as space-separated lowercase hex pairs, as GPMC writes a
 * security descriptor, into a new string (caller frees). NULL when out of
 * memory. */
char *gpo_hex_bytes(const unsigned char *p, size_t len);

/* Formats the objectGUID binary (16 bytes, little-endian fields) as
 * "{xxxxxxxx-...}" lower case. Returns 0 or -EINVAL for a wrong length. */
int gpo_guid_from_binary(const unsigned char *p, size_t len, char *out);

#endif
