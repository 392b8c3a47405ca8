/* mkdir by-name/<name> makes a GPO. The kernel insists that what a mkdir
 * made be a directory (it looks it up straight after), while by-name/
 * holds symlinks: so the one lookup that ends the mkdir is answered with
 * the GPO's folder, and a path through that directory entry (the kernel
 * keeps it for the entry timeout) is the GPO's folder too (gpofs_path.c). */
#include "gpofs_byname.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpo_made.h"
#include "gpo_name.h"
#include "gpo_time.h"

/* how long a mkdir's own lookup may come after it */
#define JUST_MADE_MS 2000

static void remember(struct gpofs *fs, const struct gpofs_path *p, pid_t pid,
		     const char *guid)
{
	struct gpofs_made *slot = &fs->made[0];

	pthread_mutex_lock(&fs->made_lock);
	/* the oldest place is taken: a mkdir's lookup follows at once */
	for (size_t i = 1; i < sizeof(fs->made) / sizeof(fs->made[0]); i++)
		if (gpo_ms_between(&fs->made[i].at, &slot->at) > 0)
			slot = &fs->made[i];
	slot->pid = pid;
	slot->dom_i = p->dom_i;
	snprintf(slot->name, sizeof(slot->name), "%s", p->name);
	memcpy(slot->guid, guid, sizeof(slot->guid));
	clock_gettime(CLOCK_MONOTONIC, &slot->at);
	pthread_mutex_unlock(&fs->made_lock);
}

bool gpofs_byname_just_made(struct gpofs *fs, const struct gpofs_path *p,
			    pid_t pid, char guid[GPO_GUID_LEN + 1])
{
	bool found = false;

	pthread_mutex_lock(&fs->made_lock);
	for (size_t i = 0; i < sizeof(fs->made) / sizeof(fs->made[0]); i++) {
		struct gpofs_made *m = &fs->made[i];

		if (!m->at.tv_sec || m->pid != pid || m->dom_i != p->dom_i ||
		    strcmp(m->name, p->name) || gpo_ms_since(&m->at) > JUST_MADE_MS)
			continue;
		memcpy(guid, m->guid, GPO_GUID_LEN + 1);
		memset(m, 0, sizeof(*m));
		found = true;
		break;
	}
	pthread_mutex_unlock(&fs->made_lock);
	return found;
}

int gpofs_byname_as_folder(struct gpofs_path *p)
{
	struct gpo_snapshot *snap = NULL;
	const struct gpo *g = NULL;
	int rc = gpo_domain_snapshot(p->dom, &snap);

	if (!rc) {
		g = gpo_snapshot_find_name(snap, p->name);
		rc = g ? 0 : -ENOENT;
	}
	if (g) {
		memcpy(p->guid, g->guid, sizeof(p->guid));
		p->kind = GPOFS_GPO;
	}
	gpo_snapshot_put(snap);
	return rc;
}

int gpofs_byname_mkdir(struct gpofs *fs, const struct gpofs_path *p, pid_t pid)
{
	struct gpo_err err = { 0 };
	char guid[GPO_GUID_LEN + 1];
	char *name = NULL;
	int rc;

	if (strlen(p->name) >= sizeof(fs->made[0].name))
		return -ENAMETOOLONG;
	name = gpo_name_unescape(p->name);
	if (!name)
		return -EINVAL;
	/* the create logs its own line: what was made, or why not; journalled
	 * while it is made, so that a daemon killed half-way deletes the
	 * half-made GPO at its next start */
	if (fs->writes) {
		const char *journal = gpo_writes_journal_dir(fs->writes[p->dom_i]);

		rc = gpo_made_create(p->dom, journal, "mkdir", name, NULL, guid, &err);
		if (!rc)
			gpo_made_done(p->dom, journal, "mkdir", guid, false);
	} else {
		rc = gpo_domain_create(p->dom, name, guid, &err);
	}
	if (!rc)
		remember(fs, p, pid, guid);
	free(name);
	return rc;
}
