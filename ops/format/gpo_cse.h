/* A GPO's client-side extension lists (gPCMachineExtensionNames and
 * gPCUserExtensionNames): "[{CSE}{tool}...][{CSE}{tool}...]...", one group
 * per extension that has settings, in ascending order of CSE GUID, each
 * naming the editor tools that wrote them (MS-GPOL 2.2.4). A client runs
 * the extensions listed, so a list must name exactly those whose files
 * are present: a listed extension without its file makes some clients
 * deny the GPO, one not listed is never applied. */
#ifndef GPO_CSE_H
#define GPO_CSE_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_backup_ext.h"

#define GPO_CSE_GUID_LEN 38

struct gpo_cse_group {
	char cse[GPO_CSE_GUID_LEN + 1];
	char (*tools)[GPO_CSE_GUID_LEN + 1];
	size_t n_tools, cap_tools;
};

struct gpo_cse_list {
	struct gpo_cse_group *groups;
	size_t n, cap;
};

/* Parses an extension list. NULL, "" and blanks are the empty list.
 * GUIDs keep their spelling. Returns 0, -EINVAL for anything but
 * "[{GUID}{GUID}...]" groups (a group names at least its CSE), or
 * -ENOMEM. Free with gpo_cse_list_free. */
int gpo_cse_parse(const char *s, struct gpo_cse_list *out);

/* Frees what l owns. */
void gpo_cse_list_free(struct gpo_cse_list *l);

/* Writes l as an attribute value: groups in ascending order of CSE GUID
 * and tools in ascending order within each (compared without regard to
 * case), each GUID once. The empty list is "" (the attribute is then
 * removed, as GPMC does). Returns 0 and a new string (caller frees) or
 * -ENOMEM. */
int gpo_cse_format(const struct gpo_cse_list *l, char **out);

/* s (NULL: none) as gpo_cse_format spells it, or as it is when it does
 * not parse (for comparing lists). Returns a new string (caller frees),
 * or NULL when out of memory. */
char *gpo_cse_canonical(const char *s);

/* The list one half (user or machine) of a GPO should carry after an
 * edit: current's groups for the extensions whose files are still
 * present (with the tools they name), groups added with the usual tool
 * for extensions whose files appeared, and those whose files are gone
 * dropped; extensions gpofs cannot tell by their files (absent from its
 * table) are kept as they are. entries are the GPO folder's files
 * (paths below the GPO folder: "Machine/registry.pol"; any case).
 * Preferences also keep the tools list of the null CSE {0000...}, as the
 * Group Policy editor writes it. Returns 0 and a new string (caller
 * frees) or -EINVAL (current does not parse) or -ENOMEM. */
int gpo_cse_derive(const char *current, bool user,
		   const struct gpo_sysvol_entry *entries, size_t n_entries,
		   char **out);

#endif
