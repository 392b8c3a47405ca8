/* libFuzzer harness: the migration rewriters (gpo_migrate_file). The
 * first byte picks the file kind, the second seeds a mapper that keeps,
 * replaces or drops each occurrence by a hash of it (now and then with
 * names full of XML and INI markup, or a path it tries to drop). Checks:
 * a mapper that keeps everything changes nothing, nor does one that
 * replaces each name and path by itself; a rewritten file
 * parses again, and keeping everything in it changes nothing; a failure
 * leaves no output and says why. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpo_migrate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {
	"Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf",
	"User/Scripts/scripts.ini",
	"Machine/Scripts/psscripts.ini",
	"User/Documents & Settings/fdeploy.ini",
	"User/Documents & Settings/fdeploy1.ini",
	"Machine/Preferences/Groups/Groups.xml",
	"User/Preferences/Drives/Drives.xml",
	"Machine/Preferences/ScheduledTasks/ScheduledTasks.xml",
};

struct fz {
	uint8_t seed;
	bool keep;
	bool ident;         /* names and paths replaced by themselves */
	unsigned calls;
};

/* Whether a name can be written back where it was read whatever the
 * place: no control characters, quotes or list and key separators. */
static bool plain(const char *s)
{
	if (strstr(s, "__"))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || strchr("\",;]=", *s))
			return false;
	return true;
}

static uint32_t hash(const char *s, uint8_t seed)
{
	uint32_t h = 2166136261u ^ seed;

	for (; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int principal(void *ctx, const struct gpo_map_where *w, const char *sid,
		     const char *name, enum gpo_map_verdict *v,
		     struct gpo_map_principal_out *out)
{
	struct fz *f = ctx;
	uint32_t h = hash(sid, f->seed) ^ hash(name, f->seed);

	if (!w || !w->relpath || !w->what || (!sid && !name))
		abort();
	f->calls++;
	if (f->keep)
		return 0;
	if (f->ident) {
		if (!name || !plain(name))
			return 0;
		*v = GPO_MAP_REPLACE;
		out->name = strdup(name);
		return out->name ? 0 : -ENOMEM;
	}
	switch (h % 4) {
	case 1:
		*v = GPO_MAP_REPLACE;
		if (sid && asprintf(&out->sid, "S-1-5-21-1-2-3-%u", h % 100000) < 0)
			return -ENOMEM;
		if ((name || h & 0x100) &&
		    asprintf(&out->name, h & 0x200 ? "NEW\\u%u" : "NEW\\<&'\"%u>", h) < 0)
			return -ENOMEM;
		if (!out->sid && !out->name)
			*v = GPO_MAP_KEEP;
		break;
	case 2:
		*v = GPO_MAP_DROP;
		break;
	}
	return 0;
}

static int path(void *ctx, const struct gpo_map_where *w, const char *p,
		enum gpo_map_verdict *v, char **out)
{
	struct fz *f = ctx;
	uint32_t h = hash(p, f->seed);

	if (!w || strncmp(p, "\\\\", 2))
		abort();
	f->calls++;
	if (f->keep)
		return 0;
	if (f->ident) {
		if (!plain(p))
			return 0;
		*v = GPO_MAP_REPLACE;
		*out = strdup(p);
		return *out ? 0 : -ENOMEM;
	}
	if (h % 13 == 0) {
		*v = GPO_MAP_DROP;
		return 0;
	}
	if (h % 3 == 1) {
		*v = GPO_MAP_REPLACE;
		return asprintf(out, h & 0x10 ? "\\\\new\\s%u" : "\\\\new\\a&b<\"'%u", h) < 0
			       ? -ENOMEM : 0;
	}
	return 0;
}

/* Runs data through a mapper; checks what every run must hold. */
static int run(const char *rel, const uint8_t *data, size_t size, struct fz *f,
	       char **out, size_t *out_len)
{
	struct gpo_mapper m = { principal, path, f };
	struct gpo_err err = { 0 };
	int rc = gpo_migrate_file(rel, data, size, &m, out, out_len, &err);

	if (rc && (*out || *out_len || !err.reason[0]))
		abort();
	if (rc && rc != -EINVAL && rc != -ENOMEM && rc != -EFBIG)
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz keep = { 0, true, false, 0 }, ident = { 0, false, true, 0 }, map;
	const char *rel;
	char *out = NULL, *again = NULL;
	size_t out_len = 0, again_len = 0;

	if (size < 2)
		return 0;
	rel = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	map = (struct fz){ data[1], false, false, 0 };
	data += 2;
	size -= 2;

	/* keeping everything gives the file back as it was */
	if (run(rel, data, size, &keep, &out, &out_len))
		return 0;
	if (out)
		abort();
	/* nor does replacing names and paths by themselves */
	if (run(rel, data, size, &ident, &out, &out_len) || out) {
		fprintf(stderr, "replacing by the same changed the file\n");
		abort();
	}
	if (run(rel, data, size, &map, &out, &out_len) || !out)
		goto done;
	/* what was rewritten reads again, and stays as it is when kept */
	keep.calls = 0;
	if (run(rel, (const uint8_t *)out, out_len, &keep, &again, &again_len)) {
		fprintf(stderr, "the rewritten file does not read again\n");
		abort();
	}
	if (again)
		abort();
done:
	free(out);
	free(again);
	return 0;
}
