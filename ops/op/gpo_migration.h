/* A migration: one GPMC migration table applied to the settings that an
 * import or a copy carries into a domain. Principals are matched to the
 * table through what the source records of them (its Backup.xml
 * SecurityGroups: a backup's own, or the one gpofs generates for a GPO of
 * a mounted domain, named by that domain's directory), destinations are
 * looked up in the target domain, and UNC paths are mapped by prefix.
 * Builtin and well-known SIDs are never mapped. What was mapped, dropped
 * and left unmapped goes to the target domain's log. */
#ifndef GPO_MIGRATION_H
#define GPO_MIGRATION_H

#include <stdbool.h>
#include <stddef.h>

#include "gpo_domain.h"
#include "gpo_err.h"

struct gpo_migration;

/* What a request may reach beyond its own domain: every mounted domain
 * (a copy from domain/GPO) and the folder of migtables/. */
struct gpo_op_env {
	struct gpo_domain *const *domains;
	size_t n_domains;
	const char *migtable_dir;
};

/* The mounted domain named dns (any case), or NULL. */
struct gpo_domain *gpo_op_env_domain(const struct gpo_op_env *env, const char *dns);

/* The errno of a strict migration that left something unmapped. */
#define GPO_MIGRATION_UNMAPPED ENXIO

/* Starts a migration into target through the table named table (a file
 * of dir, no '/', or an absolute path), for settings whose source wrote
 * backup_xml (len bytes; its SecurityGroups name the source's SIDs).
 * strict: anything unmapped fails the migration at gpo_migration_finish;
 * dry_run: each mapping is logged, and the caller changes nothing.
 * Returns 0 and *out (free with gpo_migration_free); -ENOENT (no such
 * table), -EINVAL (a table or Backup.xml that does not parse: the
 * reason names file, line and fault) or -errno, with the reason in err. */
int gpo_migration_new(struct gpo_domain *target, const char *dir, const char *table,
		      const char *backup_xml, size_t len, bool strict, bool dry_run,
		      struct gpo_migration **out, struct gpo_err *err);

/* Maps one settings file (rel: its path in the GPO folder, data: its
 * bytes). Returns 0 with *out the new bytes (caller frees) or NULL when
 * the file stays as it is (not a kind that names principals, or nothing
 * in it mapped); -EINVAL (the file does not parse), -ENOENT (a
 * destination the target domain does not have), or an LDAP failure, with
 * the reason in err. */
int gpo_migration_file(struct gpo_migration *m, const char *rel, const void *data,
		       size_t len, char **out, size_t *out_len, struct gpo_err *err);

/* Maps every settings file of view v (a GPO of a mounted domain) or of
 * folder dir (a backup's DomainSysvol/GPO) and throws the result away:
 * the check before anything is made (a destination that is missing, a
 * file that does not parse), and what a dry run logs. Returns as
 * gpo_migration_file. */
int gpo_migration_scan_view(struct gpo_migration *m, struct gpo_view *v, struct gpo_err *err);
int gpo_migration_scan_folder(struct gpo_migration *m, const char *dir, struct gpo_err *err);

/* Maps the principals of the DACL of sd (a self-relative descriptor of
 * len bytes: a copy's source DACL with acl=source): an ACE's SID
 * replaced, or the ACE dropped (DestinationNone). Returns 0 with *out
 * the new descriptor (caller frees) or NULL when nothing changed, or as
 * gpo_migration_file. */
int gpo_migration_sd(struct gpo_migration *m, const unsigned char *sd, size_t len,
		     unsigned char **out, size_t *out_len, struct gpo_err *err);

/* Ends the walk: logs what was mapped, dropped and left unmapped (every
 * mapping too for a dry run). Returns 0, or -GPO_MIGRATION_UNMAPPED for a
 * strict migration that left anything unmapped (each one in the log). */
int gpo_migration_finish(struct gpo_migration *m, const char *what, struct gpo_err *err);

/* True for a dry run. */
bool gpo_migration_dry_run(const struct gpo_migration *m);

/* Frees m (NULL is fine). */
void gpo_migration_free(struct gpo_migration *m);

struct gpo_writes;

/* What reading a domain's migtable control file shows. */
extern const char gpo_migtable_usage[];

/* Carries out one request written to d's migtable control file (a table
 * name of dir, or none): the table, once it parses, becomes w's
 * (gpo_writes_set_migtable). Returns 0, or -EINVAL / -ENOENT / -errno
 * with the reason in err (and the log). */
int gpo_migtable_request(struct gpo_writes *w, struct gpo_domain *d, const char *dir,
			 const char *buf, size_t len, struct gpo_err *err);

#endif
