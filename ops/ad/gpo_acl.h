/* Setting the ACL of a GPO's SYSVOL folder so that Samba's own checks
 * agree with it.
 *
 * `samba-tool gpo aclcheck` compares, as SDDL and exactly, the folder's
 * owner, group and DACL (control flags, ACE order and duplicates
 * included) with what it derives from the directory (gpo_fsacl.h).
 * libsmbclient cannot set such an ACL: its system.nt_sec_desc xattr has
 * no object ACEs (Apply Group Policy is one), cannot set the protected
 * flag, and sorts the ACEs. Nor can smbcacls: `smbcacls --sddl --set`
 * sorts the ACEs and drops duplicates (the default GPO DACL has two equal
 * ones), and Samba 4.17 reads the SDDL alias FA as 0x1ff. So the ACL is
 * set the way samba-tool sets it: by Samba's python bindings
 * (libsmb Conn.set_acl, package python3-samba), in a child process
 * (/usr/bin/python3), over SMB with signing required, signed in with the
 * mount's own credentials (handed over a socket, never on a command line
 * or in the environment) or its Kerberos ticket cache (KRB5CCNAME). */
#ifndef GPO_ACL_H
#define GPO_ACL_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "gpo_conf.h"
#include "gpo_err.h"
#include "gpo_log.h"

/* The interpreter that has Samba's bindings: Debian's, which samba-tool
 * runs on. */
#define GPO_ACL_PYTHON "/usr/bin/python3"

/* How long one ACL change may take before it is given up (the child is
 * killed): connecting, setting and reading back. */
#define GPO_ACL_TIMEOUT_MS 60000

/* How long the helper stays without a change to make, in seconds: long
 * enough that an admin's restores, copies and new GPOs minutes apart do
 * not each wait for Python and a sign-in again (0.3 to 1 s), short
 * enough that a mount used for a burst of writes does not keep a
 * process and a DC session for the rest of the day. */
#define GPO_ACL_IDLE_S 300

/* Where: \\host\sysvol\<domain>\Policies. */
struct gpo_acl_target {
	const char *host;                    /* the DC */
	const char *domain;                  /* its domain's DNS name */
	const char *domain_sid;              /* "S-1-5-21-...", for SDDL */
	const struct gpo_credentials *cred;  /* NULL: Kerberos ticket cache */
	const struct gpo_log *lg;
};

/* The helper process that sets ACLs: Samba's python, started at the
 * first change and kept while changes come (it leaves after
 * GPO_ACL_IDLE_S without one), signed in once (again when its connection
 * fails), one change at a time. */
struct gpo_acl_helper {
	pthread_mutex_t lock;   /* one change at a time */
	pid_t pid;              /* -1: none */
	int to, from;           /* its stdin; its stdout and stderr */
	char *host;             /* the DC it talks to */
	char out[4096];         /* what it said, not yet taken */
	size_t n_out;
};

/* Sets h up with no helper running. */
void gpo_acl_helper_init(struct gpo_acl_helper *h);

/* Ends h's helper, if one runs, and frees what h holds. */
void gpo_acl_helper_stop(struct gpo_acl_helper *h);

/* Sets the owner, group and DACL of rel (relative to the Policies
 * folder, "/" or "\" separated: "{GUID}") to sddl, through h's helper
 * (started, or started again for another DC or after it left), with the
 * DACL protected or not as sddl's "D:P" says (and, for a DACL with AI,
 * the auto-inheritance request AR, without which Samba's file server
 * drops AI; it keeps neither AR nor any ACE of the parent's), then reads
 * them back and checks that Samba's SDDL of what the server keeps is
 * Samba's SDDL of sddl (the comparison aclcheck makes). Any thread;
 * blocks up to GPO_ACL_TIMEOUT_MS. Returns 0, or -errno with its reason
 * in err: -EACCES (refused, or the sign-in was), -ENOENT (no such folder
 * or share), -EINVAL (sddl not accepted, rel with ".."), -EOPNOTSUPP (no
 * python3 or no Samba bindings), -ETIMEDOUT, -EIO (the DC failed, or kept
 * another ACL), -ENOMEM. */
int gpo_acl_set(struct gpo_acl_helper *h, const struct gpo_acl_target *t,
		const char *rel, const char *sddl, struct gpo_err *err);

/* Starts h's helper for t, unless one runs for t's DC, without waiting:
 * it starts Python and signs in (a third of a second) while the caller
 * does something else before its gpo_acl_set. Any thread. A helper that
 * cannot start is left for gpo_acl_set to report. */
void gpo_acl_warm(struct gpo_acl_helper *h, const struct gpo_acl_target *t);

#endif
