/* Writing a domain's GPO: what a commit needs of the domain (gpo_domain.h,
 * "writing"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "gpo_array.h"
#include "gpo_domain_internal.h"
#include "gpo_gptini.h"

/* The connection writes go through: the PDC emulator's, found once. */
static struct gpo_smb *writer(struct gpo_domain *d, struct gpo_err *err)
{
	char msg[512] = "";
	char *pdc = NULL;
	int rc;

	pthread_mutex_lock(&d->write_lock);
	if (d->write_smb)
		goto out;
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_pdc(&d->ldap, &pdc);
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc || !strcasecmp(pdc, d->dc)) {
		/* this DC, or the directory does not say: write here */
		d->write_smb = &d->smb;
		goto out;
	}
	rc = gpo_smb_open(&d->pdc_smb, d->smb.lib, d->lg, pdc, d->conf->domain,
			  d->conf->credentials ? &d->cred : NULL, msg, sizeof(msg));
	if (rc) {
		gpo_err_set(err, rc, "cannot reach the PDC emulator %s: %s", pdc, msg);
		goto out;
	}
	gpo_journal_add(&d->journal, "writing SYSVOL on the PDC emulator %s", pdc);
	d->pdc = pdc;
	pdc = NULL;
	d->write_smb = &d->pdc_smb;
out:
	pthread_mutex_unlock(&d->write_lock);
	free(pdc);
	return d->write_smb;
}

static char *rel_of(const char *guid, const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s%s%s", guid, *rel ? "/" : "", rel) < 0)
		return NULL;
	return p;
}

/* Runs one SMB step on guid/rel and records a failure with its reason.
 * COPY takes its source (a path of the share) as src, its size as len and
 * its time as mtime. */
enum step { MKDIR, RMDIR, UNLINK, PUT, TIME, COPY };

static int sysvol(struct gpo_domain *d, enum step step, const char *guid,
		  const char *rel, const void *data, size_t len, const char *src,
		  time_t mtime, struct gpo_err *err)
{
	static const char *const what[] = { "making folder", "removing folder",
					    "removing", "writing", "setting the time of",
					    "copying into" };
	struct gpo_smb *s = writer(d, err);
	char *path = rel_of(guid, rel);
	int rc;

	if (!s || !path) {
		free(path);
		return s ? gpo_err_set(err, -ENOMEM, "out of memory") : err ? err->code : -EIO;
	}
	switch (step) {
	case MKDIR:
		rc = gpo_smb_mkdir(s, path);
		break;
	case RMDIR:
		rc = gpo_smb_rmdir(s, path);
		break;
	case UNLINK:
		rc = gpo_smb_unlink(s, path);
		break;
	case PUT:
		rc = gpo_smb_put(s, path, data, len, src);
		break;
	case COPY:
		rc = gpo_smb_copy(s, path, src, len, mtime);
		break;
	default:
		rc = gpo_smb_set_times(s, path, mtime);
		break;
	}
	if (rc == -ESTALE && step == COPY)
		gpo_err_set(err, rc, "copying %s: it changed on the DC since it was read", src);
	else if (rc)
		gpo_err_set(err, rc, "%s %s: %s", what[step], path, strerror(-rc));
	free(path);
	return rc;
}

int gpo_domain_sysvol_mkdir(struct gpo_domain *d, const char *guid,
			    const char *rel, struct gpo_err *err)
{
	return sysvol(d, MKDIR, guid, rel, NULL, 0, NULL, 0, err);
}

int gpo_domain_sysvol_rmdir(struct gpo_domain *d, const char *guid,
			    const char *rel, struct gpo_err *err)
{
	return sysvol(d, RMDIR, guid, rel, NULL, 0, NULL, 0, err);
}

int gpo_domain_sysvol_unlink(struct gpo_domain *d, const char *guid,
			     const char *rel, struct gpo_err *err)
{
	return sysvol(d, UNLINK, guid, rel, NULL, 0, NULL, 0, err);
}

int gpo_domain_sysvol_put(struct gpo_domain *d, const char *guid,
			  const char *rel, const void *data, size_t len,
			  const char *src, struct gpo_err *err)
{
	return sysvol(d, PUT, guid, rel, data, len, src, 0, err);
}

int gpo_domain_sysvol_set_time(struct gpo_domain *d, const char *guid,
			       const char *rel, time_t mtime, struct gpo_err *err)
{
	return sysvol(d, TIME, guid, rel, NULL, 0, NULL, mtime, err);
}

/* A file of more than PIECE_MIN is written in pieces side by side:
 * libsmbclient sends one write at a time and waits for each, so one
 * connection cannot keep the server busy; pieces of at least PIECE_MIN,
 * one a connection. */
#define PIECE_MIN (16ull * 1024 * 1024)

/* What one task does at a time: a whole file, or a piece of one (the
 * first, which creates it, before the others begin). */
enum piece_kind { P_WHOLE, P_FIRST, P_REST };

struct piece {
	enum piece_kind kind;
	size_t put;             /* its put */
	uint64_t off, len;      /* a piece's */
};

/* A batch under way: each of its tasks (one per SMB worker) takes the
 * next piece until none is left or one failed. */
struct put_batch {
	pthread_mutex_t lock;
	pthread_cond_t done;
	const char *guid;
	struct gpo_domain_put *puts;
	const struct piece *pieces;
	size_t n;
	size_t next;          /* the next piece to begin */
	size_t running;       /* tasks queued and not finished */
	struct gpo_err err;   /* the first failure */
};

/* One piece through worker w (its own connection, or in process when
 * lost). */
static int put_one(struct gpo_worker *w, const char *guid,
		   const struct gpo_domain_put *p, const struct piece *pc,
		   struct gpo_err *err)
{
	char *path = rel_of(guid, p->rel);
	int rc;

	if (!path)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	if (p->from)
		rc = gpo_worker_copy(w, path, p->from, p->from_size, p->from_mtime);
	else if (pc->kind == P_WHOLE)
		rc = gpo_worker_put(w, path, NULL, 0, p->src);
	else
		rc = gpo_worker_put_range(w, path, p->src, pc->off, pc->len,
					  pc->kind == P_FIRST);
	if (rc == -ESTALE && p->from)
		gpo_err_set(err, rc, "copying %s: it changed on the DC since it was read",
			    p->from);
	else if (rc)
		gpo_err_set(err, rc, "%s %s: %s", p->from ? "copying into" : "writing", path,
			    strerror(-rc));
	else if (p->mtime && pc->kind == P_WHOLE)
		gpo_worker_set_times(w, path, p->mtime);
	free(path);
	return rc;
}

static void put_task(void *arg, struct gpo_worker *w)
{
	struct put_batch *b = arg;

	/* w NULL: dropped unrun (the pool stops), nothing begun */
	pthread_mutex_lock(&b->lock);
	while (w && !b->err.code && b->next < b->n) {
		const struct piece *pc = &b->pieces[b->next++];
		struct gpo_domain_put *p = &b->puts[pc->put];
		struct gpo_err e = { 0 };
		int rc;

		p->started = true;
		pthread_mutex_unlock(&b->lock);
		rc = put_one(w, b->guid, p, pc, &e);
		pthread_mutex_lock(&b->lock);
		if (rc && !b->err.code)
			b->err = e;
	}
	/* the last touch of b: its owner frees it once all have said so */
	b->running--;
	pthread_cond_signal(&b->done);
	pthread_mutex_unlock(&b->lock);
}

/* The puts one after another through the writing connection. */
static int put_in_turn(struct gpo_domain *d, const char *guid,
		       struct gpo_domain_put *puts, size_t n, struct gpo_err *err)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		puts[i].started = true;
		rc = puts[i].from ? sysvol(d, COPY, guid, puts[i].rel, NULL, puts[i].from_size,
					   puts[i].from, puts[i].from_mtime, err)
				  : gpo_domain_sysvol_put(d, guid, puts[i].rel, NULL, 0, puts[i].src,
							  err);
		if (!rc && puts[i].mtime)
			gpo_domain_sysvol_set_time(d, guid, puts[i].rel, puts[i].mtime, NULL);
	}
	return rc;
}

/* Runs n pieces over at most k tasks and waits for them. Returns 0, 1
 * when not one task could be queued (nothing begun), or -errno. */
static int run_batch(struct gpo_domain *d, const char *guid,
		     struct gpo_domain_put *puts, const struct piece *pieces,
		     size_t n, size_t k, size_t *tasks, struct gpo_err *err)
{
	struct put_batch b = { .guid = guid, .puts = puts, .pieces = pieces, .n = n };
	int rc = 0;

	if (k > n)
		k = n;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.done, NULL);
	pthread_mutex_lock(&b.lock);
	for (size_t i = 0; i < k; i++) {
		b.running++;
		if (gpo_capture_pool_task(&d->pool, put_task, &b)) {
			b.running--;
			break;
		}
	}
	*tasks = b.running;
	if (!b.running)
		rc = 1;
	while (b.running)
		pthread_cond_wait(&b.done, &b.lock);
	pthread_mutex_unlock(&b.lock);
	pthread_cond_destroy(&b.done);
	pthread_mutex_destroy(&b.lock);
	if (rc)
		return rc;
	if (b.err.code) {
		rc = b.err.code;
		if (err)
			*err = b.err;
	} else if (b.next < n) {
		rc = gpo_err_set(err, -EIO, "writing %s: the mount is stopping", guid);
	}
	return rc;
}

int gpo_domain_sysvol_put_many(struct gpo_domain *d, const char *guid,
			       struct gpo_domain_put *puts, size_t n,
			       size_t *connections, struct gpo_err *err)
{
	struct gpo_smb *s = writer(d, err);
	size_t k = d->pool_ready ? gpo_capture_pool_parallel(&d->pool) : 0;
	struct piece *first = NULL, *rest = NULL;
	size_t n_first = 0, n_rest = 0, cap_rest = 0, tasks = 0;
	int rc = 0;

	if (connections)
		*connections = 1;
	if (!s)
		return err && err->code ? err->code : -EIO;
	/* the workers sign in to the DC the domain reads from: only when
	 * that is where SYSVOL is written may they write it */
	if (s != &d->smb || k < 2)
		return put_in_turn(d, guid, puts, n, err);
	first = calloc(n ? n : 1, sizeof(*first));
	if (!first)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		uint64_t size, piece;

		first[n_first++] = (struct piece){ P_WHOLE, i, 0, 0 };
		/* a copy on the DC is the DC's work, whole */
		if (puts[i].from || stat(puts[i].src, &st) || (uint64_t)st.st_size <= PIECE_MIN)
			continue;
		size = (uint64_t)st.st_size;
		piece = (size + k - 1) / k;
		piece = piece < PIECE_MIN ? PIECE_MIN : (piece + (1 << 20) - 1) & ~((1ull << 20) - 1);
		first[n_first - 1] = (struct piece){ P_FIRST, i, 0, piece };
		for (uint64_t off = piece; off < size; off += piece) {
			struct piece *pc = gpo_array_push(&rest, &n_rest, &cap_rest,
							  sizeof(*rest));

			if (!pc) {
				rc = gpo_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			*pc = (struct piece){ P_REST, i, off,
					      size - off < piece ? size - off : piece };
		}
	}
	/* copies on the DC first: the server does them beside the puts
	 * that follow, rather than at the end, alone */
	for (size_t i = 0, j = 0; i < n_first; i++) {
		if (puts[first[i].put].from && i != j) {
			struct piece pc = first[i];

			memmove(&first[j + 1], &first[j], (i - j) * sizeof(*first));
			first[j] = pc;
		}
		if (puts[first[j].put].from)
			j++;
	}
	if (n_first < 2 && !n_rest) {
		rc = put_in_turn(d, guid, puts, n, err);
		goto out;
	}
	rc = run_batch(d, guid, puts, first, n_first, k, &tasks, err);
	if (connections)
		*connections = tasks;
	if (rc == 1) {
		/* not one task queued: one after another here */
		if (connections)
			*connections = 1;
		rc = n_rest ? gpo_err_set(err, -EIO, "writing %s: the mount is stopping", guid)
			    : put_in_turn(d, guid, puts, n, err);
		goto out;
	}
	if (!rc && n_rest) {
		rc = run_batch(d, guid, puts, rest, n_rest, k, &tasks, err);
		if (rc == 1)
			rc = gpo_err_set(err, -EIO, "writing %s: the mount is stopping", guid);
		if (connections && tasks > *connections)
			*connections = tasks;
	}
	/* the pieces' files get their time once whole */
	for (size_t i = 0; !rc && i < n_first; i++)
		if (first[i].kind == P_FIRST && puts[first[i].put].mtime)
			gpo_domain_sysvol_set_time(d, guid, puts[first[i].put].rel,
						   puts[first[i].put].mtime, NULL);
out:
	free(first);
	free(rest);
	return rc;
}

bool gpo_domain_sysvol_copies(struct gpo_domain *d)
{
	return writer(d, NULL) == &d->smb;
}

int gpo_domain_read_gptini(struct gpo_domain *d, const char *guid, char **text,
			   size_t *len, struct stat *st, struct gpo_err *err)
{
	struct gpo_smb *s = writer(d, err);
	char *path = rel_of(guid, "GPT.INI");
	uint64_t n = 0;
	int rc;

	*text = NULL;
	*len = 0;
	memset(st, 0, sizeof(*st));
	if (!s || !path) {
		free(path);
		return s ? gpo_err_set(err, -ENOMEM, "out of memory") : err ? err->code : -EIO;
	}
	rc = gpo_smb_stat(s, path, st);
	if (rc == -ENOENT) {
		memset(st, 0, sizeof(*st));
		rc = 0;
	} else if (!rc) {
		rc = gpo_smb_fetch(s, path, (uint64_t)st->st_size, GPO_GPTINI_MAX, -1,
				   text, &n);
		*len = (size_t)n;
	}
	if (rc)
		gpo_err_set(err, rc, "reading %s: %s", path, strerror(-rc));
	free(path);
	return rc;
}

static int read_entry(void *arg, const struct gpo_ldap_entry *e)
{
	struct gpo *g = arg;
	char *s = NULL;
	int rc;

	rc = gpo_ldap_entry_dn(e, &g->dn);
	if (!rc && gpo_ldap_entry_value(e, "displayName", &g->display_name, NULL) == -ENOMEM)
		rc = -ENOMEM;
	if (!rc && gpo_ldap_entry_value(e, "gPCMachineExtensionNames", &g->machine_ext, NULL) == -ENOMEM)
		rc = -ENOMEM;
	if (!rc && gpo_ldap_entry_value(e, "gPCUserExtensionNames", &g->user_ext, NULL) == -ENOMEM)
		rc = -ENOMEM;
	if (!rc && !gpo_ldap_entry_value(e, "versionNumber", &s, NULL))
		g->version = (uint32_t)strtoll(s, NULL, 10);
	free(s);
	s = NULL;
	if (!rc && !gpo_ldap_entry_value(e, "flags", &s, NULL))
		g->flags = (unsigned)strtoul(s, NULL, 10);
	free(s);
	s = NULL;
	if (!rc && !gpo_ldap_entry_value(e, "whenChanged", &s, NULL))
		gpo_parse_gentime(s, &g->changed);
	free(s);
	if (!rc && gpo_ldap_entry_value(e, "gPCWQLFilter", &g->wmi_filter, NULL) == -ENOMEM)
		rc = -ENOMEM;
	if (!rc && gpo_ldap_entry_value(e, "nTSecurityDescriptor", (char **)&g->sd,
					&g->sd_len) == -ENOMEM)
		rc = -ENOMEM;
	return rc;
}

int gpo_domain_read_gpo(struct gpo_domain *d, const char *guid, struct gpo *out,
			struct gpo_err *err)
{
	static const char *const attrs[] = {
		"displayName", "versionNumber", "flags", "whenChanged",
		"gPCMachineExtensionNames", "gPCUserExtensionNames", "gPCWQLFilter",
		"nTSecurityDescriptor", NULL
	};
	char *dn = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->guid, sizeof(out->guid), "%s", guid);
	if (asprintf(&dn, "CN=%s,CN=Policies,CN=System,%s", guid, d->ldap.base_dn) < 0)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_read(&d->ldap, dn, attrs, 4, read_entry, out); /* the DACL */
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc) {
		gpo_err_set(err, rc, "reading %s from the directory: %s", guid,
			    rc == -ENOENT ? "no such GPO" : strerror(-rc));
		gpo_clear(out);
	}
	free(dn);
	return rc;
}

int gpo_domain_set_version(struct gpo_domain *d, const struct gpo *was,
			   uint32_t version, const char *machine_ext,
			   const char *user_ext, struct gpo_err *err)
{
	char old[16], new[16];
	struct gpo_ldap_value vold = { old, 0 }, vnew = { new, 0 };
	struct gpo_ldap_value vm = { machine_ext, machine_ext ? strlen(machine_ext) : 0 };
	struct gpo_ldap_value vu = { user_ext, user_ext ? strlen(user_ext) : 0 };
	struct gpo_ldap_mod mods[4];
	size_t n = 0;
	int rc;

	vold.len = (size_t)snprintf(old, sizeof(old), "%u", was->version);
	vnew.len = (size_t)snprintf(new, sizeof(new), "%u", version);
	/* delete the old value, add the new: a compare-and-swap */
	mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_DELETE, "versionNumber", &vold, 1 };
	mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_ADD, "versionNumber", &vnew, 1 };
	if (machine_ext)
		mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_REPLACE,
			"gPCMachineExtensionNames", &vm, *machine_ext ? 1 : 0 };
	if (user_ext)
		mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_REPLACE,
			"gPCUserExtensionNames", &vu, *user_ext ? 1 : 0 };
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_modify(&d->ldap, was->dn, mods, n, 0);
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc == -ENODATA)
		rc = gpo_err_set(err, -ESTALE,
				 "%s changed in the directory meanwhile (versionNumber is no longer %u)",
				 was->guid, was->version);
	else if (rc)
		gpo_err_set(err, rc, "setting the version of %s: %s", was->guid,
			    *d->ldap.error && rc == -EIO ? d->ldap.error : strerror(-rc));
	return rc;
}

static bool is_held(const struct gpo_domain *d, const char *guid)
{
	for (size_t i = 0; i < d->n_held; i++)
		if (!strcmp(d->held[i], guid))
			return true;
	return false;
}

void gpo_domain_hold(struct gpo_domain *d, const char *guid, bool hold)
{
	pthread_mutex_lock(&d->pool.lock);
	if (hold) {
		char (*slot)[GPO_GUID_LEN + 1] = gpo_array_push(&d->held, &d->n_held,
								&d->cap_held,
								sizeof(*d->held));

		if (slot)
			memcpy(*slot, guid, sizeof(*slot));
	} else {
		for (size_t i = 0; i < d->n_held; i++) {
			if (strcmp(d->held[i], guid))
				continue;
			memcpy(d->held[i], d->held[--d->n_held], sizeof(*d->held));
			break;
		}
		pthread_cond_broadcast(&d->released);
	}
	pthread_mutex_unlock(&d->pool.lock);
}

bool gpo_domain_is_held(const struct gpo_domain *d, const char *guid)
{
	return is_held(d, guid);
}

void gpo_domain_changed(struct gpo_domain *d, const char *guid)
{
	struct gpo_err err = { 0 };
	int rc;

	gpo_domain_drop_view(d, guid);
	/* the one object read again, not the whole list (tens of ms at
	 * a hundred GPOs, after every commit) */
	rc = gpo_domain_relist(d, guid, &err);
	if (!rc || rc == -EAGAIN)
		return;
	pthread_mutex_lock(&d->lock);
	if (d->snap)
		d->snap->taken.tv_sec = 0; /* stale: read again at next use */
	pthread_mutex_unlock(&d->lock);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Whether was has to's DACL already, as the DC keeps it. */
static bool same_dacl(const struct gpo *was, const struct gpo_state *to)
{
	struct gpo_sd a = { 0 }, b = { 0 };
	bool same = false;

	if (!was->sd_len || gpo_sd_parse(was->sd, was->sd_len, &a))
		return false;
	if (!gpo_sd_parse(to->sd, to->sd_len, &b))
		same = gpo_sd_same_explicit_dacl(&a, &b);
	gpo_sd_free(&a);
	gpo_sd_free(&b);
	return same;
}

bool gpo_domain_state_same(const struct gpo *was, const struct gpo_state *to)
{
	return same_str(was->display_name ? was->display_name : "", to->display_name) &&
	       was->flags == to->flags && same_str(was->wmi_filter, to->wmi_filter) &&
	       (!to->sd || !to->sd_len || same_dacl(was, to));
}

int gpo_domain_set_state(struct gpo_domain *d, const struct gpo *was,
			 const struct gpo_state *to, struct gpo_err *err)
{
	char flags[16];
	struct gpo_ldap_value vname = { to->display_name, strlen(to->display_name) };
	struct gpo_ldap_value vflags = { flags, 0 };
	struct gpo_ldap_value vwmi = { to->wmi_filter,
				       to->wmi_filter ? strlen(to->wmi_filter) : 0 };
	struct gpo_ldap_value vsd = { to->sd, to->sd_len };
	struct gpo_ldap_mod mods[4];
	size_t n = 0;
	int rc;

	/* only what differs: a DACL written again costs the DC its
	 * inheritance work for nothing (a third of a restore's time) */
	vflags.len = (size_t)snprintf(flags, sizeof(flags), "%u", to->flags);
	if (!same_str(was->display_name ? was->display_name : "", to->display_name))
		mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_REPLACE, "displayName", &vname, 1 };
	if (was->flags != to->flags)
		mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_REPLACE, "flags", &vflags, 1 };
	/* replacing with no value removes it (and is no error when absent) */
	if (!same_str(was->wmi_filter, to->wmi_filter))
		mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_REPLACE, "gPCWQLFilter", &vwmi,
						   to->wmi_filter ? 1 : 0 };
	if (to->sd && to->sd_len && !same_dacl(was, to))
		mods[n++] = (struct gpo_ldap_mod){ GPO_LDAP_REPLACE, "nTSecurityDescriptor",
						   &vsd, 1 };
	if (!n)
		return 0;
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_modify(&d->ldap, was->dn, mods, n, 4); /* the DACL only */
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc)
		gpo_err_set(err, rc, "setting the name, status, WMI filter link and DACL of %s: %s",
			    was->guid, *d->ldap.error && rc == -EIO ? d->ldap.error : strerror(-rc));
	return rc;
}

/* The filter's ID in a gPCWQLFilter value "[domain;{ID};0]". */
static int wql_id(const char *wql, char id[GPO_GUID_LEN + 1])
{
	const char *a = strchr(wql, ';'), *b = a ? strchr(a + 1, ';') : NULL;

	if (!a || !b || (size_t)(b - a - 1) != GPO_GUID_LEN)
		return -EINVAL;
	memcpy(id, a + 1, GPO_GUID_LEN);
	id[GPO_GUID_LEN] = '\0';
	return gpo_guid_valid(id) ? 0 : -EINVAL;
}

static int found(void *arg, const struct gpo_ldap_entry *e)
{
	(void)e;
	*(bool *)arg = true;
	return 0;
}

int gpo_domain_wmi_filter_exists(struct gpo_domain *d, const char *wql,
				 struct gpo_err *err)
{
	static const char *const attrs[] = { "msWMI-Name", NULL };
	char id[GPO_GUID_LEN + 1];
	char *dn = NULL;
	bool there = false;
	int rc;

	if (wql_id(wql, id))
		return 0; /* not a link to anything */
	if (asprintf(&dn, "CN=%s,CN=SOM,CN=WMIPolicy,CN=System,%s", id, d->ldap.base_dn) < 0)
		return gpo_err_set(err, -ENOMEM, "out of memory");
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_read(&d->ldap, dn, attrs, 0, found, &there);
	pthread_mutex_unlock(&d->ldap.lock);
	free(dn);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return gpo_err_set(err, rc, "looking up the WMI filter %s: %s", id, strerror(-rc));
	return there ? 1 : 0;
}

static int wmi_id_entry(void *arg, const struct gpo_ldap_entry *e)
{
	char **id = arg;

	if (*id)
		return 0; /* the first of several of that name */
	return gpo_ldap_entry_value(e, "msWMI-ID", id, NULL) == -ENOMEM ? -ENOMEM : 0;
}

int gpo_domain_wmi_filter_named(struct gpo_domain *d, const char *name, char **wql,
				struct gpo_err *err)
{
	static const char *const attrs[] = { "msWMI-ID", NULL };
	struct gpo_buf filter = GPO_BUF_INIT;
	char *base = NULL, *id = NULL;
	int rc;

	*wql = NULL;
	rc = gpo_buf_printf(&filter, "(&(objectClass=msWMI-Som)(msWMI-Name=");
	if (!rc)
		rc = gpo_ldap_filter_escape(name, &filter);
	if (!rc)
		rc = gpo_buf_printf(&filter, "))");
	if (rc || asprintf(&base, "CN=SOM,CN=WMIPolicy,CN=System,%s", d->ldap.base_dn) < 0) {
		base = NULL;
		rc = gpo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&d->ldap.lock);
	rc = gpo_ldap_search(&d->ldap, base, 0, filter.data, attrs, 0, wmi_id_entry, &id);
	pthread_mutex_unlock(&d->ldap.lock);
	if (rc == -ENOENT)
		rc = 0;
	if (rc) {
		gpo_err_set(err, rc, "looking up the WMI filter %s: %s", name, strerror(-rc));
		goto out;
	}
	/* as GPMC links one: [domain;{ID};0] */
	if (id && asprintf(wql, "[%s;%s;0]", d->conf->domain, id) < 0) {
		*wql = NULL;
		rc = gpo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = id ? 1 : 0;
out:
	free(id);
	free(base);
	gpo_buf_free(&filter);
	return rc;
}

int gpo_domain_refresh_gpo(struct gpo_domain *d, const char *guid, struct gpo_err *err)
{
	int rc = gpo_domain_relist(d, guid, err);

	return rc == -EAGAIN ? 0 : rc;
}
