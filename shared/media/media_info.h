/*
 * What a stored audio or video file itself says about its length and
 * frame size, for answers the upstream's reply leaves out (fal's file
 * objects carry neither): MP3 (every frame header walked: CBR and VBR,
 * an ID3v2 tag skipped), WAV (the canonical header's byte rate), MP4 /
 * QuickTime (moov/mvhd duration over its timescale, the first video
 * trak's tkhd width and height).  Pure, bounded by len; ISO/IEC 11172-3
 * and 13818-3 (MPEG audio frame header), ISO/IEC 14496-12 (boxes).
 */
#ifndef SF_MEDIA_INFO_H
#define SF_MEDIA_INFO_H

#include <stddef.h>

/* Seconds of audio in p (MP3 or WAV); 0 when not recognised. */
double	media_audio_seconds(const void *p, size_t len);
/*
 * An MP4's duration (seconds, 0 if unknown) and frame size (0 if
 * unknown); -1 when p is not an MP4/QuickTime file.
 */
int	media_mp4_info(const void *p, size_t len, double *seconds, int *w,
	    int *h);

#endif
