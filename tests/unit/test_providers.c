/*
 * Every adapter end to end through work_run() against the fake upstreams
 * (tests/fakes/providers.mjs, started here with node on a free port):
 * success with the stored file's bytes and URL, each error mapping,
 * retries, deadlines and cancels, what we sent (GET /__fake/requests).
 * The fake is $SF_FAKE_PROVIDERS (make sets it), else found relative to
 * this binary (<tree>/<build>/tests/test_providers); without it, or
 * without node, the program bails out and fails: never a silent skip.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/work.h"
#include "tap.h"

#include "fakeprov.h"

static char		 media_dir[64];
static struct cfg	*C;

static void
cfg_set(const char *k, const char *v)
{
	C->keys = realloc(C->keys, (C->n + 1) * sizeof(char *));
	C->vals = realloc(C->vals, (C->n + 1) * sizeof(char *));
	C->keys[C->n] = strdup(k);
	C->vals[C->n] = strdup(v);
	C->n++;
}

struct got {
	char	 id[128];
	int	 calls;
};

static void
on_id(void *arg, const char *id)
{
	struct got	*g = arg;

	snprintf(g->id, sizeof(g->id), "%s", id);
	g->calls++;
}

/* Run one job; deadline_ms 0 = the endpoint's. */
static int
run(const char *ep, const char *model, const char *body, int64_t dl,
    cJSON **facts, struct sf_err *e, struct got *g)
{
	const struct def_entry	*de;
	struct work_job		 w;
	cJSON			*req;
	int			 rc;

	*facts = NULL;
	sf_err_clear(e);
	memset(g, 0, sizeof(*g));
	if ((de = def_lookup(ep)) == NULL || (req = cJSON_Parse(body)) == NULL)
		return sf_err_set(e, 500, "test", NULL, "bad test setup");
	memset(&w, 0, sizeof(w));
	w.ep = de->ep;
	w.model = def_find_model(de->ep, model);
	w.tier = "t";
	w.req = req;
	w.cfg = C;
	w.deadline_ms = dl > 0 ? http_now_ms() + dl : 0;
	w.on_request_id = on_id;
	w.arg = g;
	if (w.model == NULL) {
		cJSON_Delete(req);
		return sf_err_set(e, 500, "test", NULL, "no model %s", model);
	}
	rc = work_run(&w, facts, e);
	cJSON_Delete(req);
	return rc;
}

static const char *
fstr(const cJSON *f, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItem(f, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
fnum(const cJSON *f, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItem(f, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The stored file behind a URL of ours starts with magic. */
static int
stored(const char *url, const char *magic, size_t mlen)
{
	char		 path[512], buf[16];
	const char	*pfx = "http://sf.test/media/";
	FILE		*f;
	size_t		 n;

	if (url == NULL || strncmp(url, pfx, strlen(pfx)) != 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", media_dir, url + strlen(pfx));
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n >= mlen && memcmp(buf, magic, mlen) == 0;
}

#define PNG	"\x89PNG\r\n\x1a\n", 8

/* A successful image run: URL, bytes, size, source, request id. */
static void
ok_image(const char *name, const char *ep, const char *model,
    const char *body, const char *source, int w, int h)
{
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	int		 rc;

	rc = run(ep, model, body, 0, &f, &e, &g);
	TAP_OK(rc == 0, "%s: succeeds (%d %s %s)", name, e.status, e.code,
	    e.message);
	if (rc != 0)
		return;
	TAP_OK(stored(fstr(f, "image_url"), PNG), "%s: PNG stored at %s", name,
	    fstr(f, "image_url"));
	TAP_STREQ(fstr(f, "source"), source, "%s: source", name);
	TAP_STREQ(fstr(f, "model"), model, "%s: public model", name);
	/* Imagen answers no id at all. */
	TAP_OK((g.calls == 1 && g.id[0] != '\0' &&
	    strcmp(g.id, fstr(f, "venice_request_id")) == 0) ||
	    (strcmp(name, "imagen") == 0 && g.calls == 0),
	    "%s: request id %s reported once", name, g.id);
	TAP_OK(w == 0 || (fnum(f, "width") == w && fnum(f, "height") == h),
	    "%s: %gx%g", name, fnum(f, "width"), fnum(f, "height"));
	TAP_STREQ(fstr(f, "mime_type"), "image/png", "%s: mime", name);
	TAP_OK(fnum(f, "elapsed_ms") >= 0, "%s: elapsed_ms", name);
	cJSON_Delete(f);
}

static void
fails(const char *name, const char *ep, const char *model, const char *body,
    int64_t dl, int st, const char *code)
{
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	int		 rc;

	rc = run(ep, model, body, dl, &f, &e, &g);
	TAP_OK(rc == -1 && e.status == st && strcmp(e.code, code) == 0 &&
	    strstr(e.message, "test-") == NULL,
	    "%s: %d %s (%s)", name, e.status, e.code, e.message);
	cJSON_Delete(f);
}

/* The error mappings every provider shares. */
static void
errors(const char *p, const char *ep, const char *model, const char *extra)
{
	char	 b[256], n[64];

	snprintf(n, sizeof(n), "%s 422", p);
	snprintf(b, sizeof(b), "{\"prompt\":\"x FAKE:422\"%s}", extra);
	fails(n, ep, model, b, 0, 422, "upstream_rejected");
	snprintf(n, sizeof(n), "%s moderation", p);
	snprintf(b, sizeof(b), "{\"prompt\":\"x FAKE:moderate\"%s}", extra);
	fails(n, ep, model, b, 0, 422, "content_moderated");
	snprintf(n, sizeof(n), "%s failure", p);
	snprintf(b, sizeof(b), "{\"prompt\":\"x FAKE:5xx\"%s}", extra);
	fails(n, ep, model, b, 0, 502, "upstream_error");
	snprintf(n, sizeof(n), "%s key echoed", p);
	snprintf(b, sizeof(b), "{\"prompt\":\"x FAKE:echokey\"%s}", extra);
	fails(n, ep, model, b, 0, 422, "upstream_rejected");
	snprintf(n, sizeof(n), "%s deadline", p);
	snprintf(b, sizeof(b), "{\"prompt\":\"x FAKE:hang\"%s}", extra);
	fails(n, ep, model, b, 1200, 504, "upstream_timeout");
}

static void
retried(const char *name, const char *ep, const char *model,
    const char *body, const char *path, int want)
{
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	int		 rc, n;

	fake_reset();
	rc = run(ep, model, body, 0, &f, &e, &g);
	n = fake_count("POST", path, NULL);
	TAP_OK(rc == 0 && n == want, "%s: ok after %d POSTs (%s)", name, n,
	    e.message);
	cJSON_Delete(f);
}

/*
 * A billable submit is not sent again unless the provider said nothing
 * was created (issue 14 item 3): a 503 or a connection dropped after the
 * request fails the job after exactly one submit; a 429 is resent.
 */
static void
submitted_once(const char *name, const char *ep, const char *model,
    const char *word, const char *path, const char *extra)
{
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	char		 b[256];
	int		 rc, n;

	fake_reset();
	snprintf(b, sizeof(b), "{\"prompt\":\"x FAKE:%s\"%s}", word, extra);
	rc = run(ep, model, b, 0, &f, &e, &g);
	n = fake_count("POST", path, NULL);
	TAP_OK(rc == -1 && e.status == 502 && n == 1,
	    "%s %s: fails after exactly one submit (%d submits, %s)", name,
	    word, n, e.message);
	cJSON_Delete(f);
}

/* ---- jobs: handing the upstream job over, resuming it, stopping -------- */

struct jobrun {
	cJSON	*ref;		/* the last reference handed over */
	int	 refs;
	int	 polls;		/* should_stop calls */
	int	 stop_after;	/* PROV_GO until this many polls */
	int	 stop_how;
	int	 progress;
	char	 last[160];
};

static void
jr_upstream(void *arg, const cJSON *ref)
{
	struct jobrun	*jr = arg;

	cJSON_Delete(jr->ref);
	jr->ref = cJSON_Duplicate(ref, 1);
	jr->refs++;
}

static void
jr_progress(void *arg, const char *t)
{
	struct jobrun	*jr = arg;

	snprintf(jr->last, sizeof(jr->last), "%s", t);
	jr->progress++;
}

static int
jr_stop(void *arg)
{
	struct jobrun	*jr = arg;

	return ++jr->polls > jr->stop_after ? jr->stop_how : PROV_GO;
}

/* One job's run: resume (NULL: submit), stopped as jr says. */
static int
runj(const char *ep, const char *model, const char *body,
    const cJSON *resume, struct jobrun *jr, struct sf_err *e)
{
	const struct def_entry	*de;
	struct work_job		 w;
	cJSON			*req, *facts = NULL;
	int			 rc;

	sf_err_clear(e);
	if ((de = def_lookup(ep)) == NULL || (req = cJSON_Parse(body)) == NULL)
		return sf_err_set(e, 500, "test", NULL, "bad test setup");
	memset(&w, 0, sizeof(w));
	w.ep = de->ep;
	w.model = def_find_model(de->ep, model);
	w.req = req;
	w.cfg = C;
	w.resume = resume;
	w.on_upstream = jr_upstream;
	w.on_progress = jr_progress;
	w.should_stop = jr_stop;
	w.arg = jr;
	rc = work_run(&w, &facts, e);
	cJSON_Delete(facts);
	cJSON_Delete(req);
	return rc;
}

/*
 * A queue provider's job: handed over as soon as submitted, abandoned
 * by its first runner after a poll, finished by a second from the
 * reference without a second submit; cancelled, it is cancelled upstream
 * where the provider can (cancel_sub: the path of that request, NULL
 * none); work_cancel cancels a stored one.
 */
static void
resumable(const char *name, const char *ep, const char *model,
    const char *submit, const char *cancel_sub)
{
	struct jobrun	 a, b, c;
	struct sf_err	 e;
	char		 body[256];
	int		 rc, n0, n1, k0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	snprintf(body, sizeof(body), "{\"prompt\":\"%s resume FAKE:takes1s\"}",
	    name);
	n0 = fake_count("POST", submit, NULL);
	k0 = cancel_sub != NULL ? fake_count(cancel_sub[0] == 'P' ? "PUT" :
	    "POST", cancel_sub + 1, NULL) : 0;
	a.stop_after = 1;
	a.stop_how = PROV_ABANDON;
	rc = runj(ep, model, body, NULL, &a, &e);
	TAP_OK(rc == -1 && strcmp(e.code, "job_abandoned") == 0 &&
	    a.refs == 1, "%s: abandoned after a poll, its reference handed "
	    "over once (%s)", name, e.message);
	TAP_OK(a.ref != NULL && cJSON_IsString(cJSON_GetObjectItem(a.ref,
	    "provider")), "%s: the reference names its provider", name);
	TAP_OK(a.progress > 0 && a.last[0] != '\0', "%s: progress (%s)", name,
	    a.last);
	TAP_OK(cancel_sub == NULL || fake_count(cancel_sub[0] == 'P' ? "PUT" :
	    "POST", cancel_sub + 1, NULL) == k0, "%s: an abandoned job is not "
	    "cancelled upstream", name);
	b.stop_after = 1000;
	rc = runj(ep, model, body, a.ref, &b, &e);
	n1 = fake_count("POST", submit, NULL);
	TAP_OK(rc == 0 && b.refs == 0, "%s: resumed from the reference "
	    "(%s)", name, e.message);
	TAP_OK(n1 - n0 == 1, "%s: one submit in all (%d)", name, n1 - n0);

	c.stop_after = 1;
	c.stop_how = PROV_CANCEL;
	rc = runj(ep, model, body, NULL, &c, &e);
	TAP_OK(rc == -1 && strcmp(e.code, "job_cancelled") == 0,
	    "%s: cancelled: job_cancelled (%s)", name, e.message);
	if (cancel_sub != NULL) {
		TAP_OK(fake_count(cancel_sub[0] == 'P' ? "PUT" : "POST",
		    cancel_sub + 1, NULL) == k0 + 1, "%s: cancelled upstream",
		    name);
		TAP_OK(work_cancel(C, c.ref, &e) == 1 &&
		    fake_count(cancel_sub[0] == 'P' ? "PUT" : "POST",
		    cancel_sub + 1, NULL) == k0 + 2,
		    "%s: work_cancel cancels a stored job", name);
	} else
		TAP_OK(work_cancel(C, c.ref, &e) == 0,
		    "%s: a provider without cancel: work_cancel says so", name);
	cJSON_Delete(a.ref);
	cJSON_Delete(b.ref);
	cJSON_Delete(c.ref);
}

static void
test_jobs(void)
{
	resumable("fal", "text-to-video", "seedance-2.0-fast", "/fal/",
	    "P/cancel");
	cfg_set("ROUTE_IMAGE_GENERATE_PRO_FLUX_2_MAX", "bfl:flux-2-max");
	resumable("bfl", "image-generate-pro", "flux-2-max", "/bfl/v1/flux",
	    NULL);
	cfg_set("ROUTE_IMAGE_GENERATE_PRO_FLUX_2_MAX", "");
	cfg_set("ROUTE_IMAGE_GENERATE_PRO_RECRAFT_V4",
	    "replicate:black-forest-labs/flux-schnell");
	resumable("replicate", "image-generate-pro", "recraft-v4", "/models/",
	    "O/cancel");
	cfg_set("ROUTE_IMAGE_GENERATE_PRO_RECRAFT_V4", "");
	cfg_set("ROUTE_SOUND_EFFECT_GENERATE_ELEVENLABS_SFX_V2",
	    "venice:elevenlabs-sound-effects-v2");
	resumable("venice", "sound-effect-generate", "elevenlabs-sfx-v2",
	    "/audio/queue", NULL);
	cfg_set("ROUTE_SOUND_EFFECT_GENERATE_ELEVENLABS_SFX_V2", "");
}

static void
test_venice(void)
{
	cJSON		*last, *b;
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	int		 rc;

	fake_reset();
	ok_image("venice", "image-generate", "chroma",
	    "{\"prompt\":\"a fox\",\"width\":512,\"height\":256,\"seed\":42}",
	    "venice", 512, 256);
	fake_count("POST", "/api/v1/image/generate", &last);
	b = cJSON_GetObjectItem(last, "body");
	TAP_OK(cJSON_IsTrue(cJSON_GetObjectItem(b, "hide_watermark")) &&
	    cJSON_IsBool(cJSON_GetObjectItem(b, "safe_mode")) &&
	    strcmp(fstr(b, "format"), "png") == 0 &&
	    strcmp(fstr(b, "model"), "chroma") == 0 &&
	    fnum(b, "seed") == 42 && fnum(b, "width") == 512,
	    "venice: format, safe_mode, hide_watermark, seed sent");
	TAP_STREQ(fstr(cJSON_GetObjectItem(last, "headers"), "authorization"),
	    "Bearer test-venice-key", "venice: bearer auth");
	cJSON_Delete(last);
	errors("venice", "image-generate", "chroma", "");
	fails("venice blurred", "image-generate", "chroma",
	    "{\"prompt\":\"x FAKE:blurred\"}", 0, 422, "content_moderated");
	retried("venice 429 (x-ratelimit-reset-requests)", "image-generate",
	    "chroma", "{\"prompt\":\"x FAKE:429once\"}", "/image/generate", 2);
	retried("venice 503", "image-generate", "chroma",
	    "{\"prompt\":\"x FAKE:503once\"}", "/image/generate", 2);
	retried("venice dropped connection", "image-generate", "chroma",
	    "{\"prompt\":\"x FAKE:drop\"}", "/image/generate", 2);
	fails("venice 429 for good", "image-generate", "chroma",
	    "{\"prompt\":\"x FAKE:429always\"}", 0, 502, "upstream_error");

	/* Venice TTS (kokoro) and the audio queue. */
	rc = run("text-to-speech", "kokoro", "{\"text\":\"hello\","
	    "\"voice\":\"af_sky\"}", 0, &f, &e, &g);
	TAP_OK(rc == 0 && stored(fstr(f, "audio_url"), "\xff\xfb", 2) &&
	    fnum(f, "characters") == 5, "venice speech stored as MP3 (%s)",
	    e.message);
	cJSON_Delete(f);
	cfg_set("ROUTE_SOUND_EFFECT_GENERATE_ELEVENLABS_SFX_V2",
	    "venice:elevenlabs-sound-effects-v2");
	fake_reset();
	rc = run("sound-effect-generate", "elevenlabs-sfx-v2",
	    "{\"prompt\":\"door creak\",\"duration\":2}", 0, &f, &e, &g);
	TAP_OK(rc == 0 && stored(fstr(f, "audio_url"), "\xff\xfb", 2) &&
	    g.calls == 1 && fnum(f, "duration") == 2,
	    "venice audio queue -> MP3 (%s)", e.message);
	TAP_OK(fake_count("POST", "/audio/complete", NULL) == 1,
	    "venice audio queue completed");
	cJSON_Delete(f);
	fails("venice queue deadline", "sound-effect-generate",
	    "elevenlabs-sfx-v2", "{\"prompt\":\"FAKE:hang\"}", 1200, 504,
	    "upstream_timeout");
	submitted_once("venice queue", "sound-effect-generate",
	    "elevenlabs-sfx-v2", "503once", "/audio/queue", "");
	submitted_once("venice queue", "sound-effect-generate",
	    "elevenlabs-sfx-v2", "drop", "/audio/queue", "");
	retried("venice queue 429", "sound-effect-generate",
	    "elevenlabs-sfx-v2", "{\"prompt\":\"x FAKE:429once\"}",
	    "/audio/queue", 2);
	cfg_set("ROUTE_SOUND_EFFECT_GENERATE_ELEVENLABS_SFX_V2", "");

	/* Private video models: download_url in the queue answer (item 5). */
	cfg_set("ROUTE_TEXT_TO_VIDEO_SEEDANCE_2_0_FAST",
	    "venice:wan-2.5-preview-text-to-video-private");
	fake_reset();
	rc = run("text-to-video", "seedance-2.0-fast", "{\"prompt\":\"waves\"}",
	    4000, &f, &e, &g);
	/* Venice's OpenAPI: fetch the queue answer's download_url "after
	   status is COMPLETED"; retrieve answers status only. */
	TAP_OK(rc == 0 && stored(fstr(f, "video_url"), "\0\0\0\x18" "ftyp", 8) &&
	    fake_count("POST", "/video/retrieve", NULL) >= 2,
	    "venice private video: download_url from the queue answer, "
	    "fetched once retrieve says COMPLETED (%d %s)", e.status,
	    e.message);
	cJSON_Delete(f);
	cfg_set("ROUTE_TEXT_TO_VIDEO_SEEDANCE_2_0_FAST", "");
}

static void
test_fal(void)
{
	cJSON		*last, *b, *f;
	struct sf_err	 e;
	struct got	 g;
	int		 rc;
	char		*s;

	fake_reset();
	ok_image("fal", "image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"a fox\",\"width\":768,\"height\":512,\"seed\":3,"
	    "\"negative_prompt\":\"\",\"steps\":9,"
	    "\"webhook_url\":\"https://hooks.example/in\"}", "fal", 768, 512);
	fake_count("POST", "/fal/fal-ai/flux-2-pro", &last);
	b = cJSON_GetObjectItem(last, "body");
	s = cJSON_PrintUnformatted(b);
	TAP_OK(fnum(cJSON_GetObjectItem(b, "image_size"), "width") == 768 &&
	    strcmp(fstr(b, "output_format"), "png") == 0 &&
	    cJSON_GetObjectItem(b, "num_inference_steps") == NULL &&
	    cJSON_GetObjectItem(b, "tier") == NULL &&
	    cJSON_GetObjectItem(b, "model") == NULL,
	    "fal: mapped input %s", s);
	TAP_OK(cJSON_GetObjectItem(b, "webhook_url") == NULL &&
	    (s == NULL || strstr(s, "hooks.example") == NULL),
	    "fal: the job's webhook_url is never sent upstream");
	free(s);
	TAP_STREQ(fstr(cJSON_GetObjectItem(last, "headers"), "authorization"),
	    "Key test-fal-key", "fal: Key auth");
	cJSON_Delete(last);
	TAP_OK(fake_count("GET", "/requests/", NULL) >= 3,
	    "fal: polled status then fetched the result");

	/* A seed beyond 2^53 survives as an exact integer literal. */
	rc = run("image-generate-pro", "flux-2-pro", "{\"prompt\":\"x\"}", 0,
	    &f, &e, &g);
	s = f != NULL ? cJSON_PrintUnformatted(cJSON_GetObjectItem(f, "seed")) :
	    NULL;
	TAP_OK(rc == 0 && s != NULL && strcmp(s, "196619188014358656") == 0,
	    "fal: big seed kept as %s", s ? s : "(none)");
	free(s);
	cJSON_Delete(f);

	ok_image("fal ultra aspect", "image-generate-ultra", "nano-banana-pro",
	    "{\"prompt\":\"x\",\"width\":1024,\"height\":768}", "fal", 0, 0);
	fake_count("POST", "/fal/fal-ai/nano-banana-pro", &last);
	b = cJSON_GetObjectItem(last, "body");
	TAP_STREQ(fstr(b, "aspect_ratio"), "4:3", "fal: aspect ratio model");
	cJSON_Delete(last);

	errors("fal", "image-generate-pro", "flux-2-pro", "");
	TAP_OK(fake_count("PUT", "/cancel", NULL) >= 1,
	    "fal: cancelled at the deadline");
	fake_reset();
	fails("fal user timeout", "image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"x FAKE:usertimeout\"}", 0, 504, "upstream_timeout");
	TAP_OK(fake_count("GET", "/status", NULL) == 1,
	    "fal: user-timeout 504 not retried");
	fails("fal COMPLETED with error", "image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"x FAKE:doneerror\"}", 0, 502, "upstream_error");
	fails("fal expired result", "image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"x FAKE:expired\"}", 0, 502,
	    "upstream_result_expired");
	retried("fal 429", "image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"x FAKE:429once\"}", "/fal/fal-ai/flux-2-pro", 2);

	/* Audio and video. */
	rc = run("sound-effect-generate", "elevenlabs-sfx-v2",
	    "{\"prompt\":\"door\",\"duration\":3}", 0, &f, &e, &g);
	TAP_OK(rc == 0 && stored(fstr(f, "audio_url"), "\xff\xfb", 2) &&
	    strcmp(fstr(f, "format"), "mp3") == 0,
	    "fal sound effect -> MP3 (%s)", e.message);
	cJSON_Delete(f);
	fake_count("POST", "/fal/fal-ai/elevenlabs", &last);
	b = cJSON_GetObjectItem(last, "body");
	TAP_OK(fnum(b, "duration_seconds") == 3 &&
	    strcmp(fstr(b, "text"), "door") == 0, "fal: sfx text+duration");
	cJSON_Delete(last);
	rc = run("text-to-video", "seedance-2.0-fast",
	    "{\"prompt\":\"waves\",\"duration\":5,\"audio\":false}", 0, &f, &e,
	    &g);
	TAP_OK(rc == 0 && stored(fstr(f, "video_url"), "\0\0\0\x18" "ftyp", 8),
	    "fal video -> MP4 (%s)", e.message);
	cJSON_Delete(f);
	fake_count("POST", "/fal/bytedance/seedance-2.0", &last);
	b = cJSON_GetObjectItem(last, "body");
	TAP_OK(fstr(b, "duration") != NULL &&
	    strcmp(fstr(b, "duration"), "5") == 0 &&
	    cJSON_IsFalse(cJSON_GetObjectItem(b, "generate_audio")),
	    "fal: seedance duration string, generate_audio");
	cJSON_Delete(last);
}

static void
test_bfl(void)
{
	cJSON	*last;

	cfg_set("ROUTE_IMAGE_GENERATE_PRO_FLUX_2_MAX", "bfl:flux-2-max");
	fake_reset();
	ok_image("bfl", "image-generate-pro", "flux-2-max",
	    "{\"prompt\":\"a fox\",\"width\":1000,\"height\":600}", "bfl",
	    1008, 608);
	fake_count("GET", "/bfl/v1/get_result", &last);
	TAP_STREQ(fstr(cJSON_GetObjectItem(last, "headers"), "x-key"),
	    "test-bfl-key", "bfl: x-key on the polling_url");
	cJSON_Delete(last);
	errors("bfl", "image-generate-pro", "flux-2-max", "");
	fails("bfl task not found", "image-generate-pro", "flux-2-max",
	    "{\"prompt\":\"x FAKE:notfound\"}", 0, 502, "upstream_error");
	fails("bfl expired sample", "image-generate-pro", "flux-2-max",
	    "{\"prompt\":\"x FAKE:expired\"}", 0, 502,
	    "upstream_result_expired");
	retried("bfl 429", "image-generate-pro", "flux-2-max",
	    "{\"prompt\":\"x FAKE:429once\"}", "/bfl/v1/flux-2-max", 2);
	submitted_once("bfl", "image-generate-pro", "flux-2-max", "503once",
	    "/bfl/v1/flux-2-max", "");
	submitted_once("bfl", "image-generate-pro", "flux-2-max", "drop",
	    "/bfl/v1/flux-2-max", "");
	/* FLUX 1.1 [pro]: the size the rule lets through, sent as is. */
	fake_reset();
	ok_image("bfl flux-pro-1.1", "api-v1-image-generate", "flux-1.1-pro",
	    "{\"prompt\":\"a fox\",\"width\":1440,\"height\":800}", "bfl",
	    1440, 800);
	fails("bfl flux-pro-1.1 off-rule size (fake's 422)",
	    "api-v1-image-generate", "flux-1.1-pro",
	    "{\"prompt\":\"a fox\",\"width\":2048,\"height\":800}", 0, 422,
	    "upstream_rejected");
	cfg_set("ROUTE_IMAGE_GENERATE_PRO_FLUX_2_MAX", "");
}

static void
test_openai(void)
{
	cJSON		*last;

	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_GPT_IMAGE_2", "openai:gpt-image-2");
	fake_reset();
	ok_image("openai", "image-generate-ultra", "gpt-image-2",
	    "{\"prompt\":\"x\",\"width\":1024,\"height\":768}", "openai", 1024,
	    768);
	fake_count("POST", "/openai/v1/images/generations", &last);
	TAP_STREQ(fstr(cJSON_GetObjectItem(last, "body"), "size"), "1024x768",
	    "openai: size");
	cJSON_Delete(last);
	errors("openai", "image-generate-ultra", "gpt-image-2", "");
	retried("openai 429 (reset 1s)", "image-generate-ultra", "gpt-image-2",
	    "{\"prompt\":\"x FAKE:429once\"}", "/images/generations", 2);
}

/* Google (Gemini image models); Imagen is gone. */
static void
test_google(void)
{
	cJSON		*f;
	struct sf_err	 e;
	struct got	 g;
	int		 rc;

	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_NANO_BANANA_PRO",
	    "google:gemini-3-pro-image-preview");
	ok_image("gemini", "image-generate-ultra", "nano-banana-pro",
	    "{\"prompt\":\"x\"}", "google", 64, 64);
	errors("gemini", "image-generate-ultra", "nano-banana-pro", "");
	/* Imagen is gone: the strict fake answers Google's 404 (item 1). */
	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_NANO_BANANA_2",
	    "google:imagen-4.0-generate-001");
	fake_reset();
	rc = run("image-generate-ultra", "nano-banana-2", "{\"prompt\":\"x\"}",
	    0, &f, &e, &g);
	TAP_OK(rc == -1 && e.status == 502 &&
	    strstr(e.message, "no longer available") != NULL,
	    "imagen id: Google's 404 (%s)", e.message);
	cJSON_Delete(f);
	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_NANO_BANANA_2", "");
}

static void
test_openai_models(void)
{
	cJSON		*last;

	/* OpenAI: dall-e retired (404); gpt-image-2 sizes checked (item 6). */
	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_GPT_IMAGE_2", "openai:dall-e-3");
	fails("openai dall-e-3 (retired)", "image-generate-ultra",
	    "gpt-image-2", "{\"prompt\":\"x\"}", 0, 502, "upstream_error");
	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_GPT_IMAGE_2", "openai:gpt-image-2");
	fails("openai gpt-image-2 1024x256 (fake's 400)", "image-generate-ultra",
	    "gpt-image-2", "{\"prompt\":\"x\",\"width\":1024,"
	    "\"height\":256}", 0, 422, "upstream_rejected");
	fake_count("POST", "/openai/v1/images/generations", &last);
	TAP_OK(cJSON_GetObjectItem(cJSON_GetObjectItem(last, "body"),
	    "response_format") == NULL, "openai: no dall-e response_format");
	cJSON_Delete(last);
	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_GPT_IMAGE_2", "");
}

/* xAI. */
static void
test_xai(void)
{
	cJSON		*last;

	cfg_set("ROUTE_IMAGE_GENERATE_ULTRA_GROK_IMAGINE_IMAGE_QUALITY",
	    "xai:grok-imagine-image-quality");
	ok_image("xai", "image-generate-ultra", "grok-imagine-image-quality",
	    "{\"prompt\":\"x\",\"width\":1024,\"height\":576}", "xai", 64, 64);
	fake_count("POST", "/xai/v1/images/generations", &last);
	TAP_STREQ(fstr(cJSON_GetObjectItem(last, "body"), "aspect_ratio"),
	    "16:9", "xai: aspect ratio");
	cJSON_Delete(last);
	errors("xai", "image-generate-ultra", "grok-imagine-image-quality", "");
}

/* Replicate: Prefer: wait, polling, cancel at the deadline. */
static void
test_replicate(void)
{
	cJSON		*last;

	cfg_set("ROUTE_IMAGE_GENERATE_PRO_RECRAFT_V4",
	    "replicate:black-forest-labs/flux-schnell");
	ok_image("replicate", "image-generate-pro", "recraft-v4",
	    "{\"prompt\":\"x\",\"width\":320,\"height\":240}", "replicate",
	    320, 240);
	fake_reset();
	ok_image("replicate polled", "image-generate-pro", "recraft-v4",
	    "{\"prompt\":\"x FAKE:wait\"}", "replicate", 64, 64);
	TAP_OK(fake_count("GET", "/replicate/v1/predictions/", NULL) >= 2,
	    "replicate: polled urls.get");
	fake_count("POST", "/models/black-forest-labs/flux-schnell", &last);
	TAP_OK(strncmp(fstr(cJSON_GetObjectItem(last, "headers"), "prefer"),
	    "wait=", 5) == 0, "replicate: Prefer: wait");
	cJSON_Delete(last);
	errors("replicate", "image-generate-pro", "recraft-v4", "");
	TAP_OK(fake_count("POST", "/cancel", NULL) >= 1,
	    "replicate: cancelled at the deadline");
	submitted_once("replicate", "image-generate-pro", "recraft-v4",
	    "503once", "/models/black-forest-labs/flux-schnell", "");
	submitted_once("replicate", "image-generate-pro", "recraft-v4",
	    "drop", "/models/black-forest-labs/flux-schnell", "");
	fails("replicate expired output", "image-generate-pro", "recraft-v4",
	    "{\"prompt\":\"x FAKE:expired\"}", 0, 502,
	    "upstream_result_expired");
}

static void
test_elevenlabs(void)
{
	cJSON		*last;
	cJSON		*f;
	struct sf_err	 e;
	struct got	 g;
	int		 rc;

	/* ElevenLabs direct: voice by name, model_id, WAV wrapping. */
	fake_reset();
	rc = run("voice", "eleven-v3", "{\"text\":\"hi there\",\"voice\":"
	    "\"Roger\",\"stability\":0.4}", 0, &f, &e, &g);
	TAP_OK(rc == 0 && stored(fstr(f, "audio_url"), "\xff\xfb", 2) &&
	    g.id[0] != '\0', "elevenlabs speech -> MP3 (%s)", e.message);
	cJSON_Delete(f);
	fake_count("POST", "/elevenlabs/v1/text-to-speech/", &last);
	TAP_OK(strstr(fstr(last, "path"), "CwhRBWXzGAHq8TQ4Fs17") != NULL &&
	    strcmp(fstr(cJSON_GetObjectItem(last, "body"), "model_id"),
	    "eleven_v3") == 0 &&
	    strcmp(fstr(cJSON_GetObjectItem(last, "headers"), "xi-api-key"),
	    "test-elevenlabs-key") == 0, "elevenlabs: voice id, model, key");
	cJSON_Delete(last);
	rc = run("voice", "eleven-v3", "{\"text\":\"hi\",\"format\":\"wav\"}",
	    0, &f, &e, &g);
	TAP_OK(rc == 0 && stored(fstr(f, "audio_url"), "RIFF", 4) &&
	    strcmp(fstr(f, "format"), "wav") == 0 && fnum(f, "duration") > 0,
	    "elevenlabs wav: native wav_44100, no Pro-only pcm_44100 (%s)",
	    e.message);
	cJSON_Delete(f);
	fake_count("POST", "/elevenlabs/v1/text-to-speech/", &last);
	TAP_STREQ(fstr(cJSON_GetObjectItem(last, "query"), "output_format"),
	    "wav_44100", "elevenlabs: output_format=wav_44100");
	cJSON_Delete(last);
	fails("elevenlabs unknown voice", "voice", "eleven-v3",
	    "{\"text\":\"hi\",\"voice\":\"Nobody\"}", 0, 400, "invalid_value");
	errors("elevenlabs", "voice", "eleven-v3", "");
	retried("elevenlabs 429", "voice", "eleven-v3",
	    "{\"text\":\"x FAKE:429once\"}", "/text-to-speech/", 2);
}

/*
 * A body the provider's own published type refuses (issue 24), sent past
 * our validation (run() calls the adapter directly): each strict fake
 * answers in its provider's shape -- fal 422 {"detail":[{loc,msg}]},
 * Venice 400 {"error","details"}, ElevenLabs 422 {"detail":[...]} -- and
 * the adapter maps it to 422 upstream_rejected naming the field.
 */
static void
test_contract_errors(void)
{
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	char		 b[1024], neg[601];
	int		 rc;

	memset(neg, 'n', sizeof(neg) - 1);
	neg[sizeof(neg) - 1] = '\0';
	snprintf(b, sizeof(b), "{\"prompt\":\"x\",\"negative_prompt\":\"%s\"}",
	    neg);
	rc = run("image-generate-pro", "qwen-image-2", b, 0, &f, &e, &g);
	TAP_OK(rc == -1 && e.status == 422 &&
	    strcmp(e.code, "upstream_rejected") == 0 &&
	    strstr(e.message, "negative_prompt") != NULL,
	    "fal contract: 600-char negative_prompt (\"Max 500 characters.\") "
	    "-> 422 detail -> upstream_rejected (%s)", e.message);
	cJSON_Delete(f);
	rc = run("image-generate", "chroma", "{\"prompt\":\"x\",\"width\":2048,"
	    "\"height\":512}", 0, &f, &e, &g);
	TAP_OK(rc == -1 && e.status == 422 &&
	    strcmp(e.code, "upstream_rejected") == 0 &&
	    strstr(e.message, "width") != NULL,
	    "venice contract: width 2048 (OpenAPI maximum 1280) -> 400 -> "
	    "upstream_rejected (%s)", e.message);
	cJSON_Delete(f);
	rc = run("voice", "eleven-v3", "{\"text\":\"hi\",\"seed\":5000000000}",
	    0, &f, &e, &g);
	TAP_OK(rc == -1 && e.status == 422 &&
	    strcmp(e.code, "upstream_rejected") == 0 &&
	    strstr(e.message, "seed") != NULL,
	    "elevenlabs contract: seed above 4294967295 -> 422 detail -> "
	    "upstream_rejected (%s)", e.message);
	cJSON_Delete(f);
}

static void
test_offline(void)
{
	struct sf_err	 e;
	struct got	 g;
	cJSON		*f;
	int		 rc;

	cfg_set("FAL_KEY", "");
	rc = run("image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"a fox\",\"width\":256,\"height\":256}", 0, &f, &e,
	    &g);
	TAP_OK(rc == 0 && strcmp(fstr(f, "source"), "offline") == 0 &&
	    stored(fstr(f, "image_url"), PNG),
	    "no key on testnet: offline PNG (%s)", e.message);
	cJSON_Delete(f);
	/* Offline speech is WAV whatever format asks (the pages say so):
	   the answer's format must say what the file is. */
	rc = run("text-to-speech", "eleven-multilingual-v2",
	    "{\"text\":\"hello\",\"format\":\"mp3\"}", 0, &f, &e, &g);
	TAP_OK(rc == 0 && strcmp(fstr(f, "source"), "offline") == 0 &&
	    strcmp(fstr(f, "format"), "wav") == 0 &&
	    strcmp(fstr(f, "mime_type"), "audio/wav") == 0 &&
	    stored(fstr(f, "audio_url"), "RIFF", 4),
	    "offline speech asked as mp3: a WAV, and format says wav (%s)",
	    e.message);
	cJSON_Delete(f);
	C->any_mainnet = 1;
	fails("no key on mainnet", "image-generate-pro", "flux-2-pro",
	    "{\"prompt\":\"a fox\"}", 0, 503, "provider_unavailable");
	C->any_mainnet = 0;
	cfg_set("FAL_KEY", "test-fal-key");
}

int
main(void)
{
	static const char *const unset[] = {
		"VENICE_API_KEY", "FAL_KEY", "BFL_API_KEY", "OPENAI_API_KEY",
		"GEMINI_API_KEY", "XAI_API_KEY", "ELEVENLABS_API_KEY",
		"REPLICATE_API_TOKEN", NULL
	};
	char	 base[128], v[160];
	size_t	 i;

	for (i = 0; unset[i] != NULL; i++)
		unsetenv(unset[i]);
	if (fake_start() == -1) {
		fake_stop();
		return 1;
	}
	snprintf(media_dir, sizeof(media_dir), "/tmp/sf-prov-XXXXXX");
	if (mkdtemp(media_dir) == NULL) {
		fake_stop();
		return 1;
	}
	C = calloc(1, sizeof(*C));
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", fake_port);
#define BASE(k, p) do { snprintf(v, sizeof(v), "%s%s", base, p); \
	cfg_set(k, v); } while (0)
	BASE("VENICE_BASE_URL", "/api/v1");
	BASE("FAL_QUEUE_BASE_URL", "/fal");
	BASE("BFL_BASE_URL", "/bfl");
	BASE("OPENAI_BASE_URL", "/openai/v1/");
	BASE("GEMINI_BASE_URL", "/google/v1beta");
	BASE("XAI_BASE_URL", "/xai/v1");
	BASE("ELEVENLABS_BASE_URL", "/elevenlabs");
	BASE("REPLICATE_BASE_URL", "/replicate/v1");
#undef BASE
	cfg_set("VENICE_API_KEY", "test-venice-key");
	cfg_set("FAL_KEY", "test-fal-key");
	cfg_set("BFL_API_KEY", "test-bfl-key");
	cfg_set("OPENAI_API_KEY", "test-openai-key");
	cfg_set("GEMINI_API_KEY", "test-google-key");
	cfg_set("XAI_API_KEY", "test-xai-key");
	cfg_set("ELEVENLABS_API_KEY", "test-elevenlabs-key");
	cfg_set("REPLICATE_API_TOKEN", "test-replicate-key");
	cfg_set("PROVIDER_POLL_MS", "40");
	cfg_set("PROVIDER_BACKOFF_MS", "50");
	cfg_set("MEDIA_STORE", "local");
	cfg_set("MEDIA_DIR", media_dir);
	cfg_set("PUBLIC_URL", "http://sf.test");

	TAP_CASE(test_venice);
	TAP_CASE(test_fal);
	TAP_CASE(test_bfl);
	TAP_CASE(test_openai);
	TAP_CASE(test_google);
	TAP_CASE(test_openai_models);
	TAP_CASE(test_xai);
	TAP_CASE(test_replicate);
	TAP_CASE(test_elevenlabs);
	TAP_CASE(test_contract_errors);
	TAP_CASE(test_offline);
	TAP_CASE(test_jobs);

	fake_stop();
	cfg_free(C);
	snprintf(v, sizeof(v), "rm -rf '%s'", media_dir);
	if (system(v) != 0)
		printf("# could not remove %s\n", media_dir);
	return tap_done();
}
