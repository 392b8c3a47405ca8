/* The pure parts of gpo_ldap.c's writes, for its unit tests. */
#ifndef GPO_LDAP_INTERNAL_H
#define GPO_LDAP_INTERNAL_H

#ifndef GPO_OPS_INTERNAL
#error "gpo_ldap_internal.h is ops/ad's own: use gpo_ldap.h"
#endif

#include <ldap.h>
#include "gpo_ldap.h"

/* The LDAP_SERVER_SD_FLAGS control (critical), its value a BER SEQUENCE
 * of one INTEGER, flags. Returns 0 or -ENOMEM; free with
 * ldap_control_free. */
int gpo_ldap_sd_control(int flags, LDAPControl **out);

/* The tree-delete control (critical, no value). Returns 0 or -ENOMEM. */
int gpo_ldap_tree_delete_control(LDAPControl **out);

/* mods as libldap's NULL-terminated LDAPMod array (binary values, which
 * point into mods' own: mods must outlive it). add: for an add, whose
 * mods carry no op. Returns 0 or -ENOMEM (-EINVAL for a mod without an
 * attribute, or an add's without values); free with gpo_ldap_mods_free. */
int gpo_ldap_mods_make(const struct gpo_ldap_mod *mods, size_t n, bool add,
		       LDAPMod ***out);

/* Frees what gpo_ldap_mods_make made; NULL is a no-op. */
void gpo_ldap_mods_free(LDAPMod **m);

/* The DN of dn's parent (dn less its first RDN, escapes kept), in a new
 * *parent (caller frees). Returns 0, -EINVAL for a DN that does not parse
 * or has no parent, or -ENOMEM. */
int gpo_ldap_parent_dn(const char *dn, char **parent);

#endif
