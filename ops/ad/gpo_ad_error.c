#include "gpo_ad_error.h"

#include <errno.h>
#include <string.h>
#include <ldap.h>

static int ldap_errno(const struct gpo_log *lg, int ldap_rc, const char *diag,
		      const char *what, bool reported)
{
	int err;

	switch (ldap_rc) {
	case LDAP_SUCCESS:
		return 0;
	case LDAP_NO_SUCH_OBJECT:
		err = ENOENT;
		break;
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_STRONG_AUTH_REQUIRED:
	case LDAP_INAPPROPRIATE_AUTH:
	case LDAP_AUTH_UNKNOWN:
	case LDAP_CONFIDENTIALITY_REQUIRED:
		err = EACCES;
		break;
	case LDAP_ALREADY_EXISTS:
	case LDAP_TYPE_OR_VALUE_EXISTS:
		err = EEXIST;
		break;
	case LDAP_NO_SUCH_ATTRIBUTE:
		/* a value to delete is not there: how a compare-and-swap of
		 * versionNumber (delete the old value, add the new) fails */
		err = ENODATA;
		break;
	case LDAP_NOT_ALLOWED_ON_NONLEAF:
		err = ENOTEMPTY;
		break;
	case LDAP_CONSTRAINT_VIOLATION:
	case LDAP_INVALID_SYNTAX:
	case LDAP_INVALID_DN_SYNTAX:
	case LDAP_UNDEFINED_TYPE:
	case LDAP_OBJECT_CLASS_VIOLATION:
	case LDAP_FILTER_ERROR:
	case LDAP_PARAM_ERROR:
		err = EINVAL;
		break;
	case LDAP_UNWILLING_TO_PERFORM:
		err = EPERM;
		break;
	case LDAP_NO_MEMORY:
		err = ENOMEM;
		break;
	case LDAP_SIZELIMIT_EXCEEDED:
		err = E2BIG;
		break;
	case LDAP_TIMEOUT:
	case LDAP_TIMELIMIT_EXCEEDED:
		err = ETIMEDOUT;
		break;
	default: /* server down, connect error, busy, unavailable, ... */
		err = EIO;
		break;
	}
	gpo_log(lg, err == ENOENT || reported ? GPO_LOG_DEBUG : GPO_LOG_WARN,
		"LDAP %s: %s (%d)%s%s", what, ldap_err2string(ldap_rc),
		ldap_rc, diag && *diag ? ": " : "", diag ? diag : "");
	return -err;
}

int gpo_ldap_errno(const struct gpo_log *lg, int ldap_rc, const char *diag,
		   const char *what)
{
	return ldap_errno(lg, ldap_rc, diag, what, false);
}

int gpo_ldap_errno_reported(const struct gpo_log *lg, int ldap_rc,
			    const char *diag, const char *what)
{
	return ldap_errno(lg, ldap_rc, diag, what, true);
}

bool gpo_ldap_is_conn_error(int ldap_rc)
{
	return ldap_rc == LDAP_SERVER_DOWN || ldap_rc == LDAP_CONNECT_ERROR ||
	       ldap_rc == LDAP_TIMEOUT || ldap_rc == LDAP_UNAVAILABLE;
}

/* Errors of the network under SMB (libsmbclient names NT_STATUS_
 * CONNECTION_RESET ENETRESET and NT_STATUS_REMOTE_DISCONNECT ESHUTDOWN). */
static bool network_error(int err)
{
	switch (err) {
	case ETIMEDOUT:
	case ECONNRESET:
	case ECONNREFUSED:
	case ECONNABORTED:
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ENETUNREACH:
	case ENETDOWN:
	case ENETRESET:
	case ESHUTDOWN:
	case EPIPE:
	case ENOTCONN:
		return true;
	default:
		return false;
	}
}

bool gpo_smb_is_conn_error(int err)
{
	return err == EIO || network_error(err);
}

bool gpo_is_dc_failure(int rc)
{
	return rc == -EIO || (rc < 0 && network_error(-rc));
}

int gpo_smb_errno(const struct gpo_log *lg, int err, const char *what,
		  const char *path)
{
	int mapped;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case EEXIST:
	case ENOTEMPTY:
	case EACCES:
	case EPERM:
	case ENOMEM:
	case ENAMETOOLONG:
	case EBADF:
	case ENOSPC:
	case EROFS:
	case EBUSY: /* a sharing violation: that file, not the DC */
		mapped = err;
		break;
	default:
		/* EINVAL among them: see gpo_error.h */
		mapped = network_error(err) ? err : EIO;
		break;
	}
	/* answers a caller expects and handles (a name taken, a folder not
	 * empty, nothing there) are no news for the log */
	gpo_log(lg, mapped == ENOENT || mapped == EEXIST || mapped == ENOTEMPTY ?
		GPO_LOG_DEBUG : GPO_LOG_WARN,
		"SMB %s %s: %s", what, path ? path : "",
		strerror(err ? err : EIO));
	return -mapped;
}
