/*
 * Per-model size rules shared by the definitions (one place per rule),
 * from the providers' docs and SDKs (reference/providers.md §10).
 */
#ifndef SF_EP_SIZES_H
#define SF_EP_SIZES_H

#include "basics/def.h"

/* BFL FLUX 1.1 [pro]: black-forest-labs client types/inputs/generic.py. */
static const struct def_size size_flux11_pro = {
	.min = 256, .max = 1440, .step = 32,
	.desc = "width and height multiples of 32 within 256-1440"
};

/* OpenAI gpt-image-2: both sides divisible by 16, ratio <= 3:1, <= 4K. */
static const struct def_size size_gpt_image_2 = {
	.step = 16, .max_ratio = 3, .max_long = 3840, .max_short = 2160,
	.desc = "width and height multiples of 16, aspect ratio between 1:3 "
	"and 3:1, at most 3840x2160"
};

#endif
