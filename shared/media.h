/*
 * Permanent media store.  Bytes are checked against what they claim
 * (PNG/JPEG/WebP/GIF/MP3/WAV/OGG/MP4/WebM magic, size caps), stored
 * content-addressed by SHA-256 and given a permanent URL of ours:
 * MEDIA_STORE=local (MEDIA_DIR served at PUBLIC_URL/media/), s3
 * (CURLOPT_AWS_SIGV4) or fal (fal CDN storage).
 */
#ifndef SF_MEDIA_H
#define SF_MEDIA_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct sf_err;

/* Sniff the type from magic bytes; returns a MIME type or NULL. */
const char	*media_sniff(const void *, size_t);
/*
 * Store bytes; *url gets a malloc'd permanent URL, mime the sniffed type.
 * expect: "image", "audio", "video" (mismatch -> 502 bad_upstream_media).
 */
int		 media_store(const struct cfg *, const void *, size_t,
		    const char *expect, char **url, char mime[48],
		    struct sf_err *);
/* Download an upstream result URL (short-lived) within a deadline and cap. */
int		 media_fetch(const struct cfg *, const char *url,
		    int64_t deadline_ms, unsigned char **data, size_t *len,
		    struct sf_err *);

#endif
