#include "gpo_fsacl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Directory rights (MS-ADTS 5.1.3.2) */
#define DS_CREATE_CHILD   0x00000001
#define DS_DELETE_CHILD   0x00000002
#define DS_LIST_CONTENTS  0x00000004
#define DS_READ_PROPERTY  0x00000010
#define DS_WRITE_PROPERTY 0x00000020

/* File rights (MS-DTYP 2.4.3, MS-SMB2 2.2.13.1.1) */
#define FILE_READ_DATA        0x0001
#define FILE_WRITE_DATA       0x0002
#define FILE_APPEND_DATA      0x0004
#define FILE_READ_EA          0x0008
#define FILE_WRITE_EA         0x0010
#define FILE_EXECUTE          0x0020
#define FILE_DELETE_CHILD     0x0040
#define FILE_READ_ATTRIBUTES  0x0080
#define FILE_WRITE_ATTRIBUTES 0x0100
#define SYNCHRONIZE           0x00100000
#define STANDARD_RIGHTS_ALL   0x001f0000

uint32_t gpo_fsacl_map_mask(uint32_t ds)
{
	uint32_t f = ds & STANDARD_RIGHTS_ALL;

	if ((ds & DS_READ_PROPERTY) && (ds & DS_LIST_CONTENTS))
		f |= SYNCHRONIZE | FILE_READ_DATA | FILE_READ_ATTRIBUTES |
		     FILE_READ_EA | FILE_EXECUTE;
	if (ds & DS_WRITE_PROPERTY)
		f |= SYNCHRONIZE | FILE_WRITE_DATA | FILE_APPEND_DATA |
		     FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES;
	/* FILE_ADD_FILE and FILE_ADD_SUBDIRECTORY are WRITE_DATA and
	 * APPEND_DATA under their directory names */
	if (ds & DS_CREATE_CHILD)
		f |= FILE_WRITE_DATA | FILE_APPEND_DATA;
	if (ds & DS_DELETE_CHILD)
		f |= FILE_DELETE_CHILD;
	return f;
}

static bool sid_is(const struct gpo_sid *sid, const char *str)
{
	struct gpo_sid w;

	return gpo_sid_from_string(str, &w) == 0 && gpo_sid_equal(sid, &w);
}

int gpo_fsacl_from_ds(const struct gpo_sd *ds, struct gpo_sd *fs)
{
	const struct gpo_acl *in = &ds->dacl;
	struct gpo_acl *out = &fs->dacl;
	const uint16_t dacl_bits = GPO_SD_DACL_PROTECTED |
				   GPO_SD_DACL_AUTO_INHERIT_REQ |
				   GPO_SD_DACL_AUTO_INHERITED;
	const uint16_t sacl_bits = GPO_SD_SACL_PROTECTED |
				   GPO_SD_SACL_AUTO_INHERIT_REQ |
				   GPO_SD_SACL_AUTO_INHERITED;
	bool object = false;
	int rc = -EINVAL;

	memset(fs, 0, sizeof(*fs));
	if (!ds->has_dacl || !(ds->control & GPO_SD_DACL_PRESENT))
		goto out;
	fs->has_owner = ds->has_owner;
	fs->owner = ds->owner;
	fs->has_group = ds->has_group;
	fs->group = ds->group;
	/* what Samba's SDDL keeps of the control (sddl_decode) */
	fs->control = GPO_SD_SELF_RELATIVE | GPO_SD_DACL_PRESENT |
		      (ds->control & dacl_bits);
	if (ds->has_sacl)
		fs->control |= GPO_SD_SACL_PRESENT | (ds->control & sacl_bits);
	if (in->n_aces) {
		out->aces = calloc(in->n_aces, sizeof(*out->aces));
		if (!out->aces) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (uint16_t i = 0; i < in->n_aces; i++) {
		const struct gpo_ace *a = &in->aces[i];
		struct gpo_ace *b;

		if (a->type != GPO_ACE_ALLOWED &&
		    a->type != GPO_ACE_ALLOWED_OBJECT)
			continue;
		if (sid_is(&a->sid, GPO_SID_PRE_W2K_ACCESS_STR))
			continue;
		b = &out->aces[out->n_aces++];
		b->type = a->type;
		b->flags = a->flags | GPO_ACE_OBJECT_INHERIT |
			   GPO_ACE_CONTAINER_INHERIT;
		/* CREATOR OWNER only means something to what is created
		 * inside */
		if (sid_is(&a->sid, GPO_SID_CREATOR_OWNER_STR))
			b->flags |= GPO_ACE_INHERIT_ONLY;
		b->mask = gpo_fsacl_map_mask(a->mask);
		b->sid = a->sid;
		if (a->type == GPO_ACE_ALLOWED_OBJECT) {
			object = true;
			b->object_flags = a->object_flags;
			if (a->object_flags & GPO_ACE_OBJECT_TYPE_PRESENT)
				memcpy(b->object_type, a->object_type, 16);
			if (a->object_flags & GPO_ACE_INHERITED_OBJECT_TYPE_PRESENT)
				memcpy(b->inherited_type, a->inherited_type, 16);
		}
	}
	if (!out->n_aces) {
		rc = -EINVAL;
		goto out;
	}
	/* security_descriptor_dacl_add: NT4 revision until an object ACE
	 * comes, then the ADS one */
	out->revision = object ? 4 : 2;
	fs->has_dacl = true;
	rc = 0;
out:
	if (rc)
		gpo_sd_free(fs);
	return rc;
}

int gpo_fsacl_to_sddl(const struct gpo_sd *fs, char **out)
{
	return gpo_sd_to_sddl_opts(fs, NULL, GPO_SDDL_HEX_MASKS | GPO_SDDL_NO_SACL,
				   out);
}
