/* Maps a path under the mount onto what it names. */
#ifndef GPOFS_PATH_H
#define GPOFS_PATH_H

#include <stdbool.h>

#include "gpofs.h"

enum gpofs_kind {
	GPOFS_ROOT,          /* / */
	GPOFS_README,        /* /README */
	GPOFS_DOMAINS,       /* /domains */
	GPOFS_DOMAIN,        /* /domains/D */
	GPOFS_LOG,           /* /domains/D/log */
	GPOFS_CONTROL,       /* /domains/D/import, restore, copy */
	GPOFS_GPOS,          /* /domains/D/gpos */
	GPOFS_GPO,           /* /domains/D/gpos/{G} */
	GPOFS_GENFILE,       /* /domains/D/gpos/{G}/Backup.xml, bkupInfo.xml */
	GPOFS_GPO_TOP,       /* /domains/D/gpos/{G}/<other name>: none but
				what its writer wrote there */
	GPOFS_DOMAINSYSVOL,  /* /domains/D/gpos/{G}/DomainSysvol */
	GPOFS_SYSVOL,        /* .../DomainSysvol/GPO[/...]: SYSVOL content */
	GPOFS_BYNAME,        /* /domains/D/by-name */
	GPOFS_BYNAME_LINK,   /* /domains/D/by-name/<name> */
	GPOFS_LOCAL,         /* /backups[/...], /migtables[/...] but
				/migtables/generated */
	GPOFS_MANIFEST,      /* /backups/manifest.xml, generated */
	GPOFS_STATS,         /* /.stats: what the mount has cost, per domain */
	GPOFS_MIGGEN,        /* /migtables/generated, .../backups, .../D:
				read-only folders of generated tables */
	GPOFS_MIGGEN_FILE,   /* .../generated/backups/{ID}.migtable,
				.../generated/D/{G}.migtable */
};

/* The control files of a domain, in the order they are listed. */
enum gpofs_control { GPOFS_CTL_IMPORT, GPOFS_CTL_RESTORE, GPOFS_CTL_COPY, GPOFS_CTL_MIGTABLE,
		     GPOFS_CTL_COUNT };

struct gpofs_path {
	enum gpofs_kind kind;
	struct gpo_domain *dom;          /* for domain paths */
	size_t dom_i;                    /* its place in fs->domains */
	enum gpofs_control control;      /* CONTROL: which */
	char guid[GPO_GUID_LEN + 1];     /* GPO, GENFILE, DOMAINSYSVOL, SYSVOL,
					    MIGGEN_FILE */
	enum gpo_genfile gen;            /* GENFILE */
	const char *name;                /* BYNAME_LINK: the entry's name;
					    GPO_TOP: the file's */
	char *rel;                       /* SYSVOL: "{G}/Machine/..." (owned);
					    LOCAL: the local path (owned) */
	bool backups;                    /* LOCAL: in the backup store */
	char top[256];                   /* LOCAL: first component below the
					    store ("" for the store itself);
					    MIGGEN_FILE of a backup: its ID */
	bool below_top;                  /* LOCAL: deeper than top */
	bool gen_backups;                /* MIGGEN(_FILE): below
					    generated/backups (the backup ID
					    in top); with dom: below
					    generated/D (the GPO in guid);
					    neither: generated/ itself */
	char *alias;                     /* by-name/<name>/...: the same path
					    under gpos/{G} (owned; name and
					    rel may point into it) */
};

/* Parses path. Returns 0, or -ENOENT for a path that names nothing the
 * mount can hold (existence of GPOs and files is checked by the caller).
 * A path below by-name/<name>/ (through the folder a mkdir made there,
 * see gpofs_byname.h) is parsed as the same path below gpos/{G}/.
 * Free with gpofs_path_free. */
int gpofs_path_parse(struct gpofs *fs, const char *path, struct gpofs_path *p);

/* Frees what p owns. */
void gpofs_path_free(struct gpofs_path *p);

/* The names of the generated files of a GPO folder. */
extern const char *const gpofs_genfile_names[GPO_GEN_COUNT];

#endif
