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
 * ACE of the parent's on a set. argv: host share domain-sid; stdin: "krb5",
 * or "password", the account ("DOMAIN\user" or a UPN) and the password, a
 * line each; then requests, one a line, "PATH<TAB>SDDL". It answers each
 * with one line "gpofs-acl: ERRNO REASON" (0: done), keeping its
 * connection between them, and exits when its stdin ends or after
 * GPO_ACL_IDLE_S without a request: starting python and signing in is
 * most of a lone change's time. A change that fails on the connection
 * kept from before is made once more on a new one: the DC may have
 * restarted, or dropped the session, while the helper waited (setting an
 * ACL twice is harmless), so only a new connection's failure is
 * answered. */
static const char script[] =
	"import os, select, sys\n"
	"def answer(code, msg):\n"
	"    sys.stdout.write('gpofs-acl: %d %s\\n' % (code, ' '.join(str(msg).split())))\n"
	"    sys.stdout.flush()\n"
	"def fail(code, msg):\n"
	"    answer(code, msg)\n"
	"    sys.exit(3)\n"
	"try:\n"
	"    from samba import credentials, NTSTATUSError\n"
	"    from samba.dcerpc import security\n"
	"    from samba.samba3 import libsmb_samba_internal as libsmb\n"
	"    from samba.samba3 import param as s3param\n"
	"except ImportError as e:\n"
	"    fail(95, \"Samba's python bindings (python3-samba) are missing: %s\" % e)\n"
	"host, share, dom, idle = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])\n"
	"buf = b''\n"
	"def line(timeout=None):\n"
	"    global buf\n"
	"    while b'\\n' not in buf:\n"
	"        if timeout is not None and not select.select([0], [], [], timeout)[0]:\n"
	"            return None\n"
	"        chunk = os.read(0, 65536)\n"
	"        if not chunk:\n"
	"            return None\n"
	"        buf += chunk\n"
	"    l, _, buf = buf.partition(b'\\n')\n"
	"    return l.decode('utf-8', 'replace')\n"
	"how = [line() or '']\n"
	"if how[0] == 'password':\n"
	"    how += [line() or '', line() or '']\n"
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
	"S = security\n"
	"conn = None\n"
	"try:\n"
	"    conn = libsmb.Conn(host, share, lp=lp, creds=creds)\n"
	"except Exception:\n"
	"    pass\n"
	"def set_acl(path, sddl):\n"
	"    global conn\n"
	"    try:\n"
	"        want = security.descriptor.from_sddl(sddl, sid)\n"
	"        send = security.descriptor.from_sddl(sddl, sid)\n"
	"    except Exception as e:\n"
	"        return answer(22, 'Samba does not accept the SDDL: %s' % e)\n"
	"    sio = S.SECINFO_OWNER | S.SECINFO_GROUP | S.SECINFO_DACL\n"
	"    if want.type & S.SEC_DESC_DACL_PROTECTED:\n"
	"        sio |= S.SECINFO_PROTECTED_DACL\n"
	"    else:\n"
	"        sio |= S.SECINFO_UNPROTECTED_DACL\n"
	"    if send.type & S.SEC_DESC_DACL_AUTO_INHERITED:\n"
	"        send.type |= S.SEC_DESC_DACL_AUTO_INHERIT_REQ\n"
	"    for kept in (conn is not None, False):\n"
	"        try:\n"
	"            if conn is None:\n"
	"                conn = libsmb.Conn(host, share, lp=lp, creds=creds)\n"
	"            conn.set_acl(path, send, sio)\n"
	"            got = conn.get_acl(path, S.SECINFO_OWNER | S.SECINFO_GROUP | S.SECINFO_DACL)\n"
	"            break\n"
	"        except NTSTATUSError as e:\n"
	"            conn = None\n"
	"            if kept:\n"
	"                continue\n"
	"            code = e.args[0] & 0xffffffff\n"
	"            return answer(ERRNO.get(code, 5), '%s (NTSTATUS 0x%08x)' % (e.args[1], code))\n"
	"        except Exception as e:\n"
	"            conn = None\n"
	"            if kept:\n"
	"                continue\n"
	"            return answer(5, e)\n"
	"    if got.as_sddl(sid) != want.as_sddl(sid):\n"
	"        return answer(5, 'the server keeps %s, not %s' % (got.as_sddl(sid), want.as_sddl(sid)))\n"
	"    answer(0, 'set')\n"
	"while True:\n"
	"    req = line(idle)\n"
	"    if req is None:\n"
	"        break\n"
	"    parts = req.split('\\t')\n"
	"    if len(parts) != 2:\n"
	"        answer(22, 'a request is PATH<TAB>SDDL')\n"
	"        continue\n"
	"    set_acl(parts[0], parts[1])\n";

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

/* What the child is told on its stdin first: how to sign in. */
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

void gpo_acl_helper_init(struct gpo_acl_helper *h)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	h->pid = -1;
	h->to = h->from = -1;
}

/* Ends the child (if any) and forgets it; *status (may be NULL) is how it
 * ended. */
static void helper_end(struct gpo_acl_helper *h, int *status)
{
	int st = 0;

	if (h->to >= 0)
		close(h->to);
	if (h->pid > 0) {
		/* it ends on its own once its stdin does: wait a moment */
		for (int i = 0; i < 20; i++) {
			pid_t r = waitpid(h->pid, &st, WNOHANG);

			if (r == h->pid || (r < 0 && errno != EINTR))
				break;
			if (i == 19) {
				kill(h->pid, SIGKILL);
				while (waitpid(h->pid, &st, 0) < 0 && errno == EINTR)
					;
				break;
			}
			usleep(5000);
		}
	}
	if (h->from >= 0)
		close(h->from);
	if (status)
		*status = st;
	free(h->host);
	h->host = NULL;
	h->pid = -1;
	h->to = h->from = -1;
	h->n_out = 0;
}

void gpo_acl_helper_stop(struct gpo_acl_helper *h)
{
	helper_end(h, NULL);
	pthread_mutex_destroy(&h->lock);
}

/* Starts the child for target t and tells it how to sign in. */
static int helper_start(struct gpo_acl_helper *h, const struct gpo_acl_target *t,
			const char *rel, struct gpo_err *err)
{
	posix_spawn_file_actions_t fa;
	bool fa_ready = false;
	struct gpo_buf in = GPO_BUF_INIT;
	char **env = child_env();
	char idle[16];
	int sv[2] = { -1, -1 }, po[2] = { -1, -1 };
	pid_t pid = -1;
	int rc;

	snprintf(idle, sizeof(idle), "%d", GPO_ACL_IDLE_S);
	rc = env ? sign_in_text(t, &in) : -ENOMEM;
	if (rc) {
		rc = gpo_err_set(err, rc, "%s: out of memory", rel);
		goto out;
	}
	/* a socket, not a pipe, for stdin: a child that died must not kill
	 * us with SIGPIPE (send has MSG_NOSIGNAL) */
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
				 (char *)"sysvol", (char *)t->domain_sid, idle, NULL };

		rc = posix_spawn(&pid, GPO_ACL_PYTHON, &fa, NULL, argv, env);
	}
	if (rc) {
		rc = gpo_err_set(err, rc == ENOENT ? -EOPNOTSUPP : -rc,
				 "%s: cannot run %s to set its ACL: %s", rel,
				 GPO_ACL_PYTHON, strerror(rc));
		goto out;
	}
	h->host = strdup(t->host);
	h->pid = pid;
	h->to = sv[0];
	h->from = po[0];
	sv[0] = po[0] = -1;
	/* a few hundred bytes: the socket's buffer takes them at once */
	if (send(h->to, in.data, in.len, MSG_NOSIGNAL) < 0)
		gpo_log(t->lg, GPO_LOG_DEBUG, "%s: the ACL helper did not read: %s",
			t->domain, strerror(errno));
	rc = 0;
out:
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
	free(env);
	return rc;
}

/* Takes the first whole line out of h's output into line (cut to size).
 * Returns true when there was one. */
static bool take_line(struct gpo_acl_helper *h, char *line, size_t size)
{
	char *nl = memchr(h->out, '\n', h->n_out);
	size_t len, used;

	if (nl) {
		len = (size_t)(nl - h->out);
		used = len + 1;
	} else if (h->n_out == sizeof(h->out)) {
		/* a line longer than the buffer: its head is enough */
		len = used = h->n_out;
	} else {
		return false;
	}
	if (len > size - 1)
		len = size - 1;
	memcpy(line, h->out, len);
	line[len] = '\0';
	h->n_out -= used;
	memmove(h->out, h->out + used, h->n_out);
	return true;
}

/* Reads the child's answer: 0 with *code (0 or an errno) and reason;
 * -EPIPE when it ended first (reason: its last line, if any), or
 * -ETIMEDOUT. */
static int read_answer(struct gpo_acl_helper *h, const struct timespec *start,
		       int *code, char *reason, size_t size)
{
	char line[512];

	*reason = '\0';
	for (;;) {
		struct pollfd p = { .fd = h->from, .events = POLLIN };
		long left;
		ssize_t n;

		while (take_line(h, line, sizeof(line))) {
			char *end;
			long e;

			if (strncmp(line, "gpofs-acl: ", 11)) {
				/* python's own words (a traceback): the last
				 * says most */
				if (*line)
					snprintf(reason, size, "%s", line);
				continue;
			}
			e = strtol(line + 11, &end, 10);
			if (e >= 0 && e < 4096 && *end == ' ') {
				*code = (int)e;
				snprintf(reason, size, "%s", end + 1);
				return 0;
			}
		}
		left = GPO_ACL_TIMEOUT_MS - (long)gpo_ms_since(start);
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -EPIPE;
		}
		if (!p.revents)
			continue;
		n = read(h->from, h->out + h->n_out, sizeof(h->out) - h->n_out);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		h->n_out += (size_t)n;
	}
}

void gpo_acl_warm(struct gpo_acl_helper *h, const struct gpo_acl_target *t)
{
	struct gpo_err err = { 0 };

	pthread_mutex_lock(&h->lock);
	if (h->pid > 0 && (!h->host || strcmp(h->host, t->host)))
		helper_end(h, NULL); /* the DC changed */
	/* a helper that cannot start is gpo_acl_set's to report */
	if (h->pid <= 0 && helper_start(h, t, "(warm-up)", &err))
		gpo_log(t->lg, GPO_LOG_DEBUG, "%s: %s", t->domain, gpo_err_reason(&err));
	pthread_mutex_unlock(&h->lock);
}

int gpo_acl_set(struct gpo_acl_helper *h, const struct gpo_acl_target *t,
		const char *rel, const char *sddl, struct gpo_err *err)
{
	struct gpo_buf req = GPO_BUF_INIT;
	struct timespec start;
	char reason[512];
	char *path = NULL;
	int code = 0, status = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	rc = share_path(t->domain, rel, &path);
	if (rc)
		return gpo_err_set(err, rc, "%s: not a folder of the Policies share", rel);
	if (strpbrk(sddl, "\t\r\n")) {
		rc = gpo_err_set(err, -EINVAL, "%s: an SDDL with a tab or a line break", rel);
		goto out;
	}
	rc = gpo_buf_printf(&req, "%s\t%s\n", path, sddl);
	if (rc) {
		rc = gpo_err_set(err, rc, "%s: out of memory", rel);
		goto out;
	}
	gpo_log(t->lg, GPO_LOG_DEBUG, "%s: setting the ACL of %s to %s", t->domain,
		rel, sddl);
	pthread_mutex_lock(&h->lock);
	/* twice at most: a child kept from before may have just left (idle) */
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh = h->pid <= 0;

		if (!fresh && (!h->host || strcmp(h->host, t->host))) {
			helper_end(h, NULL); /* the DC changed */
			fresh = true;
		}
		if (fresh) {
			rc = helper_start(h, t, rel, err);
			if (rc)
				break;
		}
		if (send(h->to, req.data, req.len, MSG_NOSIGNAL) < 0)
			rc = -EPIPE;
		else
			rc = read_answer(h, &start, &code, reason, sizeof(reason));
		if (!rc) {
			rc = code ? gpo_err_set(err, -code, "%s: setting its ACL failed: %s",
						rel, reason)
				  : 0;
			break;
		}
		if (rc == -ETIMEDOUT) {
			helper_end(h, NULL);
			rc = gpo_err_set(err, rc, "%s: setting its ACL took too long", rel);
			break;
		}
		/* it ended without an answer */
		helper_end(h, &status);
		if (fresh) {
			rc = gpo_err_set(err, WIFEXITED(status) && WEXITSTATUS(status) == 127
					 ? -EOPNOTSUPP : -EIO,
					 "%s: setting its ACL failed: %s", rel,
					 *reason ? reason : WIFSIGNALED(status)
					 ? "the helper was killed" : "the helper failed");
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
out:
	gpo_buf_free(&req);
	free(path);
	return rc;
}
