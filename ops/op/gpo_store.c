#include "gpo_store.h"
#include "gpo_array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "gpo_buf.h"
#include "gpo_file.h"

#define NS_MANIFEST "http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest"

/* Reads dir/leaf whole: a regular file of at most max bytes, into a new
 * buffer (caller frees). Returns 0, or -ENOENT / -EINVAL / -errno with
 * the reason in why. */
static int read_leaf(const char *dir, const char *leaf, size_t max,
		     char **data, size_t *len, char *why, size_t whylen)
{
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	rc = gpo_file_read(path, max, data, len, NULL);
	if (rc == -EFBIG) {
		snprintf(why, whylen, "%s is larger than %zu bytes", leaf, max);
		return -EINVAL;
	}
	if (rc && rc != -ENOMEM) {
		snprintf(why, whylen, "no %s", leaf);
		return -ENOENT;
	}
	return rc;
}

/* GPMC spells a Location as its template does ("microsoft\\windows nt")
 * whatever the folder's own spelling: resolve it as Windows would. */
int gpo_resolve_nocase(const char *dir, const char *rel, char *out,
		       size_t outlen)
{
	size_t used = (size_t)snprintf(out, outlen, "%s", dir);

	for (const char *c = rel; *c;) {
		size_t len = strcspn(c, "/");
		char name[256];
		struct stat st;
		bool found = false;

		if (len >= sizeof(name) || used + len + 2 > outlen)
			return -ENOENT;
		memcpy(name, c, len);
		name[len] = '\0';
		snprintf(out + used, outlen - used, "/%s", name);
		if (lstat(out, &st) == 0) {
			found = true;
		} else {
			DIR *d;
			struct dirent *de;

			out[used] = '\0';
			d = opendir(out);
			while (d && (de = readdir(d))) {
				if (!strcasecmp(de->d_name, name)) {
					snprintf(out + used, outlen - used, "/%s",
						 de->d_name);
					found = true;
					break;
				}
			}
			if (d)
				closedir(d);
		}
		if (!found)
			return -ENOENT;
		used = strlen(out);
		c += len;
		if (*c == '/')
			c++;
	}
	return 0;
}

static int check(const char *dir, bool present, struct gpo_backup_info *info,
		 char *why, size_t whylen)
{
	char *data = NULL;
	char **locs = NULL;
	size_t len = 0, n = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = read_leaf(dir, "bkupInfo.xml", GPO_BKUPINFO_MAX, &data, &len, why,
		       whylen);
	if (!rc)
		rc = gpo_bkupinfo_read(data, len, info, why, whylen);
	free(data);
	data = NULL;
	if (!rc)
		rc = read_leaf(dir, "Backup.xml", GPO_BACKUP_XML_MAX, &data, &len,
			       why, whylen);
	if (!rc)
		rc = gpo_backup_xml_locations(data, len, &locs, &n, why, whylen);
	/* Each Location names something present in dir; a symlink does
	 * not count. */
	for (size_t i = 0; !rc && present && i < n; i++) {
		char path[8192];
		struct stat st;

		if (gpo_resolve_nocase(dir, locs[i], path, sizeof(path)) ||
		    lstat(path, &st) < 0 || S_ISLNK(st.st_mode)) {
			for (char *c = locs[i]; *c; c++)
				if (*c == '/')
					*c = '\\';
			snprintf(why, whylen, "Location %.200s is missing", locs[i]);
			rc = -ENOENT;
		}
	}
	free(data);
	gpo_backup_locations_free(locs, n);
	if (rc)
		gpo_backup_info_free(info);
	return rc;
}

int gpo_backup_check(const char *dir, struct gpo_backup_info *info,
		     char *why, size_t whylen)
{
	return check(dir, true, info, why, whylen);
}

int gpo_backup_check_form(const char *dir, struct gpo_backup_info *info,
			  char *why, size_t whylen)
{
	return check(dir, false, info, why, whylen);
}

bool gpo_store_is_sealed(const char *store, const char *name)
{
	char path[4096];
	struct stat st;

	if (!gpo_guid_valid(name))
		return false;
	snprintf(path, sizeof(path), "%s/%s", store, name);
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	       !(st.st_mode & 0222);
}

static int make_read_only(const char *path, const struct stat *st, int flag,
			  struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_SL)
		return 0;
	return chmod(path, S_ISDIR(st->st_mode) ? 0500 : 0400) < 0 ? -errno : 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -errno : 0;
	return unlink(path) < 0 ? -errno : 0;
}

static int make_writable(const char *path, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D)
		return chmod(path, (st->st_mode & 0777) | 0700) < 0 ? -errno : 0;
	return 0;
}

int gpo_store_remove_tree(const char *path)
{
	int rc;

	/* A sealed tree's folders are 0500: open them up on the way down. */
	rc = nftw(path, make_writable, 16, FTW_PHYS);
	if (!rc)
		rc = nftw(path, remove_one, 16, FTW_PHYS | FTW_DEPTH);
	return rc < 0 ? rc : (rc ? -EIO : 0);
}

/* Compares two files byte for byte. Returns 1 same, 0 different. */
static int same_file(const char *a, const char *b)
{
	char ba[8192], bb[8192];
	int fa = open(a, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int fb = open(b, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int same = fa >= 0 && fb >= 0;

	while (same) {
		ssize_t na = read(fa, ba, sizeof(ba));
		ssize_t nb = read(fb, bb, sizeof(bb));

		if (na != nb || na < 0 || memcmp(ba, bb, (size_t)na))
			same = 0;
		else if (na == 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

/* Compares two trees. Returns 1 same, 0 different. */
static int same_tree(const char *a, const char *b, int depth)
{
	DIR *da = NULL;
	struct dirent *de;
	int na = 0, nb = 0;
	int same = 1;

	if (depth > 64)
		return 0;
	da = opendir(a);
	if (!da)
		return 0;
	while (same && (de = readdir(da))) {
		char pa[4096], pb[4096];
		struct stat sa, sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		na++;
		snprintf(pa, sizeof(pa), "%s/%s", a, de->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, de->d_name);
		if (lstat(pa, &sa) || lstat(pb, &sb) ||
		    (sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT))
			same = 0;
		else if (S_ISDIR(sa.st_mode))
			same = same_tree(pa, pb, depth + 1);
		else if (S_ISREG(sa.st_mode))
			same = sa.st_size == sb.st_size && same_file(pa, pb);
		else
			same = 0;
	}
	closedir(da);
	if (!same)
		return 0;
	da = opendir(b);
	if (!da)
		return 0;
	while ((de = readdir(da)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			nb++;
	closedir(da);
	return na == nb;
}

static int seal_checked(const char *store, const char *name, const char *from,
			struct gpo_backup_info *info, char *why, size_t whylen);

int gpo_store_seal(const char *store, const char *name,
		   struct gpo_backup_info *info, char *why, size_t whylen)
{
	char from[4096];
	struct stat st;
	int lock = -1;
	int rc;

	memset(info, 0, sizeof(*info));
	snprintf(from, sizeof(from), "%s/%s", store, name);
	/* One sealer at a time per store, across mounts: another mount may
	 * be sealing (renaming away) the very same folder. */
	lock = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		rc = -errno;
		snprintf(why, whylen, "cannot lock the store: %s", strerror(errno));
		goto out;
	}
	if (lstat(from, &st) < 0 && errno == ENOENT) {
		rc = GPO_STORE_GONE;
		goto out;
	}
	rc = gpo_backup_check(from, info, why, whylen);
	if (rc)
		goto out;
	rc = seal_checked(store, name, from, info, why, whylen);
	if (rc < 0)
		gpo_backup_info_free(info);
out:
	if (lock >= 0)
		close(lock);
	return rc;
}

static int seal_checked(const char *store, const char *name, const char *from,
			struct gpo_backup_info *info, char *why, size_t whylen)
{
	char to[4096];
	int rc;

	snprintf(to, sizeof(to), "%s/%s", store, info->id);
	if (strcmp(name, info->id) && access(to, F_OK) == 0) {
		if (!same_tree(from, to, 0)) {
			snprintf(why, whylen,
				 "a different backup with ID %s is already in the store",
				 info->id);
			return -EEXIST;
		}
		/* The same backup again: keep the one already sealed. */
		rc = gpo_store_remove_tree(from);
		return rc ? rc : 1;
	}
	if (strcmp(name, info->id) && rename(from, to) < 0) {
		rc = -errno;
		snprintf(why, whylen, "cannot rename to %s: %s", info->id,
			 strerror(errno));
		return rc;
	}
	rc = nftw(to, make_read_only, 16, FTW_PHYS);
	if (rc) {
		snprintf(why, whylen, "cannot make %s read-only", info->id);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gpo_store_manifest(const char *store, char **data, size_t *len)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlBufferPtr buf = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = NULL;
	int rc = -ENOMEM;

	d = opendir(store);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!gpo_store_is_sealed(store, de->d_name))
			continue;
		char **slot = gpo_array_push(&names, &n, &cap, sizeof(*slot));

		if (!slot || !(*slot = strdup(de->d_name)))
			goto out;
	}
	qsort(names, n, sizeof(*names), cmp_names);

	doc = xmlNewDoc(BAD_CAST "1.0");
	root = doc ? xmlNewNode(NULL, BAD_CAST "Backups") : NULL;
	if (!root)
		goto out;
	xmlDocSetRootElement(doc, root);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST NS_MANIFEST, NULL));
	xmlNewNsProp(root, xmlNewNs(root, BAD_CAST NS_MANIFEST, BAD_CAST "mfst"),
		     BAD_CAST "version", BAD_CAST "1.0");
	for (size_t i = 0; i < n; i++) {
		char dir[4096], why[256];
		char *text = NULL;
		size_t text_len = 0;
		xmlDocPtr one = NULL;
		xmlNodePtr inst;

		/* checked when it was sealed: copied as it is */
		snprintf(dir, sizeof(dir), "%s/%s", store, names[i]);
		if (!read_leaf(dir, "bkupInfo.xml", GPO_BKUPINFO_MAX, &text,
			       &text_len, why, sizeof(why)))
			one = xmlReadMemory(text, (int)text_len, NULL, NULL,
					    XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
		free(text);
		inst = one ? xmlDocGetRootElement(one) : NULL;
		if (inst)
			xmlAddChild(root, xmlDocCopyNode(inst, doc, 1));
		xmlFreeDoc(one);
	}
	buf = xmlBufferCreate();
	if (!buf || xmlNodeDump(buf, doc, root, 0, 0) < 0)
		goto out;
	if (xmlBufferAdd(buf, BAD_CAST "\r\n", 2))
		goto out;
	*len = (size_t)xmlBufferLength(buf);
	*data = malloc(*len + 1);
	if (!*data)
		goto out;
	memcpy(*data, xmlBufferContent(buf), *len + 1);
	rc = 0;
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return rc;
}
