/*
 * Our inputs as each fal endpoint takes them (fal_models.h).  Every row
 * is read off the endpoint's published input type; tests/unit/
 * test_contracts.c sends every model every input its definition accepts
 * and the fake checks the body against that type, so a row that sends a
 * field the model does not declare, or misses one it requires, fails.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "media/urlguard.h"
#include "providers/prov.h"
#include "providers/work.h"
#include "providers/upstream/fal_models.h"

#define FM_SEED		0x0001	/* seed */
#define FM_STEPS	0x0002	/* num_inference_steps */
#define FM_GUIDANCE	0x0004	/* guidance_scale */
#define FM_NEGATIVE	0x0008	/* negative_prompt */
#define FM_TEXT		0x0010	/* the prompt is called text */
#define FM_NOPROMPT	0x0020	/* takes no prompt at all */
#define FM_AUDIO	0x0040	/* generate_audio */
#define FM_BITRATE	0x0080	/* bitrate_mode */
#define FM_END_IMAGE	0x0100	/* end_image_url */
#define FM_STRENGTH	0x0200	/* strength */
#define FM_VIDEO	0x0400	/* resolution and aspect_ratio as given */
#define FM_ASPECT	0x0800	/* our aspect_ratio as given (edits) */

enum fm_size {
	FM_SZ_NONE,	/* no size input */
	FM_SZ_OBJECT,	/* image_size {width, height} */
	FM_SZ_RATIO,	/* aspect_ratio from the model's list, resolution */
	FM_SZ_LIST,	/* image_size from a list of "WxH" strings */
};

enum fm_dur {
	FM_DUR_NONE,
	FM_DUR_NUMBER,	/* seconds as a number */
	FM_DUR_STRING,	/* seconds as a string ("5") */
	FM_DUR_MS,	/* milliseconds as a number */
};

enum fm_hook {
	FM_HOOK_NONE,
	FM_HOOK_BRIA_EXPAND,	/* canvas_size from the input image */
	FM_HOOK_MINIMAX_SPEECH,	/* voice_setting, language_boost */
	FM_HOOK_MINIMAX_MUSIC,	/* lyrics, is_instrumental, format */
	FM_HOOK_ELEVENLABS_TTS,	/* voice, speed, language_code */
};

/*
 * One endpoint: which of our inputs it takes, under which names.  ratios:
 * the aspect ratios (FM_SZ_RATIO) or sizes (FM_SZ_LIST) it takes; tiers:
 * its resolutions, the first covering the longer side wins; min_px,
 * max_px, step: the pixel range and side multiple of image_size;
 * formats: its output_format values; image, images, mask, reference:
 * where image_url (a string, a one-item list) and mask_url go; duration,
 * dur: where our duration goes and how; audio_format: output_format sent
 * always; pass: our inputs it takes under their own names; scale: where
 * our scale goes; mask_output: the result field holding a mask.
 */
struct fal_model {
	const char		*id;
	unsigned		 caps;
	enum fm_size		 size;
	const char *const	*ratios;
	const char *const	*tiers;
	double			 min_px, max_px;
	int			 step;
	const char *const	*formats;
	const char		*image;
	const char		*images;
	const char		*mask;
	const char		*reference;
	const char		*duration;
	enum fm_dur		 dur;
	const char		*audio_format;
	const char *const	*pass;
	const char		*scale;
	enum fm_hook		 hook;
	const char		*mask_output;
};

static const char *const F_JP[] = { "jpeg", "png", NULL };
static const char *const F_JPW[] = { "jpeg", "png", "webp", NULL };
static const char *const F_PJ[] = { "png", "jpeg", NULL };
static const char *const F_WPG[] = { "webp", "png", "gif", NULL };
static const char *const F_SEEDVR[] = { "png", "jpg", "webp", NULL };
static const char *const F_AUDIO[] = { "mp3", "wav", "flac", "ogg", "opus",
	"m4a", "aac", NULL };

/* Aspect ratios, from each type's enum. */
static const char *const R_XAI[] = { "2:1", "20:9", "19.5:9", "16:9",
	"4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:19.5", "9:20", "1:2",
	NULL };
static const char *const R_IMAGINEART[] = { "1:1", "3:1", "1:3", "16:9",
	"9:16", "4:3", "3:4", "3:2", "2:3", NULL };
static const char *const R_NANO[] = { "21:9", "16:9", "3:2", "4:3", "5:4",
	"1:1", "4:5", "3:4", "2:3", "9:16", NULL };
static const char *const R_NANO2[] = { "21:9", "16:9", "3:2", "4:3", "5:4",
	"1:1", "4:5", "3:4", "2:3", "9:16", "4:1", "1:4", "8:1", "1:8",
	NULL };
/* Square, landscape, portrait, in that order. */
static const char *const S_GPT15[] = { "1024x1024", "1536x1024",
	"1024x1536", NULL };
/* Resolution tiers: the first whose side covers the longer side. */
static const char *const T_NANO[] = { "1K", "2K", "4K", NULL };
static const char *const T_NANO2[] = { "0.5K", "1K", "2K", "4K", NULL };
static const char *const T_XAI[] = { "1k", "2k", NULL };

static const char *const P_OUTPAINT[] = { "expand_left", "expand_right",
	"expand_top", "expand_bottom", "mode", NULL };
static const char *const P_BIREFNET[] = { "output_mask",
	"operating_resolution", NULL };
static const char *const P_SFX[] = { "prompt_influence", "loop", NULL };
static const char *const P_CLARITY[] = { "creativity", NULL };

#define IMG	.size = FM_SZ_OBJECT

static const struct fal_model fal_models[] = {
	/* text-to-image */
	{ .id = "fal-ai/flux-2-pro", .caps = FM_SEED, IMG, .formats = F_JP },
	{ .id = "fal-ai/flux-2-max", .caps = FM_SEED, IMG, .formats = F_JP },
	{ .id = "fal-ai/flux/schnell", .caps = FM_SEED | FM_STEPS | FM_GUIDANCE,
	  IMG, .formats = F_JP },
	{ .id = "fal-ai/flux/dev", .caps = FM_SEED | FM_STEPS | FM_GUIDANCE,
	  IMG, .formats = F_JP },
	{ .id = "fal-ai/flux-pro/v1.1", .caps = FM_SEED, IMG, .formats = F_JP },
	/* "Total number of pixels must be between 512x512 and 2048x2048." */
	{ .id = "fal-ai/qwen-image-2/pro/text-to-image",
	  .caps = FM_SEED | FM_NEGATIVE, IMG, .min_px = 512.0 * 512,
	  .max_px = 2048.0 * 2048, .formats = F_JPW },
	{ .id = "fal-ai/qwen-image-2/text-to-image",
	  .caps = FM_SEED | FM_NEGATIVE, IMG, .min_px = 512.0 * 512,
	  .max_px = 2048.0 * 2048, .formats = F_JPW },
	{ .id = "fal-ai/qwen-image",
	  .caps = FM_SEED | FM_STEPS | FM_GUIDANCE | FM_NEGATIVE, IMG,
	  .formats = F_JP },
	{ .id = "fal-ai/recraft/v4/text-to-image", .caps = 0, IMG },
	{ .id = "fal-ai/recraft/v4/pro/text-to-image", .caps = 0, IMG },
	{ .id = "fal-ai/recraft/v3/text-to-image", .caps = 0, IMG },
	/* "Total pixels must be between 960x960 and 4096x4096." */
	{ .id = "fal-ai/bytedance/seedream/v4/text-to-image", .caps = FM_SEED,
	  IMG, .min_px = 960.0 * 960, .max_px = 4096.0 * 4096 },
	/* "between 2560x1440 and 4096x4096 ... adjusted by scaling": we
	   scale ourselves, so the answer's size is the one asked of fal. */
	{ .id = "bytedance/seedream/v5/lite/text-to-image", .caps = 0, IMG,
	  .min_px = 2560.0 * 1440, .max_px = 4096.0 * 4096 },
	{ .id = "xai/grok-imagine-image", .caps = 0, .size = FM_SZ_RATIO,
	  .ratios = R_XAI, .tiers = T_XAI, .formats = F_JPW },
	{ .id = "xai/grok-imagine-image/quality/text-to-image", .caps = 0,
	  .size = FM_SZ_RATIO, .ratios = R_XAI, .tiers = T_XAI,
	  .formats = F_JPW },
	{ .id = "imagineart/imagineart-1.5-pro-preview/text-to-image",
	  .caps = FM_SEED, .size = FM_SZ_RATIO, .ratios = R_IMAGINEART },
	{ .id = "fal-ai/hunyuan-image/v3/text-to-image",
	  .caps = FM_SEED | FM_STEPS | FM_GUIDANCE | FM_NEGATIVE, IMG,
	  .formats = F_JP },
	{ .id = "fal-ai/wan/v2.7/text-to-image", .caps = FM_SEED | FM_NEGATIVE,
	  IMG },
	{ .id = "fal-ai/nano-banana-pro", .caps = FM_SEED, .size = FM_SZ_RATIO,
	  .ratios = R_NANO, .tiers = T_NANO, .formats = F_JPW },
	{ .id = "fal-ai/nano-banana-2", .caps = FM_SEED, .size = FM_SZ_RATIO,
	  .ratios = R_NANO2, .tiers = T_NANO2, .formats = F_JPW },
	/* "multiples of 16, max edge 3840px, aspect ratio <= 3:1, total
	   pixels between 655,360 and 8,294,400" */
	{ .id = "openai/gpt-image-2", .caps = 0, IMG, .min_px = 655360,
	  .max_px = 8294400, .step = 16, .formats = F_JPW },
	{ .id = "fal-ai/gpt-image-1.5", .caps = 0, .size = FM_SZ_LIST,
	  .ratios = S_GPT15, .formats = F_JPW },
	{ .id = "fal-ai/ideogram/v3", .caps = FM_SEED | FM_NEGATIVE, IMG },
	{ .id = "fal-ai/stable-diffusion-v35-large",
	  .caps = FM_SEED | FM_STEPS | FM_GUIDANCE | FM_NEGATIVE, IMG,
	  .formats = F_JP },

	/* edit */
	{ .id = "fal-ai/flux-2/klein/9b/edit", .caps = FM_SEED,
	  .formats = F_JPW, .images = "image_urls" },
	{ .id = "fal-ai/nano-banana/edit", .caps = FM_SEED | FM_ASPECT,
	  .formats = F_JPW, .images = "image_urls" },
	{ .id = "fal-ai/nano-banana-2/edit", .caps = FM_SEED | FM_ASPECT,
	  .formats = F_JPW, .images = "image_urls" },
	{ .id = "fal-ai/nano-banana-pro/edit", .caps = FM_SEED | FM_ASPECT,
	  .formats = F_JPW, .images = "image_urls" },
	{ .id = "openai/gpt-image-2/edit", .caps = 0, .formats = F_JPW,
	  .images = "image_urls", .mask = "mask_url" },
	{ .id = "fal-ai/flux-pro/kontext", .caps = FM_SEED | FM_GUIDANCE,
	  .formats = F_JP, .image = "image_url" },
	{ .id = "fal-ai/qwen-image-edit-plus",
	  .caps = FM_SEED | FM_GUIDANCE | FM_NEGATIVE, .formats = F_JPW,
	  .images = "image_urls" },
	{ .id = "fal-ai/qwen-image-edit",
	  .caps = FM_SEED | FM_GUIDANCE | FM_NEGATIVE, .formats = F_JP,
	  .image = "image_url" },
	{ .id = "bytedance/seedream/v5/lite/edit", .caps = 0,
	  .images = "image_urls" },

	/* inpaint */
	{ .id = "fal-ai/z-image/turbo/inpaint", .caps = FM_SEED | FM_STRENGTH,
	  .formats = F_JPW, .image = "image_url", .mask = "mask_image_url" },
	{ .id = "fal-ai/flux-pro/v1/fill", .caps = FM_SEED, .formats = F_JP,
	  .image = "image_url", .mask = "mask_url" },
	{ .id = "fal-ai/qwen-image-edit/inpaint",
	  .caps = FM_SEED | FM_NEGATIVE | FM_STRENGTH, .formats = F_JP,
	  .image = "image_url", .mask = "mask_url" },
	/* The LoRA inpaint wants a reference image besides the source: the
	   source itself, so the fill follows the picture being repaired. */
	{ .id = "fal-ai/flux-kontext-lora/inpaint",
	  .caps = FM_SEED | FM_STRENGTH, .formats = F_JP, .image = "image_url",
	  .mask = "mask_url", .reference = "reference_image_url" },

	/* expand */
	{ .id = "fal-ai/flux-2-pro/outpaint", .caps = FM_NOPROMPT,
	  .formats = F_JP, .image = "image_url", .pass = P_OUTPAINT },
	{ .id = "fal-ai/bria/expand", .caps = FM_SEED | FM_NEGATIVE,
	  .image = "image_url", .hook = FM_HOOK_BRIA_EXPAND },

	/* background removal */
	{ .id = "fal-ai/birefnet/v2", .caps = FM_NOPROMPT, .formats = F_WPG,
	  .image = "image_url", .pass = P_BIREFNET,
	  .mask_output = "mask_image" },
	{ .id = "fal-ai/bria/background/remove", .caps = FM_NOPROMPT,
	  .image = "image_url" },
	{ .id = "pixelcut/background-removal", .caps = FM_NOPROMPT,
	  .image = "image_url" },

	/* upscale */
	{ .id = "fal-ai/seedvr/upscale/image", .caps = FM_SEED | FM_NOPROMPT,
	  .formats = F_SEEDVR, .image = "image_url",
	  .scale = "upscale_factor" },
	{ .id = "fal-ai/esrgan", .caps = FM_NOPROMPT, .formats = F_PJ,
	  .image = "image_url", .scale = "scale" },
	{ .id = "fal-ai/clarity-upscaler", .caps = FM_SEED,
	  .image = "image_url", .scale = "upscale_factor", .pass = P_CLARITY },

	/* video */
	{ .id = "bytedance/seedance-2.0/fast/image-to-video",
	  .caps = FM_VIDEO | FM_AUDIO | FM_BITRATE | FM_END_IMAGE,
	  .image = "image_url", .duration = "duration", .dur = FM_DUR_STRING },
	{ .id = "bytedance/seedance-2.0/image-to-video",
	  .caps = FM_VIDEO | FM_AUDIO | FM_BITRATE | FM_END_IMAGE,
	  .image = "image_url", .duration = "duration", .dur = FM_DUR_STRING },
	{ .id = "bytedance/seedance-2.0/fast/text-to-video",
	  .caps = FM_VIDEO | FM_AUDIO | FM_BITRATE, .duration = "duration",
	  .dur = FM_DUR_STRING },
	{ .id = "bytedance/seedance-2.0/text-to-video",
	  .caps = FM_VIDEO | FM_AUDIO | FM_BITRATE, .duration = "duration",
	  .dur = FM_DUR_STRING },
	{ .id = "bytedance/seedance-2.0/mini/text-to-video",
	  .caps = FM_VIDEO | FM_AUDIO, .duration = "duration",
	  .dur = FM_DUR_STRING },
	{ .id = "fal-ai/bytedance/seedance/v1.5/pro/image-to-video",
	  .caps = FM_VIDEO | FM_AUDIO | FM_SEED, .image = "image_url",
	  .duration = "duration", .dur = FM_DUR_STRING },
	{ .id = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video",
	  .caps = FM_VIDEO | FM_AUDIO | FM_SEED, .duration = "duration",
	  .dur = FM_DUR_STRING },

	/* audio */
	{ .id = "fal-ai/elevenlabs/music", .caps = 0,
	  .duration = "music_length_ms", .dur = FM_DUR_MS,
	  .audio_format = "mp3_44100_128" },
	{ .id = "fal-ai/minimax-music/v2.5", .caps = 0,
	  .hook = FM_HOOK_MINIMAX_MUSIC },
	{ .id = "fal-ai/stable-audio-25/text-to-audio", .caps = 0,
	  .duration = "seconds_total", .dur = FM_DUR_NUMBER },
	{ .id = "fal-ai/elevenlabs/sound-effects/v2", .caps = FM_TEXT,
	  .duration = "duration_seconds", .dur = FM_DUR_NUMBER,
	  .audio_format = "mp3_44100_128", .pass = P_SFX },
	{ .id = "fal-ai/stable-audio-3/small/sfx/text-to-audio", .caps = 0,
	  .duration = "duration", .dur = FM_DUR_NUMBER, .formats = F_AUDIO },
	{ .id = "fal-ai/elevenlabs/tts/multilingual-v2", .caps = FM_TEXT,
	  .hook = FM_HOOK_ELEVENLABS_TTS },
	{ .id = "fal-ai/elevenlabs/tts/turbo-v2.5", .caps = FM_TEXT,
	  .hook = FM_HOOK_ELEVENLABS_TTS },
	{ .id = "fal-ai/elevenlabs/tts/eleven-v3", .caps = FM_TEXT,
	  .hook = FM_HOOK_ELEVENLABS_TTS },
	{ .id = "fal-ai/minimax/speech-2.8-hd", .caps = 0,
	  .hook = FM_HOOK_MINIMAX_SPEECH },
	{ .id = NULL }
};

/* An endpoint without a row: fal's most common input names. */
static const struct fal_model fal_default = {
	.id = "", .caps = FM_SEED, .image = "image_url"
};

static const struct fal_model *
fm_find(const char *id)
{
	const struct fal_model	*m;

	for (m = fal_models; m->id != NULL; m++)
		if (strcmp(m->id, id) == 0)
			return m;
	return &fal_default;
}

const char *
fal_models_mask_output(const char *id)
{
	return fm_find(id)->mask_output;
}

static int
fm_in(const char *s, const char *const *set)
{
	for (; set != NULL && *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* "W:H" of a ratio string (also "19.5:9"). */
static double
fm_ratio(const char *r)
{
	double	 a, b;

	if (sscanf(r, "%lf:%lf", &a, &b) != 2 || a <= 0 || b <= 0)
		return 1;
	return a / b;
}

/* The ratio of set nearest to w/h (by log distance). */
static const char *
fm_nearest(double want, const char *const *set)
{
	const char	*best = set[0];
	double		 d, bd = INFINITY;

	for (; *set != NULL; set++) {
		d = fabs(log(fm_ratio(*set)) - log(want));
		if (d < bd) {
			bd = d;
			best = *set;
		}
	}
	return best;
}

/* fal's presets for a ratio, for models that take image_size. */
static const char *
fm_preset(const char *ratio)
{
	static const char *const t[][2] = {
		{ "1:1", "square_hd" }, { "4:3", "landscape_4_3" },
		{ "3:4", "portrait_4_3" }, { "16:9", "landscape_16_9" },
		{ "9:16", "portrait_16_9" }, { NULL, NULL }
	};
	size_t	 i;

	for (i = 0; t[i][0] != NULL; i++)
		if (strcmp(t[i][0], ratio) == 0)
			return t[i][1];
	return NULL;
}

/* Scale w x h (keeping the ratio) into [min, max] pixels, step-aligned. */
static void
fm_fit(const struct fal_model *m, int *w, int *h)
{
	double	 a = (double)*w * *h, f = 1;
	int	 s = m->step > 0 ? m->step : 16;

	if (m->min_px > 0 && a < m->min_px)
		f = sqrt(m->min_px / a);
	else if (m->max_px > 0 && a > m->max_px)
		f = sqrt(m->max_px / a);
	if (f == 1 && (m->step <= 0 || (*w % s == 0 && *h % s == 0)))
		return;
	/* Up rounds up, down rounds down: the range holds after rounding. */
	if (f >= 1) {
		*w = (int)ceil(*w * f / s) * s;
		*h = (int)ceil(*h * f / s) * s;
	} else {
		*w = (int)floor(*w * f / s) * s;
		*h = (int)floor(*h * f / s) * s;
	}
}

static void
fm_size(const struct fal_model *m, const cJSON *req, cJSON *b)
{
	const char	*ar = prov_str(req, "aspect_ratio");
	const char *const *t;
	cJSON		*o;
	int		 w, h, side;

	prov_size(req, &w, &h);
	switch (m->size) {
	case FM_SZ_OBJECT:
		if (w && h) {
			fm_fit(m, &w, &h);
			if ((o = cJSON_AddObjectToObject(b, "image_size")) !=
			    NULL) {
				cJSON_AddNumberToObject(o, "width", w);
				cJSON_AddNumberToObject(o, "height", h);
			}
		} else if (ar != NULL && fm_preset(ar) != NULL)
			cJSON_AddStringToObject(b, "image_size", fm_preset(ar));
		break;
	case FM_SZ_LIST:
		/* Square, landscape, portrait: the nearest in log ratio. */
		cJSON_AddStringToObject(b, "image_size", !(w && h) ||
		    fabs(log((double)w / h)) < log(sqrt(1.5)) ? m->ratios[0] :
		    w > h ? m->ratios[1] : m->ratios[2]);
		break;
	case FM_SZ_RATIO:
		if (ar != NULL)
			cJSON_AddStringToObject(b, "aspect_ratio",
			    fm_in(ar, m->ratios) ? ar :
			    fm_nearest(fm_ratio(ar), m->ratios));
		else if (w && h)
			cJSON_AddStringToObject(b, "aspect_ratio",
			    fm_nearest((double)w / h, m->ratios));
		if (m->tiers != NULL && w && h) {
			side = w > h ? w : h;
			for (t = m->tiers; t[1] != NULL; t++)
				if (side <= (strcmp(*t, "0.5K") == 0 ? 512 :
				    atoi(*t) * 1024))
					break;
			cJSON_AddStringToObject(b, "resolution", *t);
		}
		break;
	case FM_SZ_NONE:
		break;
	}
}

/* Output format: the one asked where the model takes it, else png. */
static void
fm_format(const struct fal_model *m, const cJSON *req, cJSON *b)
{
	const char	*f = prov_str(req, "format");

	if (m->formats == NULL)
		return;
	if (f != NULL && fm_in(f, m->formats))
		cJSON_AddStringToObject(b, "output_format", f);
	else if (fm_in("png", m->formats))
		cJSON_AddStringToObject(b, "output_format", "png");
}

static void
fm_duration(const struct fal_model *m, const cJSON *req, cJSON *b)
{
	char	 s[16];
	double	 d;

	if (m->duration == NULL || prov_num(req, "duration", &d) == -1)
		return;
	switch (m->dur) {
	case FM_DUR_STRING:
		snprintf(s, sizeof(s), "%d", (int)d);
		cJSON_AddStringToObject(b, m->duration, s);
		break;
	case FM_DUR_MS:
		cJSON_AddNumberToObject(b, m->duration, round(d * 1000));
		break;
	case FM_DUR_NUMBER:
		cJSON_AddNumberToObject(b, m->duration, d);
		break;
	case FM_DUR_NONE:
		break;
	}
}

/*
 * bria/expand takes a canvas (canvas_size, required) and where the
 * original sits in it: computed from expand_* (or the aspect ratio) and
 * the input image's own size, read from the image itself.
 */
static int
fm_bria_expand(const struct prov_job *j, cJSON *b, struct sf_err *err)
{
	const cJSON	*req = j->req;
	const char	*ar = prov_str(req, "aspect_ratio");
	unsigned char	*img = NULL;
	size_t		 len = 0;
	char		 mime[48];
	double		 d, e[4] = { 0, 0, 0, 0 }, r;
	int		 w, h, cw, ch, i;
	static const char *const side[] = { "expand_left", "expand_top",
		"expand_right", "expand_bottom" };
	cJSON		*a;

	if (urlguard_fetch_image(j->cfg, prov_str(req, "image_url"),
	    "image_url", j->deadline_ms, &img, &len, mime, err) == -1)
		return -1;
	i = work_image_size(img, len, &w, &h);
	free(img);
	if (i == -1 || w <= 0 || h <= 0)
		return sf_err_set(err, 415, "input_not_image", "image_url",
		    "image_url: the image's size could not be read");
	for (i = 0; i < 4; i++)
		if (prov_num(req, side[i], &d) == 0)
			e[i] = d;
	if (ar != NULL) {
		/* The smallest canvas of that ratio holding the image. */
		r = fm_ratio(ar);
		cw = w, ch = h;
		if ((double)w / h < r)
			cw = (int)ceil(h * r);
		else
			ch = (int)ceil(w / r);
		cJSON_AddStringToObject(b, "aspect_ratio", ar);
		e[0] = (cw - w) / 2;
		e[1] = (ch - h) / 2;
	} else {
		cw = w + (int)e[0] + (int)e[2];
		ch = h + (int)e[1] + (int)e[3];
	}
	if ((a = cJSON_AddArrayToObject(b, "canvas_size")) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	cJSON_AddItemToArray(a, cJSON_CreateNumber(cw));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(ch));
	if (ar == NULL) {
		a = cJSON_AddArrayToObject(b, "original_image_size");
		cJSON_AddItemToArray(a, cJSON_CreateNumber(w));
		cJSON_AddItemToArray(a, cJSON_CreateNumber(h));
		a = cJSON_AddArrayToObject(b, "original_image_location");
		cJSON_AddItemToArray(a, cJSON_CreateNumber(e[0]));
		cJSON_AddItemToArray(a, cJSON_CreateNumber(e[1]));
	}
	return 0;
}

/* MiniMax's language_boost takes language names: ISO 639-1 mapped. */
static const char *
fm_minimax_language(const char *code)
{
	static const char *const t[][2] = {
		{ "zh", "Chinese" }, { "yue", "Chinese,Yue" },
		{ "en", "English" }, { "ar", "Arabic" }, { "ru", "Russian" },
		{ "es", "Spanish" }, { "fr", "French" }, { "pt", "Portuguese" },
		{ "de", "German" }, { "tr", "Turkish" }, { "nl", "Dutch" },
		{ "uk", "Ukrainian" }, { "vi", "Vietnamese" },
		{ "id", "Indonesian" }, { "ja", "Japanese" },
		{ "it", "Italian" }, { "ko", "Korean" }, { "th", "Thai" },
		{ "pl", "Polish" }, { "ro", "Romanian" }, { "el", "Greek" },
		{ "cs", "Czech" }, { "fi", "Finnish" }, { "hi", "Hindi" },
		{ "bg", "Bulgarian" }, { "da", "Danish" }, { "he", "Hebrew" },
		{ "ms", "Malay" }, { "sk", "Slovak" }, { "sv", "Swedish" },
		{ "hr", "Croatian" }, { "hu", "Hungarian" },
		{ "no", "Norwegian" }, { "nb", "Norwegian" },
		{ "sl", "Slovenian" }, { "ca", "Catalan" },
		{ "nn", "Nynorsk" }, { "af", "Afrikaans" }, { NULL, NULL }
	};
	size_t	 i, n = strcspn(code, "-_");

	for (i = 0; t[i][0] != NULL; i++)
		if (strlen(t[i][0]) == n && strncasecmp(t[i][0], code, n) == 0)
			return t[i][1];
	return "auto";
}

static void
fm_hook_audio(const struct fal_model *m, const cJSON *req, cJSON *b)
{
	const char	*s;
	cJSON		*o;
	double		 d;
	int		 x;

	switch (m->hook) {
	case FM_HOOK_ELEVENLABS_TTS:
		/* "Default value: `\"Rachel\"`": sent, so the answer names it. */
		cJSON_AddStringToObject(b, "voice", (s = prov_str(req,
		    "voice")) != NULL ? s : "Rachel");
		if ((s = prov_str(req, "language")) != NULL)
			cJSON_AddStringToObject(b, "language_code", s);
		if (prov_num(req, "speed", &d) == 0)
			cJSON_AddNumberToObject(b, "speed", d);
		break;
	case FM_HOOK_MINIMAX_SPEECH:
		/* The audio as a URL: the default is hex in the JSON. */
		cJSON_AddStringToObject(b, "output_format", "url");
		if ((o = cJSON_AddObjectToObject(b, "voice_setting")) != NULL) {
			/* "Default value: `\"Wise_Woman\"`" */
			cJSON_AddStringToObject(o, "voice_id", (s = prov_str(req,
			    "voice")) != NULL ? s : "Wise_Woman");
			if (prov_num(req, "speed", &d) == 0)
				cJSON_AddNumberToObject(o, "speed", d);
		}
		if ((s = prov_str(req, "language")) != NULL)
			cJSON_AddStringToObject(b, "language_boost",
			    fm_minimax_language(s));
		break;
	case FM_HOOK_MINIMAX_MUSIC:
		/*
		 * "lyrics ... Required when is_instrumental is false and
		 * lyrics_optimizer is false": without lyrics, instrumental
		 * or lyrics written from the prompt.
		 */
		if (prov_bool(req, "instrumental", &x) == -1)
			x = -1;
		else
			cJSON_AddBoolToObject(b, "is_instrumental", x);
		if ((s = prov_str(req, "lyrics")) != NULL && *s != '\0')
			cJSON_AddStringToObject(b, "lyrics", s);
		else if (x != 1)
			cJSON_AddBoolToObject(b, "lyrics_optimizer", 1);
		if ((s = prov_str(req, "format")) != NULL &&
		    (o = cJSON_AddObjectToObject(b, "audio_setting")) != NULL)
			cJSON_AddStringToObject(o, "format", s);
		break;
	default:
		break;
	}
}

cJSON *
fal_models_input(const struct prov_job *j, struct sf_err *err)
{
	const struct fal_model	*m = fm_find(j->upstream);
	const cJSON		*req = j->req, *v;
	const char *const	*p;
	const char		*s;
	cJSON			*b, *a;
	double			 d;
	int			 x;

	if ((b = cJSON_CreateObject()) == NULL)
		goto oom;
	if ((s = prov_prompt(req)) != NULL && !(m->caps & FM_NOPROMPT))
		cJSON_AddStringToObject(b, m->caps & FM_TEXT ? "text" :
		    "prompt", s);
	if ((s = prov_str(req, "image_url")) != NULL) {
		if (m->image != NULL)
			cJSON_AddStringToObject(b, m->image, s);
		if (m->reference != NULL)
			cJSON_AddStringToObject(b, m->reference, s);
		if (m->images != NULL &&
		    (a = cJSON_AddArrayToObject(b, m->images)) != NULL)
			cJSON_AddItemToArray(a, cJSON_CreateString(s));
	}
	if ((s = prov_str(req, "mask_url")) != NULL && m->mask != NULL)
		cJSON_AddStringToObject(b, m->mask, s);
	if ((s = prov_str(req, "end_image_url")) != NULL &&
	    (m->caps & FM_END_IMAGE))
		cJSON_AddStringToObject(b, "end_image_url", s);
	fm_size(m, req, b);
	if ((m->caps & (FM_VIDEO | FM_ASPECT)) &&
	    (s = prov_str(req, "aspect_ratio")) != NULL)
		cJSON_AddStringToObject(b, "aspect_ratio", s);
	if ((m->caps & FM_VIDEO) && (s = prov_str(req, "resolution")) != NULL)
		cJSON_AddStringToObject(b, "resolution", s);
	if ((m->caps & FM_AUDIO) && prov_bool(req, "audio", &x) == 0)
		cJSON_AddBoolToObject(b, "generate_audio", x);
	if ((m->caps & FM_BITRATE) && (s = prov_str(req, "bitrate")) != NULL)
		cJSON_AddStringToObject(b, "bitrate_mode", s);
	fm_duration(m, req, b);
	if (prov_bool(req, "instrumental", &x) == 0 &&
	    strcmp(j->upstream, "fal-ai/elevenlabs/music") == 0)
		cJSON_AddBoolToObject(b, "force_instrumental", x);
	if (m->scale != NULL && prov_num(req, "scale", &d) == 0)
		cJSON_AddNumberToObject(b, m->scale, d);
	if (prov_bool(req, "face_enhance", &x) == 0 &&
	    strcmp(j->upstream, "fal-ai/esrgan") == 0)
		cJSON_AddBoolToObject(b, "face", x);
	for (p = m->pass; p != NULL && *p != NULL; p++)
		if ((v = cJSON_GetObjectItemCaseSensitive(req, *p)) != NULL)
			cJSON_AddItemToObject(b, *p, cJSON_Duplicate(v, 1));
	if ((m->caps & FM_SEED) && prov_num(req, "seed", &d) == 0)
		cJSON_AddNumberToObject(b, "seed", d);
	if ((m->caps & FM_STEPS) && prov_num(req, "steps", &d) == 0)
		cJSON_AddNumberToObject(b, "num_inference_steps", d);
	if ((m->caps & FM_GUIDANCE) && prov_num(req, "cfg_scale", &d) == 0)
		cJSON_AddNumberToObject(b, "guidance_scale", d);
	if ((m->caps & FM_NEGATIVE) &&
	    (s = prov_str(req, "negative_prompt")) != NULL && *s != '\0')
		cJSON_AddStringToObject(b, "negative_prompt", s);
	if ((m->caps & FM_STRENGTH) && prov_num(req, "strength", &d) == 0)
		cJSON_AddNumberToObject(b, "strength", d);
	fm_format(m, req, b);
	if (m->audio_format != NULL)
		cJSON_AddStringToObject(b, "output_format", m->audio_format);
	if (m->hook == FM_HOOK_BRIA_EXPAND) {
		if (fm_bria_expand(j, b, err) == -1) {
			cJSON_Delete(b);
			return NULL;
		}
	} else
		fm_hook_audio(m, req, b);
	return b;
oom:
	cJSON_Delete(b);
	sf_err_set(err, 500, "internal_error", NULL, "out of memory");
	return NULL;
}
