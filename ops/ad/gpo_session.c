#include "gpo_session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpo_krb5.h"

int gpo_session_init(struct gpo_session *s, const struct gpo_log *lg,
		     char *msg, size_t msglen)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	ssize_t n;
	int rc;

	s->tmpdir = rt && *rt ? rt : "/tmp";
	n = readlink("/proc/self/exe", s->exe, sizeof(s->exe) - 1);
	s->exe[n > 0 ? n : 0] = '\0';
	rc = gpo_smb_lib_init(&s->smb_lib, lg, s->tmpdir);
	if (rc) {
		snprintf(msg, msglen, "cannot set up the SMB client: %s",
			 strerror(-rc));
		return rc;
	}
	s->smb_lib_ready = true;
	return 0;
}

int gpo_session_sign_in(struct gpo_session *s, const struct gpo_domain_conf *dc,
			char *msg, size_t msglen)
{
	char why[512];
	int rc;

	if (!dc->keytab || s->krb5_ccache)
		return 0;
	rc = gpo_krb5_kinit_keytab(dc->keytab, dc->principal, s->tmpdir,
				   &s->krb5_ccache, why, sizeof(why));
	if (rc) {
		snprintf(msg, msglen, "%s: %s", dc->domain, why);
		return rc;
	}
	if (setenv("KRB5CCNAME", s->krb5_ccache, 1) < 0) {
		snprintf(msg, msglen, "%s: %s", dc->domain, strerror(errno));
		return -errno;
	}
	return 0;
}

void gpo_session_close(struct gpo_session *s)
{
	if (s->krb5_ccache) {
		unlink(s->krb5_ccache + strlen("FILE:"));
		free(s->krb5_ccache);
	}
	if (s->smb_lib_ready)
		gpo_smb_lib_destroy(&s->smb_lib);
	memset(s, 0, sizeof(*s));
}
