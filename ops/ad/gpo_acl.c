#include "gpo_acl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpo_buf.h"
#include "gpo_time.h"

extern char **environ;

/* The child: Samba's python, doing what samba-tool gpo create does
 * (netcmd/gpo.py: smb_connection, conn.set_acl) and then the comparison
 * samba-tool gpo aclcheck makes. One difference: Samba's file server
 * keeps a DACL's AI flag only when the request asks for auto-inheritance
 * (AR), so a DACL that is to read back with AI (a Windows-made GPO's
 * "D:PAI") is sent with AR; the server does not keep AR, and adds no
 * ACE of the parent's on a set. argv: host share path domain-sid sddl;
 * stdin: "krb5", or "password", the account ("DOMAIN\user" or a UPN) and
 * the password, a line each. A failure is its last line,
 * "gpofs-acl: ERRNO REASON", and exit status 3. */
static const char script[] =
	"import sys\n"
	"def fail(code, msg):\n"
	"    sys.stdout.write('gpofs-acl: %d %s\\n' % (code, ' '.join(str(msg).split())))\n"
	"    sys.exit(3)\n"
	"try:\n"
	"    from samba import credentials, NTSTATUSError\n"
	"    from samba.dcerpc import security\n"
	"    from samba.samba3 import libsmb_samba_internal as libsmb\n"
	"    from samba.samba3 import param as s3param\n"
	"except ImportError as e:\n"
	"    fail(95, \"Samba's python bindings (python3-samba) are missing: %s\" % e)\n"
	"host, share, path, dom, sddl = sys.argv[1:6]\n"
	"how = sys.stdin.read().split('\\n')\n"
	"lp = s3param.get_context()\n"
	"lp.load('/dev/null')\n"
	"for k, v in (('client signing', 'required'), ('client ipc signing', 'required'),\n"
	"             ('client min protocol', 'SMB2_02'), ('client max protocol', 'SMB3')):\n"
	"    lp.set(k, v)\n"
	"creds = credentials.Credentials()\n"
	"creds.guess(lp)\n"
	"if how[0] == 'password' and len(how) >= 3:\n"
	"    creds.set_kerberos_state(credentials.DONT_USE_KERBEROS)\n"
	"    creds.parse_string(how[1])\n"
	"    creds.set_password(how[2])\n"
	"else:\n"
	"    creds.set_kerberos_state(credentials.MUST_USE_KERBEROS)\n"
	"creds.set_smb_signing(credentials.SMB_SIGNING_REQUIRED)\n"
	"del how\n"
	"ERRNO = {0xc0000022: 13, 0xc000006d: 13, 0xc0000061: 13, 0xc0000071: 13,\n"
	"         0xc0000072: 13, 0xc0000234: 13, 0xc000015b: 13,\n"
	"         0xc0000034: 2, 0xc000003a: 2, 0xc00000cc: 2, 0xc000000f: 2,\n"
	"         0xc0000077: 22, 0xc0000078: 22, 0xc0000079: 22, 0xc000000d: 22}\n"
	"sid = security.dom_sid(dom)\n"
	"try:\n"
	"    want = security.descriptor.from_sddl(sddl, sid)\n"
	"except Exception as e:\n"
	"    fail(22, 'Samba does not accept the SDDL: %s' % e)\n"
	"S = security\n"
	"sio = S.SECINFO_OWNER | S.SECINFO_GROUP | S.SECINFO_DACL\n"
	"if want.type & S.SEC_DESC_DACL_PROTECTED:\n"
	"    sio |= S.SECINFO_PROTECTED_DACL\n"
	"else:\n"
	"    sio |= S.SECINFO_UNPROTECTED_DACL\n"
	"send = security.descriptor.from_sddl(sddl, sid)\n"
	"if send.type & S.SEC_DESC_DACL_AUTO_INHERITED:\n"
	"    send.type |= S.SEC_DESC_DACL_AUTO_INHERIT_REQ\n"
	"try:\n"
	"    conn = libsmb.Conn(host, share, lp=lp, creds=creds)\n"
	"    conn.set_acl(path, send, sio)\n"
	"    got = conn.get_acl(path, S.SECINFO_OWNER | S.SECINFO_GROUP | S.SECINFO_DACL)\n"
	"except NTSTATUSError as e:\n"
	"    code = e.args[0] & 0xffffffff\n"
	"    fail(ERRNO.get(code, 5), '%s (NTSTATUS 0x%08x)' % (e.args[1], code))\n"
	"except Exception as e:\n"
	"    fail(5, e)\n"
	"if got.as_sddl(sid) != want.as_sddl(sid):\n"
	"    fail(5, 'the server keeps %s, not %s' % (got.as_sddl(sid), want.as_sddl(sid)))\n";

/* The environment for the child: ours, less what Samba's credentials
 * guessing would take a password or an account from. */
static char **child_env(void)
{
	static const char *const drop[] = { "PASSWD=", "PASSWD_FD=",
					    "PASSWD_FILE=", "USER=", "LOGNAME=" };
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool skip = false;

		for (size_t j = 0; j < sizeof(drop) / sizeof(drop[0]); j++)
			skip |= !strncmp(environ[i], drop[j], strlen(drop[j]));
		if (!skip)
			env[k++] = environ[i];
	}
	return env;
}

/* "{GUID}/x" as the share path "<domain>\Policies\{GUID}\x". */
static int share_path(const char *domain, const char *rel, char **out)
{
	struct gpo_buf b = GPO_BUF_INIT;
	int rc;

	for (const char *p = rel; *p; p++)
		if (*p == '\n' || *p == '\r')
			return -EINVAL;
	if (!strcmp(rel, "..") || !strncmp(rel, "../", 3) ||
	    !strncmp(rel, "..\\", 3) || strstr(rel, "/..") || strstr(rel, "\\.."))
		return -EINVAL;
	rc = gpo_buf_printf(&b, "%s\\Policies\\%s", domain, rel);
	if (rc) {
		gpo_buf_free(&b);
		return rc;
	}
	*out = gpo_buf_steal(&b, NULL);
	for (char *p = *out; *p; p++)
		if (*p == '/')
			*p = '\\';
	gpo_buf_free(&b);
	return 0;
}

/* What the child is told on its stdin: how to sign in. */
static int sign_in_text(const struct gpo_acl_target *t, struct gpo_buf *b)
{
	const struct gpo_credentials *c = t->cred;

	if (!c)
		return gpo_buf_printf(b, "krb5\n");
	/* the account as the LDAP bind names it */
	if (c->domain)
		return gpo_buf_printf(b, "password\n%s\\%s\n%s\n", c->domain,
				      c->username, c->password);
	if (strchr(c->username, '@'))
		return gpo_buf_printf(b, "password\n%s\n%s\n", c->username,
				      c->password);
	return gpo_buf_printf(b, "password\n%s@%s\n%s\n", c->username, t->domain,
			      c->password);
}

/* Reads the child's output until it closes it or the deadline. Returns 0,
 * or -ETIMEDOUT. */
static int read_output(int fd, const struct timespec *start, struct gpo_buf *out)
{
	char buf[1024];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = GPO_ACL_TIMEOUT_MS - (long)gpo_ms_since(start);
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!p.revents)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		/* keep the tail: the reason is the last line */
		if (out->len > 16384)
			out->len = 0;
		if (gpo_buf_add(out, buf, (size_t)n))
			return -ENOMEM;
	}
}

/* The child's verdict from its output: its "gpofs-acl: ERRNO REASON"
 * line, else its last line. */
static int verdict(const struct gpo_buf *out, int status, struct gpo_err *err,
		   const char *rel)
{
	char *text = NULL, *line, *last = NULL, *save = NULL;
	int code = -EIO;
	int rc;

	if (out->len) {
		text = malloc(out->len + 1);
		if (!text)
			return gpo_err_set(err, -ENOMEM, "%s: out of memory", rel);
		memcpy(text, out->data, out->len);
		text[out->len] = '\0';
	}
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "gpofs-acl: ", 11)) {
			char *end;
			long e = strtol(line + 11, &end, 10);

			if (e > 0 && e < 4096 && *end == ' ') {
				code = (int)-e;
				last = end + 1;
				break;
			}
		}
		if (*line)
			last = line;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		code = -EOPNOTSUPP;
	rc = gpo_err_set(err, code, "%s: setting its ACL failed: %s", rel,
			 last ? last : WIFSIGNALED(status) ?
			 "the helper was killed" : "the helper failed");
	free(text);
	return rc;
}

int gpo_smb_set_acl(const struct gpo_acl_target *t, const char *rel,
		    const char *sddl, struct gpo_err *err)
{
	posix_spawn_file_actions_t fa;
	bool fa_ready = false;
	struct gpo_buf in = GPO_BUF_INIT, out = GPO_BUF_INIT;
	struct timespec start;
	char *path = NULL;
	char **env = NULL;
	int sv[2] = { -1, -1 }, po[2] = { -1, -1 };
	pid_t pid = -1;
	int status = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = share_path(t->domain, rel, &path);
	if (rc) {
		rc = gpo_err_set(err, rc, "%s: not a folder of the Policies share", rel);
		goto out;
	}
	env = child_env();
	rc = env ? sign_in_text(t, &in) : -ENOMEM;
	if (rc) {
		rc = gpo_err_set(err, rc, "%s: out of memory", rel);
		goto out;
	}
	/* a socket, not a pipe, for stdin: a child that died early must
	 * not kill us with SIGPIPE (send has MSG_NOSIGNAL) */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(po, O_CLOEXEC) < 0) {
		rc = gpo_err_set(err, -errno, "%s: cannot start the ACL helper: %s",
				 rel, strerror(errno));
		goto out;
	}
	rc = posix_spawn_file_actions_init(&fa);
	if (rc) {
		rc = gpo_err_set(err, -rc, "%s: cannot start the ACL helper", rel);
		goto out;
	}
	fa_ready = true;
	rc = posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, po[1], 2);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
	/* nothing else of ours (the FUSE device, sockets) goes with it */
	if (!rc)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	if (!rc) {
		char *argv[] = { (char *)GPO_ACL_PYTHON, (char *)"-I",
				 (char *)"-c", (char *)script, (char *)t->host,
				 (char *)"sysvol", path, (char *)t->domain_sid,
				 (char *)sddl, NULL };

		rc = posix_spawn(&pid, GPO_ACL_PYTHON, &fa, NULL, argv, env);
	}
	if (rc) {
		pid = -1;
		rc = gpo_err_set(err, rc == ENOENT ? -EOPNOTSUPP : -rc,
				 "%s: cannot run %s to set its ACL: %s", rel,
				 GPO_ACL_PYTHON, strerror(rc));
		goto out;
	}
	close(sv[1]);
	sv[1] = -1;
	close(po[1]);
	po[1] = -1;
	gpo_log(t->lg, GPO_LOG_DEBUG, "%s: setting the ACL of %s to %s", t->domain,
		rel, sddl);
	/* a few hundred bytes: the socket's buffer takes them at once */
	if (send(sv[0], in.data, in.len, MSG_NOSIGNAL) < 0)
		gpo_log(t->lg, GPO_LOG_DEBUG, "%s: the ACL helper did not read: %s",
			t->domain, strerror(errno));
	shutdown(sv[0], SHUT_WR);
	rc = read_output(po[0], &start, &out);
	if (rc == -ETIMEDOUT)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (rc) {
		rc = gpo_err_set(err, rc, "%s: setting its ACL %s", rel,
				 rc == -ETIMEDOUT ? "took too long" : "failed");
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
		goto out;
	}
	rc = verdict(&out, status, err, rel);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fa_ready)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (po[i] >= 0)
			close(po[i]);
	}
	if (in.data)
		explicit_bzero(in.data, in.len);
	gpo_buf_free(&in);
	gpo_buf_free(&out);
	free(env);
	free(path);
	return rc;
}
