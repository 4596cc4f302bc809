/*
 * Permanent media store.  Bytes are checked against what they claim
 * (PNG/JPEG/WebP/GIF/MP3/WAV/OGG/FLAC/MP4/WebM magic, size caps per kind),
 * stored content-addressed by SHA-256 and given a permanent URL of ours:
 * MEDIA_STORE=local (default: MEDIA_DIR/ab/<sha256>.<ext>, served at
 * PUBLIC_URL/media/ab/<sha256>.<ext>), s3 (S3_ENDPOINT, S3_BUCKET,
 * S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_PUBLIC_URL; SigV4 by libcurl)
 * or fal (fal CDN storage with FAL_KEY, no expiry).
 * Caps: MEDIA_MAX_IMAGE (40 MiB), MEDIA_MAX_AUDIO (60 MiB),
 * MEDIA_MAX_VIDEO (200 MiB); plain bytes or with a K/M/G suffix.
 */
#ifndef SF_MEDIA_H
#define SF_MEDIA_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct sf_err;

/* Sniff the type from magic bytes; returns a MIME type or NULL. */
const char	*media_sniff(const void *, size_t);
/* "image", "audio", "video" for a MIME type we store, else NULL. */
const char	*media_kind(const char *mime);
/* File extension without the dot ("png", "mp3", ...), else NULL. */
const char	*media_ext(const char *mime);
/* Size cap for a kind ("image", "audio", "video") from the config. */
size_t		 media_cap(const struct cfg *, const char *kind);
/*
 * The keys the media layer reads, checked at start-up: MEDIA_STORE
 * (local|s3|fal) and what the chosen store needs (local: MEDIA_DIR a
 * writable folder, or creatable in a writable one; s3: S3_ENDPOINT, S3_BUCKET,
 * S3_ACCESS_KEY, S3_SECRET_KEY, well-formed S3_REGION, S3_PUBLIC_URL;
 * fal: FAL_KEY), MEDIA_MAX_IMAGE/AUDIO/VIDEO (sizes like 40M),
 * INPUT_TIMEOUT_MS, INPUT_MAX_BYTES.  0, or -1 with err naming the key.
 */
int		 media_check_cfg(const struct cfg *, struct sf_err *);
/* "ab/<64 hex>.<ext>": the content address of bytes (name >= 80 bytes). */
void		 media_name(const void *, size_t, const char *ext,
		    char name[80]);
/*
 * Store bytes; *url gets a malloc'd permanent URL, mime the sniffed type.
 * expect: "image", "audio", "video" (mismatch, unknown type, empty ->
 * 502 bad_upstream_media; over the cap -> 502 upstream_media_too_large).
 * Idempotent: storing the same bytes again gives the same URL.
 */
int		 media_store(const struct cfg *, const void *, size_t,
		    const char *expect, char **url, char mime[48],
		    struct sf_err *);
/*
 * Download an upstream result URL (short-lived) within a deadline (absolute,
 * http_now_ms() clock) and the video cap; follows up to 3 redirects.
 * 403/404/410 -> 502 upstream_result_expired; other HTTP errors,
 * transport failures, oversize -> 502 upstream_error; deadline -> 504
 * upstream_timeout.
 */
int		 media_fetch(const struct cfg *, const char *url,
		    int64_t deadline_ms, unsigned char **data, size_t *len,
		    struct sf_err *);

#endif
