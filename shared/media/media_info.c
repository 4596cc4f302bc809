#include <stdint.h>
#include <string.h>

#include "media/media_info.h"

static uint32_t
mi_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
mi_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* One MPEG audio frame header at p: its length in bytes, samples, rate. */
static int
mi_mp3_frame(const unsigned char *p, size_t *flen, int *samples, int *rate)
{
	static const int br1[3][16] = {	/* MPEG-1 layers I, II, III, kbit/s */
		{ 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384,
		  416, 448, -1 },
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
		  384, -1 },
		{ 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256,
		  320, -1 } };
	static const int br2[2][16] = {	/* MPEG-2/2.5 layer I; II and III */
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224,
		  256, -1 },
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160,
		  -1 } };
	static const int sr[3] = { 44100, 48000, 32000 };
	int	 ver, layer, bri, sri, pad, kbps;

	if (p[0] != 0xff || (p[1] & 0xe0) != 0xe0)
		return -1;
	ver = (p[1] >> 3) & 3;		/* 3 = MPEG-1, 2 = MPEG-2, 0 = 2.5 */
	layer = 4 - ((p[1] >> 1) & 3);	/* 1, 2, 3 */
	bri = p[2] >> 4;
	sri = (p[2] >> 2) & 3;
	pad = (p[2] >> 1) & 1;
	if (ver == 1 || layer == 4 || sri == 3 || bri == 0 || bri == 15)
		return -1;
	kbps = ver == 3 ? br1[layer - 1][bri] : br2[layer == 1 ? 0 : 1][bri];
	*rate = sr[sri] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
	if (layer == 1) {
		*samples = 384;
		*flen = (size_t)((12 * kbps * 1000 / *rate + pad) * 4);
	} else {
		*samples = layer == 3 && ver != 3 ? 576 : 1152;
		*flen = (size_t)(*samples / 8 * kbps * 1000 / *rate + pad);
	}
	return *flen >= 4 ? 0 : -1;
}

double
media_audio_seconds(const void *v, size_t len)
{
	const unsigned char	*p = v;
	size_t			 off = 0, flen;
	double			 sec = 0;
	uint32_t		 rate;
	int			 samples, hz, frames = 0;

	if (len > 44 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WAVE", 4) == 0) {
		rate = mi_le32(p + 28);		/* byte rate */
		return rate > 0 ? (double)(len - 44) / rate : 0;
	}
	/* An ID3v2 tag first: its size is four 7-bit bytes. */
	if (len > 10 && memcmp(p, "ID3", 3) == 0)
		off = 10 + ((size_t)(p[6] & 0x7f) << 21 |
		    (size_t)(p[7] & 0x7f) << 14 | (size_t)(p[8] & 0x7f) << 7 |
		    (size_t)(p[9] & 0x7f));
	while (off + 4 <= len &&
	    mi_mp3_frame(p + off, &flen, &samples, &hz) == 0) {
		sec += (double)samples / hz;
		off += flen;
		frames++;
	}
	return frames > 0 ? sec : 0;
}

/* The box named type inside [p, p + len): its payload, or NULL. */
static const unsigned char *
mi_box(const unsigned char *p, size_t len, const char *type, size_t *blen,
    const unsigned char **next)
{
	size_t	 sz, hd;

	while (len >= 8) {
		sz = mi_be32(p);
		hd = 8;
		if (sz == 1 && len >= 16) {	/* 64-bit size */
			if (mi_be32(p + 8) != 0)
				return NULL;
			sz = mi_be32(p + 12);
			hd = 16;
		} else if (sz == 0)
			sz = len;
		if (sz < hd || sz > len)
			return NULL;
		if (memcmp(p + 4, type, 4) == 0) {
			*blen = sz - hd;
			if (next != NULL)
				*next = p + sz;
			return p + hd;
		}
		p += sz;
		len -= sz;
	}
	return NULL;
}

int
media_mp4_info(const void *v, size_t len, double *seconds, int *w, int *h)
{
	const unsigned char	*p = v, *moov, *mvhd, *trak, *tkhd, *end;
	size_t			 mlen, blen, tlen, off;
	uint32_t		 scale;
	double			 dur;

	*seconds = 0;
	*w = *h = 0;
	if (len < 12 || memcmp(p + 4, "ftyp", 4) != 0)
		return -1;
	if ((moov = mi_box(p, len, "moov", &mlen, NULL)) == NULL)
		return 0;
	if ((mvhd = mi_box(moov, mlen, "mvhd", &blen, NULL)) != NULL) {
		if (mvhd[0] == 1 && blen >= 32) {
			scale = mi_be32(mvhd + 20);
			dur = (double)mi_be32(mvhd + 24) * 4294967296.0 +
			    mi_be32(mvhd + 28);
		} else if (blen >= 20) {
			scale = mi_be32(mvhd + 12);
			dur = mi_be32(mvhd + 16);
		} else
			scale = 0, dur = 0;
		if (scale > 0)
			*seconds = dur / scale;
	}
	/* The first trak whose tkhd has a frame size (the video track). */
	end = moov + mlen;
	for (trak = moov; (trak = mi_box(trak, (size_t)(end - trak), "trak",
	    &tlen, NULL)) != NULL; trak += tlen) {
		if ((tkhd = mi_box(trak, tlen, "tkhd", &blen, NULL)) == NULL)
			continue;
		off = tkhd[0] == 1 ? 88 : 76;
		if (blen >= off + 8 && mi_be32(tkhd + off) != 0) {
			*w = (int)(mi_be32(tkhd + off) >> 16);
			*h = (int)(mi_be32(tkhd + off + 4) >> 16);
			break;
		}
	}
	return 0;
}
