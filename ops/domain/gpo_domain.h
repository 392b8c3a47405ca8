/* One mounted domain: its connections, its GPOs and its journal.
 *
 * The GPO list is an immutable, reference-counted snapshot taken by one
 * paged LDAP search and refreshed when older than the domain's ttl; a
 * reader holds a snapshot for the length of one operation and never sees
 * it change. Thread-safe. */
#ifndef GPO_DOMAIN_H
#define GPO_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "gpo_cache.h"
#include "gpo_conf.h"
#include "gpo_err.h"
#include "gpo_journal.h"
#include "gpo_links.h"
#include "gpo_log.h"
#include "gpo_model.h"
#include "gpo_sd.h"
#include "gpo_smb.h"
#include "gpo_view.h"

struct gpo_domain;     /* opaque: gpo_domain_internal.h */
struct gpo_snapshot;   /* opaque: an immutable list of the domain's GPOs */

/* How a domain reads SYSVOL: over `workers` SMB worker processes started
 * from exe (the gpofs binary) with their private files under tmpdir; 0
 * workers reads in process only. And where its journal is. */
struct gpo_domain_io {
	size_t workers;
	const char *exe;
	const char *tmpdir;
	struct gpo_cache *cache;  /* the mount's bound on large files */
	const char *log_dir;    /* where the journal file is kept */
};

/* Opens the journal (<io->log_dir>/<domain>.log), finds the DC
 * (conf->server or DNS SRV), signs in over LDAP and SMB and reads the
 * domain's identity. Writes nothing to the journal. Returns 0 and a new
 * domain in *d (free with gpo_domain_close, which also takes what a
 * failed open left: *d is set either way, NULL only when out of memory),
 * or -errno with one line for the user in msg. */
int gpo_domain_open(struct gpo_domain **d, const struct gpo_log *lg,
		    struct gpo_smb_lib *smb_lib,
		    const struct gpo_domain_conf *conf, const char *cache_dir,
		    const struct gpo_domain_io *io, char *msg, size_t msglen);

/* Starts d's SMB workers in the background (see gpo_capture_pool_start)
 * and the thread that looks for a lost DC. */
void gpo_domain_start(struct gpo_domain *d);

/* Closes the connections and frees d. NULL is a no-op. */
void gpo_domain_close(struct gpo_domain *d);

/* The domain's DNS name (lower case), and its DC's. */
const char *gpo_domain_name(const struct gpo_domain *d);

/* The domain's NetBIOS name (NULL before it was first reached). */
const char *gpo_domain_netbios(const struct gpo_domain *d);

/* The account of d whose sAMAccountName is account (any case; a
 * computer's also without its '$'): its SID into sid ("S-1-...") and its
 * sAMAccountName as the directory spells it into *sam (caller frees).
 * Returns 0, -ENOENT (no such account), -EINVAL (more than one), or an
 * LDAP failure; the reason in err. */
int gpo_domain_find_account(struct gpo_domain *d, const char *account,
			    char sid[GPO_SID_STR_MAX], char **sam, struct gpo_err *err);
const char *gpo_domain_dc(const struct gpo_domain *d);

/* The domain's log (owned by d). */
struct gpo_journal *gpo_domain_journal(struct gpo_domain *d);

/* Returns a reference to a snapshot no older than the ttl (refreshing it
 * first if needed) in *snap; release it with gpo_snapshot_put. While the
 * DC is away (or found so now) the last snapshot, without trying the DC.
 * Returns 0, or -EIO when the directory cannot be read and there is no
 * snapshot to fall back on (or it refused). */
int gpo_domain_snapshot(struct gpo_domain *d, struct gpo_snapshot **snap);

/* Drops a reference taken by gpo_domain_snapshot. */
void gpo_snapshot_put(struct gpo_snapshot *snap);

/* Finds a GPO by GUID (any case) in a snapshot. Returns it or NULL. */
const struct gpo *gpo_snapshot_find(const struct gpo_snapshot *snap,
				    const char *guid);

/* How many GPOs the snapshot holds, and the i-th in order of GUID. */
size_t gpo_snapshot_count(const struct gpo_snapshot *snap);
const struct gpo *gpo_snapshot_at(const struct gpo_snapshot *snap, size_t i);

/* The latest whenChanged of the snapshot's GPOs (0 for none). */
time_t gpo_snapshot_newest_change(const struct gpo_snapshot *snap);

/* The i-th by-name entry (in order of name; count as above): a display
 * name made a file name (gpo_name.h). */
const char *gpo_snapshot_name_at(const struct gpo_snapshot *snap, size_t i);

/* The GPO a by-name entry names, or NULL. */
const struct gpo *gpo_snapshot_find_name(const struct gpo_snapshot *snap,
					 const char *name);

/* Returns the view of GPO g (from a snapshot) to serve process pid from,
 * with a reference the caller drops with gpo_view_put. A process that
 * used a view of g in the last two seconds gets that view again, so that
 * one copy sees one version throughout; otherwise it gets the current
 * view, captured anew when the GPO changed (directory object or
 * GPT.INI). While the DC is away (or found so now): the last capture of
 * g, without trying the DC (the journal says once from when), or -EIO
 * when there is none. Returns 0 or -errno. */
int gpo_domain_view(struct gpo_domain *d, const struct gpo *g, pid_t pid,
		    struct gpo_view **view);

/* gpo_domain_view for one operation on g (a transaction's base, the source
 * of a copy), which is no reader's walk of the GPOs: it neither counts as
 * one nor starts fetching the GPOs after g. */
int gpo_domain_view_once(struct gpo_domain *d, const struct gpo *g, pid_t pid,
			 struct gpo_view **view);

/* gpo_domain_view_once of the GPO as it is now, whatever view a process
 * was given before (the source of a copy). */
static inline int gpo_domain_view_current(struct gpo_domain *d, const struct gpo *g,
					  struct gpo_view **view)
{
	return gpo_domain_view_once(d, g, 0, view);
}

/* gpo_domain_view_current for a copy whose large files the DC copies
 * itself: when no view of g is at hand or being captured, one captured
 * for this caller alone, in which the files of unread_from bytes or more
 * (settings files aside: gpo_migrate_handles) are listed and not read
 * (gpo_view_read of one fails with -ENODATA), and of the generated files
 * gpreport.xml is not made. It is never served to readers. Returns 0 or
 * -errno, as gpo_domain_view. */
int gpo_domain_view_listed(struct gpo_domain *d, const struct gpo *g, uint64_t unread_from,
			   struct gpo_view **view);

/* Lets go of the views of GPO guid pinned for session sid's processes
 * (and for sid itself): after the session's own changes were committed,
 * or before they begin, it must see the GPO as it is now, not as it was
 * two seconds ago. Other readers keep theirs. */
void gpo_domain_unpin_session(struct gpo_domain *d, pid_t sid, const char *guid);

/* Builds gpreport.xml for view v: identity, times, versions, enabled
 * halves, the DACL as SDDL, WMI filter, links (one LDAP search) and the
 * extension list. Returns 0 and a new buffer (caller frees) or -errno. */
int gpo_domain_report(struct gpo_domain *d, const struct gpo_view *v,
		      char **data, size_t *len);

/* Copies the links to GPO guid (from a cache of every gPLink of the
 * domain, read again when older than the ttl) into a new array (free with
 * gpo_links_clear). Returns 0 or -errno. */
int gpo_domain_links(struct gpo_domain *d, const char *guid,
		     struct gpo_links *out);

/* Writes the domain's counters (LDAP searches, SMB requests, captures)
 * as "name value" lines into a new string (caller frees). Returns 0 or
 * -ENOMEM. */
int gpo_domain_stats(struct gpo_domain *d, char **text, size_t *len);

/* Longest display name, in UTF-16 units: displayName's rangeUpper. */
#define GPO_DISPLAY_NAME_MAX 256

/* Creates an empty GPO named display_name, as GPMC and samba-tool do,
 * under a new GUID (upper case, written into guid_out): the directory
 * object CN={GUID},CN=Policies,CN=System,<domain> (displayName,
 * gPCFileSysPath, versionNumber 0, gPCFunctionalityVersion 2, flags 0)
 * with its CN=User and CN=Machine containers; the security descriptor
 * the DC gives it (the schema's default); the SYSVOL folder {GUID} with
 * the ACL derived from that descriptor as Samba derives it (gpo_fsacl.h,
 * set by gpo_acl_set), then Machine/, User/ and GPT.INI (Version=0).
 * All or nothing: on failure what was made is removed again. The GPO
 * list is read again before it returns, so the new GPO is listed at
 * once. The domain's log gets one line: the GPO created, or why not and
 * whether what was made was removed (so callers need not log it again).
 * Blocks for the DC's round trips (and the ACL helper, gpo_acl.h).
 * Returns 0, or -errno with its reason in err: -EEXIST when a GPO of
 * that name exists (names compared as the directory compares them:
 * without regard to case), -EINVAL for an empty name or one that is not
 * UTF-8, -ENAMETOOLONG past GPO_DISPLAY_NAME_MAX, -EACCES when the DC
 * refuses (the account may not create GPOs), -EIO when the DC failed,
 * -EOPNOTSUPP when the ACL cannot be set here (gpo_acl.h), -ENOMEM.
 * For tests only: GPOFS_TEST_CREATE_HOLD=FILE (read here) holds a
 * creation once its directory object is made, while FILE exists,
 * logging the GUID, so that a test can make the later steps fail. */
int gpo_domain_create(struct gpo_domain *d, const char *display_name,
		      char guid_out[GPO_GUID_LEN + 1], struct gpo_err *err);

/* A new GPO GUID, in capitals and braces (libuuid). */
void gpo_domain_new_guid(char guid[GPO_GUID_LEN + 1]);

/* The same under a given GUID (any case; restore brings a deleted GPO
 * back under its own). Also -EEXIST when the directory object or the
 * SYSVOL folder of that GUID exists (neither is touched then), -EINVAL
 * for a GUID that is not one. */
int gpo_domain_create_guid(struct gpo_domain *d, const char *display_name,
			   const char *guid, struct gpo_err *err);

/* What a GPO made for one request (an import into a new GPO, the restore
 * of a deleted one) holds from the start, beyond an empty GPO's: the
 * versions and lists its first commit gives it, so that commit need not
 * write the directory again (gpo_txn_set_born). Until that commit lands
 * the GPO claims settings its folder does not hold yet: it is unlinked,
 * and the request deletes it when it fails (gpo_made.h). */
struct gpo_born {
	uint32_t version;              /* versionNumber, and GPT.INI's Version
					  once that commit writes it (the
					  folder is made bare: no GPT.INI,
					  Machine/ or User/ before it) */
	const char *machine_ext;       /* the extension lists; NULL or "": none */
	const char *user_ext;
	unsigned flags;                /* the status */
};

/* gpo_domain_create_guid, the GPO made with born's versions, lists and
 * status (born NULL: as an empty GPO, version 0). With born, the GPO's
 * containers may still be being added on return: the caller then calls
 * gpo_domain_create_settle before it reports success. On failure *left (may
 * be NULL) says whether something of the GPO may still be in the domain:
 * what the creation made could not all be removed again, or the DC's
 * answer to the directory add was lost. */
int gpo_domain_create_born(struct gpo_domain *d, const char *display_name,
			   const char *guid, const struct gpo_born *born, bool *left,
			   struct gpo_err *err);

/* Waits for what gpo_domain_create_born left under way for a GPO born for
 * a request (born not NULL): its User and Machine containers' adds, which
 * run beside the request's staging and SYSVOL writes. The request calls
 * it before it says it is done (gpo_domain_delete waits for them too).
 * Any thread.
 * Returns 0 (also when nothing is under way for guid), or the adds'
 * -errno with its reason in err (unless err is NULL or already holds a
 * failure): the GPO is then not whole, and the request fails. */
int gpo_domain_create_settle(struct gpo_domain *d, const char *guid, struct gpo_err *err);

/* gpo_domain_create_settle for every GPO still under way (at close). */
void gpo_domain_create_settle_all(struct gpo_domain *d);

/* Gets the helper that sets SYSVOL folder ACLs ready (gpo_acl_warm)
 * for a gpo_domain_set_folder_acl soon after. */
void gpo_domain_acl_warm(struct gpo_domain *d);

/* Sets the ACL of GPO guid's SYSVOL folder to what Samba derives from its
 * directory security descriptor (owner, group and DACL as the DC gives
 * them now; gpo_fsacl.h), as samba-tool does: what a restore or a copy
 * does after writing the DACL, and what makes `samba-tool gpo aclcheck`
 * agree. Only the folder's own ACL is set: what is in it keeps the ACEs
 * it inherited. Returns 0, or -errno with its reason in err (-ENOENT: no
 * such object or folder; -EACCES, -EIO, -EOPNOTSUPP as gpo_acl_set). */
int gpo_domain_set_folder_acl(struct gpo_domain *d, const char *guid,
			      struct gpo_err *err);

/* Deletes GPO guid: its directory object with everything under it (one
 * LDAP delete with the tree-delete control), then its SYSVOL folder with
 * everything in it. Links to it are not touched (gPLink values of sites,
 * the domain and OUs; a GPO being created or restored has none). Either
 * half may be missing already (what a rollback finds). The GPO list is
 * read again, and the domain's log gets one line. Returns 0, -ENOENT when
 * neither half exists, -EINVAL for a GUID that is not one, or -errno
 * with its reason in err (-EACCES, -EIO...): then the directory object
 * may be gone while the folder is not, which err says. */
int gpo_domain_delete(struct gpo_domain *d, const char *guid,
		      struct gpo_err *err);


/* ---- writing (gpo_domain_write.c) ----
 *
 * What a commit of changes to one GPO (ops/op) needs of the domain. SYSVOL
 * is written on the PDC emulator, as GPMC writes it (its own connection
 * when it is not the DC the domain reads from). Paths are relative to the
 * GPO's SYSVOL folder. Each returns 0 or -errno with the reason in err
 * (may be NULL); errors keep their meaning (EACCES from the DC, EIO when
 * it failed). */

/* The GPO's directory object as it is now (one LDAP read): guid, dn,
 * version, extension lists, whenChanged, display name, flags, WMI filter
 * link and DACL (a DACL-only descriptor). Free with
 * gpo_clear. -ENOENT when the GPO is gone. */
int gpo_domain_read_gpo(struct gpo_domain *d, const char *guid, struct gpo *out,
			struct gpo_err *err);

/* GPT.INI as it is now: its text (a new NUL-terminated buffer, caller
 * frees; NULL and *len 0 when there is none) and its listing (st_mode
 * 0 when none). */
int gpo_domain_read_gptini(struct gpo_domain *d, const char *guid, char **text,
			   size_t *len, struct stat *st, struct gpo_err *err);

/* SYSVOL steps (see gpo_smb.h): put writes data/len, or the local file
 * src when data is NULL; rel "GPT.INI" is allowed here. */
int gpo_domain_sysvol_mkdir(struct gpo_domain *d, const char *guid,
			    const char *rel, struct gpo_err *err);
int gpo_domain_sysvol_rmdir(struct gpo_domain *d, const char *guid,
			    const char *rel, struct gpo_err *err);
int gpo_domain_sysvol_unlink(struct gpo_domain *d, const char *guid,
			     const char *rel, struct gpo_err *err);
int gpo_domain_sysvol_put(struct gpo_domain *d, const char *guid,
			  const char *rel, const void *data, size_t len,
			  const char *src, struct gpo_err *err);
int gpo_domain_sysvol_set_time(struct gpo_domain *d, const char *guid,
			       const char *rel, time_t mtime, struct gpo_err *err);

/* One file of gpo_domain_sysvol_put_many. */
struct gpo_domain_put {
	const char *rel;     /* where, below the GPO's folder */
	const char *src;     /* the local file written there, or NULL: */
	const char *from;    /* a file of SYSVOL ("{GUID}/Machine/x") copied
				there on the DC, provided it still is
				from_size bytes, last written at from_mtime
				(0: any time); else the put fails, -ESTALE */
	uint64_t from_size;
	time_t from_mtime;
	time_t mtime;        /* the time it is given; 0: the server's */
	bool started;        /* out: begun, so it may be written, in part */
};

/* Writes n files into guid's SYSVOL folder (the folders they go in must
 * exist), each as gpo_domain_sysvol_put, then _set_time (a time that
 * cannot be set fails nothing): several at once over the domain's SMB
 * workers when SYSVOL is written on the DC they connect to (each writes
 * whole files, the worker reading src itself), one after another through
 * the writing connection otherwise (the PDC emulator is another server,
 * or there are no workers). Puts begin in the order given (copies on
 * the DC first, when side by side); once one has
 * failed no other begins, and those under way are waited for. Returns 0
 * when all were written, else the first failure's -errno with its reason
 * in err; puts[i].started says which were begun: every put that may have
 * changed anything. *connections (may be NULL) is set to how many went
 * side by side (1: one after another). */
int gpo_domain_sysvol_put_many(struct gpo_domain *d, const char *guid,
			       struct gpo_domain_put *puts, size_t n,
			       size_t *connections, struct gpo_err *err);

/* True when SYSVOL is written on the DC d reads from, so that a file d
 * read may be copied on the DC (gpo_domain_put's from) as it was read:
 * false when writes go to another DC (the PDC emulator), whose copy may
 * not have replicated yet. */
bool gpo_domain_sysvol_copies(struct gpo_domain *d);

/* Sets versionNumber from was->version to version, and the extension
 * lists (NULL: left as they are; "": removed), in one LDAP modify that
 * fails with -ESTALE when versionNumber is no longer was->version
 * (another writer came between). */
int gpo_domain_set_version(struct gpo_domain *d, const struct gpo *was,
			   uint32_t version, const char *machine_ext,
			   const char *user_ext, struct gpo_err *err);

/* What a restore sets on a GPO's directory object. */
struct gpo_state {
	const char *display_name;
	unsigned flags;
	const char *wmi_filter;        /* gPCWQLFilter; NULL: none */
	const unsigned char *sd;       /* DACL-only descriptor; NULL: kept */
	size_t sd_len;
};

/* Sets was's display name, flags, WMI filter link and DACL to to's in one
 * LDAP modify (SD flags: the DACL only; the DC applies it whole or not
 * at all) of those that differ (was is as read from the directory);
 * none: no request. Returns 0 or -errno with its reason in err. */
int gpo_domain_set_state(struct gpo_domain *d, const struct gpo *was,
			 const struct gpo_state *to, struct gpo_err *err);

/* True when was (as read from the directory) holds to's state already:
 * name, flags, WMI filter link and DACL (gpo_sd_same_explicit_dacl). */
bool gpo_domain_state_same(const struct gpo *was, const struct gpo_state *to);

/* Whether the WMI filter a gPCWQLFilter value wql names exists in d:
 * 1, 0 (also for a value that names none), or -errno with err set. */
int gpo_domain_wmi_filter_exists(struct gpo_domain *d, const char *wql,
				 struct gpo_err *err);

/* The link (gPCWQLFilter value) to d's WMI filter named name (its
 * msWMI-Name, exactly), for a copy from another domain. Returns 1 with
 * *wql (caller frees), 0 when d has no such filter, or -errno in err. */
int gpo_domain_wmi_filter_named(struct gpo_domain *d, const char *name, char **wql,
				struct gpo_err *err);

/* Holds GPO guid while it is committed: readers keep the view they have,
 * and none is captured (a reader that has none waits) until released,
 * so that nobody here reads a commit half-way. */
void gpo_domain_hold(struct gpo_domain *d, const char *guid, bool hold);

/* Reads GPO guid's entry in the GPO list again now (one LDAP read), so
 * that what an operation takes from it (the source of a copy) is not up
 * to the list's refresh time old. Returns 0 or -errno in err. */
int gpo_domain_refresh_gpo(struct gpo_domain *d, const char *guid, struct gpo_err *err);

/* Says that GPO guid was changed through this mount: its view is dropped
 * and its entry in the GPO list read again now (the whole list at its
 * next use when that fails). */
void gpo_domain_changed(struct gpo_domain *d, const char *guid);

#endif
