/* What every connection of a mount shares, set up once before any domain
 * is opened: the process-wide libsmbclient configuration, the program
 * that SMB workers run, a private folder for their files, and a keytab's
 * ticket cache (KRB5CCNAME, which libsmbclient and GSSAPI read from the
 * environment, so all Kerberos domains of a mount share it). */
#ifndef GPO_SESSION_H
#define GPO_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_conf.h"
#include "gpo_log.h"
#include "gpo_smb.h"

struct gpo_session {
	struct gpo_smb_lib smb_lib;
	bool smb_lib_ready;
	char exe[4096];          /* this program, resolved; "" when unknown */
	const char *tmpdir;      /* $XDG_RUNTIME_DIR, or /tmp */
	char *krb5_ccache;       /* a keytab's private cache ("FILE:..."), or NULL */
};

/* Sets up libsmbclient and finds this program (resolved now: under
 * valgrind /proc/self/exe is the tool). Returns 0, or -errno with a line
 * for the user in msg. Free with gpo_session_close. s must be zeroed. */
int gpo_session_init(struct gpo_session *s, const struct gpo_log *lg,
		     char *msg, size_t msglen);

/* Signs in as domain dc says, when that takes more than its credentials
 * file or the caller's ticket: a keytab is turned into a ticket in a
 * private cache, once for the whole session, and KRB5CCNAME set to it.
 * Call before any thread exists (setenv). Returns 0, or -errno with a
 * line for the user in msg. */
int gpo_session_sign_in(struct gpo_session *s, const struct gpo_domain_conf *dc,
			char *msg, size_t msglen);

/* Removes the private ticket cache and frees what s holds. */
void gpo_session_close(struct gpo_session *s);

#endif
