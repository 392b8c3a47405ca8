/* The in-memory view of a GPO: ordering, lookups, listings and reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_backup_ext.h"
#include "gpo_view_internal.h"
#include "test.h"

static struct stat dir_st(void)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR | 0755;
	return st;
}

static struct stat file_st(off_t size)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	st.st_size = size;
	return st;
}

/* A view with a tree added in no particular order; "Machine-x" and
 * "Machine.txt" sort between "Machine" and "Machine/..." by strcmp. */
static struct gpo_view *sample(void)
{
	static const char *const dirs[] = { "User", "Machine/Scripts", "Machine",
					    "Machine-x" };
	static const char *const files[] = { "Machine/Scripts/scripts.ini",
					     "Machine.txt", "Machine/registry.pol",
					     "a" };
	struct gpo g;
	struct stat root = dir_st();
	struct gpo_view *v;

	memset(&g, 0, sizeof(g));
	strcpy(g.guid, "{31B2F340-016D-11D2-945F-00C04FB984F9}");
	v = gpo_view_new(&g, &root);
	if (!v)
		return NULL;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct stat st = dir_st();
		size_t at;

		if (gpo_view_add(v, dirs[i], &st, &at))
			goto fail;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct stat st = file_st((off_t)strlen(files[i]));
		size_t at;

		if (gpo_view_add(v, files[i], &st, &at))
			goto fail;
		v->nodes[at].data = strdup(files[i]);
		if (!v->nodes[at].data)
			goto fail;
	}
	gpo_view_seal(v);
	return v;
fail:
	gpo_view_put(v);
	return NULL;
}

struct names {
	char buf[256];
};

static int collect(void *arg, const char *name, const struct gpo_view_node *n)
{
	struct names *c = arg;

	(void)n;
	strncat(c->buf, name, sizeof(c->buf) - strlen(c->buf) - 2);
	strcat(c->buf, ",");
	return 0;
}

static int test_view_order(void)
{
	struct gpo_view *v = sample();
	struct names root = { "" }, machine = { "" }, scripts = { "" };
	const struct gpo_view_node *n;

	ASSERT(v);
	n = gpo_view_lookup(v, "");
	ASSERT(n && S_ISDIR(n->st.st_mode));
	ASSERT_EQ(gpo_view_children(v, n, collect, &root), 0);
	ASSERT_STR(root.buf, "Machine,Machine-x,Machine.txt,User,a,");
	n = gpo_view_lookup(v, "Machine");
	ASSERT(n);
	ASSERT_EQ(gpo_view_children(v, n, collect, &machine), 0);
	ASSERT_STR(machine.buf, "Scripts,registry.pol,");
	n = gpo_view_lookup(v, "Machine/Scripts");
	ASSERT(n);
	ASSERT_EQ(gpo_view_children(v, n, collect, &scripts), 0);
	ASSERT_STR(scripts.buf, "scripts.ini,");
	gpo_view_put(v);
	return 0;
}

static int test_view_lookup(void)
{
	struct gpo_view *v = sample();
	const struct gpo_view_node *n;

	ASSERT(v);
	n = gpo_view_lookup(v, "Machine/Scripts/scripts.ini");
	ASSERT(n && n->data);
	ASSERT_STR(n->data, "Machine/Scripts/scripts.ini");
	ASSERT(!gpo_view_lookup(v, "machine/scripts/SCRIPTS.INI"));
	ASSERT(!gpo_view_lookup(v, "Machine/"));
	ASSERT(!gpo_view_lookup(v, "Nowhere"));
	n = gpo_view_lookup_nocase(v, "machine/scripts/SCRIPTS.INI");
	ASSERT(n && !strcmp(n->path, "Machine/Scripts/scripts.ini"));
	ASSERT(!gpo_view_lookup_nocase(v, "machine/scripts"
				       "/none.ini"));
	gpo_view_put(v);
	return 0;
}

static int test_view_read(void)
{
	struct gpo_view *v = sample();
	const struct gpo_view_node *n;
	struct gpo_view_node big;
	char tmpl[] = "/tmp/gpo-view-test.XXXXXX";
	char *data = NULL;
	size_t len = 0;
	int fd;

	ASSERT(v);
	n = gpo_view_lookup(v, "Machine/registry.pol");
	ASSERT(n);
	ASSERT_EQ(gpo_view_read(n, 1024, &data, &len), 0);
	ASSERT_EQ(len, strlen("Machine/registry.pol"));
	ASSERT_STR(data, "Machine/registry.pol");
	free(data);
	ASSERT_EQ(gpo_view_read(n, 4, &data, &len), -EFBIG);
	ASSERT_EQ(gpo_view_read(gpo_view_lookup(v, "User"), 1024, &data, &len), -EISDIR);

	/* a large file's content lives in a file of the cache */
	fd = mkstemp(tmpl);
	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, "0123456789", 10), 10);
	close(fd);
	memset(&big, 0, sizeof(big));
	big.st = file_st(10);
	big.local = tmpl;
	ASSERT_EQ(gpo_view_read(&big, 1024, &data, &len), 0);
	ASSERT_EQ(len, 10);
	ASSERT_STR(data, "0123456789");
	free(data);
	unlink(tmpl);
	ASSERT_EQ(gpo_view_read(&big, 1024, &data, &len), -ENOENT);

	/* listed and not read (a copy's source, copied on the DC): no
	 * reader may take it for an empty file */
	memset(&big, 0, sizeof(big));
	big.st = file_st(300 * 1024);
	big.unread = true;
	ASSERT_EQ(gpo_view_read(&big, 1 << 20, &data, &len), -ENODATA);
	{
		struct gpo_view_reader *r = NULL;

		ASSERT_EQ(gpo_view_reader_open(v, &big, &r), -ENODATA);
		ASSERT(!r);
	}
	gpo_view_put(v);
	return 0;
}

static int test_view_entries(void)
{
	struct gpo_view *v = sample();
	struct gpo_sysvol_entry *e = NULL;
	size_t n = 0, dirs = 0;

	ASSERT(v);
	ASSERT_EQ(gpo_view_entries(v, &e, &n), 0);
	ASSERT_EQ(n, 8); /* everything but the folder itself */
	for (size_t i = 0; i < n; i++) {
		ASSERT(*e[i].path);
		dirs += e[i].dir;
	}
	ASSERT_EQ(dirs, 4);
	gpo_view_entries_free(e, n);
	gpo_view_put(v);
	return 0;
}

static const struct test_case cases[] = {
	{ "view_order", test_view_order },
	{ "view_lookup", test_view_lookup },
	{ "view_read", test_view_read },
	{ "view_entries", test_view_entries },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
