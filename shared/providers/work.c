#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "media/media.h"
#include "media/media_info.h"
#include "providers/prov.h"
#include "providers/provs.h"
#include "providers/route.h"
#include "providers/work.h"

/* Time a URL result may still take to download after the deadline. */
#define WORK_FETCH_GRACE	20000

static uint32_t
work_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
work_image_size(const unsigned char *p, size_t n, int *w, int *h)
{
	size_t	 i, seg;

	if (n >= 24 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 &&
	    memcmp(p + 12, "IHDR", 4) == 0) {
		*w = (int)work_be32(p + 16);
		*h = (int)work_be32(p + 20);
		return 0;
	}
	if (n >= 10 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0)) {
		*w = p[6] | p[7] << 8;
		*h = p[8] | p[9] << 8;
		return 0;
	}
	if (n >= 30 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0) {
		if (memcmp(p + 12, "VP8X", 4) == 0) {
			*w = 1 + (p[24] | p[25] << 8 | p[26] << 16);
			*h = 1 + (p[27] | p[28] << 8 | p[29] << 16);
			return 0;
		}
		if (memcmp(p + 12, "VP8 ", 4) == 0) {
			*w = (p[26] | p[27] << 8) & 0x3fff;
			*h = (p[28] | p[29] << 8) & 0x3fff;
			return 0;
		}
		if (memcmp(p + 12, "VP8L", 4) == 0 && p[20] == 0x2f) {
			*w = 1 + ((p[21] | p[22] << 8) & 0x3fff);
			*h = 1 + ((p[22] >> 6 | p[23] << 2 |
			    (p[24] & 0x0f) << 10) & 0x3fff);
			return 0;
		}
		return -1;
	}
	if (n >= 4 && p[0] == 0xff && p[1] == 0xd8) {
		/* Walk the segments to the first start-of-frame. */
		for (i = 2; i + 9 < n; i += 2 + seg) {
			while (i < n && p[i] == 0xff && i + 1 < n &&
			    p[i + 1] == 0xff)
				i++;
			if (p[i] != 0xff)
				return -1;
			if (p[i + 1] == 0xd8 || (p[i + 1] >= 0xd0 &&
			    p[i + 1] <= 0xd7)) {
				seg = 0;
				continue;
			}
			seg = (size_t)(p[i + 2] << 8 | p[i + 3]);
			if (p[i + 1] >= 0xc0 && p[i + 1] <= 0xcf &&
			    p[i + 1] != 0xc4 && p[i + 1] != 0xc8 &&
			    p[i + 1] != 0xcc) {
				*h = p[i + 5] << 8 | p[i + 6];
				*w = p[i + 7] << 8 | p[i + 8];
				return 0;
			}
			if (seg < 2)
				return -1;
		}
	}
	return -1;
}

static const char *
work_ext(const char *mime)
{
	static const struct { const char *mime, *ext; } t[] = {
		{ "image/png", "png" }, { "image/jpeg", "jpg" },
		{ "image/webp", "webp" }, { "image/gif", "gif" },
		{ "audio/mpeg", "mp3" }, { "audio/wav", "wav" },
		{ "audio/ogg", "ogg" }, { "audio/flac", "flac" },
		{ "audio/mp4", "m4a" }, { "video/mp4", "mp4" },
		{ "video/quicktime", "mov" }, { "video/webm", "webm" },
		{ NULL, NULL }
	};
	size_t	 i;

	for (i = 0; t[i].mime != NULL; i++)
		if (strcmp(t[i].mime, mime) == 0)
			return t[i].ext;
	return NULL;
}

static size_t
work_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
work_seed(cJSON *f, const struct prov_result *r, const cJSON *req)
{
	char	 lit[32];
	double	 d;

	if (r->has_seed) {
		/* Beyond 2^53 a double would print a different seed. */
		if (r->seed > 9007199254740992LL ||
		    r->seed < -9007199254740992LL) {
			snprintf(lit, sizeof(lit), "%lld", r->seed);
			cJSON_AddRawToObject(f, "seed", lit);
		} else
			cJSON_AddNumberToObject(f, "seed", (double)r->seed);
	} else if (prov_num(req, "seed", &d) == 0)
		cJSON_AddNumberToObject(f, "seed", d);
}

/* Bytes of output i: in memory, or fetched now (URLs expire). */
static int
work_bytes(const struct work_job *w, struct prov_output *o,
    int64_t deadline, struct sf_err *err)
{
	int64_t	 fd;

	if (o->data != NULL)
		return 0;
	/*
	 * The job is done and paid upstream: losing it to our own clock
	 * would be the worst outcome, so the fetch gets some grace.
	 */
	fd = deadline;
	if (fd < http_now_ms() + WORK_FETCH_GRACE)
		fd = http_now_ms() + WORK_FETCH_GRACE;
	return media_fetch(w->cfg, o->url, fd, &o->data, &o->len, err);
}

static int
work_facts(const struct work_job *w, const struct route *rt,
    struct prov_result *r, char **urls, char mimes[][48], int64_t t0,
    cJSON **out, struct sf_err *err)
{
	const char	*media, *s, *ext;
	char		 key[32];
	cJSON		*f, *arr, *arr2;
	struct buf	 b;
	double		 d, sec = 0;
	int		 iw, ih;
	size_t		 i;

	media = w->ep->media != NULL ? w->ep->media : "image";
	if ((f = cJSON_CreateObject()) == NULL)
		goto oom;
	/* The first output is the result; extra ones (a mask) by role. */
	snprintf(key, sizeof(key), "%s_url", media);
	cJSON_AddStringToObject(f, key, urls[0]);
	if ((arr = cJSON_AddArrayToObject(f, "urls")) == NULL)
		goto oom;
	for (i = 0; i < r->nout; i++) {
		if (r->out[i].role[0] != '\0') {
			snprintf(key, sizeof(key), "%s_url", r->out[i].role);
			cJSON_AddStringToObject(f, key, urls[i]);
		} else
			cJSON_AddItemToArray(arr, cJSON_CreateString(urls[i]));
	}
	if (strcmp(media, "image") == 0) {
		if ((arr2 = cJSON_Duplicate(arr, 1)) == NULL)
			goto oom;
		cJSON_AddItemToObject(f, "images", arr2);
	}
	cJSON_AddStringToObject(f, "model", w->model->id);
	cJSON_AddStringToObject(f, "upstream_model", rt->upstream);
	if (w->tier != NULL)
		cJSON_AddStringToObject(f, "tier", w->tier);
	if ((s = prov_prompt(w->req)) != NULL) {
		cJSON_AddStringToObject(f, "prompt", s);
		if (prov_str(w->req, "text") != NULL)
			cJSON_AddNumberToObject(f, "characters",
			    (double)work_chars(s));
	}
	/* The voice that spoke: the adapter's word (a model's default, the
	   offline espeak voice), else the one asked. */
	if (r->voice[0] != '\0')
		cJSON_AddStringToObject(f, "voice", r->voice);
	else if ((s = prov_str(w->req, "voice")) != NULL)
		cJSON_AddStringToObject(f, "voice", s);

	iw = r->width;
	ih = r->height;
	if ((iw <= 0 || ih <= 0) && strcmp(media, "image") == 0 &&
	    work_image_size(r->out[0].data, r->out[0].len, &iw, &ih) == -1)
		iw = ih = 0;
	/* Video and audio: what the file says, where the reply does not. */
	if (strcmp(media, "video") == 0 && media_mp4_info(r->out[0].data,
	    r->out[0].len, &sec, &iw, &ih) == -1)
		iw = ih = 0;
	if (strcmp(media, "video") == 0 && r->width > 0 && r->height > 0) {
		iw = r->width;
		ih = r->height;
	}
	if (strcmp(media, "audio") == 0)
		sec = media_audio_seconds(r->out[0].data, r->out[0].len);
	if (r->duration <= 0 && sec > 0)
		r->duration = sec;
	if (strcmp(media, "video") == 0 &&
	    (s = prov_str(w->req, "resolution")) != NULL)
		cJSON_AddStringToObject(f, "resolution", s);
	/* The upscale factor the request gave is the one applied. */
	if (prov_num(w->req, "scale", &d) == 0)
		cJSON_AddNumberToObject(f, "scale", d);
	if (iw <= 0 || ih <= 0)
		prov_size(w->req, &iw, &ih);
	if (iw > 0 && ih > 0) {
		cJSON_AddNumberToObject(f, "width", iw);
		cJSON_AddNumberToObject(f, "height", ih);
	}
	work_seed(f, r, w->req);
	if (r->duration > 0)
		cJSON_AddNumberToObject(f, "duration",
		    round(r->duration * 100) / 100);
	else if (strcmp(media, "image") != 0 &&
	    prov_num(w->req, "duration", &d) == 0)
		cJSON_AddNumberToObject(f, "duration", d);
	if ((ext = work_ext(mimes[0])) != NULL)
		cJSON_AddStringToObject(f, "format", ext);
	cJSON_AddStringToObject(f, "mime_type", mimes[0]);
	cJSON_AddStringToObject(f, "request_id", r->request_id);
	cJSON_AddStringToObject(f, "venice_request_id", r->request_id);
	cJSON_AddStringToObject(f, "source", rt->offline ? "offline" :
	    (r->source[0] ? r->source : rt->provider));
	if (w->model->flags & DEF_MODEL_B64) {
		buf_init(&b);
		if (b64_encode(r->out[0].data, r->out[0].len, &b) == -1 ||
		    b.oom) {
			buf_free(&b);
			goto oom;
		}
		cJSON_AddStringToObject(f, "base64", b.p);
		cJSON_AddStringToObject(f, "mimeType", mimes[0]);
		buf_free(&b);
	}
	cJSON_AddNumberToObject(f, "elapsed_ms",
	    (double)(http_now_ms() - t0));
	*out = f;
	return 0;
oom:
	cJSON_Delete(f);
	return sf_err_set(err, 500, "internal_error", NULL, "out of memory");
}

/*
 * The request an adapter sees: w->req without the inputs that are ours
 * alone (DEF_WEBHOOK: a job's webhook_url), so no adapter that passes
 * inputs through (fal) forwards them.  *copy is what to free (NULL when
 * nothing was dropped); -1 out of memory.
 */
static int
work_upstream_req(const struct work_job *w, cJSON **copy)
{
	const struct def_param	*p;

	*copy = NULL;
	for (p = w->ep->params; p != NULL && p->name != NULL; p++) {
		if (p->type != DEF_WEBHOOK ||
		    !cJSON_HasObjectItem(w->req, p->name))
			continue;
		if (*copy == NULL && (*copy = cJSON_Duplicate(w->req, 1)) ==
		    NULL)
			return -1;
		cJSON_DeleteItemFromObjectCaseSensitive(*copy, p->name);
	}
	return 0;
}

int
work_run(const struct work_job *w, cJSON **facts, struct sf_err *err)
{
	struct route		 rt;
	struct prov_job		 j;
	struct prov_result	 r;
	cJSON			*upreq = NULL;
	char			*urls[PROV_MAX_OUT];
	char			 mimes[PROV_MAX_OUT][48];
	int64_t			 t0;
	size_t			 i, nurls = 0;
	int			 rc = -1;

	*facts = NULL;
	memset(&r, 0, sizeof(r));
	t0 = http_now_ms();
	if (w->ep == NULL || w->model == NULL || w->req == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "work_run without endpoint, model or request");
	if (w->force_offline) {
		/* Free output, so no mainnet refusal: nothing is sold. */
		memset(&rt, 0, sizeof(rt));
		rt.prov = provs_find("offline");
		rt.offline = 1;
		snprintf(rt.provider, sizeof(rt.provider), "offline");
		snprintf(rt.upstream, sizeof(rt.upstream), "%s",
		    w->model->upstream != NULL ? w->model->upstream :
		    w->model->id);
		snprintf(rt.why, sizeof(rt.why), "demo");
	} else if (route_resolve(w->cfg, w->ep, w->model, &rt, err) == -1)
		return -1;
	if (work_upstream_req(w, &upreq) == -1)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	memset(&j, 0, sizeof(j));
	j.ep = w->ep;
	j.model = w->model;
	j.provider = rt.provider;
	j.upstream = rt.upstream;
	j.req = upreq != NULL ? upreq : w->req;
	j.cfg = w->cfg;
	j.deadline_ms = w->deadline_ms > 0 ? w->deadline_ms :
	    t0 + (int64_t)(w->ep->deadline > 0 ? w->ep->deadline : 60) * 1000;
	j.on_request_id = w->on_request_id;
	j.arg = w->arg;
	j.resume = w->resume;
	j.on_upstream = w->on_upstream;
	j.on_progress = w->on_progress;
	j.should_stop = w->should_stop;
	if (rt.offline)
		j.provider = "offline";

	if (rt.prov->run(&j, &r, err) == -1)
		goto out;
	if (r.nout == 0) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned no media");
		goto out;
	}
	for (i = 0; i < r.nout; i++) {
		if (work_bytes(w, &r.out[i], j.deadline_ms, err) == -1)
			goto out;
		if (media_store(w->cfg, r.out[i].data, r.out[i].len,
		    w->ep->media != NULL ? w->ep->media : "image",
		    &urls[nurls], mimes[nurls], err) == -1)
			goto out;
		nurls++;
	}
	rc = work_facts(w, &rt, &r, urls, mimes, t0, facts, err);
out:
	for (i = 0; i < nurls; i++)
		free(urls[i]);
	prov_result_free(&r);
	cJSON_Delete(upreq);
	return rc;
}

int
work_cancel(const struct cfg *cfg, const cJSON *ref, struct sf_err *err)
{
	const struct prov_info	*p;
	struct prov_job		 j;

	p = provs_find(prov_str(ref, "provider"));
	if (p == NULL || p->cancel == NULL)
		return 0;
	memset(&j, 0, sizeof(j));
	j.provider = p->name;
	j.cfg = cfg;
	j.deadline_ms = http_now_ms() + 10000;
	return p->cancel(&j, ref, err);
}
