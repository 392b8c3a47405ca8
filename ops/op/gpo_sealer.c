#include "gpo_sealer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpo_quiet.h"
#include "gpo_store.h"

#define QUIET_MS 1000

struct gpo_sealer {
	struct gpo_quiet *q;
	char *store;
	struct gpo_domain *const *domains;
	size_t n;
	const struct gpo_log *lg;
};

/* Whether domain i is concerned by a backup of domain (NULL: unknown):
 * the one it names, or every domain when it names none that is mounted. */
static bool concerns(const struct gpo_sealer *s, size_t i, const char *domain)
{
	for (size_t j = 0; domain && j < s->n; j++)
		if (!strcasecmp(gpo_domain_name(s->domains[j]), domain))
			return i == j;
	return true;
}

static void seal_one(void *arg, const char *top)
{
	struct gpo_sealer *s = arg;
	struct gpo_backup_info info;
	char why[512] = "";
	int rc;

	if (gpo_store_is_sealed(s->store, top))
		return;
	rc = gpo_store_seal(s->store, top, &info, why, sizeof(why));
	if (rc == GPO_STORE_GONE)
		return; /* removed, or sealed by another mount of the store */
	for (size_t i = 0; i < s->n; i++) {
		struct gpo_journal *j = gpo_domain_journal(s->domains[i]);

		if (!concerns(s, i, rc < 0 ? NULL : info.domain))
			continue;
		if (rc < 0)
			gpo_journal_add(j, "backups/%s is not a valid backup: %s",
					top, why);
		else if (rc == 1)
			gpo_journal_add(j, "backups/%s is backup %s again: kept the sealed one",
					top, info.id);
		else
			gpo_journal_add(j, "backups/%s sealed as backup %s", top,
					info.id);
	}
	if (rc < 0)
		gpo_log(s->lg, GPO_LOG_WARN, "backups/%s not sealed: %s", top, why);
	else
		gpo_backup_info_free(&info);
}

int gpo_sealer_start(struct gpo_sealer **out, const char *store,
		     struct gpo_domain *const *domains, size_t n,
		     const struct gpo_log *lg)
{
	struct gpo_sealer *s = calloc(1, sizeof(*s));
	int rc;

	if (!s || !(s->store = strdup(store))) {
		free(s);
		return -ENOMEM;
	}
	s->domains = domains;
	s->n = n;
	s->lg = lg;
	rc = gpo_quiet_start(&s->q, QUIET_MS, seal_one, s);
	if (rc) {
		free(s->store);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void gpo_sealer_stop(struct gpo_sealer *s)
{
	if (!s)
		return;
	gpo_quiet_stop(s->q);
	free(s->store);
	free(s);
}

void gpo_sealer_touch(struct gpo_sealer *s, const char *top, int writers_delta)
{
	if (s)
		gpo_quiet_touch(s->q, top, writers_delta);
}

void gpo_sealer_mark_removing(struct gpo_sealer *s, const char *top)
{
	if (s)
		gpo_quiet_mark_gone(s->q, top);
}

bool gpo_sealer_removing(struct gpo_sealer *s, const char *top)
{
	return s && gpo_quiet_going(s->q, top);
}

void gpo_sealer_forget(struct gpo_sealer *s, const char *top)
{
	if (s)
		gpo_quiet_forget(s->q, top);
}
