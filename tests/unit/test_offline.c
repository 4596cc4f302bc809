/*
 * The offline provider: PNG sizes read back with gd, determinism per seed,
 * the image-input operations against a local server, WAV headers that
 * are sane and not silent, and the refusal for video.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <gd.h>

#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "media/media.h"
#include "providers/prov.h"
#include "providers/offline/prov_offline.h"
#include "minihttpd.h"
#include "tap.h"

static int
run(const char *ep, const char *json, struct prov_result *r,
    struct sf_err *e)
{
	const struct def_entry	*d = def_lookup(ep);
	struct prov_job		 j;
	cJSON			*req;
	int			 rc;

	memset(&j, 0, sizeof(j));
	memset(r, 0, sizeof(*r));
	sf_err_clear(e);
	if (d == NULL || (req = cJSON_Parse(json)) == NULL)
		return sf_err_set(e, 500, "test", NULL, "bad test input");
	j.ep = d->ep;
	j.model = def_find_model(d->ep, d->ep->default_model ?
	    d->ep->default_model : def_find_tier(d->ep,
	    d->ep->default_tier)->model);
	j.provider = "offline";
	j.req = req;
	j.deadline_ms = http_now_ms() + 30000;
	rc = prov_offline_run(&j, r, e);
	cJSON_Delete(req);
	return rc;
}

static gdImagePtr
png_of(const struct prov_result *r, size_t i)
{
	if (r->nout <= i || r->out[i].data == NULL ||
	    strcmp(r->out[i].mime, "image/png") != 0 ||
	    media_sniff(r->out[i].data, r->out[i].len) == NULL)
		return NULL;
	return gdImageCreateFromPngPtr((int)r->out[i].len, r->out[i].data);
}

static int
same(const struct prov_result *a, const struct prov_result *b)
{
	return a->nout == 1 && b->nout == 1 && a->out[0].len == b->out[0].len &&
	    memcmp(a->out[0].data, b->out[0].data, a->out[0].len) == 0;
}

static void
check_generate(void)
{
	struct prov_result	 a, b, c;
	struct sf_err		 e;
	gdImagePtr		 im;
	char			 json[128];
	int			 rc;

	rc = run("image-generate-pro", "{\"prompt\":\"a red fox in the snow, "
	    "watercolor, with a very long description that must wrap over "
	    "several lines of the panel\",\"width\":640,\"height\":384,"
	    "\"seed\":42,\"tier\":\"balanced\"}", &a, &e);
	TAP_OK(rc == 0, "pro renders (%s)", e.message);
	im = png_of(&a, 0);
	TAP_OK(im != NULL && gdImageSX(im) == 640 && gdImageSY(im) == 384,
	    "PNG is 640x384");
	if (im != NULL)
		gdImageDestroy(im);
	TAP_OK(a.width == 640 && a.height == 384 && a.has_seed &&
	    a.seed == 42, "result facts");
	TAP_STREQ(a.source, "offline", "source offline");
	TAP_OK(strncmp(a.request_id, "offline-", 8) == 0, "request id");

	rc = run("image-generate-pro", "{\"prompt\":\"a red fox in the snow, "
	    "watercolor, with a very long description that must wrap over "
	    "several lines of the panel\",\"width\":640,\"height\":384,"
	    "\"seed\":42,\"tier\":\"balanced\"}", &b, &e);
	TAP_OK(rc == 0 && same(&a, &b), "same seed, same bytes");
	prov_result_free(&b);
	rc = run("image-generate-pro", "{\"prompt\":\"a red fox in the snow, "
	    "watercolor, with a very long description that must wrap over "
	    "several lines of the panel\",\"width\":640,\"height\":384,"
	    "\"seed\":43,\"tier\":\"balanced\"}", &b, &e);
	TAP_OK(rc == 0 && !same(&a, &b), "other seed, other bytes");
	prov_result_free(&a);
	prov_result_free(&b);

	/* No seed: one is chosen and reported, and reproduces the image. */
	rc = run("image-generate", "{\"prompt\":\"x\",\"width\":256,"
	    "\"height\":512}", &a, &e);
	TAP_OK(rc == 0 && a.has_seed && a.seed >= 0, "seed chosen (%lld)",
	    a.seed);
	snprintf(json, sizeof(json), "{\"prompt\":\"x\",\"width\":256,"
	    "\"height\":512,\"seed\":%lld}", a.seed);
	rc = run("image-generate", json, &b, &e);
	TAP_OK(rc == 0 && same(&a, &b), "reported seed reproduces");
	prov_result_free(&a);
	prov_result_free(&b);

	rc = run("image-generate-ultra", "{\"prompt\":\"\xc3\xa9t\xc3\xa9 "
	    "\xe2\x80\x94 UTF-8\"}", &c, &e);
	im = png_of(&c, 0);
	TAP_OK(rc == 0 && im != NULL && gdImageSX(im) == 1024 &&
	    gdImageSY(im) == 1024, "no size: 1024x1024, UTF-8 prompt");
	if (im != NULL)
		gdImageDestroy(im);
	prov_result_free(&c);

	rc = run("image-generate", "{\"prompt\":\"x\",\"width\":9000,"
	    "\"height\":9000}", &c, &e);
	TAP_OK(rc == -1 && e.status == 422, "oversized render refused");
	prov_result_free(&c);
}

static unsigned char	*src, *maskp;
static int		 srclen, masklen;

/* 300x200 white with a red square (the subject); mask covers the top left. */
static void
mkinputs(void)
{
	gdImagePtr	 im = gdImageCreateTrueColor(300, 200), m;

	gdImageFilledRectangle(im, 0, 0, 299, 199, gdTrueColor(255, 255, 255));
	gdImageFilledRectangle(im, 100, 50, 199, 149, gdTrueColor(220, 20, 20));
	src = gdImagePngPtr(im, &srclen);
	gdImageDestroy(im);
	m = gdImageCreateTrueColor(150, 100);	/* half size: resampled */
	gdImageFilledRectangle(m, 0, 0, 149, 99, gdTrueColor(0, 0, 0));
	gdImageFilledRectangle(m, 0, 0, 40, 30, gdTrueColor(255, 255, 255));
	maskp = gdImagePngPtr(m, &masklen);
	gdImageDestroy(m);
}

/* The inputs the image-input endpoints fetch, served on 127.0.0.1. */
static struct mh_route	 routes[] = {
	{ "/in.png", 200, NULL, NULL, 0 },
	{ "/mask.png", 200, NULL, NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};
static struct mh	 m;

static int
inputs_start(void)
{
	mkinputs();
	routes[0].body = src;
	routes[0].len = (size_t)srclen;
	routes[1].body = maskp;
	routes[1].len = (size_t)masklen;
	return mh_start(&m, routes, 0);
}

static void
inputs_stop(void)
{
	unsetenv("SYNTHFORGE_URL_ALLOW");
	mh_stop(&m);
	gdFree(src);
	gdFree(maskp);
}

static void
check_edit(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	gdImagePtr		 im;
	char			 json[512];
	int			 rc;

	unsetenv("SYNTHFORGE_URL_ALLOW");
	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"prompt\":\"make it blue\"}", m.port);
	rc = run("image-edit", json, &r, &e);
	TAP_OK(rc == -1 && strcmp(e.code, "url_refused") == 0 && m.hits == 0,
	    "inputs go through urlguard (%s)", e.message);
	prov_result_free(&r);
	setenv("SYNTHFORGE_URL_ALLOW", "127.0.0.1", 1);

	rc = run("image-edit", json, &r, &e);
	im = png_of(&r, 0);
	TAP_OK(rc == 0 && im && gdImageSX(im) == 300 && gdImageSY(im) == 200,
	    "edit keeps 300x200 (%s)", e.message);
	if (im)
		gdImageDestroy(im);
	prov_result_free(&r);
}

/* Upscale by 3. */
static void
check_upscale(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	gdImagePtr		 im;
	char			 json[512];
	int			 rc;

	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"scale\":3}", m.port);
	rc = run("image-upscale", json, &r, &e);
	im = png_of(&r, 0);
	TAP_OK(rc == 0 && im && gdImageSX(im) == 900 && gdImageSY(im) == 600 &&
	    r.width == 900 && r.height == 600, "upscale x3: 900x600");
	if (im)
		gdImageDestroy(im);
	prov_result_free(&r);
}

/* Expand by sides, to a ratio, by nothing. */
static void
check_expand(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	gdImagePtr		 im;
	char			 json[512];
	int			 rc;

	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"expand_left\":50,\"expand_right\":30,"
	    "\"expand_top\":10,\"expand_bottom\":0}", m.port);
	rc = run("image-expand", json, &r, &e);
	im = png_of(&r, 0);
	TAP_OK(rc == 0 && im && gdImageSX(im) == 380 && gdImageSY(im) == 210,
	    "expand: 380x210");
	if (im)
		gdImageDestroy(im);
	prov_result_free(&r);
	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"aspect_ratio\":\"16:9\"}", m.port);
	rc = run("image-expand", json, &r, &e);
	im = png_of(&r, 0);
	TAP_OK(rc == 0 && im && gdImageSX(im) == 356 && gdImageSY(im) == 200,
	    "expand to 16:9: 356x200");
	if (im)
		gdImageDestroy(im);
	prov_result_free(&r);
	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"expand_left\":0}", m.port);
	rc = run("image-expand", json, &r, &e);
	TAP_OK(rc == -1 && e.status == 400, "expand by nothing: 400 (%s)",
	    e.message);
	prov_result_free(&r);
}

/* Background removal: the cut-out and its mask. */
static void
check_remove_bg(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	gdImagePtr		 im, mk;
	char			 json[512];
	int			 rc, c;

	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"output_mask\":true}", m.port);
	rc = run("remove-bg", json, &r, &e);
	im = png_of(&r, 0);
	mk = png_of(&r, 1);
	TAP_OK(rc == 0 && r.nout == 2 && im && mk && gdImageSX(im) == 300 &&
	    gdImageSY(mk) == 200, "remove-bg: cut-out and mask");
	if (im) {
		c = gdImageGetTrueColorPixel(im, 5, 5);
		TAP_OK(gdTrueColorGetAlpha(c) == gdAlphaTransparent,
		    "background transparent");
		c = gdImageGetTrueColorPixel(im, 150, 100);
		TAP_OK(gdTrueColorGetAlpha(c) == gdAlphaOpaque &&
		    gdTrueColorGetRed(c) == 220, "subject opaque");
		gdImageDestroy(im);
	}
	if (mk) {
		TAP_OK(gdTrueColorGetRed(gdImageGetTrueColorPixel(mk, 5, 5)) ==
		    0 && gdTrueColorGetRed(gdImageGetTrueColorPixel(mk, 150,
		    100)) == 255, "mask black/white");
		gdImageDestroy(mk);
	}
	prov_result_free(&r);
}

/* Inpainting repaints the masked pixels only. */
static void
check_inpaint(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	gdImagePtr		 im;
	char			 json[512];
	int			 rc, c;

	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "in.png\",\"mask_url\":\"http://127.0.0.1:%d/mask.png\","
	    "\"prompt\":\"a cat\",\"seed\":5}", m.port, m.port);
	rc = run("image-inpaint", json, &r, &e);
	im = png_of(&r, 0);
	TAP_OK(rc == 0 && im && gdImageSX(im) == 300 && gdImageSY(im) == 200,
	    "inpaint keeps 300x200 (%s)", e.message);
	if (im) {
		c = gdImageGetTrueColorPixel(im, 10, 10);
		TAP_OK(c != gdTrueColor(255, 255, 255),
		    "masked pixel repainted");
		c = gdImageGetTrueColorPixel(im, 250, 20);
		TAP_OK(c == gdTrueColor(255, 255, 255),
		    "unmasked pixel kept");
		gdImageDestroy(im);
	}
	prov_result_free(&r);
}

/* An input that is not there: 400 naming the field. */
static void
check_missing_input(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	char			 json[512];
	int			 rc;

	snprintf(json, sizeof(json), "{\"image_url\":\"http://127.0.0.1:%d/"
	    "missing.png\",\"prompt\":\"x\"}", m.port);
	rc = run("image-edit", json, &r, &e);
	TAP_OK(rc == -1 && e.status == 400 && strcmp(e.field, "image_url") ==
	    0, "missing input: 400 on image_url");
	prov_result_free(&r);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* Header sane, returns the sample count; peak amplitude in *peak. */
static long
wav_check(const struct prov_result *r, const char *what, int *peak,
    unsigned *rate)
{
	const unsigned char	*w;
	size_t			 n, i;
	int			 ok, s;

	*peak = 0;
	*rate = 0;
	if (r->nout != 1 || r->out[0].len < 46) {
		TAP_OK(0, "%s: one WAV output", what);
		return -1;
	}
	w = r->out[0].data;
	n = r->out[0].len;
	ok = memcmp(w, "RIFF", 4) == 0 && le32(w + 4) == n - 8 &&
	    memcmp(w + 8, "WAVEfmt ", 8) == 0 && le32(w + 16) == 16 &&
	    w[20] == 1 && w[22] == 1 && w[34] == 16 &&
	    le32(w + 28) == le32(w + 24) * 2 &&
	    memcmp(w + 36, "data", 4) == 0 && le32(w + 40) == n - 44 &&
	    strcmp(r->out[0].mime, "audio/wav") == 0 &&
	    media_sniff(w, n) != NULL;
	TAP_OK(ok, "%s: WAV header sane (PCM, mono, 16-bit, sizes)", what);
	*rate = le32(w + 24);
	for (i = 44; i + 1 < n; i += 2) {
		s = (int16_t)(w[i] | w[i + 1] << 8);
		if (abs(s) > *peak)
			*peak = abs(s);
	}
	return (long)((n - 44) / 2);
}

static void
check_audio(void)
{
	struct prov_result	 a, b;
	struct sf_err		 e;
	unsigned		 rate;
	long			 ns;
	int			 rc, peak;

	rc = run("text-to-speech", "{\"text\":\"Hello from the synthforge "
	    "offline provider.\",\"voice\":\"Rachel\"}", &a, &e);
	TAP_OK(rc == 0, "speech (%s)", e.message);
	ns = wav_check(&a, "speech", &peak, &rate);
	TAP_OK(ns > 0 && rate >= 8000 && (double)ns / rate > 0.8 &&
	    peak > 1000, "speech: %.2f s at %u Hz, peak %d",
	    rate ? (double)ns / rate : 0, rate, peak);
	TAP_OK(rate && a.duration > 0 && a.duration - (double)ns / rate <
	    0.01, "duration reported");
	prov_result_free(&a);
	rc = run("voice", "{\"text\":\"Zwei.\",\"language\":\"de\","
	    "\"stability\":0.5}", &a, &e);
	ns = wav_check(&a, "voice", &peak, &rate);
	TAP_OK(rc == 0 && ns > 0 && peak > 1000, "voice endpoint speaks");
	prov_result_free(&a);

	rc = run("music-generate", "{\"prompt\":\"lofi\",\"duration\":5,"
	    "\"seed\":7}", &a, &e);
	ns = wav_check(&a, "music", &peak, &rate);
	TAP_OK(rc == 0 && ns == 5L * (long)rate && peak > 3000,
	    "music: 5 s, not silent (peak %d)", peak);
	rc = run("music-generate", "{\"prompt\":\"lofi\",\"duration\":5,"
	    "\"seed\":7}", &b, &e);
	TAP_OK(rc == 0 && same(&a, &b), "music: same seed, same bytes");
	prov_result_free(&b);
	rc = run("music-generate", "{\"prompt\":\"lofi\",\"duration\":5,"
	    "\"seed\":8}", &b, &e);
	TAP_OK(rc == 0 && !same(&a, &b), "music: other seed, other bytes");
	prov_result_free(&a);
	prov_result_free(&b);

	rc = run("sound-effect-generate", "{\"prompt\":\"door creak\","
	    "\"duration\":1.5,\"seed\":3}", &a, &e);
	ns = wav_check(&a, "sfx", &peak, &rate);
	TAP_OK(rc == 0 && ns == (long)(1.5 * rate) && peak > 1000 &&
	    a.duration > 1.49 && a.duration < 1.51, "sfx: 1.5 s, not silent");
	prov_result_free(&a);
	rc = run("sound-effect-generate", "{\"prompt\":\"hum\",\"loop\":true,"
	    "\"seed\":3}", &a, &e);
	ns = wav_check(&a, "sfx loop", &peak, &rate);
	TAP_OK(rc == 0 && ns > 0 && peak > 1000, "sfx without duration");
	prov_result_free(&a);
}

/* No offline video: refused, 501, before anything is made. */
static void
check_video(void)
{
	struct prov_result	 r;
	struct sf_err		 e;
	int			 rc;

	rc = run("text-to-video", "{\"prompt\":\"a fox\"}", &r, &e);
	TAP_OK(rc == -1 && e.status == 501 &&
	    strcmp(e.code, "offline_unsupported") == 0 && r.nout == 0,
	    "video: 501 offline_unsupported");
	prov_result_free(&r);
}

int
main(void)
{

	curl_global_init(CURL_GLOBAL_DEFAULT);
	TAP_CASE(check_generate);
	if (inputs_start() == -1)
		TAP_OK(0, "local server starts");
	else {
		TAP_CASE(check_edit);
		/* The rest fetch from 127.0.0.1 (check_edit shows the guard). */
		setenv("SYNTHFORGE_URL_ALLOW", "127.0.0.1", 1);
		TAP_CASE(check_upscale);
		TAP_CASE(check_expand);
		TAP_CASE(check_remove_bg);
		TAP_CASE(check_inpaint);
		TAP_CASE(check_missing_input);
		inputs_stop();
	}
	TAP_CASE(check_audio);
	TAP_CASE(check_video);
	curl_global_cleanup();
	return tap_done();
}
