/* Reading a GPMC backup's own files from their bytes: bkupInfo.xml (which
 * backup of which GPO) and Backup.xml (where the backup's SYSVOL files
 * lie). Anyone may copy a folder into the store, so the bytes are parsed
 * as hostile input: no network, no DTD loaded, no entity expanded, every
 * Location checked before a caller turns it into a path. Nothing here
 * touches the file system; gpo_backup_check (gpo_store.h) reads the files
 * and calls these. */
#ifndef GPO_BACKUP_READ_H
#define GPO_BACKUP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpo_model.h"

#define GPO_BKUPINFO_MAX (64 * 1024)
#define GPO_BACKUP_XML_MAX (16 * 1024 * 1024)

struct gpo_backup_info {
	char id[GPO_GUID_LEN + 1];          /* upper case */
	char gpo_guid[GPO_GUID_LEN + 1];    /* upper case */
	char *domain;          /* GPODomain, or NULL */
	char *display_name;    /* GPODisplayName, or NULL */
};

/* Reads bkupInfo.xml (len bytes, at most GPO_BKUPINFO_MAX): a BackupInst
 * naming a backup ID and a GPO GUID. Returns 0 and fills info (free with
 * gpo_backup_info_free), -EINVAL with the reason in why (info then owns
 * nothing), or -ENOMEM. */
int gpo_bkupinfo_read(const char *data, size_t len,
		      struct gpo_backup_info *info, char *why, size_t whylen);

/* Frees what info owns and clears it. */
void gpo_backup_info_free(struct gpo_backup_info *info);

/* Reads Backup.xml (len bytes, at most GPO_BACKUP_XML_MAX): a
 * GroupPolicyBackupScheme in GPMC's namespace. Every bkp:Location in it,
 * in document order, must be a relative path under DomainSysvol\ with no
 * empty, "." or ".." component, shorter than 4096 bytes. Returns 0 and a
 * new array of the Locations with '/' for '\' (free with
 * gpo_backup_locations_free; NULL when *n is 0), -EINVAL with the reason
 * in why, or -ENOMEM. */
int gpo_backup_xml_locations(const char *data, size_t len, char ***locs,
			     size_t *n, char *why, size_t whylen);

/* Frees an array from gpo_backup_xml_locations. */
void gpo_backup_locations_free(char **locs, size_t n);

/* One file or folder of a backup's GPO folder. */
struct gpo_backup_entry {
	char *path;      /* below DomainSysvol/GPO/, '/'-separated */
	bool dir;        /* an FSObjectDir */
};

/* A principal a backup names (Backup.xml SecurityGroups/Group): how a
 * SID in its settings is known by name, for a migration table. Any field
 * may be NULL but sid or sam. */
struct gpo_backup_group {
	char *sid, *sam, *type, *netbios, *dns, *upn;
	bool from_dacl;          /* bkp:Source="FromDACL" */
};

/* What a backup's Backup.xml says of its GPO (GroupPolicyCoreSettings)
 * and which files and folders of its GPO folder it holds (every
 * bkp:Location under DomainSysvol\GPO\, checked as
 * gpo_backup_xml_locations checks them). */
struct gpo_backup {
	char *id;               /* the GPO's GUID, as written */
	char *domain;
	char *display_name;
	unsigned options;       /* flags: user (1), machine (2) disabled */
	uint32_t user_version, machine_version;  /* directory << 16 | SYSVOL */
	char *machine_ext, *user_ext;  /* extension lists, "" for none */
	char *wmi_filter;       /* gPCWQLFilter, or NULL */
	unsigned char *sd;      /* the DACL-only security descriptor, or NULL */
	size_t sd_len;
	struct gpo_backup_entry *entries;
	size_t n_entries, cap_entries;
	struct gpo_backup_group *groups;  /* SecurityGroups, in order */
	size_t n_groups, cap_groups;
};

/* Reads Backup.xml (len bytes, at most GPO_BACKUP_XML_MAX). Returns 0
 * and fills b (free with gpo_backup_free), -EINVAL with the reason in
 * why (not a backup, a Location outside DomainSysvol\GPO\ or not a
 * plain path, a version or the security descriptor that does not parse),
 * or -ENOMEM. */
int gpo_backup_read(const char *data, size_t len, struct gpo_backup *b,
		    char *why, size_t whylen);

/* Frees what b owns and clears it. */
void gpo_backup_free(struct gpo_backup *b);

#endif
