/* LDAP's and libsmbclient's errors become 0 or -errno here and nowhere
 * else (libxml2's in format/gpo_xml_error.h); the original error is
 * logged with what was being done.
 *
 * ops/ functions return 0 (or a count) on success and -errno on failure,
 * as libuv and the kernel do. */
#ifndef GPO_AD_ERROR_H
#define GPO_AD_ERROR_H

#include <stdbool.h>
#include "gpo_log.h"

/* Maps an LDAP result code to -errno (0 for LDAP_SUCCESS): no such object
 * -ENOENT; insufficient access and sign-in refusals -EACCES; already
 * exists (an object, a value) -EEXIST; no such attribute (a value to
 * delete that is not there: a failed compare-and-swap) -ENODATA; not
 * allowed on non-leaf -ENOTEMPTY; schema and syntax violations -EINVAL;
 * unwilling to perform -EPERM; time limits -ETIMEDOUT; anything else, the
 * connection's failures among them, -EIO. Logs the
 * original code, its text and the server's diagnostic message, if any, at
 * debug level for expected outcomes and as an error otherwise. */
int gpo_ldap_errno(const struct gpo_log *lg, int ldap_rc, const char *diag,
		   const char *what);

/* The same, for a failure whose caller reports it in words of its own
 * (a sign-in): the original is logged at debug level only, so that the
 * user reads one line, not two. */
int gpo_ldap_errno_reported(const struct gpo_log *lg, int ldap_rc,
			    const char *diag, const char *what);

/* True when an LDAP result code means the connection itself is gone, so
 * the caller should reconnect rather than report a refusal. */
bool gpo_ldap_is_conn_error(int ldap_rc);

/* Maps errno as libsmbclient left it after a failed call to -errno and
 * logs it. Network-level failures keep theirs (-ECONNREFUSED,
 * -ETIMEDOUT...); what libsmbclient cannot name becomes -EIO: its EIO,
 * and its EINVAL, which is what it makes of any NT status it does not
 * know (NT_STATUS_INTERNAL_ERROR from a DC still starting, say), not an
 * invalid argument of ours. */
int gpo_smb_errno(const struct gpo_log *lg, int err, const char *what,
		  const char *path);

/* True when a libsmbclient errno means the connection failed. */
bool gpo_smb_is_conn_error(int err);

/* True when rc (0 or -errno, from LDAP or SMB through the functions
 * above) says the domain controller could not be reached or failed
 * (-EIO, -ETIMEDOUT, a network error), rather than answered: a refusal
 * (-EACCES), a missing object (-ENOENT), a file in use (-EBUSY) or bad
 * content (-EPROTO, -EINVAL of a parser) are answers. */
bool gpo_is_dc_failure(int rc);

#endif
