/* GPMC migration tables (.migtable): reading one from its bytes, the
 * rules by which a copy or an import maps a principal or a UNC path
 * through it, and writing one in GPMC's own format. Pure: bytes in,
 * entries out; nothing here knows a directory or a share (a caller that
 * must turn a destination name into a SID looks it up itself).
 *
 * The file is written by anyone (GPMC, an editor, a script), so it is
 * parsed as hostile input: at most GPO_MIGTABLE_MAX_BYTES and
 * GPO_MIGTABLE_MAX_ENTRIES, no network, no DTD (a DOCTYPE is refused),
 * no entity expanded. GPMC writes UTF-16LE with a BOM; UTF-8 with or
 * without a BOM is read too. Anything but a UTF-16LE BOM means UTF-8,
 * whatever the declaration says (an editor that saved GPMC's file as
 * UTF-8 keeps its encoding="utf-16"); UTF-16 big-endian or without a BOM
 * is refused.
 *
 * The document: a root MigrationTable in the namespace GPO_MIGTABLE_NS
 * holding Mapping elements (none is an empty table), each holding, in
 * any order, one Type (User, Computer, LocalGroup, GlobalGroup,
 * UniversalGroup, UNCPath, Unknown: exact case), one non-empty Source and
 * exactly one destination: Destination (non-empty text),
 * DestinationSameAsSource, DestinationNone or DestinationByRelativeName
 * (the last three empty). A UNCPath Source must start with two '\' or '/'
 * and a server name, and its destination is a Destination or
 * DestinationSameAsSource (GPMC: a path cannot be dropped, and has no
 * relative name). Whitespace around text is trimmed; comments are
 * ignored, and so are attributes on Mapping and its children. Every
 * other element, text outside the values, or an element inside a value,
 * is refused.
 *
 * Names compare case-insensitively: ASCII, and the letters of Latin-1,
 * Latin Extended-A, Greek and Cyrillic; other characters compare
 * exactly. */
#ifndef GPO_MIGTABLE_H
#define GPO_MIGTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_err.h"

#define GPO_MIGTABLE_NS "http://www.microsoft.com/GroupPolicy/GPOOperations/MigrationTable"
#define GPO_MIGTABLE_MAX_BYTES (16 * 1024 * 1024)
#define GPO_MIGTABLE_MAX_ENTRIES 100000

enum gpo_mig_type {
	GPO_MIG_USER,
	GPO_MIG_COMPUTER,
	GPO_MIG_LOCAL_GROUP,
	GPO_MIG_GLOBAL_GROUP,
	GPO_MIG_UNIVERSAL_GROUP,
	GPO_MIG_UNC_PATH,
	GPO_MIG_UNKNOWN,     /* free text or a SID; also "type not known" */
};

enum gpo_mig_dest_kind {
	GPO_MIG_DEST_NAME,      /* Destination: the text */
	GPO_MIG_DEST_SAME,      /* DestinationSameAsSource */
	GPO_MIG_DEST_NONE,      /* DestinationNone: the principal is dropped */
	GPO_MIG_DEST_RELATIVE,  /* DestinationByRelativeName: the same account
				 * name in the destination domain */
};

/* One Mapping of a parsed table (owned by the table). */
struct gpo_mig_entry {
	enum gpo_mig_type type;
	enum gpo_mig_dest_kind dest_kind;
	const char *source;     /* trimmed, non-empty */
	const char *dest;       /* GPO_MIG_DEST_NAME: trimmed, non-empty;
				 * otherwise NULL */
	long line;              /* the line of its <Mapping>, from 1 */
};

/* One Mapping to write. */
struct gpo_mig_entry_in {
	enum gpo_mig_type type;
	enum gpo_mig_dest_kind dest_kind;
	const char *source;
	const char *dest;       /* GPO_MIG_DEST_NAME only */
};

/* A principal as a setting or a backup's Backup.xml <SecurityGroups>
 * knows it; any field may be NULL. */
struct gpo_mig_principal {
	const char *sid;        /* "S-1-…", a leading '*' allowed */
	const char *sam;        /* sAMAccountName */
	const char *netbios;    /* its domain's NetBIOS name */
	const char *dns;        /* its domain's DNS name */
	const char *upn;
	enum gpo_mig_type type; /* GPO_MIG_UNKNOWN when not known. Not used
				 * to match: a sAMAccountName is unique in its
				 * domain across users, computers and groups,
				 * and hand-written tables get types wrong */
};

struct gpo_migtable;

/* The type named s (exact case, as GPMC and Backup.xml write it).
 * Returns the type, or -EINVAL for any other string. */
int gpo_mig_type_parse(const char *s);

/* The name GPMC writes for type t, or NULL for a value outside the
 * enum. */
const char *gpo_mig_type_name(enum gpo_mig_type t);

/* Parses a table of len bytes (not terminated; name, the file's name,
 * only goes into reasons). Returns 0 and a new table in *out (free with
 * gpo_migtable_free), -EINVAL with a reason in err naming the file, the
 * line and what is wrong ("to-prod.migtable line 12: Mapping has both
 * Destination and DestinationNone": the line of the element at fault, or
 * of its Mapping when something is missing), -EFBIG when the table is
 * larger than GPO_MIGTABLE_MAX_BYTES or holds more than
 * GPO_MIGTABLE_MAX_ENTRIES mappings (with a reason), or -ENOMEM. *out is
 * NULL on failure. */
int gpo_migtable_parse(const void *data, size_t len, const char *name,
		       struct gpo_migtable **out, struct gpo_err *err);

/* Frees a table (NULL is fine). */
void gpo_migtable_free(struct gpo_migtable *t);

/* The number of mappings in t. */
size_t gpo_migtable_count(const struct gpo_migtable *t);

/* Mapping i of t in document order (i < gpo_migtable_count), valid as
 * long as t is. */
const struct gpo_mig_entry *gpo_migtable_get(const struct gpo_migtable *t, size_t i);

/* The entry that maps principal p, or NULL when none does. UNCPath
 * entries are never considered; types are not compared. An entry whose
 * Source is a SID (a leading '*' allowed, as GptTmpl.inf writes it)
 * matches p's SID, compared as SIDs; any SID match wins over a name
 * match. Otherwise a Source matches when it equals, ignoring case,
 * p->upn, sam@dns, NETBIOS\sam, dns\sam, or the bare sam (free text as a
 * setting writes a name). Among equal kinds the first in document order
 * wins. */
const struct gpo_mig_entry *gpo_migtable_find_principal(const struct gpo_migtable *t,
							const struct gpo_mig_principal *p);

/* Maps path through t's UNCPath entries. A Source covers itself and
 * every path below it: a prefix ignoring case that ends where the path
 * ends or at a separator ('\' and '/' are both separators, in the Source
 * and in path; a trailing one of the Source is ignored), so \\srv\share
 * covers \\srv\share\x\y.cmd but not \\srv\shares. The longest Source
 * wins, then the first in document order. The result is the Destination
 * (less trailing separators) followed by the rest of path as it is, or
 * path unchanged for DestinationSameAsSource. Returns 1 with the result
 * in *out (caller frees) and the entry in *hit (when hit is not NULL),
 * 0 with *out (and *hit) NULL when no entry covers path, or -ENOMEM. */
int gpo_migtable_map_path(const struct gpo_migtable *t, const char *path, char **out,
			  const struct gpo_mig_entry **hit);

/* The account to look up in the destination domain for principal p,
 * mapped by the (non-UNC) entry e, in a form gpo_mig_split_name reads:
 * - GPO_MIG_DEST_NAME: the Destination as written;
 * - GPO_MIG_DEST_RELATIVE: p's sam (or, without one, the account part of
 *   a Source that is a name) in the destination domain:
 *   target_netbios\sam, else target_dns\sam, else the bare sam;
 * - GPO_MIG_DEST_SAME: the source account itself: netbios\sam, else
 *   dns\sam, else p's UPN, else the Source as written (which may be a
 *   SID; the caller keeps a SID as it is).
 * Returns 1 with the name in *out (caller frees), 0 with *out NULL for
 * GPO_MIG_DEST_NONE (the principal is dropped: nothing to look up),
 * -EINVAL for a relative name with no account name to take (p known by
 * its SID alone, and the Source a SID), or -ENOMEM. */
int gpo_migtable_dest_name(const struct gpo_mig_entry *e, const struct gpo_mig_principal *p,
			   const char *target_netbios, const char *target_dns, char **out);

/* Splits an account name into its domain and account: "name@dns" (at
 * the last '@'), "DOMAIN\name" (at the first '\'; taken before '@': the
 * domain is NETBIOS or DNS, as written) or a bare "name" (*domain NULL).
 * Returns 0 with new strings (caller frees), -EINVAL when the domain or
 * the account is empty, or -ENOMEM (both NULL on failure). */
int gpo_mig_split_name(const char *name, char **domain, char **account);

/* Writes n entries as GPMC writes a table: UTF-16LE with a BOM, the
 * declaration encoding="utf-16", CRLF line ends, two-space indentation,
 * markup escaped, no newline after the last line. Returns 0 with the
 * bytes in *out (caller frees; *len bytes), -EINVAL when an entry would
 * not read back as it is (a type or kind outside the enums, an empty
 * source or NAME destination, whitespace around one, a character XML
 * cannot hold, invalid UTF-8, a UNC source that is not a UNC path, or a
 * UNC entry with DestinationNone or ByRelativeName), or -ENOMEM. */
int gpo_migtable_write(const struct gpo_mig_entry_in *entries, size_t n, char **out,
		       size_t *len);

#endif
