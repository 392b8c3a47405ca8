/* The generated files of a GPO folder, as GPMC writes them in a backup:
 * Backup.xml (UTF-8, CRLF) and bkupInfo.xml (no XML declaration). Output
 * depends only on its inputs, so it is byte-stable while the GPO is. */
#ifndef GPO_BACKUP_XML_H
#define GPO_BACKUP_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gpo_model.h"

struct gpo_domain_info {
	const char *dns;          /* corp.example */
	const char *netbios;      /* CORP, or NULL */
	const char *guid;         /* objectGUID of the domain, "{...}" lower */
	const char *dc;           /* the DC's DNS name */
};

/* A principal named in a backup's SecurityGroups: from the GPO's DACL, or
 * from its settings (GPMC writes those first, without bkp:Source, and
 * leaves a name it was given as a name unresolved: Type Unknown, no SID). */
struct gpo_principal {
	bool from_dacl;
	const char *sid;          /* S-1-5-21-..., or NULL */
	const char *sam;          /* sAMAccountName */
	const char *type;         /* User, Computer, GlobalGroup, LocalGroup,
				     UniversalGroup, Unknown */
	const char *netbios;      /* its domain's NetBIOS name */
	const char *dns;          /* its domain's DNS name */
	const char *upn;          /* as GPMC writes it: sam@DNS */
};

/* What Backup.xml holds beyond the directory object. */
struct gpo_backup_extras {
	const struct gpo_principal *groups;  /* settings' first, then DACL's */
	size_t n_groups;
	const char *extensions;   /* gpo_backup_ext_xml's fragment, or NULL */
	const char *const *file_paths;  /* UNC paths the settings name */
	size_t n_file_paths;
};

/* The backup ID: a name-based (SHA-1) UUID of the GPO GUID and both its
 * versions, "{...}" upper case, in out (GPO_GUID_LEN + 1 bytes). */
void gpo_backup_id(const struct gpo *g, uint32_t sysvol_version, char *out);

/* Builds Backup.xml. sysvol_version is GPT.INI's Version; x may be NULL
 * (no principals, no extension entries). Returns 0 and a new buffer
 * (caller frees) or -errno. */
int gpo_backup_xml(const struct gpo_domain_info *di, const struct gpo *g,
		   uint32_t sysvol_version, const struct gpo_backup_extras *x,
		   char **data, size_t *len);

/* Builds bkupInfo.xml. Returns 0 and a new buffer (caller frees) or
 * -errno. */
int gpo_bkupinfo_xml(const struct gpo_domain_info *di, const struct gpo *g,
		     uint32_t sysvol_version, char **data, size_t *len);

#endif
