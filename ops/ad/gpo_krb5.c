#include "gpo_krb5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <krb5.h>

static void krb_msg(krb5_context kc, krb5_error_code code, char *msg,
		    size_t msglen, const char *what)
{
	const char *t = krb5_get_error_message(kc, code);

	snprintf(msg, msglen, "%s: %s", what, t ? t : "Kerberos error");
	krb5_free_error_message(kc, t);
}

int gpo_krb5_check_ticket(char *msg, size_t msglen)
{
	krb5_context kc = NULL;
	krb5_ccache cc = NULL;
	krb5_cc_cursor cur = NULL;
	krb5_creds creds;
	krb5_error_code code;
	time_t now = time(NULL);
	int rc = -ENOENT;

	if (krb5_init_context(&kc)) {
		snprintf(msg, msglen, "cannot initialise Kerberos");
		return -EIO;
	}
	code = krb5_cc_default(kc, &cc);
	if (!code)
		code = krb5_cc_start_seq_get(kc, cc, &cur);
	if (code) {
		snprintf(msg, msglen,
			 "no Kerberos ticket (run kinit, or check KRB5CCNAME)");
		goto out;
	}
	snprintf(msg, msglen, "no Kerberos ticket granting ticket in the cache (run kinit)");
	while (!krb5_cc_next_cred(kc, cc, &cur, &creds)) {
		bool tgt = creds.server->length == 2 &&
			   creds.server->data[0].length == 6 &&
			   !memcmp(creds.server->data[0].data, "krbtgt", 6);

		if (tgt) {
			if (creds.times.endtime > now) {
				rc = 0;
			} else if (rc) {
				rc = -EKEYEXPIRED;
				snprintf(msg, msglen,
					 "the Kerberos ticket has expired (run kinit)");
			}
		}
		krb5_free_cred_contents(kc, &creds);
		if (!rc)
			break;
	}
	krb5_cc_end_seq_get(kc, cc, &cur);
out:
	if (cc)
		krb5_cc_close(kc, cc);
	krb5_free_context(kc);
	return rc;
}

int gpo_krb5_check_keytab(const char *keytab, char *msg, size_t msglen)
{
	const char *path = keytab;
	const char *colon = strchr(keytab, ':');
	int fd;
	int err;

	/* FILE:/path and WRFILE:/path are files; another type (MEMORY:,
	 * KCM:...) is left to the library. */
	if (colon && (!strchr(keytab, '/') || colon < strchr(keytab, '/'))) {
		if (strncmp(keytab, "FILE:", 5) && strncmp(keytab, "WRFILE:", 7))
			return 0;
		path = colon + 1;
	}
	/* Checked here: the library reports a missing keytab as "Cannot
	 * contact any KDC for realm ..." */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	if (err == ENOENT)
		snprintf(msg, msglen, "keytab %s does not exist", path);
	else
		snprintf(msg, msglen, "keytab %s cannot be read: %s", path,
			 strerror(err));
	return -err;
}

int gpo_krb5_kinit_keytab(const char *keytab, const char *principal,
			  const char *dir, char **ccname, char *msg,
			  size_t msglen)
{
	krb5_context kc = NULL;
	krb5_keytab kt = NULL;
	krb5_principal me = NULL;
	krb5_ccache cc = NULL;
	krb5_creds creds;
	bool have_creds = false;
	krb5_error_code code;
	char path[4096];
	char *name = NULL;
	int fd = -1;
	int rc = -EACCES;

	*ccname = NULL;
	rc = gpo_krb5_check_keytab(keytab, msg, msglen);
	if (rc)
		return rc;
	rc = -EACCES;
	if (krb5_init_context(&kc)) {
		snprintf(msg, msglen, "cannot initialise Kerberos");
		return -EIO;
	}
	snprintf(path, sizeof(path), "%s/gpofs_krb5cc_XXXXXX", dir);
	fd = mkstemp(path); /* 0600: the cache is a secret */
	if (fd < 0) {
		rc = -errno;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (asprintf(&name, "FILE:%s", path) < 0) {
		name = NULL;
		rc = -ENOMEM;
		goto out;
	}
	code = krb5_kt_resolve(kc, keytab, &kt);
	if (code) {
		krb_msg(kc, code, msg, msglen, keytab);
		goto out;
	}
	code = krb5_parse_name(kc, principal, &me);
	if (code) {
		krb_msg(kc, code, msg, msglen, principal);
		rc = -EINVAL;
		goto out;
	}
	code = krb5_get_init_creds_keytab(kc, &creds, me, kt, 0, NULL, NULL);
	if (code) {
		krb_msg(kc, code, msg, msglen, "keytab sign-in");
		goto out;
	}
	have_creds = true;
	code = krb5_cc_resolve(kc, name, &cc);
	if (!code)
		code = krb5_cc_initialize(kc, cc, me);
	if (!code)
		code = krb5_cc_store_cred(kc, cc, &creds);
	if (code) {
		krb_msg(kc, code, msg, msglen, "storing the ticket");
		rc = -EIO;
		goto out;
	}
	*ccname = name;
	name = NULL;
	rc = 0;
out:
	if (rc && fd >= 0)
		unlink(path);
	if (fd >= 0)
		close(fd);
	free(name);
	if (have_creds)
		krb5_free_cred_contents(kc, &creds);
	if (cc)
		krb5_cc_close(kc, cc);
	if (me)
		krb5_free_principal(kc, me);
	if (kt)
		krb5_kt_close(kc, kt);
	krb5_free_context(kc);
	return rc;
}
