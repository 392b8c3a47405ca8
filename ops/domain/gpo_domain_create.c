/* Creating and deleting a GPO (gpo_domain.h): the directory object and
 * its containers, the SYSVOL folder and its ACL, each undone when a later
 * step fails. */
#include "gpo_domain.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "gpo_acl.h"
#include "gpo_ad_error.h"
#include "gpo_array.h"
#include "gpo_buf.h"
#include "gpo_domain_internal.h"
#include "gpo_fsacl.h"
#include "gpo_time.h"
#include "gpo_utf16.h"

/* What GPMC and samba-tool write into a new GPO's folder (at version
 * 0), as the GPT.INI writer spells it. */
#define GPT_INI_FORMAT "[General]\r\nVersion=%u\r\n"

/* Deeper than any GPO folder: a bound on the recursion of a removal. */
#define TREE_DEPTH_MAX 32

/* What a creation has made so far, so that a failure undoes just that. */
struct made {
	bool object;      /* the directory object (and what is under it) */
	bool folder;      /* the SYSVOL folder (and what is in it) */
};

static void guid_upper(const char *in, char out[GPO_GUID_LEN + 1])
{
	for (size_t i = 0; i < GPO_GUID_LEN; i++)
		out[i] = (char)toupper((unsigned char)in[i]);
	out[GPO_GUID_LEN] = '\0';
}

static int check_name(const char *name, struct gpo_err *err)
{
	char *u16 = NULL;
	size_t len = 0;
	int rc;

	if (!name || !*name)
		return gpo_err_set(err, -EINVAL, "a GPO needs a name");
	rc = gpo_utf8_to_utf16(name, strlen(name), false, &u16, &len);
	free(u16);
	if (rc == -EINVAL)
		return gpo_err_set(err, rc, "a GPO name must be UTF-8");
	if (rc)
		return gpo_err_set(err, rc, "out of memory");
	if (len / 2 > GPO_DISPLAY_NAME_MAX)
		return gpo_err_set(err, -ENAMETOOLONG,
				   "a GPO name has at most %d characters",
				   GPO_DISPLAY_NAME_MAX);
	return 0;
}

struct found {
	size_t n;
	char *cn;         /* the first one's */
	char *name;
};

static int found_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct found *f = arg;

	if (f->n++)
		return 0;
	if (gpo_ldap_entry_value(e, "cn", &f->cn, NULL) == -ENOMEM ||
	    gpo_ldap_entry_value(e, "displayName", &f->name, NULL) == -ENOMEM)
		return -ENOMEM;
	return 0;
}

/* Fails with -EEXIST when the directory has a GPO named name, or one
 * whose CN is guid. The directory compares displayName without regard
 * to case (and an LDAP filter is how samba-tool asks). */
static int check_free(struct gpo_domain *d, const char *name, const char *guid,
		      const char *policies, struct gpo_err *err)
{
	static const char *const attrs[] = { "cn", "displayName", NULL };
	struct gpo_buf f = GPO_BUF_INIT;
	struct found found = { 0 };
	int rc;

	rc = gpo_buf_printf(&f, "(&(objectClass=groupPolicyContainer)(|(cn=%s)(displayName=",
			    guid);
	if (!rc)
		rc = gpo_ldap_filter_escape(name, &f);
	if (!rc)
		rc = gpo_buf_add(&f, ")))", 4);
	if (rc)
		return gpo_err_set(err, rc, "out of memory");
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_search(&d->ldap, policies, 0, f.data, attrs, 0,
			     found_entry, &found);
	if (rc)
		gpo_err_set(err, rc, "cannot look for GPOs named \"%s\": %s", name,
			    *d->ldap.error ? d->ldap.error : strerror(-rc));
	pthread_mutex_unlock(&d->ldap.lock);
	gpo_buf_free(&f);
	if (!rc && found.n && found.cn && !strcasecmp(found.cn, guid))
		rc = gpo_err_set(err, -EEXIST, "GPO %s exists", guid);
	else if (!rc && found.n)
		rc = gpo_err_set(err, -EEXIST, "the name is taken: GPO %s is named \"%s\"",
				 found.cn ? found.cn : "?",
				 found.name ? found.name : name);
	free(found.cn);
	free(found.name);
	return rc;
}

static int add_object(struct gpo_domain *d, const char *dn, const char *name,
		      const char *guid, const struct gpo_born *born, struct made *made,
		      struct gpo_err *err)
{
	char path[512], version[16], flags[16];
	const struct gpo_ldap_value gpc[] = { { "groupPolicyContainer", 20 } };
	const struct gpo_ldap_value two[] = { { "2", 1 } };
	struct gpo_ldap_value dname[1] = { { name, strlen(name) } };
	struct gpo_ldap_value fsp[1], ver[1], flg[1], mext[1], uext[1];
	struct gpo_ldap_mod attrs[8] = {
		{ GPO_LDAP_ADD, "objectClass", gpc, 1 },
		{ GPO_LDAP_ADD, "displayName", dname, 1 },
		{ GPO_LDAP_ADD, "gPCFileSysPath", fsp, 1 },
		{ GPO_LDAP_ADD, "versionNumber", ver, 1 },
		/* clients refuse a GPO of any other functionality version */
		{ GPO_LDAP_ADD, "gPCFunctionalityVersion", two, 1 },
		{ GPO_LDAP_ADD, "flags", flg, 1 },
	};
	size_t n_attrs = 6;
	int n, rc;

	n = snprintf(path, sizeof(path), "\\\\%s\\sysvol\\%s\\Policies\\%s",
		     d->conf->domain, d->conf->domain, guid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return gpo_err_set(err, -ENAMETOOLONG, "%s: path too long", guid);
	fsp[0] = (struct gpo_ldap_value){ path, (size_t)n };
	n = snprintf(version, sizeof(version), "%u", born ? born->version : 0);
	ver[0] = (struct gpo_ldap_value){ version, (size_t)n };
	n = snprintf(flags, sizeof(flags), "%u", born ? born->flags : 0);
	flg[0] = (struct gpo_ldap_value){ flags, (size_t)n };
	/* an empty list is no value, as the commit writes it */
	if (born && born->machine_ext && *born->machine_ext) {
		mext[0] = (struct gpo_ldap_value){ born->machine_ext, strlen(born->machine_ext) };
		attrs[n_attrs++] = (struct gpo_ldap_mod){ GPO_LDAP_ADD, "gPCMachineExtensionNames",
							   mext, 1 };
	}
	if (born && born->user_ext && *born->user_ext) {
		uext[0] = (struct gpo_ldap_value){ born->user_ext, strlen(born->user_ext) };
		attrs[n_attrs++] = (struct gpo_ldap_mod){ GPO_LDAP_ADD, "gPCUserExtensionNames",
							   uext, 1 };
	}
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_add(&d->ldap, dn, attrs, n_attrs);
	if (rc) {
		/* an EEXIST is someone else's object: not ours to undo;
		 * after an EIO it may be there, and undoing finds out */
		made->object = rc == -EIO;
		gpo_err_set(err, rc, "cannot add %s to the directory: %s", guid,
			    rc == -EEXIST ? "it exists"
			    : rc == -EIO && *d->ldap.error ? d->ldap.error
			    : strerror(-rc));
		goto out;
	}
	made->object = true;
out:
	pthread_mutex_unlock(&d->ldap.lock);
	return rc;
}

/* The User and Machine containers under the object dn. */
static int add_containers(struct gpo_domain *d, const char *dn, const char *guid,
			  struct gpo_err *err)
{
	const struct gpo_ldap_value container[] = { { "container", 9 } };
	const struct gpo_ldap_mod cattrs[] = {
		{ GPO_LDAP_ADD, "objectClass", container, 1 },
	};
	char *child = NULL;
	int rc = 0;

	pthread_mutex_lock(&d->ldap.lock);
	for (int i = 0; i < 2 && !rc; i++) {
		free(child);
		if (asprintf(&child, "CN=%s,%s", i ? "Machine" : "User", dn) < 0) {
			child = NULL;
			rc = gpo_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		rc = gpo_ldap_add(&d->ldap, child, cattrs, 1);
		if (rc)
			gpo_err_set(err, rc, "cannot add %s's %s container: %s", guid,
				    i ? "Machine" : "User",
				    rc == -EIO && *d->ldap.error ? d->ldap.error
								: strerror(-rc));
	}
	pthread_mutex_unlock(&d->ldap.lock);
	free(child);
	return rc;
}

static void note_dc_failure(struct gpo_domain *d, int rc, const struct gpo_err *err)
{
	if (gpo_is_dc_failure(rc))
		gpo_domain_dc_lost(d, gpo_err_reason(err));
}

/* The containers' adds, on a thread of their own: each is a directory
 * transaction the DC commits to disk (about 10 ms), which it can do while
 * the SYSVOL folder is made, and, for a GPO born for a request, while
 * the request's settings are staged and written (gpo_domain_create_settle
 * waits for them). */
struct gpo_domain_children {
	struct gpo_domain_children *next;   /* d->children, under create_lock */
	struct gpo_domain *d;
	pthread_t thread;
	char guid[GPO_GUID_LEN + 1];
	char *dn;
	int rc;
	struct gpo_err err;
};

static void *children_main(void *arg)
{
	struct gpo_domain_children *c = arg;

	c->rc = add_containers(c->d, c->dn, c->guid, &c->err);
	return NULL;
}

/* Starts the containers' adds; NULL when no thread could be had (the
 * caller adds them itself). */
static struct gpo_domain_children *children_start(struct gpo_domain *d, const char *dn,
						  const char *guid)
{
	struct gpo_domain_children *c = calloc(1, sizeof(*c));

	if (!c || !(c->dn = strdup(dn)))
		goto fail;
	c->d = d;
	memcpy(c->guid, guid, sizeof(c->guid));
	if (pthread_create(&c->thread, NULL, children_main, c))
		goto fail;
	return c;
fail:
	if (c)
		free(c->dn);
	free(c);
	return NULL;
}

/* Waits for c and frees it. Returns its result, with its reason in err
 * (unless err already holds a failure, or is NULL). */
static int children_join(struct gpo_domain_children *c, struct gpo_err *err)
{
	int rc;

	pthread_join(c->thread, NULL);
	rc = c->rc;
	if (rc && err && !err->code)
		*err = c->err;
	free(c->dn);
	free(c);
	return rc;
}

int gpo_domain_create_settle(struct gpo_domain *d, const char *guid, struct gpo_err *err)
{
	struct gpo_domain_children *c = NULL;
	struct gpo_err mine = { 0 };
	int rc;

	pthread_mutex_lock(&d->create_lock);
	for (struct gpo_domain_children **p = &d->children; *p; p = &(*p)->next) {
		if (!strcasecmp((*p)->guid, guid)) {
			c = *p;
			*p = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&d->create_lock);
	if (!c)
		return 0;
	rc = children_join(c, &mine);
	if (rc) {
		note_dc_failure(d, rc, &mine);
		if (err && !err->code)
			*err = mine;
	}
	return rc;
}

void gpo_domain_create_settle_all(struct gpo_domain *d)
{
	struct gpo_domain_children *c;

	pthread_mutex_lock(&d->create_lock);
	c = d->children;
	d->children = NULL;
	pthread_mutex_unlock(&d->create_lock);
	while (c) {
		struct gpo_domain_children *next = c->next;

		children_join(c, NULL);
		c = next;
	}
}

struct sd_read {
	struct gpo_sd sd;
	bool have;
};

static int take_sd(void *arg, const struct gpo_ldap_entry *e)
{
	struct sd_read *r = arg;
	char *bin = NULL;
	size_t len = 0;
	int rc;

	rc = gpo_ldap_entry_value(e, "nTSecurityDescriptor", &bin, &len);
	if (!rc)
		rc = gpo_sd_parse(bin, len, &r->sd);
	if (!rc)
		r->have = true;
	free(bin);
	return rc == -ENOENT ? -EACCES : rc;
}

/* The folder's ACL, from the descriptor the DC gave the object: owner,
 * group and DACL (SD flags 7), as samba-tool gpo create reads them. */
static int folder_sddl(struct gpo_domain *d, const char *dn, const char *guid,
		       char **sddl, struct gpo_err *err)
{
	static const char *const attrs[] = { "nTSecurityDescriptor", NULL };
	struct sd_read r = { .have = false };
	struct gpo_sd fs;
	int rc;

	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_read(&d->ldap, dn, attrs, 7, take_sd, &r);
	if (rc)
		gpo_err_set(err, rc, "cannot read %s's security descriptor: %s", guid,
			    rc == -EIO && *d->ldap.error ? d->ldap.error
							: strerror(-rc));
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc)
		goto out;
	rc = gpo_fsacl_from_ds(&r.sd, &fs);
	if (rc) {
		gpo_err_set(err, rc, "%s: no folder ACL can be derived from its security descriptor",
			    guid);
		goto out;
	}
	rc = gpo_fsacl_to_sddl(&fs, sddl);
	gpo_sd_free(&fs);
	if (rc)
		gpo_err_set(err, rc, "%s: its folder ACL has no SDDL: %s", guid,
			    strerror(-rc));
out:
	if (r.have)
		gpo_sd_free(&r.sd);
	return rc;
}

/* Where d's ACL helper sets ACLs; sid holds the domain's SID. */
static struct gpo_acl_target acl_target(struct gpo_domain *d,
					char sid[GPO_SID_STR_MAX])
{
	struct gpo_acl_target t = {
		.host = d->dc, .domain = d->conf->domain, .domain_sid = sid,
		.cred = d->conf->credentials ? &d->cred : NULL, .lg = d->lg,
	};

	/* the SDDL names no SID by a domain alias; Samba wants one anyway */
	snprintf(sid, GPO_SID_STR_MAX, "S-1-5-21-0-0-0");
	if (d->have_sid)
		gpo_sid_to_string(&d->sid, sid, GPO_SID_STR_MAX);
	return t;
}

void gpo_domain_acl_warm(struct gpo_domain *d)
{
	char sid[GPO_SID_STR_MAX];
	struct gpo_acl_target t = acl_target(d, sid);

	gpo_acl_warm(&d->acl, &t);
}

/* Sets the ACL of guid's folder to sddl, through d's helper. */
static int set_folder_sddl(struct gpo_domain *d, const char *guid, const char *sddl,
			   struct gpo_err *err)
{
	char sid[GPO_SID_STR_MAX];
	struct gpo_acl_target t = acl_target(d, sid);

	return gpo_acl_set(&d->acl, &t, guid, sddl, err);
}

/* Sets the ACL of guid's folder, derived from the object dn's descriptor. */
static int set_folder_acl(struct gpo_domain *d, const char *dn, const char *guid,
			  struct gpo_err *err)
{
	char *sddl = NULL;
	int rc;

	rc = folder_sddl(d, dn, guid, &sddl, err);
	if (!rc)
		rc = set_folder_sddl(d, guid, sddl, err);
	free(sddl);
	return rc;
}

/* Makes guid's SYSVOL folder with its ACL (sddl, derived from the
 * object's descriptor) before anything goes in, which inherits from it;
 * *acl_ms is how long the ACL took (the helper's round trip). */
static int make_bare_folder(struct gpo_domain *d, const char *guid, const char *sddl,
			    struct made *made, long long *acl_ms, struct gpo_err *err)
{
	struct timespec t;
	int rc;

	rc = gpo_smb_mkdir(&d->smb, guid);
	if (rc)
		return gpo_err_set(err, rc, "cannot create the SYSVOL folder %s: %s",
				   guid, rc == -EEXIST ? "something of that name is there"
						       : strerror(-rc));
	made->folder = true;
	clock_gettime(CLOCK_MONOTONIC, &t);
	rc = set_folder_sddl(d, guid, sddl, err);
	*acl_ms = gpo_ms_since(&t);
	return rc;
}

/* What GPMC puts into an empty GPO's folder: Machine/, User/ and
 * GPT.INI at version 0. */
static int fill_empty_folder(struct gpo_domain *d, const char *guid, struct gpo_err *err)
{
	char rel[GPO_GUID_LEN + 16], ini[64];
	int len;
	int rc;

	snprintf(rel, sizeof(rel), "%s/Machine", guid);
	rc = gpo_smb_mkdir(&d->smb, rel);
	if (!rc) {
		snprintf(rel, sizeof(rel), "%s/User", guid);
		rc = gpo_smb_mkdir(&d->smb, rel);
	}
	if (!rc) {
		snprintf(rel, sizeof(rel), "%s/GPT.INI", guid);
		len = snprintf(ini, sizeof(ini), GPT_INI_FORMAT, 0u);
		rc = gpo_smb_put(&d->smb, rel, ini, (size_t)len, NULL);
	}
	if (rc)
		gpo_err_set(err, rc, "cannot create %s in SYSVOL: %s", rel,
			    strerror(-rc));
	return rc;
}

/* The SYSVOL folder made beside the directory add. A new GPO's
 * descriptor is the schema's default for its class (a protected DACL:
 * nothing handed down from the Policies container) with the account's
 * own as owner: the same for each GPO one mount makes. So the folder is made with the ACL the last
 * one got (d->born_sddl) while the DC adds the object, rather than after
 * the add and the read of what it gave (together 10 to 20 ms a GPO);
 * that read still comes, and a folder whose ACL it does not match gets
 * the right one before anything goes in. */
struct early_folder {
	pthread_t thread;
	struct gpo_domain *d;
	char guid[GPO_GUID_LEN + 1];
	char *sddl;                /* the ACL it is made with */
	struct made made;          /* .folder: made */
	long long acl_ms;
	int rc;
	struct gpo_err err;
};

static void *early_main(void *arg)
{
	struct early_folder *e = arg;

	e->rc = make_bare_folder(e->d, e->guid, e->sddl, &e->made, &e->acl_ms, &e->err);
	return NULL;
}

/* Starts the folder of guid with the last GPO's ACL. NULL (the folder is
 * made after the add) when this mount has made none yet, or no thread
 * could be had. Called under create_lock. Tests only
 * (GPOFS_TEST_BORN_SDDL=SDDL): SDDL stands for the last GPO's ACL, one
 * the DC will not give, so that a test sees a folder set again. */
static struct early_folder *early_start(struct gpo_domain *d, const char *guid)
{
	const char *test = getenv("GPOFS_TEST_BORN_SDDL");
	const char *last = test && *test ? test : d->born_sddl;
	struct early_folder *e = NULL;

	if (!last || !(e = calloc(1, sizeof(*e))) || !(e->sddl = strdup(last)))
		goto fail;
	e->d = d;
	memcpy(e->guid, guid, sizeof(e->guid));
	if (pthread_create(&e->thread, NULL, early_main, e))
		goto fail;
	return e;
fail:
	if (e)
		free(e->sddl);
	free(e);
	return NULL;
}

/* Waits for e and frees it: what it made goes into made, its ACL's time
 * into *acl_ms, its sddl to *sddl (the caller frees it). Returns its
 * result, its reason in err unless err holds a failure already. */
static int early_join(struct early_folder *e, struct made *made, long long *acl_ms,
		      char **sddl, struct gpo_err *err)
{
	int rc;

	pthread_join(e->thread, NULL);
	rc = e->rc;
	made->folder |= e->made.folder;
	*acl_ms = e->acl_ms;
	*sddl = e->sddl;
	if (rc && !err->code)
		*err = e->err;
	free(e);
	return rc;
}

/* What the next GPO this mount makes is likely to get: sddl, as this
 * one did. */
static void remember_sddl(struct gpo_domain *d, const char *sddl)
{
	char *copy = strdup(sddl);

	if (!copy)
		return;
	pthread_mutex_lock(&d->create_lock);
	free(d->born_sddl);
	d->born_sddl = copy;
	pthread_mutex_unlock(&d->create_lock);
}

/* ---- removing ---- */

struct dirent_list {
	char **names;
	bool *dirs;
	size_t n, cap, cap_dirs;
};

static int collect_entry(void *arg, const char *name, const struct stat *st)
{
	struct dirent_list *l = arg;
	char **slot;
	bool *dir;
	size_t n = l->n;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	slot = gpo_array_push(&l->names, &l->n, &l->cap, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = strdup(name);
	dir = gpo_array_push(&l->dirs, &n, &l->cap_dirs, sizeof(*dir));
	if (!*slot || !dir)
		return -ENOMEM;
	*dir = S_ISDIR(st->st_mode);
	return 0;
}

static void list_free(struct dirent_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->dirs);
}

/* Removes rel and everything in it. Returns 0, -ENOENT when rel is not
 * there, or -errno (err says which path failed). */
static int remove_tree(struct gpo_domain *d, const char *rel, int depth,
		       struct gpo_err *err)
{
	struct dirent_list l = { 0 };
	char *child = NULL;
	int rc;

	if (depth > TREE_DEPTH_MAX)
		return gpo_err_set(err, -ELOOP, "%s: too deep to remove", rel);
	rc = gpo_smb_list(&d->smb, rel, collect_entry, &l);
	if (rc) {
		if (rc != -ENOENT)
			gpo_err_set(err, rc, "cannot list %s: %s", rel, strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < l.n && !rc; i++) {
		free(child);
		if (asprintf(&child, "%s/%s", rel, l.names[i]) < 0) {
			child = NULL;
			rc = gpo_err_set(err, -ENOMEM, "out of memory");
			break;
		}
		if (l.dirs[i])
			rc = remove_tree(d, child, depth + 1, err);
		else if ((rc = gpo_smb_unlink(&d->smb, child)))
			gpo_err_set(err, rc, "cannot remove %s: %s", child,
				    strerror(-rc));
		if (rc == -ENOENT)
			rc = 0; /* gone meanwhile */
	}
	if (!rc && (rc = gpo_smb_rmdir(&d->smb, rel)))
		gpo_err_set(err, rc, "cannot remove %s: %s", rel, strerror(-rc));
out:
	free(child);
	list_free(&l);
	return rc;
}

static int delete_object(struct gpo_domain *d, const char *dn, const char *guid,
			 struct gpo_err *err)
{
	int rc;

	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_delete(&d->ldap, dn, true);
	if (rc && rc != -ENOENT)
		gpo_err_set(err, rc, "cannot delete %s from the directory: %s", guid,
			    rc == -EIO && *d->ldap.error ? d->ldap.error
							: strerror(-rc));
	pthread_mutex_unlock(&d->ldap.lock);
	return rc;
}

/* Makes the GPO list say what became of guid: that one object read
 * again, else the whole list. When that fails too the list is only marked
 * stale: the next reader reads it. */
static void refresh_list(struct gpo_domain *d, const char *guid)
{
	struct gpo_snapshot *s = NULL;
	struct gpo_err err = { 0 };
	int rc = gpo_domain_relist(d, guid, &err);

	if (!rc || rc == -EAGAIN)
		return;
	memset(&err, 0, sizeof(err));
	if (gpo_domain_read_list(d, &s, &err) == 0) {
		pthread_mutex_lock(&d->lock);
		gpo_domain_install(d, s);
		pthread_mutex_unlock(&d->lock);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (d->snap)
		d->snap->taken.tv_sec -= (d->ttl_ms / 1000 + 1);
	pthread_mutex_unlock(&d->lock);
}

static int policies_dn(struct gpo_domain *d, char **out)
{
	if (asprintf(out, "CN=Policies,CN=System,%s", d->ldap.base_dn) < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* guid_in checked and spelt in capitals into guid, and its object's DN
 * (*dn, the caller's) and the Policies container's (*policies, when not
 * NULL; the caller's). Returns 0, -EINVAL or -ENOMEM, with err set. */
static int object_dn(struct gpo_domain *d, const char *guid_in,
		     char guid[GPO_GUID_LEN + 1], char **dn, char **policies,
		     struct gpo_err *err)
{
	char *p = NULL;
	int rc;

	*dn = NULL;
	if (policies)
		*policies = NULL;
	if (!guid_in || !gpo_guid_valid(guid_in))
		return gpo_err_set(err, -EINVAL, "%s is not a GPO GUID",
				   guid_in ? guid_in : "(none)");
	guid_upper(guid_in, guid);
	rc = policies_dn(d, &p);
	if (!rc && asprintf(dn, "CN=%s,%s", guid, p) < 0) {
		*dn = NULL;
		rc = -ENOMEM;
	}
	if (rc) {
		free(p);
		return gpo_err_set(err, rc, "out of memory");
	}
	if (policies)
		*policies = p;
	else
		free(p);
	return 0;
}


/* Tests only (GPOFS_TEST_CREATE_HOLD=FILE): holds a creation once its
 * directory object is made, while FILE exists (at most two minutes),
 * saying which GUID, so that a test can fail the steps after it. */
static void test_hold(struct gpo_domain *d, const char *guid)
{
	const char *file = getenv("GPOFS_TEST_CREATE_HOLD");

	if (!file || !*file || access(file, F_OK))
		return;
	gpo_log(d->lg, GPO_LOG_INFO, "test hook: creation of %s held while %s exists",
		guid, file);
	for (int i = 0; i < 1200 && access(file, F_OK) == 0; i++)
		usleep(100 * 1000);
}

int gpo_domain_create_guid(struct gpo_domain *d, const char *display_name,
			   const char *guid_in, struct gpo_err *err)
{
	return gpo_domain_create_born(d, display_name, guid_in, NULL, NULL, err);
}

int gpo_domain_create_born(struct gpo_domain *d, const char *display_name,
			   const char *guid_in, const struct gpo_born *born, bool *left_out,
			   struct gpo_err *err)
{
	struct gpo_err undo = { 0 };
	struct made made = { false, false };
	struct gpo_domain_children *children = NULL;
	struct early_folder *early = NULL;
	char guid[GPO_GUID_LEN + 1];
	char *policies = NULL, *dn = NULL, *sddl = NULL, *early_sddl = NULL;
	const char *left = NULL;
	struct timespec t0, t1, t2, t_free, t_list, t_listed;
	long long acl_ms = 0;
	bool listed = false, acl_again = false;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	t1 = t2 = t_free = t_list = t_listed = t0;
	if (left_out)
		*left_out = false;
	rc = check_name(display_name, err);
	if (!rc)
		rc = object_dn(d, guid_in, guid, &dn, &policies, err);
	if (rc)
		return rc;
	/* the folder's ACL comes after the directory object's add, or
	 * beside it (early_start): the helper gets ready meanwhile */
	gpo_domain_acl_warm(d);
	pthread_mutex_lock(&d->create_lock);
	rc = check_free(d, display_name, guid, policies, err);
	clock_gettime(CLOCK_MONOTONIC, &t_free);
	if (!rc)
		early = early_start(d, guid);
	if (!rc)
		rc = add_object(d, dn, display_name, guid, born, &made, err);
	pthread_mutex_unlock(&d->create_lock);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the folder made beside the add: undone with the rest on failure */
	if (early) {
		int e = early_join(early, &made, &acl_ms, &early_sddl, err);

		rc = rc ? rc : e;
	}
	if (!rc)
		test_hold(d, guid);
	/* what needs the directory connection first, before the containers'
	 * adds take it: the descriptor the folder's ACL comes from, and the
	 * new GPO's entry in the list (listed at once) */
	if (!rc)
		rc = folder_sddl(d, dn, guid, &sddl, err);
	if (!rc)
		remember_sddl(d, sddl);
	if (!rc) {
		clock_gettime(CLOCK_MONOTONIC, &t_list);
		refresh_list(d, guid);
		clock_gettime(CLOCK_MONOTONIC, &t_listed);
		listed = true;
		children = children_start(d, dn, guid);
		if (!children)
			rc = add_containers(d, dn, guid, err);
	}
	if (!rc && early_sddl && strcmp(early_sddl, sddl)) {
		/* the DC gave this one another descriptor than the last */
		struct timespec t;

		acl_again = true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		rc = set_folder_sddl(d, guid, sddl, err);
		acl_ms += gpo_ms_since(&t);
	} else if (!rc && !early_sddl) {
		rc = make_bare_folder(d, guid, sddl, &made, &acl_ms, err);
	}
	if (!rc && !born)
		rc = fill_empty_folder(d, guid, err);
	/* what a capture of the bare folder would find, so that the request
	 * begins at once */
	if (!rc && born)
		gpo_domain_views_seed_empty(d, guid);
	/* a GPO born for a request may be written into before its
	 * containers are in: the request waits for them at its end
	 * (gpo_domain_create_settle); others are whole when made */
	if (children && (rc || !born)) {
		int c = children_join(children, err);

		rc = rc ? rc : c;
		children = NULL;
	} else if (children) {
		pthread_mutex_lock(&d->create_lock);
		children->next = d->children;
		d->children = children;
		pthread_mutex_unlock(&d->create_lock);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (!rc)
		goto out;

	/* undo, newest first */
	if (made.folder) {
		int u = remove_tree(d, guid, 0, &undo);

		if (u && u != -ENOENT)
			left = "its SYSVOL folder";
	}
	if (made.object) {
		int u = delete_object(d, dn, guid, &undo);

		if (u && u != -ENOENT)
			left = left ? "its directory object and SYSVOL folder"
				    : "its directory object";
	}
	if (left_out)
		*left_out = left != NULL;
out:
	/* listed at once (or unlisted again) before the log says so */
	if ((made.object || made.folder || !rc) && (rc || !listed)) {
		clock_gettime(CLOCK_MONOTONIC, &t_list);
		refresh_list(d, guid);
		clock_gettime(CLOCK_MONOTONIC, &t_listed);
	}
	if (!rc) {
		gpo_journal_add(&d->journal,
				"created GPO %s \"%s\"%s (%.3f s: directory %.3f, its name checked %.3f of it, SYSVOL folder %.3f, its ACL %.3f of it, GPO list read again %.3f; %sits User and Machine containers added beside the folder%s)",
				guid, display_name, born ? ", born at the version of its import" : "",
				(double)gpo_ms_since(&t0) / 1000,
				(double)gpo_ms_between(&t0, &t1) / 1000,
				(double)gpo_ms_between(&t0, &t_free) / 1000,
				(double)(gpo_ms_between(&t1, &t2) - gpo_ms_between(&t_list, &t_listed)) / 1000,
				(double)acl_ms / 1000,
				(double)gpo_ms_between(&t_list, &t_listed) / 1000,
				!early_sddl ? ""
				: acl_again ? "the folder made beside the directory add with the last GPO's ACL, then given its own: the DC gave it another descriptor; "
					    : "the folder made beside the directory add, with the ACL the last GPO got, as this one's is; ",
				born ? " and the request's settings" : "");
	} else if (left) {
		gpo_journal_add(&d->journal,
				"creating GPO %s \"%s\" failed: %s; %s could not be removed again (%s): delete %s",
				guid, display_name, gpo_err_reason(err), left,
				gpo_err_reason(&undo), guid);
	} else {
		gpo_journal_add(&d->journal, "creating GPO \"%s\" failed: %s%s",
				display_name, gpo_err_reason(err),
				made.object || made.folder ? " (what was made is removed again)"
							   : "");
	}
	if (rc)
		note_dc_failure(d, rc, err);
	free(sddl);
	free(early_sddl);
	free(dn);
	free(policies);
	return rc;
}

void gpo_domain_new_guid(char guid[GPO_GUID_LEN + 1])
{
	uuid_t id;
	char text[37];

	uuid_generate(id);
	uuid_unparse_upper(id, text);
	snprintf(guid, GPO_GUID_LEN + 1, "{%s}", text);
}

int gpo_domain_create(struct gpo_domain *d, const char *display_name,
		      char guid_out[GPO_GUID_LEN + 1], struct gpo_err *err)
{
	char guid[GPO_GUID_LEN + 1];
	int rc;

	gpo_domain_new_guid(guid);
	rc = gpo_domain_create_guid(d, display_name, guid, err);
	if (!rc)
		memcpy(guid_out, guid, sizeof(guid));
	return rc;
}

int gpo_domain_set_folder_acl(struct gpo_domain *d, const char *guid_in,
			      struct gpo_err *err)
{
	char guid[GPO_GUID_LEN + 1];
	char *dn = NULL;
	int rc;

	rc = object_dn(d, guid_in, guid, &dn, NULL, err);
	if (rc)
		return rc;
	rc = set_folder_acl(d, dn, guid, err);
	if (rc)
		note_dc_failure(d, rc, err);
	free(dn);
	return rc;
}

int gpo_domain_delete(struct gpo_domain *d, const char *guid_in,
		      struct gpo_err *err)
{
	char guid[GPO_GUID_LEN + 1];
	char *dn = NULL;
	bool object = false, folder = false;
	int rc;

	rc = object_dn(d, guid_in, guid, &dn, NULL, err);
	if (rc)
		return rc;
	/* the containers of a GPO just made, if still being added, first */
	gpo_domain_create_settle(d, guid, NULL);
	rc = delete_object(d, dn, guid, err);
	object = !rc;
	if (rc && rc != -ENOENT)
		goto out;
	rc = remove_tree(d, guid, 0, err);
	folder = !rc;
	if (rc && rc != -ENOENT)
		goto out;
	rc = object || folder ? 0 : gpo_err_set(err, -ENOENT, "no GPO %s", guid);
out:
	if (!rc)
		gpo_journal_add(&d->journal, "deleted GPO %s%s", guid,
				!object ? " (its SYSVOL folder; it had no directory object)"
				: !folder ? " (it had no SYSVOL folder)" : "");
	else if (rc != -ENOENT)
		gpo_journal_add(&d->journal, "deleting GPO %s failed: %s%s", guid,
				gpo_err_reason(err), object ?
				" (its directory object is deleted, its SYSVOL folder is not)"
				: "");
	if (rc)
		note_dc_failure(d, rc, err);
	if (object || folder)
		refresh_list(d, guid);
	free(dn);
	return rc;
}
