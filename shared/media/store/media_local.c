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

static int
media_local_mkdir(const char *path)
{
	char	 tmp[PATH_MAX], *s;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (s = tmp + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
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

/* The directory entry of the rename must reach the disk too. */
static void
media_local_syncdir(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
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

	/* Same name, same bytes: a second store of a result is free. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == o->len)
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
	media_local_syncdir(dir);
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
