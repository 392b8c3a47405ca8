/* A domain's views: which capture of a GPO each reader is served from,
 * and the generated files built with it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_ext.h"
#include "gpo_time.h"
#include "gpo_array.h"
#include "gpo_buf.h"
#include "gpo_domain_internal.h"
#include "gpo_ad_error.h"
#include "gpo_inf.h"
#include "gpo_sd.h"

/* report: gpreport.xml too, which costs a search of the GPO's links; a
 * copy's partial view (gpo_domain_view_listed) needs only the other two. */
static int build_files(struct gpo_domain *d, struct gpo_view *v, bool report)
{
	struct gpo g = v->gpo; /* shallow: only the time differs */
	struct gpo_backup_extras x = { 0 };
	struct gpo_backup_ext_in ext = {
		.gpo_guid = g.guid, .dc = d->dc, .domain = d->conf->domain,
		.machine_ext = g.machine_ext, .user_ext = g.user_ext,
	};
	struct gpo_sysvol_entry *entries = NULL;
	struct gpo_principal *groups = NULL;
	const char **file_paths = NULL;
	size_t n_entries = 0, n_groups = 0, ext_len = 0, n_file_paths = 0;
	char *ext_xml = NULL;
	int rc;

	g.changed = v->changed;
	rc = gpo_view_entries(v, &entries, &n_entries);
	if (!rc) {
		ext.entries = entries;
		ext.n_entries = n_entries;
		rc = gpo_backup_ext_xml(&ext, &ext_xml, &ext_len);
	}
	if (!rc)
		rc = gpo_domain_principals(d, v, &groups, &n_groups);
	if (!rc)
		rc = gpo_domain_file_paths(v, &file_paths, &n_file_paths);
	if (rc)
		goto out;
	x.file_paths = file_paths;
	x.n_file_paths = n_file_paths;
	x.groups = groups;
	x.n_groups = n_groups;
	x.extensions = ext_xml;
	rc = gpo_backup_xml(&d->info, &g, v->sysvol_version, &x,
			    &v->data[GPO_GEN_BACKUP_XML],
			    &v->len[GPO_GEN_BACKUP_XML]);
	if (!rc)
		rc = gpo_bkupinfo_xml(&d->info, &g, v->sysvol_version,
				      &v->data[GPO_GEN_BKUPINFO_XML],
				      &v->len[GPO_GEN_BKUPINFO_XML]);
	if (!rc && report)
		rc = gpo_domain_report(d, v, &v->data[GPO_GEN_REPORT_XML],
				       &v->len[GPO_GEN_REPORT_XML]);
out:
	gpo_view_entries_free(entries, n_entries);
	gpo_principals_free(groups, n_groups);
	for (size_t i = 0; i < n_file_paths; i++)
		free((char *)file_paths[i]);
	free(file_paths);
	free(ext_xml);
	return rc;
}

static int slot_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct gpo_view_slot *)elem)->guid);
}

/* Caller holds the pool's lock (as for everything below). */
static struct gpo_view_slot *find_slot(struct gpo_domain *d, const char *guid)
{
	if (!d->n_views)
		return NULL; /* d->views may be NULL: not for bsearch */
	return bsearch(guid, d->views, d->n_views, sizeof(*d->views), slot_cmp);
}

static bool same_object(const struct gpo_view *v, const struct gpo *g)
{
	/* whenChanged counts seconds: a security change within the second
	 * of the capture shows in the descriptor alone */
	return v->gpo.version == g->version && v->gpo.changed == g->changed &&
	       v->gpo.sd_len == g->sd_len &&
	       (!g->sd_len || !memcmp(v->gpo.sd, g->sd, g->sd_len));
}

/* Returns a referenced view that may be served without looking at the
 * DC (checked within the ttl), or NULL. */
static struct gpo_view *usable(struct gpo_domain *d, const struct gpo *g,
			       const struct timespec *now)
{
	struct gpo_view_slot *slot = find_slot(d, g->guid);
	struct gpo_view *v = slot ? slot->view : NULL;

	if (!v || !same_object(v, g) || gpo_ms_since(&slot->checked) >= d->ttl_ms)
		return NULL;
	v->used = *now;
	gpo_view_get(v);
	return v;
}

/* The view pid is pinned to for guid, referenced, or NULL. Drops pins that
 * have rested. */
static struct gpo_view *pinned(struct gpo_domain *d, pid_t pid, const char *guid,
			       const struct timespec *now)
{
	struct gpo_view *v = NULL;

	for (size_t i = 0; i < d->n_pins;) {
		struct gpo_view_pin *p = &d->pins[i];

		if (gpo_ms_between(&p->used, now) >= VIEW_PIN_MS) {
			gpo_view_put(p->view);
			d->pins[i] = d->pins[--d->n_pins];
			continue;
		}
		if (!v && p->pid == pid && !strcmp(p->guid, guid)) {
			p->used = *now;
			p->view->used = *now;
			gpo_view_get(p->view);
			v = p->view;
		}
		i++;
	}
	return v;
}

/* Pins v for pid (a reference of its own). */
static void pin(struct gpo_domain *d, pid_t pid, const char *guid,
		struct gpo_view *v, const struct timespec *now)
{
	struct gpo_view_pin *p = gpo_array_push(&d->pins, &d->n_pins,
						&d->cap_pins, sizeof(*p));

	if (!p)
		return; /* unpinned: the next call may see a newer view */
	p->pid = pid;
	memcpy(p->guid, guid, sizeof(p->guid));
	gpo_view_get(v);
	p->view = v;
	p->used = *now;
}

void gpo_domain_unpin_session(struct gpo_domain *d, pid_t sid, const char *guid)
{
	pthread_mutex_lock(&d->pool.lock);
	for (size_t i = 0; i < d->n_pins;) {
		struct gpo_view_pin *p = &d->pins[i];

		if (!strcmp(p->guid, guid) && (p->pid == sid || getsid(p->pid) == sid)) {
			gpo_view_put(p->view);
			d->pins[i] = d->pins[--d->n_pins];
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&d->pool.lock);
}

/* Drops views nobody has used for a long time: there is no need to keep
 * a whole domain's SYSVOL. Keeps the slots in order. */
static void drop_idle(struct gpo_domain *d)
{
	size_t k = 0;

	/* once a second: it looks at every view */
	if (d->idle_swept.tv_sec && gpo_ms_since(&d->idle_swept) < 1000)
		return;
	clock_gettime(CLOCK_MONOTONIC, &d->idle_swept);

	for (size_t i = 0; i < d->n_views; i++) {
		if (gpo_ms_since(&d->views[i].view->used) >= VIEW_IDLE_MS)
			gpo_view_put(d->views[i].view);
		else
			d->views[k++] = d->views[i];
	}
	d->n_views = k;
}

static int publish(struct gpo_domain *d, const char *guid, struct gpo_view *v)
{
	struct gpo_view_slot *slot;

	drop_idle(d);
	slot = find_slot(d, guid);
	if (!slot) {
		size_t at = 0;

		if (!gpo_array_push(&d->views, &d->n_views, &d->cap_views,
				    sizeof(*d->views)))
			return -ENOMEM;
		while (at < d->n_views - 1 && strcmp(d->views[at].guid, guid) < 0)
			at++;
		/* in order of GUID: moved up from the end */
		memmove(&d->views[at + 1], &d->views[at],
			(d->n_views - 1 - at) * sizeof(*d->views));
		slot = &d->views[at];
		memset(slot, 0, sizeof(*slot));
		memcpy(slot->guid, guid, sizeof(slot->guid));
	}
	if (slot->view != v) {
		gpo_view_put(slot->view);
		gpo_view_get(v);
		slot->view = v;
	}
	clock_gettime(CLOCK_MONOTONIC, &slot->checked);
	return 0;
}

/* Lets go of slot's view (readers keep theirs) and removes the slot,
 * keeping the others in order. */
static void drop_slot(struct gpo_domain *d, struct gpo_view_slot *slot)
{
	size_t at = (size_t)(slot - d->views);

	gpo_view_put(slot->view);
	memmove(slot, slot + 1, (d->n_views - at - 1) * sizeof(*slot));
	d->n_views--;
}

/* Starts a capture of g: a check when its current view has the same
 * directory object, else a full one. */
static struct gpo_capture *start_capture(struct gpo_domain *d, const struct gpo *g,
					 bool urgent)
{
	struct gpo_view_slot *slot = find_slot(d, g->guid);
	struct gpo_view *old = NULL;

	if (slot && same_object(slot->view, g))
		old = slot->view;
	else if (slot)
		/* out of date: its cache files go once no reader holds it,
		 * rather than sit beside the new capture's */
		drop_slot(d, slot);
	return gpo_capture_start(&d->pool, g, old, urgent);
}

int gpo_domain_views_seed_empty(struct gpo_domain *d, const char *guid)
{
	const struct gpo *listed;
	struct gpo g = { 0 };
	struct gpo_view *v = NULL;
	int rc;

	pthread_mutex_lock(&d->lock);
	listed = d->snap ? gpo_snapshot_find(d->snap, guid) : NULL;
	rc = !listed ? -ENOENT : gpo_copy(&g, listed) ? -ENOMEM : 0;
	pthread_mutex_unlock(&d->lock);
	if (rc)
		goto out;
	v = gpo_view_new(&g, NULL);
	if (!v) {
		rc = -ENOMEM;
		goto out;
	}
	v->cache = d->pool.cache;
	/* no GPT.INI: version 0, its listing all zero (st_mode 0), which is
	 * what the commit finds and compares (no lost update) */
	gpo_view_finish(v);
	rc = build_files(d, v, true);
	if (rc)
		goto out;
	pthread_mutex_lock(&d->pool.lock);
	/* a reader got there first: its capture stands */
	if (!find_slot(d, guid) && !gpo_capture_find(&d->pool, guid))
		rc = publish(d, guid, v);
	pthread_mutex_unlock(&d->pool.lock);
out:
	gpo_view_put(v);
	gpo_clear(&g);
	return rc;
}

/* Drops the views no reader holds (the slot's is their only reference)
 * that keep files in the cache, least recently used first, until want
 * bytes are freed or none is left. */
static uint64_t evict_idle(void *arg, uint64_t want)
{
	struct gpo_domain *d = arg;
	uint64_t freed = 0;

	pthread_mutex_lock(&d->pool.lock);
	while (freed < want) {
		struct gpo_view_slot *lru = NULL;

		for (size_t i = 0; i < d->n_views; i++) {
			struct gpo_view *v = d->views[i].view;

			if (!v->cached || atomic_load(&v->refs) != 1)
				continue;
			if (!lru || gpo_ms_since(&v->used) > gpo_ms_since(&lru->view->used))
				lru = &d->views[i];
		}
		if (!lru)
			break;
		freed += lru->view->cached;
		gpo_log(d->lg, GPO_LOG_DEBUG, "%s: %s dropped from the full cache",
			d->conf->domain, lru->guid);
		drop_slot(d, lru);
	}
	pthread_mutex_unlock(&d->pool.lock);
	return freed;
}

/* A walk of the domain (cp -r, rsync, grep -r) reads GPO after GPO in
 * the order gpos/ lists them. Once readers go from one GPO to another
 * within WALK_PAUSE_MS, keep the workers busy with the GPOs after the one
 * last asked for, so that each is ready when the walk reaches it. A
 * reader of one GPO starts none. */
#define PREFETCH_PER_WORKER 2
#define WALK_PAUSE_MS 2000

/* Notes that g was asked for. */
static void note_demand(struct gpo_domain *d, const struct gpo *g,
			const struct timespec *now)
{
	bool recent = d->walk_guid[0] && gpo_ms_between(&d->demanded, now) < WALK_PAUSE_MS;

	if (strcmp(d->walk_guid, g->guid)) {
		d->walking = recent;
		memcpy(d->walk_guid, g->guid, sizeof(d->walk_guid));
	}
	d->demanded = *now;
}

/* Starts captures from the prefetch cursor on, moving it past each GPO it
 * starts or finds current, until the window is full. */
static void prefetch(struct gpo_domain *d)
{
	struct gpo_snapshot *s = d->prefetch;
	size_t window = d->pool.n_drivers * PREFETCH_PER_WORKER;
	struct timespec now;

	if (!s || !d->walking || d->pool.n_later >= window ||
	    gpo_ms_since(&d->demanded) >= WALK_PAUSE_MS ||
	    gpo_domain_dc_away(d))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	while (d->prefetch_next < s->n && d->pool.n_later < window) {
		const struct gpo *g = &s->gpos[d->prefetch_next];
		struct gpo_view *v;

		if (!gpo_capture_find(&d->pool, g->guid)) {
			v = usable(d, g, &now);
			if (v)
				gpo_view_put(v);
			else if (!start_capture(d, g, false))
				break;
			else
				atomic_fetch_add(&d->prefetched, 1);
		}
		d->prefetch_next++;
	}
}

static int hook_build(void *arg, struct gpo_capture *c)
{
	return c->view ? build_files(arg, c->view, !c->unread_from) : 0;
}

static void hook_superseded(void *arg, struct gpo_capture *c)
{
	struct gpo_domain *d = arg;
	struct gpo_view_slot *slot = find_slot(d, c->gpo.guid);

	if (slot && slot->view == c->old)
		drop_slot(d, slot);
}

static void hook_publish(void *arg, struct gpo_capture *c)
{
	struct gpo_domain *d = arg;

	if (!c->err.code && c->view && c->unread_from) {
		/* partial: its one caller's alone (gpo_domain_view_listed) */
		atomic_fetch_add(&d->captures, 1);
		atomic_fetch_add(&d->captured_bytes, c->view->bytes);
	} else if (!c->err.code && c->view) {
		if (!publish(d, c->gpo.guid, c->view)) {
			atomic_fetch_add(&d->captures, 1);
			atomic_fetch_add(&d->captured_bytes, c->view->bytes);
		}
	} else if (!c->err.code && c->unchanged) {
		struct gpo_view_slot *slot = find_slot(d, c->gpo.guid);

		if (slot && slot->view == c->old)
			clock_gettime(CLOCK_MONOTONIC, &slot->checked);
		atomic_fetch_add(&d->checks, 1);
	} else if (gpo_is_dc_failure(c->err.code)) {
		/* one line for the DC, none per GPO it fails */
		gpo_domain_dc_lost(d, gpo_err_reason(&c->err));
	} else if (c->err.code && c->err.code != -ENOMEM) {
		gpo_journal_add(&d->journal, "%s: not captured: %s",
				c->gpo.guid, gpo_err_reason(&c->err));
	}
	prefetch(d);
}

int gpo_domain_views_init(struct gpo_domain *d,
			  const struct gpo_worker_target *t,
			  const struct gpo_domain_io *io)
{
	struct gpo_capture_hooks hooks = {
		.build = hook_build, .publish = hook_publish,
		.superseded = hook_superseded, .arg = d,
	};
	int rc;

	/* No workers: the pool's one driver reads in process. */
	rc = gpo_capture_pool_init(&d->pool, io->workers ? io->workers : 1, t,
				   io->workers ? io->exe : NULL,
				   &d->smb, &d->smb.requests, d->cache_dir,
				   io->cache, &hooks);
	d->pool_ready = !rc;
	if (!rc && io->cache)
		rc = gpo_cache_add_evictor(io->cache, evict_idle, d);
	return rc;
}

/* Where g is in snapshot s (the walk's order), or 0. */
static size_t index_of(const struct gpo_snapshot *s, const struct gpo *g)
{
	const struct gpo *at = gpo_snapshot_find(s, g->guid);

	return at ? (size_t)(at - s->gpos) : 0;
}

/* While the DC is away: g's last capture, referenced, if it is of the
 * directory object the (last) list shows; else NULL. The journal says
 * once per outage that it is served, and from when. */
static struct gpo_view *last_capture(struct gpo_domain *d, const struct gpo *g,
				     const struct timespec *now)
{
	struct gpo_view_slot *slot = find_slot(d, g->guid);
	struct gpo_view *v = slot ? slot->view : NULL;

	if (!v || !same_object(v, g))
		return NULL;
	v->used = *now;
	gpo_view_get(v);
	gpo_domain_dc_serving(d, &slot->served_outage, g->guid, v->captured);
	return v;
}

/* gpo_domain_view's work; walk: the demand of a reader, which may be a
 * walk of the GPOs (a cp -r of gpos/) to fetch ahead of; pid 0: no
 * process's pinned view, the current one; unread_from not 0: when a
 * capture must start, the caller's own partial one
 * (gpo_domain_view_listed), else the view readers get. */
static int view_of(struct gpo_domain *d, const struct gpo *g, pid_t pid, bool walk,
		   uint64_t unread_from, struct gpo_view **view)
{
	struct gpo_snapshot *snap = NULL;
	struct gpo_view *v = NULL;
	struct timespec now;
	bool away;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&d->pool.lock);
	if (walk)
		note_demand(d, g, &now);
	v = pid ? pinned(d, pid, g->guid, &now) : NULL;
	/* being committed: the view there is, or the one after */
	while (!v && gpo_domain_is_held(d, g->guid)) {
		struct gpo_view_slot *slot = find_slot(d, g->guid);

		if (slot) {
			v = slot->view;
			gpo_view_get(v);
			if (pid)
				pin(d, pid, g->guid, v, &now);
			break;
		}
		pthread_cond_wait(&d->released, &d->pool.lock);
	}
	if (!v) {
		v = usable(d, g, &now);
		/* not checked within the ttl: while the DC is away, as it
		 * was last captured, without a check */
		away = !v && gpo_domain_dc_away(d);
		if (away)
			v = last_capture(d, g, &now);
		if (v && pid)
			pin(d, pid, g->guid, v, &now);
		else if (!v && away)
			rc = -EIO;
	}
	if (v && walk)
		prefetch(d); /* keep ahead of the walk */
	pthread_mutex_unlock(&d->pool.lock);
	if (v)
		goto done;
	if (rc) {
		/* never captured (or dropped): that needs the DC */
		gpo_domain_dc_refused(d);
		return rc;
	}

	/* The walk's list, taken before the lock (it may search LDAP). */
	if (walk && gpo_domain_snapshot(d, &snap))
		snap = NULL;
	pthread_mutex_lock(&d->pool.lock);
	for (int tries = 0; !v && !rc && tries < 3; tries++) {
		struct gpo_capture *c = gpo_capture_find(&d->pool, g->guid);

		if (!c && unread_from) {
			/* nothing to share: the caller's alone, never published */
			c = gpo_capture_start_private(&d->pool, g, unread_from);
			rc = c ? gpo_capture_wait_view(&d->pool, c, &v, NULL) : -ENOMEM;
			break;
		}
		if (c)
			gpo_capture_promote(&d->pool, c);
		else
			c = start_capture(d, g, true);
		if (!c) {
			rc = -ENOMEM;
			break;
		}
		if (snap) {
			gpo_snapshot_put(d->prefetch);
			d->prefetch = snap;
			d->prefetch_next = index_of(snap, g) + 1;
			snap = NULL;
		}
		if (walk)
			prefetch(d);
		atomic_fetch_add(&d->reader_waits, 1);
		rc = gpo_capture_wait(&d->pool, c, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* NULL when the capture waited for was of an older object */
		v = rc ? NULL : usable(d, g, &now);
	}
	away = gpo_is_dc_failure(rc);
	if (away)
		/* found away now (its publish said so): the last capture */
		v = last_capture(d, g, &now);
	if (v)
		if (pid)
			pin(d, pid, g->guid, v, &now);
	pthread_mutex_unlock(&d->pool.lock);
	gpo_snapshot_put(snap);
	if (!v && away)
		gpo_domain_dc_refused(d);
	if (!v)
		/* the capture's own errno: an EACCES stays EACCES; EIO when
		 * each capture waited for was of an older object, or the
		 * folder never held still (the journal says which) */
		return rc && rc != -EAGAIN ? rc : -EIO;
done:
	*view = v;
	return 0;
}

int gpo_domain_view(struct gpo_domain *d, const struct gpo *g, pid_t pid,
		    struct gpo_view **view)
{
	return view_of(d, g, pid, true, 0, view);
}

int gpo_domain_view_once(struct gpo_domain *d, const struct gpo *g, pid_t pid,
			 struct gpo_view **view)
{
	return view_of(d, g, pid, false, 0, view);
}

int gpo_domain_view_listed(struct gpo_domain *d, const struct gpo *g, uint64_t unread_from,
			   struct gpo_view **view)
{
	return view_of(d, g, 0, false, unread_from, view);
}

void gpo_domain_drop_view(struct gpo_domain *d, const char *guid)
{
	struct gpo_view_slot *slot;

	pthread_mutex_lock(&d->pool.lock);
	slot = find_slot(d, guid);
	if (slot)
		drop_slot(d, slot);
	/* a reader's pin on it lets go at its next use, as for any change */
	pthread_mutex_unlock(&d->pool.lock);
}
