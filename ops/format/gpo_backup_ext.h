/* The GroupPolicyExtension part of a GPMC Backup.xml: one element per
 * client-side extension that GPMC's backup template knows and the GPO
 * lists, each naming the SYSVOL files that extension owns, then the
 * "Unknown Extension" element naming every other file and directory.
 * GPMC restores and imports only what these elements give a Location, so
 * they are the backup's table of contents, and the bytes must be GPMC's
 * own for a generated Backup.xml to be byte-identical to a real one. */
#ifndef GPO_BACKUP_EXT_H
#define GPO_BACKUP_EXT_H

#include <stdbool.h>
#include <stddef.h>

/* One file or directory under the GPO's SYSVOL folder. */
struct gpo_sysvol_entry {
	const char *path;   /* relative, '/'-separated, spelled as SYSVOL
			     * spells it: "Machine/registry.pol" */
	bool dir;
};

struct gpo_backup_ext_in {
	const char *gpo_guid;     /* "{...}" as GroupPolicyCoreSettings/ID */
	const char *dc;           /* DNS name of the DC SYSVOL was read on */
	const char *domain;       /* as GroupPolicyCoreSettings/Domain */
	const char *machine_ext;  /* gPCMachineExtensionNames; NULL or ""
				   * or blanks when none */
	const char *user_ext;     /* gPCUserExtensionNames, likewise */
	const struct gpo_sysvol_entry *entries;  /* in any order */
	size_t n_entries;
};

/* Builds the bytes GPMC writes in Backup.xml from just after
 * "</GroupPolicyCoreSettings>" up to, not including,
 * "</GroupPolicyObject>": it starts " \r\n        <GroupPolicyExtension"
 * and ends with the Unknown Extension element. A generator writing
 * GroupPolicyObject with an xmlTextWriter writes these bytes raw after
 * ending GroupPolicyCoreSettings, then ends GroupPolicyObject itself.
 *
 * in->entries lists every file and directory under the GPO folder; a
 * directory that is only implied by a deeper path counts as present.
 * GPT.INI and the Machine and User directories themselves are accepted
 * and never listed, as GPMC never lists them. Names are matched to
 * GPMC's template without regard to ASCII case.
 *
 * Returns 0 and a new NUL-terminated buffer (*data, caller frees; *len
 * excludes the NUL), -EINVAL when in, data, len or a name is NULL or
 * empty, entries is NULL while n_entries is not 0, the GPO GUID is not "{8-4-4-4-12}", the DC or domain name holds a control
 * character, '/' or '\', an extension list is not a sequence of
 * "[{GUID}...]" groups, a path is empty, absolute, has an empty, "." or
 * ".." component, a backslash or a control character, two paths differ
 * only in case (Windows could not hold both), or a file is also used as
 * a directory; -ENOMEM when memory or libxml2 fails. */
int gpo_backup_ext_xml(const struct gpo_backup_ext_in *in, char **data,
		       size_t *len);

#endif
