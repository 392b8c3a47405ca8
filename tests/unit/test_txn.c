/* A transaction on a GPO folder: what its writer sees, letter case as
 * SYSVOL treats it, and what a commit must do. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpo_txn.h"
#include "gpo_view_internal.h"
#include "test.h"

/* A base like a GPO Samba provisions: upper-case MACHINE. */
static struct gpo_view *base(void)
{
	static const char *const dirs[] = { "MACHINE", "MACHINE/Microsoft", "USER" };
	static const char *const files[][2] = {
		{ "MACHINE/registry.pol", "PReg-machine" },
		{ "MACHINE/old.txt", "old" },
		{ "USER/registry.pol", "PReg-user" },
		{ "GPT.INI", "[General]\r\nVersion=0\r\n" },
	};
	struct gpo g;
	struct stat st;
	struct gpo_view *v;
	size_t at;

	memset(&g, 0, sizeof(g));
	strcpy(g.guid, "{31B2F340-016D-11D2-945F-00C04FB984F9}");
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR | 0755;
	v = gpo_view_new(&g, &st);
	for (size_t i = 0; v && i < sizeof(dirs) / sizeof(*dirs); i++)
		if (gpo_view_add(v, dirs[i], &st, &at))
			return NULL;
	for (size_t i = 0; v && i < sizeof(files) / sizeof(*files); i++) {
		struct stat f;

		memset(&f, 0, sizeof(f));
		f.st_mode = S_IFREG | 0644;
		f.st_size = (off_t)strlen(files[i][1]);
		if (gpo_view_add(v, files[i][0], &f, &at))
			return NULL;
		v->nodes[at].data = strdup(files[i][1]);
	}
	if (v)
		gpo_view_seal(v);
	return v;
}

static char dir_template[] = "/tmp/gpofs-txn-test.XXXXXX";

static struct gpo_txn *start(void)
{
	struct gpo_view *v = base();
	struct gpo_txn *t = NULL;
	char dir[64];
	static int n;

	if (!v || !mkdtemp(strcpy(dir_template, "/tmp/gpofs-txn-test.XXXXXX")))
		return NULL;
	snprintf(dir, sizeof(dir), "%s/t%d", dir_template, n++);
	if (gpo_txn_new(&t, v, dir))
		t = NULL;
	gpo_view_put(v);
	return t;
}

static void finish(struct gpo_txn *t)
{
	gpo_txn_free(t);
	rmdir(dir_template);
}

static int put(struct gpo_txn *t, const char *rel, const char *text)
{
	int fd = -1;
	int rc = gpo_txn_open_write(t, rel, O_CREAT | O_TRUNC, &fd);

	if (rc)
		return rc;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = -EIO;
	close(fd);
	return rc;
}

static int read_back(struct gpo_txn *t, const char *rel, char *out, size_t size)
{
	struct gpo_view_reader *r = NULL;
	int fd = -1;
	ssize_t n;
	int rc = gpo_txn_open_read(t, rel, &fd, &r);

	if (rc)
		return rc;
	n = fd >= 0 ? pread(fd, out, size - 1, 0) : gpo_view_reader_pread(r, out, size - 1, 0);
	if (fd >= 0)
		close(fd);
	gpo_view_reader_close(r);
	if (n < 0)
		return (int)n;
	out[n] = '\0';
	return 0;
}

/* The plan as "STEP path" lines. */
static void describe(const struct gpo_txn_plan *p, char *out, size_t size)
{
	static const char *const names[] = { "MKDIR", "PUT", "UNLINK", "RMDIR" };

	*out = '\0';
	for (size_t i = 0; i < p->n_ops; i++) {
		size_t l = strlen(out);

		snprintf(out + l, size - l, "%s %s;", names[p->ops[i].step], p->ops[i].path);
	}
}

static int test_txn_case(void)
{
	struct gpo_txn *t = start();
	struct gpo_txn_plan p;
	char *missing = NULL;
	char buf[512];
	struct stat st;

	ASSERT(t);
	/* no Scripts folder yet, in any case */
	ASSERT_EQ(put(t, "Machine/Scripts/scripts.ini", "x"), -ENOENT);
	ASSERT_EQ(gpo_txn_mkdir(t, "machine/Scripts"), 0);
	ASSERT_EQ(gpo_txn_mkdir(t, "MACHINE/scripts"), -EEXIST);
	ASSERT_EQ(put(t, "Machine/SCRIPTS/scripts.ini", "[Startup]\r\n"), 0);
	ASSERT_EQ(read_back(t, "machine/scripts/SCRIPTS.INI", buf, sizeof(buf)), 0);
	ASSERT_STR(buf, "[Startup]\r\n");
	/* the base, as a writer reads it, any case */
	ASSERT_EQ(read_back(t, "Machine/Registry.pol", buf, sizeof(buf)), 0);
	ASSERT_STR(buf, "PReg-machine");
	ASSERT_EQ(gpo_txn_stat(t, "user", &st), 0);
	ASSERT(S_ISDIR(st.st_mode));
	/* one folder, spelled as SYSVOL spells it, never two */
	ASSERT_EQ(gpo_txn_plan(t, NULL, 0, &p, &missing), 0);
	describe(&p, buf, sizeof(buf));
	ASSERT_STR(buf, "MKDIR MACHINE/Scripts;PUT MACHINE/Scripts/scripts.ini;");
	ASSERT(p.machine && !p.user);
	gpo_txn_plan_free(&p);
	finish(t);
	return 0;
}

static int test_txn_edits(void)
{
	struct gpo_txn *t = start();
	struct gpo_txn_plan p;
	char *missing = NULL;
	char buf[512];
	int fd;

	ASSERT(t);
	/* the same bytes again: nothing to do */
	ASSERT_EQ(put(t, "USER/registry.pol", "PReg-user"), 0);
	/* an editor: write a temporary file, rename it over the old one */
	ASSERT_EQ(put(t, "machine/.registry.pol.swp", "PReg-new"), 0);
	ASSERT_EQ(gpo_txn_rename(t, "machine/.registry.pol.swp", "Machine/registry.pol", false), 0);
	ASSERT_EQ(gpo_txn_open_read(t, "machine/.registry.pol.swp", &fd, &(struct gpo_view_reader *){ NULL }), -ENOENT);
	ASSERT_EQ(gpo_txn_unlink(t, "MACHINE/old.txt"), 0);
	ASSERT_EQ(gpo_txn_unlink(t, "MACHINE/old.txt"), -ENOENT);
	ASSERT_EQ(gpo_txn_rmdir(t, "MACHINE"), -ENOTEMPTY);
	ASSERT_EQ(gpo_txn_rmdir(t, "MACHINE/Microsoft"), 0);
	ASSERT_EQ(gpo_txn_rmdir(t, ""), -EBUSY);
	ASSERT_EQ(put(t, "GPT.INI", "x"), -EPERM);
	ASSERT_EQ(put(t, "gpt.ini", "x"), -EPERM);
	ASSERT_EQ(put(t, "MACHINE/../x", "x"), -EINVAL);
	/* names SYSVOL's UTF-16 can hold: UTF-8, not stray bytes */
	ASSERT_EQ(put(t, "MACHINE/bad\xff.txt", "x"), -EINVAL);
	ASSERT_EQ(gpo_txn_mkdir(t, "MACHINE/\xc3\x28"), -EINVAL);
	ASSERT_EQ(gpo_txn_mkdir(t, "MACHINE/caf\xc3\xa9"), 0);
	ASSERT_EQ(gpo_txn_rmdir(t, "MACHINE/caf\xc3\xa9"), 0);
	ASSERT_EQ(gpo_txn_mkdir(t, "MACHINE/registry.pol/x"), -ENOTDIR);
	ASSERT_EQ(gpo_txn_plan(t, NULL, 0, &p, &missing), 0);
	describe(&p, buf, sizeof(buf));
	ASSERT_STR(buf, "UNLINK MACHINE/old.txt;RMDIR MACHINE/Microsoft;PUT MACHINE/registry.pol;");
	ASSERT(p.machine && !p.user);
	gpo_txn_plan_free(&p);
	finish(t);
	return 0;
}

static int test_txn_rename_dir(void)
{
	struct gpo_txn *t = start();
	struct gpo_txn_plan p;
	char *missing = NULL;
	char buf[512];

	ASSERT(t);
	ASSERT_EQ(gpo_txn_mkdir(t, "USER/Scripts"), 0);
	ASSERT_EQ(put(t, "USER/Scripts/a.cmd", "echo"), 0);
	ASSERT_EQ(gpo_txn_rename(t, "USER", "Other", false), 0);
	ASSERT_EQ(read_back(t, "Other/registry.pol", buf, sizeof(buf)), 0);
	ASSERT_STR(buf, "PReg-user");
	ASSERT_EQ(read_back(t, "Other/Scripts/a.cmd", buf, sizeof(buf)), 0);
	ASSERT_STR(buf, "echo");
	ASSERT_EQ(read_back(t, "USER/registry.pol", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(gpo_txn_plan(t, NULL, 0, &p, &missing), 0);
	describe(&p, buf, sizeof(buf));
	ASSERT_STR(buf, "UNLINK USER/registry.pol;RMDIR USER;MKDIR Other;MKDIR Other/Scripts;"
			"PUT Other/registry.pol;PUT Other/Scripts/a.cmd;");
	ASSERT(p.user);
	gpo_txn_plan_free(&p);
	finish(t);
	return 0;
}

static int test_txn_whole_backup(void)
{
	static const struct gpo_sysvol_entry keep[] = {
		{ "Machine/registry.pol", false }, { "User", true },
		{ "Machine/Scripts/Startup", true },
	};
	static const struct gpo_sysvol_entry bad[] = { { "Machine/nothere.pol", false } };
	struct gpo_txn *t = start();
	struct gpo_txn_plan p;
	char *missing = NULL;
	char buf[512];
	int fd = -1;

	ASSERT(t);
	/* the way rsync writes the top files */
	ASSERT_EQ(gpo_txn_top_open(t, ".bkupInfo.xml.Ab12Cd", O_CREAT | O_EXCL, &fd), 0);
	ASSERT_EQ(write(fd, "<BackupInst/>", 13), 13);
	close(fd);
	ASSERT_EQ(gpo_txn_top_rename(t, ".bkupInfo.xml.Ab12Cd", "bkupInfo.xml"), 0);
	{
		char *data = NULL;
		size_t len = 0;

		ASSERT_EQ(gpo_txn_top_read(t, "bkupinfo.xml", 1024, &data, &len), 0);
		ASSERT_STR(data, "<BackupInst/>");
		free(data);
	}
	ASSERT_EQ(put(t, "machine/registry.pol", "PReg-from-backup"), 0);
	/* exactly the backup: the rest goes, named folders come */
	ASSERT_EQ(gpo_txn_plan(t, keep, 3, &p, &missing), 0);
	describe(&p, buf, sizeof(buf));
	ASSERT_STR(buf, "UNLINK MACHINE/old.txt;UNLINK USER/registry.pol;RMDIR MACHINE/Microsoft;"
			"MKDIR MACHINE/Scripts;MKDIR MACHINE/Scripts/Startup;PUT MACHINE/registry.pol;");
	ASSERT_EQ(p.n_tree, 5);
	gpo_txn_plan_free(&p);
	/* a backup that names nothing of one half: its folder stays, empty */
	ASSERT_EQ(gpo_txn_plan(t, keep, 1, &p, &missing), 0);
	describe(&p, buf, sizeof(buf));
	ASSERT_STR(buf, "UNLINK MACHINE/old.txt;UNLINK USER/registry.pol;RMDIR MACHINE/Microsoft;"
			"PUT MACHINE/registry.pol;");
	ASSERT_EQ(p.n_tree, 3);
	gpo_txn_plan_free(&p);
	ASSERT_EQ(gpo_txn_plan(t, bad, 1, &p, &missing), -ENOENT);
	ASSERT_STR(missing, "Machine/nothere.pol");
	free(missing);
	finish(t);
	return 0;
}

/* A file copied on the DC: its attributes without its bytes, replaced
 * whole or removed, never read here; the commit's step says from where. */
static int test_txn_put_from(void)
{
	struct gpo_txn *t = start();
	struct gpo_view_reader *r = NULL;
	struct gpo_txn_plan p;
	char *missing = NULL;
	char buf[512];
	struct stat st;
	int fd = -1;

	ASSERT(t);
	ASSERT_EQ(gpo_txn_put_from(t, "machine/big.bin", "{SRC}/Machine/big.bin", 1 << 20, 1234), 0);
	ASSERT_EQ(gpo_txn_put_from(t, "Machine/none/big.bin", "{SRC}/x", 1, 1), -ENOENT);
	ASSERT_EQ(gpo_txn_stat(t, "MACHINE/BIG.BIN", &st), 0);
	ASSERT(S_ISREG(st.st_mode) && st.st_size == 1 << 20 && st.st_mtime == 1234);
	ASSERT_EQ(gpo_txn_open_read(t, "MACHINE/big.bin", &fd, &r), -EOPNOTSUPP);
	ASSERT_EQ(gpo_txn_open_write(t, "MACHINE/big.bin", 0, &fd), -EOPNOTSUPP);
	ASSERT_EQ(gpo_txn_rename(t, "MACHINE/big.bin", "MACHINE/b2.bin", false), -EOPNOTSUPP);
	/* a copy over a staged file, and a file over a copy */
	ASSERT_EQ(put(t, "MACHINE/other.bin", "staged"), 0);
	ASSERT_EQ(gpo_txn_put_from(t, "MACHINE/other.bin", "{SRC}/Machine/other.bin", 10, 0), 0);
	ASSERT_EQ(put(t, "MACHINE/old.txt", "new"), 0);
	ASSERT_EQ(gpo_txn_put_from(t, "MACHINE/old.txt", "{SRC}/Machine/old.txt", 3, 0), 0);
	ASSERT_EQ(put(t, "MACHINE/old.txt", "new again"), 0);
	ASSERT_EQ(read_back(t, "MACHINE/old.txt", buf, sizeof(buf)), 0);
	ASSERT_STR(buf, "new again");
	ASSERT_EQ(gpo_txn_plan(t, NULL, 0, &p, &missing), 0);
	describe(&p, buf, sizeof(buf));
	ASSERT_STR(buf, "PUT MACHINE/big.bin;PUT MACHINE/other.bin;PUT MACHINE/old.txt;");
	ASSERT(!p.ops[0].local && p.ops[0].from);
	ASSERT_STR(p.ops[0].from, "{SRC}/Machine/big.bin");
	ASSERT(p.ops[0].from_size == 1 << 20 && p.ops[0].from_mtime == 1234);
	ASSERT_STR(p.ops[1].from, "{SRC}/Machine/other.bin");
	ASSERT(!p.ops[2].from && p.ops[2].local);
	gpo_txn_plan_free(&p);
	ASSERT_EQ(gpo_txn_unlink(t, "MACHINE/big.bin"), 0);
	ASSERT_EQ(gpo_txn_stat(t, "MACHINE/big.bin", &st), -ENOENT);
	finish(t);
	return 0;
}

static const struct test_case cases[] = {
	{ "txn_put_from", test_txn_put_from },
	{ "txn_case", test_txn_case },
	{ "txn_edits", test_txn_edits },
	{ "txn_rename_dir", test_txn_rename_dir },
	{ "txn_whole_backup", test_txn_whole_backup },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return test_run(cases, argc, argv);
}
