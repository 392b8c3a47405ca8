/* gpreport.xml, the GPMC settings report that every GPMC backup holds
 * (schema http://www.microsoft.com/GroupPolicy/Settings), as GPMC writes
 * it: UTF-16LE with a BOM, CRLF, two-space indentation. The input is
 * already resolved (names of SIDs, SOM paths, versions), so this module
 * needs no LDAP or SMB, and its output depends only on its input: pass the
 * GPO's last change as the read time and the file is byte-stable while the
 * GPO is. Settings are not decoded: each extension is named with an empty
 * <Extension> of the right type. */
#ifndef GPO_REPORT_XML_H
#define GPO_REPORT_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct gpo_report_principal {
	const char *sid;    /* "S-1-5-11" */
	const char *name;   /* "NT AUTHORITY\\Authenticated Users"; NULL when
			     * the SID does not resolve (no <Name> then) */
};

/* One row of GPMC's delegation: the ACEs of one trustee, grouped. */
struct gpo_report_permission {
	struct gpo_report_principal trustee;  /* sid required */
	bool deny;
	bool inherited;
	/* GPMC's <Applicability>, from the ACE's inheritance flags */
	bool to_self;
	bool to_descendant_objects;
	bool to_descendant_containers;
	bool to_direct_descendants_only;
	/* GPMC's grouped right: "Read", "Apply Group Policy", "Edit settings",
	 * "Edit, delete, modify security" or "Custom"; anything else is
	 * refused. */
	const char *access;
	uint32_t access_mask;  /* <AccessMask>: GPMC writes 0 for a grouped
				* right */
};

struct gpo_report_link {
	const char *som_name;  /* "Servers"; NULL gives an empty <SOMName /> */
	const char *som_path;  /* "corp.test/Servers" (required) */
	bool enabled;
	bool no_override;      /* enforced */
};

struct gpo_report_input {
	const char *guid;          /* "{...}" (required, a valid GUID) */
	const char *domain;        /* DNS name (required) */
	const char *display_name;  /* NULL or "" gives an empty <Name /> */
	time_t created;            /* whenCreated */
	time_t modified;           /* whenChanged */
	struct timespec read_time; /* GPMC writes when it read the GPO; pass
				    * the last change for byte-stability */
	/* the directory's security descriptor */
	const char *sddl;                    /* NULL: no <SDDL> */
	struct gpo_report_principal owner;   /* sid NULL: no <Owner> */
	struct gpo_report_principal group;   /* sid NULL: no <Group> */
	bool permissions_present;            /* false: no <Permissions> */
	bool inherits_from_parent;
	const struct gpo_report_permission *perms;
	size_t n_perms;
	/* WMI filter: GPMC names it when one is linked and shows no ID */
	bool filter_data_available;
	const char *wmi_filter_name;         /* NULL: no filter linked */
	/* state and versions */
	unsigned flags;            /* the flags attribute (GPO_FLAG_*) */
	uint32_t version;          /* versionNumber: user << 16 | machine */
	uint32_t sysvol_version;   /* GPT.INI Version, packed the same way */
	/* report extension names per half (see gpo_report_ext_for_cse);
	 * written in GPMC's order whatever the order here, each once */
	const char *const *computer_ext;
	size_t n_computer_ext;
	const char *const *user_ext;
	size_t n_user_ext;
	const struct gpo_report_link *links;  /* none: no <LinksTo> */
	size_t n_links;
};

/* The report extension name ("Registry", "Security", ...) GPMC shows for a
 * client-side extension GUID of gPCMachineExtensionNames or
 * gPCUserExtensionNames ("{35378EAC-...}", any case), or NULL when GPMC
 * shows none for it or it is unknown here. The string is static. */
const char *gpo_report_ext_for_cse(const char *cse_guid);

/* Builds gpreport.xml into a new buffer (caller frees) of *len bytes.
 * Returns 0, -EINVAL for missing required fields, an unknown access or
 * extension name, or a string that is not UTF-8 or holds characters XML
 * cannot carry, or -ENOMEM. */
int gpo_report_xml(const struct gpo_report_input *in, char **data,
		   size_t *len);

#endif
