#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "media/media.h"
#include "media/store/media_int.h"

static const struct {
	const char	*mime;
	const char	*kind;
	const char	*ext;
} media_types[] = {
	{ "image/png", "image", "png" },
	{ "image/jpeg", "image", "jpg" },
	{ "image/webp", "image", "webp" },
	{ "image/gif", "image", "gif" },
	{ "audio/mpeg", "audio", "mp3" },
	{ "audio/wav", "audio", "wav" },
	{ "audio/ogg", "audio", "ogg" },
	{ "audio/flac", "audio", "flac" },
	{ "audio/mp4", "audio", "m4a" },
	{ "video/mp4", "video", "mp4" },
	{ "video/quicktime", "video", "mov" },
	{ "video/webm", "video", "webm" },
	{ NULL, NULL, NULL }
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* An MPEG audio frame header (layer I-III, valid bitrate and rate). */
static int
media_mpeg_frame(const unsigned char *p)
{
	return p[0] == 0xff && (p[1] & 0xe0) == 0xe0 &&
	    ((p[1] >> 3) & 3) != 1 &&		/* version: not reserved */
	    ((p[1] >> 1) & 3) != 0 &&		/* layer: not reserved (AAC) */
	    (p[2] >> 4) != 0x0f &&		/* bitrate: not "bad" */
	    ((p[2] >> 2) & 3) != 3;		/* sample rate: not reserved */
}

static int
media_has(const unsigned char *p, size_t n, const char *s)
{
	size_t	 sl = strlen(s), i;

	for (i = 0; i + sl <= n; i++)
		if (memcmp(p + i, s, sl) == 0)
			return 1;
	return 0;
}

/*
 * Headers are checked far enough to reject truncated files: a PNG needs
 * its IHDR, a RIFF file at least the size its header announces.
 */
const char *
media_sniff(const void *v, size_t n)
{
	const unsigned char	*p = v;

	if (p == NULL)
		return NULL;
	if (n >= 33 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 &&
	    be32(p + 8) == 13 && memcmp(p + 12, "IHDR", 4) == 0 &&
	    be32(p + 16) > 0 && be32(p + 20) > 0)
		return "image/png";
	if (n >= 12 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff &&
	    p[3] >= 0xc0)
		return "image/jpeg";
	if (n >= 13 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    (uint64_t)le32(p + 4) + 8 <= n) {
		if (n >= 20 && memcmp(p + 8, "WEBPVP8", 7) == 0)
			return "image/webp";
		if (n >= 44 && memcmp(p + 8, "WAVEfmt ", 8) == 0)
			return "audio/wav";
		if (n >= 44 && memcmp(p + 8, "WAVE", 4) == 0)
			return "audio/wav";
		return NULL;
	}
	if (n >= 10 && memcmp(p, "ID3", 3) == 0 && p[3] < 0xff &&
	    p[4] < 0xff)
		return "audio/mpeg";
	if (n >= 4 && media_mpeg_frame(p))
		return "audio/mpeg";
	if (n >= 28 && memcmp(p, "OggS", 4) == 0 && p[4] == 0)
		return "audio/ogg";
	if (n >= 42 && memcmp(p, "fLaC", 4) == 0)
		return "audio/flac";
	if (n >= 16 && memcmp(p + 4, "ftyp", 4) == 0 && be32(p) >= 16 &&
	    be32(p) <= n) {
		if (memcmp(p + 8, "M4A ", 4) == 0)
			return "audio/mp4";
		if (memcmp(p + 8, "qt  ", 4) == 0)
			return "video/quicktime";
		return "video/mp4";
	}
	if (n >= 32 && memcmp(p, "\x1a\x45\xdf\xa3", 4) == 0 &&
	    media_has(p, n < 64 ? n : 64, "webm"))
		return "video/webm";
	return NULL;
}

const char *
media_kind(const char *mime)
{
	size_t	 i;

	for (i = 0; mime != NULL && media_types[i].mime != NULL; i++)
		if (strcasecmp(media_types[i].mime, mime) == 0)
			return media_types[i].kind;
	return NULL;
}

const char *
media_ext(const char *mime)
{
	size_t	 i;

	for (i = 0; mime != NULL && media_types[i].mime != NULL; i++)
		if (strcasecmp(media_types[i].mime, mime) == 0)
			return media_types[i].ext;
	return NULL;
}

/* "20971520", "20M", "512k", "1G"; 0 on garbage. */
static size_t
media_parse_size(const char *s)
{
	unsigned long long	 v;
	char			*end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K':
		v <<= 10; end++;
		break;
	case 'm': case 'M':
		v <<= 20; end++;
		break;
	case 'g': case 'G':
		v <<= 30; end++;
		break;
	}
	if (*end != '\0' || v == 0 || v > ((size_t)1 << 40))
		return 0;
	return (size_t)v;
}

size_t
media_cap(const struct cfg *c, const char *kind)
{
	const char	*key;
	size_t		 def, v;

	if (kind != NULL && strcmp(kind, "video") == 0) {
		key = "MEDIA_MAX_VIDEO";
		def = (size_t)200 << 20;
	} else if (kind != NULL && strcmp(kind, "audio") == 0) {
		key = "MEDIA_MAX_AUDIO";
		def = (size_t)60 << 20;
	} else {
		key = "MEDIA_MAX_IMAGE";
		def = (size_t)40 << 20;
	}
	v = media_parse_size(cfg_get(c, key));
	return v ? v : def;
}

static void
media_sha256(const void *p, size_t n, char hex[65])
{
	struct sha256_ctx	 ctx;
	uint8_t			 d[SHA256_DIGEST_SIZE];
	size_t			 i;

	sha256_init(&ctx);
	sha256_update(&ctx, n, p);
	sha256_digest(&ctx, sizeof(d), d);
	for (i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

void
media_name(const void *p, size_t n, const char *ext, char name[80])
{
	char	 hex[65];

	media_sha256(p, n, hex);
	snprintf(name, 80, "%.2s/%s.%s", hex, hex, ext);
}

int
media_store(const struct cfg *c, const void *p, size_t n,
    const char *expect, char **url, char mime[48], struct sf_err *err)
{
	struct media_obj	 o;
	const char		*m, *kind, *store;
	char			 hex[65], name[80];
	size_t			 cap;

	*url = NULL;
	mime[0] = '\0';
	if (p == NULL || n == 0)
		return sf_err_set(err, 502, "bad_upstream_media", NULL,
		    "the provider returned an empty file");
	if ((m = media_sniff(p, n)) == NULL)
		return sf_err_set(err, 502, "bad_upstream_media", NULL,
		    "the provider returned a file of unknown or truncated "
		    "type");
	kind = media_kind(m);
	/* WebM carries audio-only tracks too. */
	if (expect != NULL && strcmp(kind, expect) != 0 &&
	    !(strcmp(expect, "audio") == 0 && strcmp(m, "video/webm") == 0))
		return sf_err_set(err, 502, "bad_upstream_media", NULL,
		    "the provider returned %s where %s was expected", m,
		    expect);
	cap = media_cap(c, expect != NULL ? expect : kind);
	if (n > cap)
		return sf_err_set(err, 502, "upstream_media_too_large", NULL,
		    "the provider returned %zu bytes of %s, over the %zu "
		    "byte cap", n, kind, cap);
	media_sha256(p, n, hex);
	snprintf(name, sizeof(name), "%.2s/%s.%s", hex, hex, media_ext(m));
	snprintf(mime, 48, "%s", m);
	o.data = p;
	o.len = n;
	o.mime = m;
	o.name = name;
	o.sha256 = hex;

	store = cfg_get_or(c, "MEDIA_STORE", "local");
	if (store == NULL || *store == '\0' || strcmp(store, "local") == 0)
		return media_local_put(c, &o, url, err);
	if (strcmp(store, "s3") == 0)
		return media_s3_put(c, &o, url, err);
	if (strcmp(store, "fal") == 0)
		return media_fal_put(c, &o, url, err);
	return sf_err_set(err, 500, "config_invalid", "MEDIA_STORE",
	    "MEDIA_STORE must be local, s3 or fal");
}

/* --- start-up check (media.h) ------------------------------------------ */

static int
media_check_s3(const struct cfg *c, struct sf_err *err)
{
	static const char *const need[] = { "S3_ENDPOINT", "S3_BUCKET",
	    "S3_ACCESS_KEY", "S3_SECRET_KEY" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (cfg_check_set(c, need[i], "MEDIA_STORE=s3", err) == -1)
			return -1;
	if (cfg_check_url(c, "S3_ENDPOINT", err) == -1 ||
	    cfg_check_url(c, "S3_PUBLIC_URL", err) == -1)
		return -1;
	if (strchr(cfg_get(c, "S3_BUCKET"), '/') != NULL)
		return sf_err_set(err, 500, "config_invalid", "S3_BUCKET",
		    "S3_BUCKET must not contain /");
	v = cfg_get_or(c, "S3_REGION", "us-east-1");
	if (strpbrk(v, ":/\r\n") != NULL)
		return sf_err_set(err, 500, "config_invalid", "S3_REGION",
		    "S3_REGION must not contain :, / or line breaks");
	/* The object key is S3_PREFIX + "ab/<64 hex>.<ext>" in 256 bytes. */
	if (strlen(cfg_get_or(c, "S3_PREFIX", "")) > 160)
		return sf_err_set(err, 500, "config_invalid", "S3_PREFIX",
		    "S3_PREFIX is longer than 160 bytes");
	if (strpbrk(cfg_get(c, "S3_ACCESS_KEY"), "/\r\n") != NULL)
		return sf_err_set(err, 500, "config_invalid", "S3_ACCESS_KEY",
		    "S3_ACCESS_KEY must not contain / or line breaks");
	return 0;
}

int
media_check_cfg(const struct cfg *c, struct sf_err *err)
{
	static const char *const caps[] = { "MEDIA_MAX_IMAGE",
	    "MEDIA_MAX_AUDIO", "MEDIA_MAX_VIDEO" };
	const char	*store, *v;
	size_t		 i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if ((v = cfg_get(c, caps[i])) != NULL && *v != '\0' &&
		    media_parse_size(v) == 0)
			return sf_err_set(err, 500, "config_invalid", caps[i],
			    "%s=\"%.32s\" is invalid: expected a size such as "
			    "40M, 512K or 1G", caps[i], v);
	if (cfg_check_uint(c, "INPUT_TIMEOUT_MS", 1, 600000, err) == -1 ||
	    cfg_check_uint(c, "INPUT_MAX_BYTES", 1, (size_t)1 << 32,
	    err) == -1)
		return -1;
	if (cfg_check_oneof(c, "MEDIA_STORE", "local|s3|fal", err) == -1)
		return -1;
	store = cfg_get_or(c, "MEDIA_STORE", "local");
	if (strcmp(store, "s3") == 0)
		return media_check_s3(c, err);
	if (strcmp(store, "fal") == 0)
		return cfg_check_set(c, "FAL_KEY", "MEDIA_STORE=fal", err);
	return media_local_check(c, err);
}
