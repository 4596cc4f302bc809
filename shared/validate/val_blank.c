#include <stddef.h>

#include "validate/val_blank.h"

/* White_Space and Default_Ignorable_Code_Point merged, sorted, inclusive
   (Unicode 15.1 PropList.txt and DerivedCoreProperties.txt). */
static const struct {
	unsigned long	 lo, hi;
} val_blank_ranges[] = {
	{ 0x0009, 0x000d },	/* WS: tab, LF, VT, FF, CR */
	{ 0x0020, 0x0020 },	/* WS: space */
	{ 0x0085, 0x0085 },	/* WS: next line */
	{ 0x00a0, 0x00a0 },	/* WS: no-break space */
	{ 0x00ad, 0x00ad },	/* DI: soft hyphen */
	{ 0x034f, 0x034f },	/* DI: combining grapheme joiner */
	{ 0x061c, 0x061c },	/* DI: Arabic letter mark */
	{ 0x115f, 0x1160 },	/* DI: Hangul choseong/jungseong fillers */
	{ 0x1680, 0x1680 },	/* WS: Ogham space mark */
	{ 0x17b4, 0x17b5 },	/* DI: Khmer inherent vowels */
	{ 0x180b, 0x180f },	/* DI: Mongolian variation selectors, vowel
				   separator */
	{ 0x2000, 0x200f },	/* WS: en quad..hair space; DI: zero width
				   space, non-joiner, joiner, LRM, RLM */
	{ 0x2028, 0x2029 },	/* WS: line, paragraph separator */
	{ 0x202a, 0x202e },	/* DI: bidi embeddings and overrides */
	{ 0x202f, 0x202f },	/* WS: narrow no-break space */
	{ 0x205f, 0x205f },	/* WS: medium mathematical space */
	{ 0x2060, 0x206f },	/* DI: word joiner, invisible operators,
				   bidi isolates, deprecated formats */
	{ 0x3000, 0x3000 },	/* WS: ideographic space */
	{ 0x3164, 0x3164 },	/* DI: Hangul filler */
	{ 0xfe00, 0xfe0f },	/* DI: variation selectors */
	{ 0xfeff, 0xfeff },	/* DI: zero width no-break space (BOM) */
	{ 0xffa0, 0xffa0 },	/* DI: halfwidth Hangul filler */
	{ 0xfff0, 0xfff8 },	/* DI: unassigned specials */
	{ 0x1bca0, 0x1bca3 },	/* DI: shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* DI: musical symbol formats */
	{ 0xe0000, 0xe0fff },	/* DI: tags, variation selectors supplement */
};

int
val_blank_cp(unsigned long cp)
{
	size_t	 i;

	for (i = 0; i < sizeof(val_blank_ranges) /
	    sizeof(val_blank_ranges[0]); i++) {
		if (cp < val_blank_ranges[i].lo)
			return 0;
		if (cp <= val_blank_ranges[i].hi)
			return 1;
	}
	return 0;
}

int
val_blank(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	int			 k, i;

	while (*p != '\0') {
		if (*p < 0x80)
			k = 0, cp = *p;
		else if ((*p & 0xe0) == 0xc0)
			k = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			k = 2, cp = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			k = 3, cp = *p & 0x07;
		else
			return 0;
		for (i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (!val_blank_cp(cp))
			return 0;
		p += k + 1;
	}
	return 1;
}
