/*
 * media: sniffing of every type (and of truncated or wrong bytes),
 * content addressing, the local store (atomic, idempotent, 0644, URL
 * shape), caps, the S3 and fal backends and media_fetch against a local
 * server.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gd.h>

#include "basics/err.h"
#include "http/http.h"
#include "media/media.h"
#include "minihttpd.h"
#include "tap.h"

static unsigned char	*png, *jpg, *gif, *webp;
static int		 pnglen, jpglen, giflen, webplen;

static void
mkimages(void)
{
	gdImagePtr	 im = gdImageCreateTrueColor(40, 30);

	gdImageFilledRectangle(im, 5, 5, 30, 20, gdTrueColor(10, 200, 30));
	png = gdImagePngPtr(im, &pnglen);
	jpg = gdImageJpegPtr(im, &jpglen, 80);
	gif = gdImageGifPtr(im, &giflen);
	webp = gdImageWebpPtr(im, &webplen);
	gdImageDestroy(im);
}

/* A 16-bit mono WAV of n samples (header + zeroed data). */
static unsigned char *
mkwav(size_t n, size_t *len)
{
	unsigned char	*w;
	uint32_t	 v;

	*len = 44 + 2 * n;
	if ((w = calloc(1, *len)) == NULL)
		abort();
	memcpy(w, "RIFF", 4);
	v = (uint32_t)(*len - 8);
	memcpy(w + 4, &v, 4);			/* test host is little-endian */
	memcpy(w + 8, "WAVEfmt ", 8);
	w[16] = 16; w[20] = 1; w[22] = 1;
	v = 22050; memcpy(w + 24, &v, 4);
	v = 44100; memcpy(w + 28, &v, 4);
	w[32] = 2; w[34] = 16;
	memcpy(w + 36, "data", 4);
	v = (uint32_t)(2 * n);
	memcpy(w + 40, &v, 4);
	return w;
}

static void
check_sniff(void)
{
	static const unsigned char id3[16] = "ID3\x04\x00\x00\x00\x00\x00\x21";
	static const unsigned char mp3[8] = { 0xff, 0xfb, 0x90, 0x64 };
	static const unsigned char aac[8] = { 0xff, 0xf1, 0x50, 0x80 };
	static const unsigned char ogg[32] = "OggS\0\x02";
	static const unsigned char flac[48] = "fLaC\0\0\0\x22";
	static const unsigned char mp4[24] = "\0\0\0\x18" "ftypisom\0\0\0\0"
	    "isom";
	static const unsigned char m4a[24] = "\0\0\0\x18" "ftypM4A \0\0\0\0"
	    "M4A ";
	static const unsigned char mov[24] = "\0\0\0\x14" "ftypqt  \0\0\0\0"
	    "qt  ";
	static const unsigned char mp4big[24] = "\0\0\x10\x00" "ftypisom";
	static const unsigned char webm[40] = "\x1a\x45\xdf\xa3\x9f\x42\x86"
	    "\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82"
	    "\x84webm";
	static const unsigned char mkv[40] = "\x1a\x45\xdf\xa3\x9f\x42\x86"
	    "\x81\x01\x42\x82\x88matroska";
	static const unsigned char avi[16] = "RIFF\x08\0\0\0AVI LIST";
	unsigned char	 buf[64], *wav;
	size_t		 wavlen;

	TAP_STREQ(media_sniff(png, (size_t)pnglen), "image/png", "png");
	TAP_STREQ(media_sniff(jpg, (size_t)jpglen), "image/jpeg", "jpeg");
	TAP_STREQ(media_sniff(gif, (size_t)giflen), "image/gif", "gif");
	TAP_STREQ(media_sniff(webp, (size_t)webplen), "image/webp", "webp");
	wav = mkwav(100, &wavlen);
	TAP_STREQ(media_sniff(wav, wavlen), "audio/wav", "wav");
	TAP_OK(media_sniff(wav, wavlen - 1) == NULL,
	    "wav shorter than its RIFF size is refused");
	free(wav);
	TAP_STREQ(media_sniff(id3, sizeof(id3)), "audio/mpeg", "mp3 (ID3)");
	TAP_STREQ(media_sniff(mp3, sizeof(mp3)), "audio/mpeg",
	    "mp3 (frame sync)");
	TAP_OK(media_sniff(aac, sizeof(aac)) == NULL, "ADTS AAC is not mp3");
	TAP_STREQ(media_sniff(ogg, sizeof(ogg)), "audio/ogg", "ogg");
	TAP_STREQ(media_sniff(flac, sizeof(flac)), "audio/flac", "flac");
	TAP_STREQ(media_sniff(mp4, sizeof(mp4)), "video/mp4", "mp4");
	TAP_STREQ(media_sniff(m4a, sizeof(m4a)), "audio/mp4", "m4a");
	TAP_STREQ(media_sniff(mov, sizeof(mov)), "video/quicktime", "mov");
	TAP_OK(media_sniff(mp4big, sizeof(mp4big)) == NULL,
	    "mp4 box larger than the data is refused");
	TAP_STREQ(media_sniff(webm, sizeof(webm)), "video/webm", "webm");
	TAP_OK(media_sniff(mkv, sizeof(mkv)) == NULL,
	    "matroska that is not webm is refused");
	TAP_OK(media_sniff(avi, sizeof(avi)) == NULL, "AVI is refused");

	TAP_OK(media_sniff(png, 7) == NULL, "png: 7 bytes");
	TAP_OK(media_sniff(png, 20) == NULL, "png: truncated before IHDR");
	memcpy(buf, png, 40);
	buf[12] = 'X';
	TAP_OK(media_sniff(buf, 40) == NULL, "png: no IHDR");
	memcpy(buf, png, 40);
	buf[0] = 0x88;
	TAP_OK(media_sniff(buf, 40) == NULL, "png: wrong magic");
	TAP_OK(media_sniff(jpg, 3) == NULL, "jpeg: 3 bytes");
	TAP_OK(media_sniff(gif, 5) == NULL, "gif: 5 bytes");
	TAP_OK(media_sniff(webp, 11) == NULL, "webp: 11 bytes");
	TAP_OK(media_sniff(webp, (size_t)webplen / 2) == NULL,
	    "webp: shorter than its RIFF size");
	TAP_OK(media_sniff("hello world, not media", 22) == NULL, "text");
	TAP_OK(media_sniff("<svg xmlns='http://www.w3.org/2000/svg'/>", 40) ==
	    NULL, "svg is not accepted");
	TAP_OK(media_sniff("", 0) == NULL, "empty");
	TAP_OK(media_sniff(NULL, 10) == NULL, "NULL");

	TAP_STREQ(media_kind("image/png"), "image", "kind image");
	TAP_STREQ(media_kind("audio/wav"), "audio", "kind audio");
	TAP_STREQ(media_kind("video/mp4"), "video", "kind video");
	TAP_OK(media_kind("text/html") == NULL, "kind of html");
	TAP_STREQ(media_ext("image/jpeg"), "jpg", "ext jpg");
	TAP_STREQ(media_ext("audio/mpeg"), "mp3", "ext mp3");
	TAP_OK(media_ext(NULL) == NULL, "ext of NULL");
}

static int
count_files(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0))
			n++;
	closedir(d);
	return n;
}

static void
check_local(const char *root)
{
	struct sf_err	 e;
	struct stat	 st, st2;
	char		*url = NULL, *url2 = NULL, mime[48], name[80];
	char		 want[256], path[512], sub[512];
	unsigned char	*back;
	FILE		*f;
	size_t		 n;
	int		 rc;

	/* SHA-256("abc"), FIPS 180-2 vector. */
	media_name("abc", 3, "png", name);
	TAP_STREQ(name, "ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb"
	    "410ff61f20015ad.png", "content address of \"abc\"");

	setenv("SYNTHFORGE_MEDIA_DIR", root, 1);
	setenv("SYNTHFORGE_PUBLIC_URL", "https://sf.example/", 1);
	unsetenv("SYNTHFORGE_MEDIA_STORE");
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == 0, "local store (%s)", e.message);
	media_name(png, (size_t)pnglen, "png", name);
	snprintf(want, sizeof(want), "https://sf.example/media/%s", name);
	TAP_STREQ(url, want, "URL is PUBLIC_URL/media/ab/<sha256>.png");
	TAP_STREQ(mime, "image/png", "mime reported");
	snprintf(path, sizeof(path), "%s/%s", root, name);
	snprintf(sub, sizeof(sub), "%s/%.2s", root, name);
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644 &&
	    st.st_size == pnglen, "file stored, mode 0644, full size");
	back = malloc((size_t)pnglen);
	n = 0;
	if (back != NULL && (f = fopen(path, "rb")) != NULL) {
		n = fread(back, 1, (size_t)pnglen, f);
		fclose(f);
	}
	TAP_OK(n == (size_t)pnglen && memcmp(back, png, n) == 0,
	    "stored bytes identical");
	free(back);
	TAP_OK(count_files(sub) == 1, "no temporary file left behind");

	rc = media_store(NULL, png, (size_t)pnglen, "image", &url2, mime, &e);
	TAP_OK(rc == 0 && url2 != NULL && strcmp(url, url2) == 0,
	    "second store: same URL");
	TAP_OK(stat(path, &st2) == 0 && st2.st_ino == st.st_ino &&
	    st2.st_mtime == st.st_mtime, "second store: file untouched");
	free(url);
	free(url2);
	url = url2 = NULL;

	rc = media_store(NULL, jpg, (size_t)jpglen, NULL, &url, mime, &e);
	TAP_OK(rc == 0 && url != NULL && strstr(url, ".jpg") != NULL,
	    "jpeg stored as .jpg");
	free(url);
}

/* What the store refuses: the wrong kind, not media, empty, over a cap. */
static void
check_refused(void)
{
	struct sf_err	 e;
	char		*url = NULL, mime[48];
	int		 rc;

	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "audio", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 502 && url == NULL,
	    "png where audio was expected: 502");
	TAP_STREQ(e.code, "bad_upstream_media", "code bad_upstream_media");
	sf_err_clear(&e);
	rc = media_store(NULL, "<html>error</html>", 18, "image", &url, mime,
	    &e);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strcmp(e.code, "bad_upstream_media") == 0, "html refused");
	sf_err_clear(&e);
	rc = media_store(NULL, png, 0, "image", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 502, "empty refused");

	setenv("SYNTHFORGE_MEDIA_MAX_IMAGE", "100", 1);
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strcmp(e.code, "upstream_media_too_large") == 0,
	    "image cap of 100 bytes enforced");
	setenv("SYNTHFORGE_MEDIA_MAX_IMAGE", "1k", 1);
	TAP_OK(media_cap(NULL, "image") == 1024, "cap with k suffix");
	setenv("SYNTHFORGE_MEDIA_MAX_IMAGE", "junk", 1);
	TAP_OK(media_cap(NULL, "image") == (size_t)40 << 20,
	    "garbage cap falls back to the default");
	unsetenv("SYNTHFORGE_MEDIA_MAX_IMAGE");
	TAP_OK(media_cap(NULL, "video") == (size_t)200 << 20 &&
	    media_cap(NULL, "audio") == (size_t)60 << 20,
	    "default caps per kind");

	setenv("SYNTHFORGE_MEDIA_STORE", "ftp", 1);
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 500, "unknown MEDIA_STORE refused");
	unsetenv("SYNTHFORGE_MEDIA_STORE");
}

static void
check_s3(void)
{
	struct mh_route	 routes[] = {
		{ NULL, 200, NULL, NULL, 0 },
		{ NULL, 0, NULL, NULL, 0 }
	};
	struct mh	 m;
	struct sf_err	 e;
	char		 path[160], name[80], ep[64], want[256], hdr[128];
	char		*url = NULL, mime[48];
	int		 rc;

	media_name(png, (size_t)pnglen, "png", name);
	snprintf(path, sizeof(path), "/bkt/media/%s", name);
	routes[0].path = path;
	if (mh_start(&m, routes, 0) == -1) {
		TAP_OK(0, "local server starts");
		return;
	}
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", m.port);
	setenv("SYNTHFORGE_MEDIA_STORE", "s3", 1);
	setenv("SYNTHFORGE_S3_ENDPOINT", ep, 1);
	setenv("SYNTHFORGE_S3_BUCKET", "bkt", 1);
	setenv("SYNTHFORGE_S3_REGION", "auto", 1);
	setenv("SYNTHFORGE_S3_PREFIX", "media/", 1);
	setenv("SYNTHFORGE_S3_ACCESS_KEY", "AKIDTEST", 1);
	setenv("SYNTHFORGE_S3_SECRET_KEY", "s3cr3t-never-sent", 1);
	setenv("SYNTHFORGE_S3_PUBLIC_URL", "https://cdn.example/", 1);
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == 0, "s3 store (%s)", e.message);
	snprintf(want, sizeof(want), "https://cdn.example/media/%s", name);
	TAP_STREQ(url, want, "s3 URL is S3_PUBLIC_URL/<key>");
	free(url);
	url = NULL;
	snprintf(want, sizeof(want), "PUT %s HTTP/1.1", path);
	TAP_OK(strncmp(m.req, want, strlen(want)) == 0, "path-style PUT");
	TAP_OK(strstr(m.req, "Authorization: AWS4-HMAC-SHA256 "
	    "Credential=AKIDTEST/") != NULL &&
	    strstr(m.req, "/auto/s3/aws4_request") != NULL &&
	    strstr(m.req, "Signature=") != NULL, "SigV4 authorization");
	snprintf(hdr, sizeof(hdr), "x-amz-content-sha256: %.64s",
	    name + 3);
	TAP_OK(strstr(m.req, hdr) != NULL, "payload hash header");
	TAP_OK(strstr(m.req, "X-Amz-Date:") != NULL ||
	    strstr(m.req, "x-amz-date:") != NULL, "x-amz-date header");
	TAP_OK(strstr(m.req, "s3cr3t") == NULL, "secret never sent");
	TAP_OK(m.bodylen == (size_t)pnglen &&
	    memcmp(m.body, png, m.bodylen) == 0, "body is the bytes");

	routes[0].status = 403;
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strcmp(e.code, "media_store_failed") == 0 &&
	    strstr(e.message, "s3cr3t") == NULL, "s3 refusal: 502 (%s)",
	    e.message);
	unsetenv("SYNTHFORGE_S3_ENDPOINT");
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 500, "s3 without endpoint: 500");
	unsetenv("SYNTHFORGE_MEDIA_STORE");
	mh_stop(&m);
}

static void
check_fal(void)
{
	struct mh_route	 routes[] = {
		{ "/storage/upload/initiate?storage_type=fal-cdn-v3", 200,
		  "Content-Type: application/json\r\n", NULL, 0 },
		{ "/up/obj", 200, NULL, NULL, 0 },
		{ NULL, 0, NULL, NULL, 0 }
	};
	struct mh	 m;
	struct sf_err	 e;
	char		 json[256], base[64], *url = NULL, mime[48];
	int		 rc;

	if (mh_start(&m, routes, 0) == -1) {
		TAP_OK(0, "local server starts");
		return;
	}
	snprintf(json, sizeof(json), "{\"upload_url\":\"http://127.0.0.1:%d/"
	    "up/obj\",\"file_url\":\"https://v3.fal.media/files/x/y.png\"}",
	    m.port);
	routes[0].body = json;
	routes[0].len = strlen(json);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", m.port);
	setenv("SYNTHFORGE_MEDIA_STORE", "fal", 1);
	setenv("SYNTHFORGE_FAL_REST_BASE_URL", base, 1);
	setenv("SYNTHFORGE_FAL_KEY", "falkey:secret", 1);
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == 0, "fal store (%s)", e.message);
	TAP_STREQ(url, "https://v3.fal.media/files/x/y.png", "fal file_url");
	free(url);
	url = NULL;
	TAP_OK(strstr(m.log, "POST /storage/upload/initiate?storage_type="
	    "fal-cdn-v3") != NULL && strstr(m.log, "PUT /up/obj") != NULL,
	    "initiate then PUT");
	TAP_OK(strncmp(m.req, "PUT /up/obj", 11) == 0 &&
	    strstr(m.req, "Content-Type: image/png") != NULL &&
	    strstr(m.req, "falkey") == NULL && m.bodylen == (size_t)pnglen,
	    "PUT carries the bytes, not the key");
	routes[0].status = 401;
	sf_err_clear(&e);
	rc = media_store(NULL, png, (size_t)pnglen, "image", &url, mime, &e);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strstr(e.message, "falkey") == NULL, "fal refusal: 502 (%s)",
	    e.message);
	unsetenv("SYNTHFORGE_MEDIA_STORE");
	unsetenv("SYNTHFORGE_FAL_KEY");
	unsetenv("SYNTHFORGE_FAL_REST_BASE_URL");
	mh_stop(&m);
}

static void
check_fetch(void)
{
	struct mh_route	 routes[] = {
		{ "/res.png", 200, NULL, NULL, 0 },
		{ "/r", 302, "Location: /res.png\r\n", NULL, 0 },
		{ "/gone", 410, NULL, NULL, 0 },
		{ "/forbidden", 403, NULL, NULL, 0 },
		{ "/boom", 500, NULL, "oops", 4 },
		{ "/empty", 200, NULL, NULL, 0 },
		{ NULL, 0, NULL, NULL, 0 }
	};
	struct mh	 m;
	struct sf_err	 e;
	unsigned char	*d = NULL;
	size_t		 n = 0;
	char		 url[128];
	int		 rc;

	routes[0].body = png;
	routes[0].len = (size_t)pnglen;
	if (mh_start(&m, routes, 0) == -1) {
		TAP_OK(0, "local server starts");
		return;
	}
#define FETCH(p, dl) (snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", \
	m.port, p), sf_err_clear(&e), free(d), d = NULL, \
	media_fetch(NULL, url, dl, &d, &n, &e))
	rc = FETCH("/res.png", http_now_ms() + 5000);
	TAP_OK(rc == 0 && n == (size_t)pnglen && memcmp(d, png, n) == 0,
	    "fetch result");
	rc = FETCH("/r", http_now_ms() + 5000);
	TAP_OK(rc == 0 && n == (size_t)pnglen, "fetch follows a redirect");
	rc = FETCH("/gone", http_now_ms() + 5000);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strcmp(e.code, "upstream_result_expired") == 0, "410: expired");
	rc = FETCH("/forbidden", http_now_ms() + 5000);
	TAP_OK(rc == -1 && strcmp(e.code, "upstream_result_expired") == 0,
	    "403: expired");
	rc = FETCH("/nope", http_now_ms() + 5000);
	TAP_OK(rc == -1 && strcmp(e.code, "upstream_result_expired") == 0 &&
	    strstr(e.message, "404") != NULL, "404: expired (%s)",
	    e.message);
	rc = FETCH("/boom", http_now_ms() + 5000);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strcmp(e.code, "upstream_error") == 0, "500: upstream_error");
	rc = FETCH("/empty", http_now_ms() + 5000);
	TAP_OK(rc == -1 && e.status == 502, "empty body: 502");
	rc = FETCH("/res.png", http_now_ms() - 1);
	TAP_OK(rc == -1 && e.status == 504 &&
	    strcmp(e.code, "upstream_timeout") == 0, "deadline: 504");
	setenv("SYNTHFORGE_MEDIA_MAX_VIDEO", "64", 1);
	rc = FETCH("/res.png", http_now_ms() + 5000);
	TAP_OK(rc == -1 && e.status == 502, "size cap: 502 (%s)", e.message);
	unsetenv("SYNTHFORGE_MEDIA_MAX_VIDEO");
	sf_err_clear(&e);
	rc = media_fetch(NULL, "ftp://127.0.0.1/x", http_now_ms() + 5000, &d,
	    &n, &e);
	TAP_OK(rc == -1 && e.status == 502, "non-http URL: 502");
#undef FETCH
	free(d);
	mh_stop(&m);
}

int
main(void)
{
	char	 root[] = "/tmp/sf-media-XXXXXX";
	char	 cmd[64];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	mkimages();
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	TAP_CASE(check_sniff);
	TAP_CASE_ARGS(check_local, root);
	TAP_CASE(check_refused);
	TAP_CASE(check_s3);
	TAP_CASE(check_fal);
	TAP_CASE(check_fetch);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	gdFree(png);
	gdFree(jpg);
	gdFree(gif);
	gdFree(webp);
	curl_global_cleanup();
	return tap_done();
}
