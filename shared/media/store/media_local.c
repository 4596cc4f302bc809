#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "media/store/media_int.h"

/* Our public base: the checked PUBLIC_URL, else the raw key, else local. */
static const char *
media_local_base(const struct cfg *c)
{
	if (c != NULL && c->public_url[0] != '\0')
		return c->public_url;
	return cfg_get_or(c, "PUBLIC_URL", "http://127.0.0.1:8080");
}

/* fsync a directory: its entries (a rename, a mkdir) reach the disk. */
static int
media_local_syncdir(const char *dir)
{
	int	 fd, rc, e;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* fsync the directory holding path (".", "/" or its dirname). */
static int
media_local_syncparent(const char *path)
{
	char		 dir[PATH_MAX];
	const char	*sl = strrchr(path, '/');

	if (sl == NULL)
		return media_local_syncdir(".");
	if (sl == path)
		return media_local_syncdir("/");
	snprintf(dir, sizeof(dir), "%.*s", (int)(sl - path), path);
	return media_local_syncdir(dir);
}

/*
 * mkdir -p; each directory it creates is made durable in its parent (a
 * URL must survive a crash with every directory on its path).  Only the
 * first store into a shard pays for it.
 */
static int
media_local_mkdir(const char *path)
{
	char	 tmp[PATH_MAX], *s;
	int	 made;

	/* Mostly it exists already: one syscall, no walk down the path. */
	if (mkdir(path, 0755) == 0)
		return media_local_syncparent(path);
	if (errno == EEXIST)
		return 0;
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (s = tmp + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		made = 0;
		if (*s == '/')
			*s = '\0';
		else
			s = NULL;
		if (mkdir(tmp, 0755) == 0)
			made = 1;
		else if (errno != EEXIST)
			return -1;
		if (made && media_local_syncparent(tmp) == -1)
			return -1;
		if (s == NULL)
			return 0;
		*s = '/';
	}
}

static int
media_local_write(int fd, const unsigned char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * A file already stored under this name (the SHA-256 of its bytes) is not
 * rewritten; but it may come from a store still between its rename and
 * its fsyncs (another thread, or one that failed there), so make it and
 * its entry durable before handing out its URL: both fsyncs return at
 * once when nothing is left to write.  0 when durable, -1 otherwise.
 */
static int
media_local_settle(const char *path, const char *dir)
{
	int	 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return -1;
	return media_local_syncdir(dir);
}

static int
media_local_url(const struct cfg *c, const char *name, char **url,
    struct sf_err *err)
{
	const char	*base = media_local_base(c);
	size_t		 bl = strlen(base), sz;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	sz = bl + strlen("/media/") + strlen(name) + 1;
	if ((*url = malloc(sz)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	snprintf(*url, sz, "%.*s/media/%s", (int)bl, base, name);
	return 0;
}

int
media_local_put(const struct cfg *c, const struct media_obj *o, char **url,
    struct sf_err *err)
{
	const char	*root;
	char		 dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	struct stat	 st;
	int		 fd, e;

	root = cfg_get_or(c, "MEDIA_DIR", "var/media");
	if (root == NULL || *root == '\0')
		root = "var/media";
	if (snprintf(dir, sizeof(dir), "%s/%.2s", root, o->name) >=
	    (int)sizeof(dir) ||
	    snprintf(path, sizeof(path), "%s/%s", root, o->name) >=
	    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, o->sha256) >=
	    (int)sizeof(tmp))
		return sf_err_set(err, 500, "media_store_failed", NULL,
		    "MEDIA_DIR path too long");

	/* Same name, same bytes: a second store of a result is not
	 * written again, only made sure of. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == o->len && media_local_settle(path, dir) == 0)
		return media_local_url(c, o->name, url, err);

	if (media_local_mkdir(dir) == -1)
		return sf_err_set(err, 500, "media_store_failed", NULL,
		    "cannot create the media directory: %s", strerror(errno));
	if ((fd = mkstemp(tmp)) == -1)
		return sf_err_set(err, 500, "media_store_failed", NULL,
		    "cannot create a media file: %s", strerror(errno));
	if (media_local_write(fd, o->data, o->len) == -1 ||
	    fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp);
		return sf_err_set(err, 500, "media_store_failed", NULL,
		    "cannot write a media file: %s", strerror(e));
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		return sf_err_set(err, 500, "media_store_failed", NULL,
		    "cannot store a media file: %s", strerror(e));
	}
	/* The rename's entry must reach the disk before the URL is given
	 * out: one fsync of the file above, one of its directory here. */
	if (media_local_syncdir(dir) == -1)
		return sf_err_set(err, 500, "media_store_failed", NULL,
		    "cannot make a media file durable: %s", strerror(errno));
	return media_local_url(c, o->name, url, err);
}

/*
 * The deepest existing folder of path (path itself, or an ancestor that
 * a store would create path in) into out; "." for a relative path none
 * of whose parts exist.  0, or -1 when it is not a folder.
 */
static int
media_local_existing(const char *path, char *out, size_t sz)
{
	struct stat	 st;
	char		*slash;

	snprintf(out, sz, "%s", path);
	while (stat(out, &st) == -1) {
		if ((slash = strrchr(out, '/')) == NULL) {
			snprintf(out, sz, ".");
			continue;
		}
		if (slash == out)
			slash[1] = '\0';	/* "/" */
		else
			*slash = '\0';
	}
	return S_ISDIR(st.st_mode) ? 0 : -1;
}

int
media_local_check(const struct cfg *c, struct sf_err *err)
{
	const char	*root = cfg_get_or(c, "MEDIA_DIR", "var/media");
	char		 dir[PATH_MAX], tmp[PATH_MAX + 32];
	int		 fd;

	/* Nothing is created here: a store creates MEDIA_DIR when it first
	   writes (media_local_mkdir), so its deepest existing folder must
	   take a file.  access() says yes to root on a read-only or special
	   file system: a real file is written and removed. */
	if (strlen(root) >= sizeof(dir) ||
	    media_local_existing(root, dir, sizeof(dir)) == -1)
		return sf_err_set(err, 500, "config_invalid", "MEDIA_DIR",
		    "MEDIA_DIR %.200s is not a folder (or lies under a file)",
		    root);
	snprintf(tmp, sizeof(tmp), "%s/.sf-check.XXXXXX", dir);
	if ((fd = mkstemp(tmp)) == -1 && strcmp(dir, root) == 0)
		return sf_err_set(err, 500, "config_invalid", "MEDIA_DIR",
		    "MEDIA_DIR %.200s is not writable: %s", root,
		    strerror(errno));
	if (fd == -1)
		return sf_err_set(err, 500, "config_invalid", "MEDIA_DIR",
		    "MEDIA_DIR %.200s cannot be created in %.200s: %s", root,
		    dir, strerror(errno));
	close(fd);
	unlink(tmp);
	return 0;
}
