/*
 * Store backends behind media_store (media.c): each puts bytes that are
 * already checked under their content address and returns the public URL.
 */
#ifndef SF_MEDIA_INT_H
#define SF_MEDIA_INT_H

#include <stddef.h>

struct cfg;
struct sf_err;

struct media_obj {
	const void	*data;
	size_t		 len;
	const char	*mime;
	const char	*name;		/* "ab/<sha256>.<ext>" */
	const char	*sha256;	/* 64 lower-case hex */
};

/* Start-up check: MEDIA_DIR, or the deepest existing folder a store would
   create it in, takes a file (written and removed; nothing is created).  0, or -1 with 500 config_invalid naming MEDIA_DIR. */
int	media_local_check(const struct cfg *, struct sf_err *);
int	media_local_put(const struct cfg *, const struct media_obj *,
	    char **url, struct sf_err *);
int	media_s3_put(const struct cfg *, const struct media_obj *,
	    char **url, struct sf_err *);
int	media_fal_put(const struct cfg *, const struct media_obj *,
	    char **url, struct sf_err *);

#endif
