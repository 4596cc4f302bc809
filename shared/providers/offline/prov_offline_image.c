#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gd.h>
#include <gdfontl.h>
#include <png.h>

#include "basics/buf.h"
#include "basics/def.h"
#include "basics/err.h"
#include "providers/prov.h"
#include "providers/offline/prov_offline_int.h"
#include "media/urlguard.h"

#define OFF_MAX_EDGE	8192
#define OFF_MAX_PIXELS	(36L * 1000 * 1000)
#define OFF_LINES	40

struct lines {
	char	 l[OFF_LINES][160];
	int	 n;
};

static void
lines_add(struct lines *ls, const char *fmt, const char *a, const char *b)
{
	if (ls->n < OFF_LINES)
		snprintf(ls->l[ls->n++], sizeof(ls->l[0]), fmt, a, b);
}

/* Word-wrap s into ls at cols; UTF-8 sequences become '?'. */
static void
lines_wrap(struct lines *ls, const char *label, const char *s, int cols,
    int maxl)
{
	char	 buf[4096], *p, *brk;
	size_t	 i, o = 0;
	int	 used = 0, n;

	if (cols < 8)
		cols = 8;
	if (cols > 150)
		cols = 150;
	o = (size_t)snprintf(buf, sizeof(buf), "%s", label);
	for (i = 0; s != NULL && s[i] != '\0' && o + 1 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) == 0x80)
			continue;
		buf[o++] = (c < 0x20 || c >= 0x7f) ? (c < 0x20 ? ' ' : '?') :
		    (char)c;
	}
	buf[o] = '\0';
	for (p = buf; *p != '\0' && used < maxl && ls->n < OFF_LINES; used++) {
		n = (int)strlen(p);
		if (n > cols) {
			n = cols;
			for (brk = p + cols; brk > p && *brk != ' '; brk--)
				continue;
			if (brk > p)
				n = (int)(brk - p);
		}
		if (used == maxl - 1 && (int)strlen(p) > n && n > 3) {
			snprintf(ls->l[ls->n++], sizeof(ls->l[0]), "%.*s...",
			    n - 3, p);
			break;
		}
		snprintf(ls->l[ls->n++], sizeof(ls->l[0]), "%.*s", n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

/*
 * Built-in gd fonts are 8x16 pixels: draw the text on a small overlay and
 * scale it up so it stays legible on large images.
 */
static int
draw_panel(gdImagePtr im, const struct lines *ls)
{
	gdImagePtr	 ov;
	gdFontPtr	 f = gdFontGetLarge();
	int		 W = gdImageSX(im), H = gdImageSY(im), s, ow, oh;
	int		 ph, y, i, bg, fg, hi;

	s = (W < H ? W : H) / 384;
	if (s < 1)
		s = 1;
	ow = W / s;
	oh = H / s;
	ph = ls->n * (f->h + 2) + 12;
	if (ph > oh)
		ph = oh;
	/*
	 * Only the panel's rows: an overlay of the whole image, transparent
	 * above the panel, cost a full-image alpha-blended copy (most of
	 * libgd's share of a paid call in the bench's profile) to change
	 * nothing up there.
	 */
	if ((ov = gdImageCreateTrueColor(ow, ph)) == NULL)
		return -1;
	gdImageAlphaBlending(ov, 0);
	bg = gdTrueColorAlpha(10, 12, 20, 40);
	fg = gdTrueColorAlpha(240, 240, 240, 0);
	hi = gdTrueColorAlpha(255, 196, 64, 0);
	gdImageFilledRectangle(ov, 0, 0, ow - 1, ph - 1, bg);
	for (i = 0, y = 6; i < ls->n && y + f->h <= ph; i++) {
		gdImageString(ov, f, 8, y, (unsigned char *)ls->l[i],
		    i == 0 ? hi : fg);
		y += f->h + 2;
	}
	if (s == 1 && gdImageTrueColor(im)) {
		/* Unscaled: blend the rows in directly, as disc() does. */
		for (y = 0; y < ph; y++)
			for (i = 0; i < ow; i++)
				im->tpixels[oh - ph + y][i] = gdAlphaBlend(
				    im->tpixels[oh - ph + y][i],
				    ov->tpixels[y][i]);
	} else {
		gdImageAlphaBlending(im, 1);
		gdImageCopyResized(im, ov, 0, (oh - ph) * s, 0, 0, ow * s,
		    ph * s, ow, ph);
	}
	gdImageDestroy(ov);
	return 0;
}

/* Whether any pixel is not opaque (a cut-out, a mask). */
static int
img_has_alpha(gdImagePtr im)
{
	int	 x, y, W = gdImageSX(im), H = gdImageSY(im);

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			if (gdTrueColorGetAlpha(gdImageGetTrueColorPixel(im,
			    x, y)) != gdAlphaOpaque)
				return 1;
	return 0;
}

static void
png_buf_write(png_structp png, png_bytep data, size_t n)
{
	if (buf_append(png_get_io_ptr(png), data, n) == -1)
		png_error(png, "out of memory");
}

static void
png_buf_flush(png_structp png)
{
	(void)png;
}

/*
 * A truecolor image as PNG through libpng, with the one cheap SUB filter
 * and zlib level 1: gd's writer leaves libpng to try all five filters on
 * every row and deflates at level 6, which together were 40% of a paid
 * call's CPU in the bench's profile; placeholders need no tight packing.
 * RGBA only when a pixel is not opaque (a fourth channel is a third more
 * to encode).  0, or -1 with out freed.
 */
static int
img_png(gdImagePtr im, struct buf *out)
{
	png_structp		 png;
	png_infop		 info = NULL;
	unsigned char		*row;
	int			 W = gdImageSX(im), H = gdImageSY(im), x, y, p,
				 a, ch = img_has_alpha(im) ? 4 : 3;

	buf_init(out);
	if ((row = malloc((size_t)W * 4)) == NULL)
		return -1;
	if ((png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    NULL)) == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_write_struct(&png, NULL);
		free(row);
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		buf_free(out);
		return -1;
	}
	png_set_write_fn(png, out, png_buf_write, png_buf_flush);
	png_set_IHDR(png, info, (png_uint_32)W, (png_uint_32)H, 8,
	    ch == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
	png_set_compression_level(png, 1);
	png_write_info(png, info);
	for (y = 0; y < H; y++) {
		for (x = 0; x < W; x++) {
			p = im->tpixels[y][x];
			row[x * ch] = (unsigned char)gdTrueColorGetRed(p);
			row[x * ch + 1] = (unsigned char)gdTrueColorGetGreen(p);
			row[x * ch + 2] = (unsigned char)gdTrueColorGetBlue(p);
			if (ch == 4) {
				/* gd's 7-bit alpha (127 clear) as gd writes it */
				a = gdTrueColorGetAlpha(p);
				row[x * 4 + 3] = (unsigned char)(255 -
				    ((a << 1) + (a >> 6)));
			}
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	return out->oom ? (buf_free(out), -1) : 0;
}

static int
img_out(struct prov_result *r, gdImagePtr im, struct sf_err *err)
{
	struct buf	 b;
	void		*png;
	int		 sz, rc;

	if (gdImageTrueColor(im)) {
		if (img_png(im, &b) == -1)
			return sf_err_set(err, 500, "internal_error", NULL,
			    "PNG encoding failed");
		rc = prov_out_bytes(r, b.p, b.len, "image/png", err);
		buf_free(&b);
		return rc;
	}
	gdImageSaveAlpha(im, 1);
	if ((png = gdImagePngPtrEx(im, &sz, 1)) == NULL || sz <= 0)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "PNG encoding failed");
	rc = prov_out_bytes(r, png, (size_t)sz, "image/png", err);
	gdFree(png);
	return rc;
}

static int
size_ok(long w, long h, struct sf_err *err)
{
	if (w < 1 || h < 1 || w > OFF_MAX_EDGE || h > OFF_MAX_EDGE ||
	    w * h > OFF_MAX_PIXELS)
		return sf_err_set(err, 422, "offline_too_large", NULL,
		    "the offline provider renders up to %dx%d and %ld "
		    "megapixels; %ldx%ld asked", OFF_MAX_EDGE, OFF_MAX_EDGE,
		    OFF_MAX_PIXELS / 1000000, w, h);
	return 0;
}

/*
 * A filled disc of diameter d blended onto a truecolor image, row spans
 * straight into its pixels: gdImageFilledEllipse went through
 * gdImageSetPixel's checks for every pixel (callgrind: with the panel's
 * copy, half of the drawing's instructions).  The blend is gd's own
 * (gdAlphaBlend), as with alpha blending on.
 */
static void
disc(gdImagePtr im, int cx, int cy, int d, int c)
{
	int	 W = gdImageSX(im), H = gdImageSY(im), r = d / 2, dy, hw, x,
		 x0, x1, y;

	if (!gdImageTrueColor(im)) {
		gdImageAlphaBlending(im, 1);
		gdImageFilledEllipse(im, cx, cy, d, d, c);
		return;
	}
	for (dy = -r; dy <= r; dy++) {
		y = cy + dy;
		if (y < 0 || y >= H)
			continue;
		hw = (int)sqrt((double)r * r - (double)dy * dy);
		x0 = cx - hw < 0 ? 0 : cx - hw;
		x1 = cx + hw >= W ? W - 1 : cx + hw;
		for (x = x0; x <= x1; x++)
			im->tpixels[y][x] = gdAlphaBlend(im->tpixels[y][x], c);
	}
}

/* Seeded gradient with translucent discs. */
static void
paint_bg(gdImagePtr im, uint64_t seed)
{
	uint64_t	 st = seed;
	int		 W = gdImageSX(im), H = gdImageSY(im), y, i, c;
	int		 r0, g0, b0, r1, g1, b1, rad;
	double		 t;

	r0 = (int)(prov_offline_rand(&st) % 200); g0 =
	    (int)(prov_offline_rand(&st) % 200); b0 =
	    (int)(prov_offline_rand(&st) % 200);
	r1 = (int)(prov_offline_rand(&st) % 256); g1 =
	    (int)(prov_offline_rand(&st) % 256); b1 =
	    (int)(prov_offline_rand(&st) % 256);
	gdImageAlphaBlending(im, 0);
	for (y = 0; y < H; y++) {
		t = H > 1 ? (double)y / (H - 1) : 0;
		c = gdTrueColor((int)(r0 + (r1 - r0) * t),
		    (int)(g0 + (g1 - g0) * t), (int)(b0 + (b1 - b0) * t));
		gdImageLine(im, 0, y, W - 1, y, c);
	}
	gdImageAlphaBlending(im, 1);
	for (i = 0; i < 14; i++) {
		rad = (int)(prov_offline_rand(&st) %
		    (unsigned)((W < H ? W : H) / 2 + 1)) + 8;
		c = gdTrueColorAlpha((int)(prov_offline_rand(&st) % 256),
		    (int)(prov_offline_rand(&st) % 256),
		    (int)(prov_offline_rand(&st) % 256), 70 +
		    (int)(prov_offline_rand(&st) % 40));
		disc(im, (int)(prov_offline_rand(&st) % (unsigned)W),
		    (int)(prov_offline_rand(&st) % (unsigned)H), rad, c);
	}
}

static gdImagePtr
load(const struct prov_job *j, const char *field, struct sf_err *err)
{
	unsigned char	*p = NULL;
	size_t		 n = 0;
	char		 mime[48];
	gdImagePtr	 im = NULL;

	if (prov_str(j->req, field) == NULL) {
		sf_err_set(err, 400, "invalid_input", field, "%s is required",
		    field);
		return NULL;
	}
	if (urlguard_fetch_image(j->cfg, prov_str(j->req, field), field,
	    j->deadline_ms, &p, &n, mime, err) == -1)
		return NULL;
	if (n > 0x7fffffff)
		im = NULL;
	else if (strcmp(mime, "image/png") == 0)
		im = gdImageCreateFromPngPtr((int)n, p);
	else if (strcmp(mime, "image/jpeg") == 0)
		im = gdImageCreateFromJpegPtrEx((int)n, p, 1);
	else if (strcmp(mime, "image/webp") == 0)
		im = gdImageCreateFromWebpPtr((int)n, p);
	else if (strcmp(mime, "image/gif") == 0)
		im = gdImageCreateFromGifPtr((int)n, p);
	free(p);
	if (im == NULL) {
		sf_err_set(err, 415, "input_not_image", field,
		    "%s: the image could not be decoded", field);
		return NULL;
	}
	if (size_ok(gdImageSX(im), gdImageSY(im), err) == -1 ||
	    (!gdImageTrueColor(im) && !gdImagePaletteToTrueColor(im))) {
		if (err != NULL && err->status == 0)
			sf_err_set(err, 500, "internal_error", NULL,
			    "image conversion failed");
		gdImageDestroy(im);
		return NULL;
	}
	return im;
}

static int
num(const struct prov_job *j, const char *k, int def)
{
	double	 d;

	if (prov_num(j->req, k, &d) == -1 || d < 0 || d > 100000)
		return def;
	return (int)d;
}

/* Canvas for an aspect ratio "W:H" around a w x h image (bria-expand). */
static void
expand_ratio(const char *ar, int w, int h, int *l, int *r, int *t, int *b)
{
	double	 rw, rh, want;
	int	 nw = w, nh = h;

	if (ar == NULL || sscanf(ar, "%lf:%lf", &rw, &rh) != 2 || rw <= 0 ||
	    rh <= 0)
		return;
	want = rw / rh;
	if ((double)w / h < want)
		nw = (int)lround(h * want);
	else
		nh = (int)lround(w / want);
	*l = (nw - w) / 2;
	*r = nw - w - *l;
	*t = (nh - h) / 2;
	*b = nh - h - *t;
}

static gdImagePtr
op_expand(const struct prov_job *j, gdImagePtr in, struct sf_err *err)
{
	gdImagePtr	 out;
	int		 l, r, t, b, w = gdImageSX(in), h = gdImageSY(in);
	int		 x, y, sx, sy, W, H, c;

	l = num(j, "expand_left", 0);
	r = num(j, "expand_right", 0);
	t = num(j, "expand_top", 0);
	b = num(j, "expand_bottom", 0);
	if (l + r + t + b == 0)
		expand_ratio(prov_str(j->req, "aspect_ratio"), w, h, &l, &r,
		    &t, &b);
	if (l + r + t + b == 0) {
		sf_err_set(err, 400, "invalid_input", "expand_left",
		    "nothing to expand: set an expand_* above 0 or an "
		    "aspect_ratio");
		return NULL;
	}
	W = w + l + r;
	H = h + t + b;
	if (size_ok(W, H, err) == -1 ||
	    (out = gdImageCreateTrueColor(W, H)) == NULL)
		return NULL;
	/* Stretch the border outwards, dimmed so the new area shows. */
	gdImageAlphaBlending(out, 0);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			if (x >= l && x < l + w && y >= t && y < t + h)
				continue;
			sx = x < l ? 0 : x >= l + w ? w - 1 : x - l;
			sy = y < t ? 0 : y >= t + h ? h - 1 : y - t;
			c = gdImageGetTrueColorPixel(in, sx, sy);
			gdImageSetPixel(out, x, y, gdTrueColor(
			    gdTrueColorGetRed(c) * 3 / 4,
			    gdTrueColorGetGreen(c) * 3 / 4,
			    gdTrueColorGetBlue(c) * 3 / 4));
		}
	gdImageCopy(out, in, l, t, 0, 0, w, h);
	return out;
}

static gdImagePtr
op_upscale(const struct prov_job *j, gdImagePtr in, struct sf_err *err)
{
	gdImagePtr	 out;
	int		 s = num(j, "scale", 2);
	long		 W, H;

	if (s < 1 || s > 8)
		s = 2;
	W = (long)gdImageSX(in) * s;
	H = (long)gdImageSY(in) * s;
	if (size_ok(W, H, err) == -1 ||
	    (out = gdImageCreateTrueColor((int)W, (int)H)) == NULL)
		return NULL;
	gdImageCopyResampled(out, in, 0, 0, 0, 0, (int)W, (int)H,
	    gdImageSX(in), gdImageSY(in));
	return out;
}

/* Cut-out by distance to the mean corner colour, soft at the edge. */
static gdImagePtr
op_remove_bg(gdImagePtr in, gdImagePtr *maskp)
{
	gdImagePtr	 out, mask = NULL;
	int		 w = gdImageSX(in), h = gdImageSY(in), x, y, c, a;
	int		 cr = 0, cg = 0, cb = 0, i, px[4][2];
	double		 d;

	px[0][0] = 0; px[0][1] = 0;
	px[1][0] = w - 1; px[1][1] = 0;
	px[2][0] = 0; px[2][1] = h - 1;
	px[3][0] = w - 1; px[3][1] = h - 1;
	for (i = 0; i < 4; i++) {
		c = gdImageGetTrueColorPixel(in, px[i][0], px[i][1]);
		cr += gdTrueColorGetRed(c);
		cg += gdTrueColorGetGreen(c);
		cb += gdTrueColorGetBlue(c);
	}
	cr /= 4; cg /= 4; cb /= 4;
	if ((out = gdImageCreateTrueColor(w, h)) == NULL)
		return NULL;
	if (maskp != NULL && (mask = gdImageCreateTrueColor(w, h)) == NULL) {
		gdImageDestroy(out);
		return NULL;
	}
	gdImageAlphaBlending(out, 0);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			c = gdImageGetTrueColorPixel(in, x, y);
			d = sqrt(pow(gdTrueColorGetRed(c) - cr, 2) +
			    pow(gdTrueColorGetGreen(c) - cg, 2) +
			    pow(gdTrueColorGetBlue(c) - cb, 2));
			a = d < 40 ? gdAlphaTransparent : d > 80 ?
			    gdAlphaOpaque : (int)(gdAlphaMax * (80 - d) / 40);
			gdImageSetPixel(out, x, y, gdTrueColorAlpha(
			    gdTrueColorGetRed(c), gdTrueColorGetGreen(c),
			    gdTrueColorGetBlue(c), a));
			if (mask != NULL) {
				a = 255 - a * 255 / gdAlphaMax;
				gdImageSetPixel(mask, x, y,
				    gdTrueColor(a, a, a));
			}
		}
	if (maskp != NULL)
		*maskp = mask;
	return out;
}

static gdImagePtr
op_inpaint(const struct prov_job *j, gdImagePtr in, uint64_t seed,
    struct sf_err *err)
{
	gdImagePtr	 m, mm = NULL, out;
	int		 w = gdImageSX(in), h = gdImageSY(in), x, y, c, fill;
	uint64_t	 st = seed;

	if ((m = load(j, "mask_url", err)) == NULL)
		return NULL;
	if (gdImageSX(m) != w || gdImageSY(m) != h) {
		if ((mm = gdImageCreateTrueColor(w, h)) == NULL) {
			gdImageDestroy(m);
			return NULL;
		}
		gdImageCopyResampled(mm, m, 0, 0, 0, 0, w, h, gdImageSX(m),
		    gdImageSY(m));
		gdImageDestroy(m);
		m = mm;
	}
	if ((out = gdImageCreateTrueColor(w, h)) == NULL) {
		gdImageDestroy(m);
		return NULL;
	}
	gdImageCopy(out, in, 0, 0, 0, 0, w, h);
	fill = gdTrueColor((int)(prov_offline_rand(&st) % 256),
	    (int)(prov_offline_rand(&st) % 256),
	    (int)(prov_offline_rand(&st) % 256));
	gdImageAlphaBlending(out, 0);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			c = gdImageGetTrueColorPixel(m, x, y);
			if (gdTrueColorGetRed(c) + gdTrueColorGetGreen(c) +
			    gdTrueColorGetBlue(c) < 3 * 128)
				continue;
			/* Hatched so the repainted region is obvious. */
			gdImageSetPixel(out, x, y, ((x + y) / 12) % 2 ? fill :
			    gdTrueColor(255 - gdTrueColorGetRed(fill),
			    255 - gdTrueColorGetGreen(fill),
			    255 - gdTrueColorGetBlue(fill)));
		}
	gdImageDestroy(m);
	return out;
}

static gdImagePtr
op_edit(gdImagePtr in, uint64_t seed)
{
	gdImagePtr	 out;
	uint64_t	 st = seed;
	int		 w = gdImageSX(in), h = gdImageSY(in);

	if ((out = gdImageCreateTrueColor(w, h)) == NULL)
		return NULL;
	gdImageCopy(out, in, 0, 0, 0, 0, w, h);
	gdImageAlphaBlending(out, 1);
	gdImageFilledRectangle(out, 0, 0, w - 1, h - 1, gdTrueColorAlpha(
	    (int)(prov_offline_rand(&st) % 256),
	    (int)(prov_offline_rand(&st) % 256),
	    (int)(prov_offline_rand(&st) % 256), 96));
	return out;
}

int
prov_offline_image(const struct prov_job *j, uint64_t seed,
    struct prov_result *r, struct sf_err *err)
{
	gdImagePtr	 in = NULL, out = NULL, mask = NULL;
	struct lines	 ls;
	const char	*name = j->ep->name, *model, *tier, *op;
	char		 num1[64], num2[64];
	int		 w, h, cols, rc = -1, want_mask = 0;

	memset(&ls, 0, sizeof(ls));
	model = j->model != NULL ? j->model->id : "";
	tier = prov_str(j->req, "tier");
	if (def_find_param(j->ep, "image_url") == NULL) {
		prov_size(j->req, &w, &h);
		if (w <= 0)
			w = 1024;
		if (h <= 0)
			h = 1024;
		if (size_ok(w, h, err) == -1)
			return -1;
		if ((out = gdImageCreateTrueColor(w, h)) == NULL)
			goto oom;
		paint_bg(out, seed);
		op = "generate";
	} else {
		if ((in = load(j, "image_url", err)) == NULL)
			return -1;
		if (strcmp(name, "image-expand") == 0) {
			out = op_expand(j, in, err);
			op = "expand";
		} else if (strcmp(name, "image-upscale") == 0) {
			out = op_upscale(j, in, err);
			op = "upscale";
		} else if (strcmp(name, "remove-bg") == 0) {
			(void)prov_bool(j->req, "output_mask", &want_mask);
			out = op_remove_bg(in, want_mask ? &mask : NULL);
			op = "remove-bg";
		} else if (strcmp(name, "image-inpaint") == 0) {
			out = op_inpaint(j, in, seed, err);
			op = "inpaint";
		} else {
			out = op_edit(in, seed);
			op = "edit";
		}
		if (out == NULL) {
			if (err == NULL || err->status == 0)
				goto oom;
			goto out;
		}
	}
	w = gdImageSX(out);
	h = gdImageSY(out);
	/* A cut-out stays clean: its facts travel in the JSON only. */
	if (strcmp(op, "remove-bg") != 0) {
		cols = (w / ((w < h ? w : h) / 384 > 1 ?
		    (w < h ? w : h) / 384 : 1) - 16) / 8;
		lines_add(&ls, "OFFLINE %s%s - no model was run", op, "");
		lines_wrap(&ls, "prompt: ", prov_prompt(j->req), cols, 12);
		lines_add(&ls, "model: %s  tier: %s", model,
		    tier ? tier : "-");
		snprintf(num1, sizeof(num1), "%dx%d", w, h);
		snprintf(num2, sizeof(num2), "%llu",
		    (unsigned long long)seed);
		lines_add(&ls, "size: %s  seed: %s", num1, num2);
		lines_add(&ls, "endpoint: %s%s", name, "");
		if (draw_panel(out, &ls) == -1)
			goto oom;
	}
	if (img_out(r, out, err) == -1 ||
	    (mask != NULL && img_out(r, mask, err) == -1))
		goto out;
	r->width = w;
	r->height = h;
	rc = 0;
	goto out;
oom:
	sf_err_set(err, 500, "internal_error", NULL, "out of memory");
out:
	if (in != NULL)
		gdImageDestroy(in);
	if (out != NULL)
		gdImageDestroy(out);
	if (mask != NULL)
		gdImageDestroy(mask);
	return rc;
}
