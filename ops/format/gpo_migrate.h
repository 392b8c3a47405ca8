/* The principals (SIDs, account names) and UNC paths inside a GPO's
 * settings files, found and mapped for migration tables: one callback per
 * occurrence, so that the same walk serves a "what would be mapped"
 * report, the generation of a table (a mapper that records and keeps)
 * and the rewrite itself.
 *
 * A rewrite changes only the bytes of what the mapper replaces or drops:
 * the file's encoding (UTF-16LE with or without a BOM, UTF-8 with or
 * without one), its line endings, spacing, quoting and everything else
 * stay as they were. The format layer knows nothing of the table or the
 * directory: the mapper decides.
 *
 * What is offered, and what DROP removes:
 *   GptTmpl.inf  [Privilege Rights] each "*SID" or name of a list (DROP:
 *                the item and one comma; a list emptied is "SeX =");
 *                [Group Membership] the group of a "<group>__Memberof" or
 *                "__Members" key (DROP: the line) and each member; the
 *                SDDL of [Service General Setting], [Registry Keys] and
 *                [File Security]: O: and G: (never dropped) and each ACE's
 *                trustee (DROP: the ACE); SDDL aliases (BA, SY...) are not
 *                offered, nor SIDs inside conditional expressions, nor
 *                [Registry Values] (GPMC maps none of those).
 *   scripts.ini, psscripts.ini  a value that is a UNC path, and each UNC
 *                path in an "NParameters" value.
 *   fdeploy.ini  in a folder's section, a SID key (DROP: the line) and a
 *                UNC value.
 *   fdeploy1.ini [Folder_Redirection] each SID of "{GUID}=SID;SID;"
 *                (DROP: the SID; a line left with none goes), the SID of
 *                each "[{GUID}_SID]" section (DROP: the whole section),
 *                and UNC values (FullPath).
 *   Preferences  an element's sid= with its name= (Member, FilterGroup,
 *                FilterUser...; DROP: that element); groupSid= with
 *                groupName=, userName=, runAs=, accountName=, and a task's
 *                <UserId>/<GroupId> text (DROP: the item, the nearest
 *                element with a clsid=, Properties' parent); any other
 *                attribute value or element text that starts with a UNC
 *                path. An element dropped alone on its line takes the
 *                line. Attributes are rewritten, never added. */
#ifndef GPO_MIGRATE_H
#define GPO_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_err.h"

/* Files larger than this are refused (-EFBIG). */
#define GPO_MIGRATE_MAX (16 * 1024 * 1024)

enum gpo_map_verdict { GPO_MAP_KEEP, GPO_MAP_REPLACE, GPO_MAP_DROP };

/* What the mapper puts in place of a principal on REPLACE: a SID
 * ("S-1-...", no '*') and/or a name, each malloc'd by the mapper and
 * freed by the rewriter (after the callback, whatever its verdict). A
 * place that holds a SID takes sid (a name alone there is refused with
 * -EINVAL), a place that holds a name takes name; NULL keeps what was
 * written there. */
struct gpo_map_principal_out {
	char *sid;
	char *name;
};

/* Where an occurrence is, for reports and for the mapper's error
 * messages. */
struct gpo_map_where {
	const char *relpath;   /* as given to gpo_migrate_file */
	unsigned line;         /* 1-based line of the (decoded) file */
	const char *what;      /* e.g. "[Privilege Rights] SeBackupPrivilege",
				  "SDDL ACE", "Member@sid", "UNC path",
				  "Properties@targetPath", "<Command>" */
	bool can_drop;         /* false where DROP is taken as KEEP (an
				  SDDL owner or group, an XML item at the
				  root) */
};

struct gpo_mapper {
	/* A principal as the setting names it: sid ("S-1-...", no '*',
	 * written canonically: "S" upper case, decimal) and/or name (as
	 * written, maybe "DOMAIN\\user"); at least one is not NULL. Sets *v
	 * (KEEP when it does not); on REPLACE fills *out (zeroed on entry).
	 * Returns 0 or -errno, which aborts the rewrite with that error. */
	int (*principal)(void *ctx, const struct gpo_map_where *w,
			 const char *sid, const char *name,
			 enum gpo_map_verdict *v,
			 struct gpo_map_principal_out *out);
	/* A UNC path ("\\\\server\\share..."), as written. Sets *v; on
	 * REPLACE *out is the new path (malloc'd; freed by the rewriter).
	 * DROP is refused (-EINVAL): a path cannot be dropped. Returns 0 or
	 * -errno, which aborts the rewrite. NULL: no path is looked at. */
	int (*path)(void *ctx, const struct gpo_map_where *w, const char *path,
		    enum gpo_map_verdict *v, char **out);
	void *ctx;
};

/* Whether relpath (a path inside the GPO, '/' or '\\', any case) is a
 * file kind gpo_migrate_file looks into:
 *   .../GptTmpl.inf                     security template
 *   .../scripts.ini, .../psscripts.ini  script paths
 *   .../fdeploy.ini, .../fdeploy1.ini   folder redirection
 *   any *.xml under a "Preferences" folder (Group Policy Preferences)
 * registry.pol and everything else: false. */
bool gpo_migrate_handles(const char *relpath);

/* Rewrites one settings file of len bytes through m, calling m for every
 * principal and UNC path it holds, in file order. *out gets the new
 * bytes (malloc'd, caller frees; *out_len their count) or NULL when
 * nothing changed or relpath is of a kind that holds none (the caller
 * keeps the original). Returns 0; -EINVAL when the file does not parse
 * or the mapper's answer cannot be written (reason in err); -EFBIG past
 * GPO_MIGRATE_MAX; -ENOMEM; or the mapper's error. *out is NULL on
 * failure. err may be NULL. */
int gpo_migrate_file(const char *relpath, const void *data, size_t len,
		     const struct gpo_mapper *m, char **out, size_t *out_len,
		     struct gpo_err *err);

/* True when sid ("S-1-...") is not a domain account or group: anything
 * but S-1-5-21-<three sub-authorities>-<rid> (BUILTIN S-1-5-32-*, LOCAL
 * SYSTEM S-1-5-18, LOCAL/NETWORK SERVICE S-1-5-19/20, Everyone S-1-1-0,
 * Authenticated Users S-1-5-11, CREATOR OWNER S-1-3-*, Enterprise DCs
 * S-1-5-9, Interactive S-1-5-4, NT SERVICE S-1-5-80-*...). Such SIDs mean
 * the same in every domain; the rewriter still offers them to the mapper,
 * which decides. A string that is not a SID is not builtin. */
bool gpo_sid_is_builtin(const char *sid);

#endif
