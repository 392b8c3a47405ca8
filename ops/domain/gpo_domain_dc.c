/* Whether a domain's DC answers. When a read finds it gone (a network
 * error, or EIO: gpo_is_dc_failure), the domain goes on serving its last
 * GPO list and its captures, each a valid backup of its moment, and
 * refuses at once what needs the DC; nothing tries the DC on a reader's
 * behalf meanwhile. A prober tries it once per ttl, and when the
 * directory and SYSVOL both answer again the domain is as before: the
 * next read of a GPO checks it and shows what changed. The journal gets
 * one line when the DC is lost and one when it is back, with what was
 * refused in between. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gpo_domain_internal.h"

void gpo_domain_dc_init(struct gpo_domain *d)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&d->dc_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->dc_wake, &ca);
	pthread_condattr_destroy(&ca);
	d->dc_ready = true;
}

bool gpo_domain_dc_away(struct gpo_domain *d)
{
	bool away;

	pthread_mutex_lock(&d->dc_lock);
	away = d->dc_away;
	pthread_mutex_unlock(&d->dc_lock);
	return away;
}

void gpo_domain_dc_lost(struct gpo_domain *d, const char *why)
{
	size_t dl = strlen(d->conf->domain);

	pthread_mutex_lock(&d->dc_lock);
	if (d->dc_away) {
		pthread_mutex_unlock(&d->dc_lock);
		return;
	}
	d->dc_away = true;
	d->dc_outages++;
	d->dc_refused = 0;
	d->dc_served = 0;
	clock_gettime(CLOCK_MONOTONIC, &d->dc_lost_at);
	d->dc_tried = d->dc_lost_at;
	pthread_cond_signal(&d->dc_wake);
	/* the journal is the domain's: no "corp.example: " before the why */
	if (!strncmp(why, d->conf->domain, dl) && !strncmp(why + dl, ": ", 2))
		why += dl + 2;
	/* under dc_lock: lost and back lines keep their order */
	gpo_journal_add(&d->journal,
			"domain controller %s lost: %s; GPOs captured before are served as they were, what needs the DC fails (EIO)",
			d->dc, why);
	pthread_mutex_unlock(&d->dc_lock);
	gpo_log(d->lg, GPO_LOG_WARN, "%s: domain controller %s lost: %s",
		d->conf->domain, d->dc, why);
}

void gpo_domain_dc_refused(struct gpo_domain *d)
{
	pthread_mutex_lock(&d->dc_lock);
	if (d->dc_away)
		d->dc_refused++;
	pthread_mutex_unlock(&d->dc_lock);
}

void gpo_domain_dc_serving(struct gpo_domain *d, unsigned *outage,
			   const char *guid, time_t captured)
{
	char when[32];
	struct tm tm;

	pthread_mutex_lock(&d->dc_lock);
	if (d->dc_away && *outage != d->dc_outages) {
		*outage = d->dc_outages;
		d->dc_served++;
		gmtime_r(&captured, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		gpo_journal_add(&d->journal,
				"%s: served from its capture of %s while the domain controller is away",
				guid, when);
	}
	pthread_mutex_unlock(&d->dc_lock);
}

/* One look at the DC: the GPO list over LDAP (reconnecting), and the
 * Policies folder over the daemon's own SMB connection. On success the
 * list becomes the domain's. Called without locks. */
static bool probe(struct gpo_domain *d)
{
	struct gpo_snapshot *s = NULL;
	struct stat st;
	int rc;

	rc = gpo_domain_read_list(d, &s, NULL);
	if (!rc)
		rc = gpo_smb_stat(&d->smb, "", &st);
	if (rc) {
		gpo_snapshot_put(s);
		return false;
	}
	pthread_mutex_lock(&d->lock);
	gpo_domain_install(d, s);
	pthread_mutex_unlock(&d->lock);
	return true;
}

/* Caller holds dc_lock. */
static void back(struct gpo_domain *d)
{
	long long ms = gpo_ms_since(&d->dc_lost_at);
	unsigned long refused = d->dc_refused, served = d->dc_served;

	d->dc_away = false;
	gpo_journal_add(&d->journal,
			"domain controller %s back after %lld s: %lu read%s refused, %lu GPO%s served from earlier captures meanwhile",
			d->dc, (ms + 500) / 1000, refused, refused == 1 ? "" : "s",
			served, served == 1 ? "" : "s");
	gpo_log(d->lg, GPO_LOG_INFO, "%s: domain controller %s back",
		d->conf->domain, d->dc);
}

static void *prober_main(void *arg)
{
	struct gpo_domain *d = arg;

	pthread_mutex_lock(&d->dc_lock);
	while (!d->dc_stopping) {
		struct timespec due = d->dc_tried;
		bool ok;

		if (!d->dc_away) {
			pthread_cond_wait(&d->dc_wake, &d->dc_lock);
			continue;
		}
		due.tv_sec += d->ttl_ms / 1000;
		due.tv_nsec += (long)(d->ttl_ms % 1000) * 1000000L;
		if (due.tv_nsec >= 1000000000L) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000L;
		}
		if (gpo_ms_since(&due) < 0) {
			pthread_cond_timedwait(&d->dc_wake, &d->dc_lock, &due);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &d->dc_tried);
		pthread_mutex_unlock(&d->dc_lock);
		ok = probe(d);
		pthread_mutex_lock(&d->dc_lock);
		if (ok && d->dc_away)
			back(d);
	}
	pthread_mutex_unlock(&d->dc_lock);
	return NULL;
}

void gpo_domain_dc_start(struct gpo_domain *d)
{
	if (!d->dc_ready || d->dc_prober_running)
		return;
	d->dc_prober_running = !pthread_create(&d->dc_prober, NULL, prober_main, d);
	if (!d->dc_prober_running)
		gpo_log(d->lg, GPO_LOG_ERR,
			"%s: cannot start the thread that looks for a lost domain controller",
			d->conf->domain);
}

void gpo_domain_dc_stop(struct gpo_domain *d)
{
	if (!d->dc_ready)
		return;
	pthread_mutex_lock(&d->dc_lock);
	d->dc_stopping = true;
	pthread_cond_broadcast(&d->dc_wake);
	pthread_mutex_unlock(&d->dc_lock);
	if (d->dc_prober_running)
		pthread_join(d->dc_prober, NULL);
	d->dc_prober_running = false;
	pthread_cond_destroy(&d->dc_wake);
	pthread_mutex_destroy(&d->dc_lock);
	d->dc_ready = false;
}
