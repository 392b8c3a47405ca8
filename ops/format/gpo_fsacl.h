/* The ACL of a GPO's SYSVOL folder, derived from the GPO's directory
 * security descriptor the way Samba derives it.
 *
 * `samba-tool gpo aclcheck` reads each GPO's nTSecurityDescriptor,
 * derives the folder ACL from it with dsacl2fsacl (Samba 4.17,
 * python/samba/ntacls.py) and compares the folder's actual ACL with it as
 * SDDL, exactly. `samba-tool gpo create` sets the folder's ACL the same
 * way. So a GPO that gpofs creates, restores or copies must get exactly
 * this derivation, quirks included, or aclcheck reports it. */
#ifndef GPO_FSACL_H
#define GPO_FSACL_H

#include "gpo_sd.h"

/* Well-known SIDs the derivation treats apart. */
#define GPO_SID_CREATOR_OWNER_STR   "S-1-3-0"
#define GPO_SID_PRE_W2K_ACCESS_STR  "S-1-5-32-554"

/* Maps the access mask of a directory ACE to the file rights Samba gives
 * it (ntacls.py ldapmask2filemask): the standard rights (0x1f0000) are
 * kept; read property and list contents together give read and execute
 * (0x1200a9); write property gives write (0x100116); create child gives
 * add file and subfolder (0x6); delete child gives delete child (0x40).
 * Nothing else is kept: control access (Apply Group Policy) and the
 * generic rights map to nothing. */
uint32_t gpo_fsacl_map_mask(uint32_t ds_mask);

/* Derives the SYSVOL folder's descriptor fs from the directory's ds, as
 * dsacl2fsacl does after Samba has passed ds through SDDL:
 *   - revision 1; owner and group copied;
 *   - control: SELF_RELATIVE, DACL_PRESENT and the DACL's P, AI and AR
 *     bits, and when ds has a SACL, SACL_PRESENT and its P, AI and AR
 *     bits (but no SACL: fs has none); the bits SDDL cannot carry
 *     (the DEFAULTED ones, DACL_TRUSTED, RM_CONTROL_VALID...) are lost
 *     on that way, so they are not copied;
 *   - from the DACL, in order, each allowed ACE (types 0x00 and 0x05;
 *     deny, audit and callback ACEs are dropped) whose SID is not
 *     Pre-Windows 2000 Compatible Access: flags | OI | CI, and IO too for
 *     CREATOR OWNER; mask mapped (gpo_fsacl_map_mask, so Apply Group
 *     Policy becomes an object ACE of mask 0); object GUIDs kept;
 *   - the DACL's revision 4 when it kept an object ACE, else 2.
 * Returns 0 (free fs with gpo_sd_free), -EINVAL when ds has no DACL (or a
 * NULL one) or no ACE is kept: Samba would then set a NULL DACL, which
 * lets everyone do everything, and gpofs refuses that. -ENOMEM. fs is
 * clear on failure. */
int gpo_fsacl_from_ds(const struct gpo_sd *ds, struct gpo_sd *fs);

/* fs as the SDDL that Samba's tools read back into the same descriptor:
 * O:, G: and D: only (no S:, as the folder's owner, group and DACL are
 * all that is set), SIDs in full, every mask in hex. Returns 0 and a new
 * string (caller frees), or gpo_sd_to_sddl's errors. */
int gpo_fsacl_to_sddl(const struct gpo_sd *fs, char **out);

#endif
