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
#include "gpo_buf.h"
#include "gpo_domain_internal.h"
#include "gpo_inf.h"
#include "gpo_sd.h"
#include "gpo_store.h"

static int build_files(struct gpo_domain *d, struct gpo_view *v)
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
	if (!rc)
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

static struct gpo_view_slot *find_slot(struct gpo_domain *d, const char *guid)
{
	for (size_t i = 0; i < d->n_views; i++)
		if (!strcmp(d->views[i].guid, guid))
			return &d->views[i];
	return NULL;
}

/* Returns a referenced view that may be served without looking at the
 * DC (pinned by use, or checked within the ttl), or NULL. Caller holds
 * views_lock. */
static struct gpo_view *usable(struct gpo_domain *d, const struct gpo *g)
{
	struct gpo_view_slot *slot = find_slot(d, g->guid);
	struct gpo_view *v = slot ? slot->view : NULL;

	if (!v || v->gpo.version != g->version || v->gpo.changed != g->changed ||
	    gpo_ms_since(&slot->checked) >= d->ttl_ms)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &v->used);
	gpo_view_get(v);
	return v;
}

/* The view pid is pinned to for guid, referenced, or NULL. Drops pins that
 * have rested. Caller holds views_lock. */
static struct gpo_view *pinned(struct gpo_domain *d, pid_t pid, const char *guid)
{
	struct gpo_view *v = NULL;

	for (size_t i = 0; i < d->n_pins;) {
		struct gpo_view_pin *p = &d->pins[i];

		if (gpo_ms_since(&p->used) >= VIEW_PIN_MS) {
			gpo_view_put(p->view);
			d->pins[i] = d->pins[--d->n_pins];
			continue;
		}
		if (p->pid == pid && !strcmp(p->guid, guid)) {
			clock_gettime(CLOCK_MONOTONIC, &p->used);
			p->view->used = p->used;
			gpo_view_get(p->view);
			v = p->view;
		}
		i++;
	}
	return v;
}

/* Pins v for pid (a reference of its own). Caller holds views_lock. */
static void pin(struct gpo_domain *d, pid_t pid, const char *guid,
		struct gpo_view *v)
{
	struct gpo_view_pin *p;

	if (d->n_pins == d->cap_pins) {
		size_t cap = d->cap_pins ? d->cap_pins * 2 : 16;
		struct gpo_view_pin *q = realloc(d->pins, cap * sizeof(*q));

		if (!q)
			return; /* unpinned: the next call may see a newer view */
		d->pins = q;
		d->cap_pins = cap;
	}
	p = &d->pins[d->n_pins++];
	p->pid = pid;
	memcpy(p->guid, guid, sizeof(p->guid));
	gpo_view_get(v);
	p->view = v;
	clock_gettime(CLOCK_MONOTONIC, &p->used);
}

/* Drops views nobody has used for a long time (their files are on disk,
 * but there is no need to keep a whole domain's SYSVOL). */
static void drop_idle(struct gpo_domain *d)
{
	for (size_t i = 0; i < d->n_views;) {
		if (gpo_ms_since(&d->views[i].view->used) >= VIEW_IDLE_MS) {
			gpo_view_put(d->views[i].view);
			d->views[i] = d->views[--d->n_views];
		} else {
			i++;
		}
	}
}

static int publish(struct gpo_domain *d, const char *guid, struct gpo_view *v)
{
	struct gpo_view_slot *slot;

	drop_idle(d);
	slot = find_slot(d, guid);
	if (!slot) {
		if (d->n_views == d->cap_views) {
			size_t cap = d->cap_views ? d->cap_views * 2 : 64;
			struct gpo_view_slot *p = realloc(d->views, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			d->views = p;
			d->cap_views = cap;
		}
		slot = &d->views[d->n_views++];
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

int gpo_domain_view(struct gpo_domain *d, const struct gpo *g, pid_t pid,
		    struct gpo_view **view)
{
	struct gpo_view *v = NULL;
	uint32_t sysvol = 0;
	int rc = 0;

	pthread_mutex_lock(&d->views_lock);
	v = pinned(d, pid, g->guid);
	if (!v) {
		v = usable(d, g);
		if (v)
			pin(d, pid, g->guid, v);
	}
	pthread_mutex_unlock(&d->views_lock);
	if (v)
		goto done;

	pthread_mutex_lock(&d->capture_lock);
	/* Another thread may have captured it while we waited. */
	pthread_mutex_lock(&d->views_lock);
	v = usable(d, g);
	if (!v) {
		struct gpo_view_slot *slot = find_slot(d, g->guid);

		if (slot && slot->view->gpo.version == g->version &&
		    slot->view->gpo.changed == g->changed) {
			v = slot->view;
			gpo_view_get(v);
		}
	}
	pthread_mutex_unlock(&d->views_lock);
	if (v) {
		/* Same directory object: still current if GPT.INI is too. */
		rc = gpo_view_sysvol_version(&d->smb, g->guid, &sysvol);
		if (rc || sysvol != v->sysvol_version) {
			gpo_view_put(v);
			v = NULL;
		}
	}
	if (!v) {
		rc = gpo_view_capture(&d->smb, g, d->cache_dir, &v);
		if (!rc) {
			atomic_fetch_add(&d->captures, 1);
			atomic_fetch_add(&d->captured_bytes, v->bytes);
			rc = build_files(d, v);
		}
		if (rc && rc != -ENOMEM)
			gpo_journal_add(&d->journal, "%s: cannot read its SYSVOL folder: %s",
					g->guid, strerror(-rc));
	}
	if (!rc) {
		pthread_mutex_lock(&d->views_lock);
		rc = publish(d, g->guid, v);
		if (!rc)
			pin(d, pid, g->guid, v);
		pthread_mutex_unlock(&d->views_lock);
	}
	pthread_mutex_unlock(&d->capture_lock);
	if (rc) {
		gpo_view_put(v);
		return rc == -ENOMEM ? rc : -EIO;
	}
done:
	*view = v;
	return 0;
}

void gpo_view_file(const struct gpo_view *v, enum gpo_genfile which,
		   const char **data, size_t *len)
{
	*data = v->data[which];
	*len = v->len[which];
}
