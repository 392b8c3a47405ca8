/* Kerberos checks done before a mount, so that a missing or expired
 * ticket is a clear message at start rather than a failed bind. */
#ifndef GPO_KRB5_H
#define GPO_KRB5_H

#include <stddef.h>

/* Checks that the default credential cache (KRB5CCNAME) holds a ticket
 * granting ticket that has not expired. Returns 0; -ENOENT with "no
 * Kerberos ticket" in msg; -EKEYEXPIRED when it has expired. */
int gpo_krb5_check_ticket(char *msg, size_t msglen);

/* Checks that a keytab given as a file ("/path", "FILE:/path") exists and
 * can be read. Returns 0 (also for other keytab types), -ENOENT with
 * "does not exist" in msg, or another -errno with the reason. */
int gpo_krb5_check_keytab(const char *keytab, char *msg, size_t msglen);

/* Gets a ticket for principal from keytab into a new private FILE cache
 * created under dir, and stores the cache's name ("FILE:...", caller
 * frees) in ccname. Returns 0 or -errno with a reason in msg; a keytab file
 * that is missing or unreadable is said so (gpo_krb5_check_keytab). */
int gpo_krb5_kinit_keytab(const char *keytab, const char *principal,
			  const char *dir, char **ccname, char *msg,
			  size_t msglen);

#endif
