/* The pure parts of ops/ad's writes: the controls' encoding, the
 * modification lists, parent DNs, and the errno of each refusal. */
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ldap.h>

#include <unistd.h>

#include "gpo_acl.h"
#include "gpo_ad_error.h"
#include "gpo_ldap.h"
#include "gpo_ldap_internal.h"

static const struct gpo_log quiet = { 0 };

static int control_is(const LDAPControl *c, const char *oid,
		      const unsigned char *value, size_t len)
{
	ASSERT_STR(c->ldctl_oid, oid);
	ASSERT(c->ldctl_iscritical);
	ASSERT_EQ(c->ldctl_value.bv_len, len);
	ASSERT(!len || !memcmp(c->ldctl_value.bv_val, value, len));
	return 0;
}

static int test_sd_flags_control(void)
{
	/* SEQUENCE { INTEGER flags }, as MS-ADTS 3.1.1.3.4.1.11 gives it */
	static const unsigned char dacl[] = { 0x30, 0x03, 0x02, 0x01, 0x04 };
	static const unsigned char all[] = { 0x30, 0x03, 0x02, 0x01, 0x0f };
	LDAPControl *c = NULL;
	int rc;

	ASSERT_EQ(gpo_ldap_sd_control(4, &c), 0);
	rc = control_is(c, "1.2.840.113556.1.4.801", dacl, sizeof(dacl));
	ldap_control_free(c);
	if (rc)
		return rc;
	ASSERT_EQ(gpo_ldap_sd_control(15, &c), 0);
	rc = control_is(c, "1.2.840.113556.1.4.801", all, sizeof(all));
	ldap_control_free(c);
	if (rc)
		return rc;
	ASSERT_EQ(gpo_ldap_tree_delete_control(&c), 0);
	rc = control_is(c, "1.2.840.113556.1.4.805", NULL, 0);
	ASSERT(!c->ldctl_value.bv_val);
	ldap_control_free(c);
	return rc;
}

static int test_ldap_mods(void)
{
	static const struct gpo_ldap_value old = { "65537", 5 };
	static const struct gpo_ldap_value new[] = { { "65538", 5 } };
	static const struct gpo_ldap_value bin = { "a\0b", 3 };
	const struct gpo_ldap_mod mods[] = {
		{ GPO_LDAP_DELETE, "versionNumber", &old, 1 },
		{ GPO_LDAP_ADD, "versionNumber", new, 1 },
		{ GPO_LDAP_REPLACE, "nTSecurityDescriptor", &bin, 1 },
		{ GPO_LDAP_DELETE, "description", NULL, 0 },
	};
	LDAPMod **m = NULL;

	ASSERT_EQ(gpo_ldap_mods_make(mods, 4, false, &m), 0);
	ASSERT_EQ(m[0]->mod_op, LDAP_MOD_DELETE | LDAP_MOD_BVALUES);
	ASSERT_EQ(m[1]->mod_op, LDAP_MOD_ADD | LDAP_MOD_BVALUES);
	ASSERT_EQ(m[2]->mod_op, LDAP_MOD_REPLACE | LDAP_MOD_BVALUES);
	ASSERT_EQ(m[3]->mod_op, LDAP_MOD_DELETE | LDAP_MOD_BVALUES);
	ASSERT_STR(m[0]->mod_type, "versionNumber");
	ASSERT_EQ(m[0]->mod_bvalues[0]->bv_len, 5);
	ASSERT(!memcmp(m[0]->mod_bvalues[0]->bv_val, "65537", 5));
	ASSERT(!m[0]->mod_bvalues[1]);
	ASSERT(!memcmp(m[1]->mod_bvalues[0]->bv_val, "65538", 5));
	ASSERT_EQ(m[2]->mod_bvalues[0]->bv_len, 3); /* binary, NUL inside */
	ASSERT(!m[3]->mod_bvalues);                 /* every value */
	ASSERT(!m[4]);
	gpo_ldap_mods_free(m);

	/* an add: every attribute an ADD, each with values */
	m = NULL;
	ASSERT_EQ(gpo_ldap_mods_make(mods + 2, 1, true, &m), 0);
	ASSERT_EQ(m[0]->mod_op, LDAP_MOD_ADD | LDAP_MOD_BVALUES);
	gpo_ldap_mods_free(m);
	m = NULL;
	ASSERT_EQ(gpo_ldap_mods_make(mods + 3, 1, true, &m), -EINVAL);
	ASSERT(!m);
	gpo_ldap_mods_free(NULL);
	return 0;
}

static int parent_is(const char *dn, const char *want)
{
	char *p = NULL;

	ASSERT_EQ(gpo_ldap_parent_dn(dn, &p), 0);
	ASSERT_STR(p, want);
	free(p);
	return 0;
}

static int test_parent_dn(void)
{
	char *p = NULL;

	if (parent_is("CN=NTDS Settings,CN=DC-CORP,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=corp,DC=test",
		      "CN=DC-CORP,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=corp,DC=test") ||
	    parent_is("CN=x\\,y,CN=a\\,b,DC=t", "CN=a\\,b,DC=t") ||
	    parent_is("CN=User,CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System,DC=corp,DC=test",
		      "CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System,DC=corp,DC=test"))
		return 1;
	ASSERT_EQ(gpo_ldap_parent_dn("DC=test", &p), -EINVAL);
	ASSERT_EQ(gpo_ldap_parent_dn("not a dn", &p), -EINVAL);
	ASSERT_EQ(gpo_ldap_parent_dn("", &p), -EINVAL);
	ASSERT(!p);
	return 0;
}

static int test_write_errno(void)
{
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_SUCCESS, NULL, "modify"), 0);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_NO_SUCH_ATTRIBUTE, NULL, "modify"), -ENODATA);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_ALREADY_EXISTS, NULL, "add"), -EEXIST);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_TYPE_OR_VALUE_EXISTS, NULL, "modify"), -EEXIST);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_INSUFFICIENT_ACCESS, NULL, "modify"), -EACCES);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_NO_SUCH_OBJECT, NULL, "delete"), -ENOENT);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_NOT_ALLOWED_ON_NONLEAF, NULL, "delete"), -ENOTEMPTY);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_CONSTRAINT_VIOLATION, NULL, "modify"), -EINVAL);
	ASSERT_EQ(gpo_ldap_errno(&quiet, LDAP_SERVER_DOWN, NULL, "modify"), -EIO);
	/* refusals are answers, not a failed DC */
	ASSERT(!gpo_is_dc_failure(-ENODATA));
	ASSERT(!gpo_is_dc_failure(-EEXIST));
	ASSERT(!gpo_is_dc_failure(-ENOTEMPTY));
	ASSERT_EQ(gpo_smb_errno(&quiet, EEXIST, "mkdir", "x"), -EEXIST);
	ASSERT_EQ(gpo_smb_errno(&quiet, ENOTEMPTY, "rmdir", "x"), -ENOTEMPTY);
	ASSERT_EQ(gpo_smb_errno(&quiet, ENOSPC, "write", "x"), -ENOSPC);
	return 0;
}

/* The ACL helper (Samba's python) answers each change and stays for the
 * next: no DC is needed to see it, for it judges the SDDL first, and a
 * host where nothing listens is a failure it reports, not a crash. */
static int test_acl_helper(void)
{
	const struct gpo_acl_target t = {
		.host = "127.0.0.254", .domain = "corp.test",
		.domain_sid = "S-1-5-21-1-2-3", .cred = NULL, .lg = &quiet,
	};
	struct gpo_acl_helper h;
	struct gpo_err err = { 0 };
	pid_t first;
	int rc;

	if (access(GPO_ACL_PYTHON, X_OK))
		return 0; /* nothing to start here */
	gpo_acl_helper_init(&h);
	rc = gpo_acl_set(&h, &t, "{0}", "not SDDL", &err);
	if (rc == -EOPNOTSUPP) { /* no Samba bindings here */
		gpo_acl_helper_stop(&h);
		return 0;
	}
	ASSERT_EQ(rc, -EINVAL);
	ASSERT(strstr(err.reason, "does not accept the SDDL"));
	first = h.pid;
	ASSERT(first > 0);
	/* the same helper answers the next one */
	rc = gpo_acl_set(&h, &t, "{0}", "also not SDDL", &err);
	ASSERT_EQ(rc, -EINVAL);
	ASSERT_EQ(h.pid, first);
	/* refused before any helper: a path out of the share, a line break */
	ASSERT_EQ(gpo_acl_set(&h, &t, "../x", "O:BA", &err), -EINVAL);
	ASSERT_EQ(gpo_acl_set(&h, &t, "{0}", "O:BA\nG:BA", &err), -EINVAL);
	/* a DC that is not there: a failure, and the helper goes on */
	rc = gpo_acl_set(&h, &t, "{0}", "O:BAG:BAD:P(A;;FA;;;BA)", &err);
	ASSERT(rc < 0);
	ASSERT(rc != -EINVAL);
	rc = gpo_acl_set(&h, &t, "{0}", "still not SDDL", &err);
	ASSERT_EQ(rc, -EINVAL);
	/* one that left (as after its idle time) is started again */
	kill(h.pid, SIGKILL);
	usleep(100 * 1000);
	rc = gpo_acl_set(&h, &t, "{0}", "not SDDL either", &err);
	ASSERT_EQ(rc, -EINVAL);
	ASSERT(h.pid != first);
	gpo_acl_helper_stop(&h);
	ASSERT_EQ(h.pid, -1);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		{ "ad_sd_flags_control", test_sd_flags_control },
		{ "ad_ldap_mods", test_ldap_mods },
		{ "ad_parent_dn", test_parent_dn },
		{ "ad_write_errno", test_write_errno },
		{ "ad_acl_helper", test_acl_helper },
		{ NULL, NULL },
	};

	return test_run(cases, argc, argv);
}
