/*
 * val_blank: every White_Space and Default_Ignorable_Code_Point range of
 * Unicode 15.1 is blank at both ends, and the code points next to them
 * are not; strings of them are blank, one visible character is not.
 * The table here is written from PropList.txt and
 * DerivedCoreProperties.txt, not from the code.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "validate/val_blank.h"

static const struct {
	unsigned long	 lo, hi;
	const char	*name;
} blank[] = {
	{ 0x09, 0x0d, "tab..CR" }, { 0x20, 0x20, "space" },
	{ 0x85, 0x85, "NEL" }, { 0xa0, 0xa0, "no-break space" },
	{ 0xad, 0xad, "soft hyphen" }, { 0x34f, 0x34f, "CGJ" },
	{ 0x61c, 0x61c, "ALM" }, { 0x115f, 0x1160, "Hangul fillers" },
	{ 0x1680, 0x1680, "Ogham space" }, { 0x17b4, 0x17b5, "Khmer" },
	{ 0x180b, 0x180f, "Mongolian FVS, MVS" },
	{ 0x2000, 0x200a, "en quad..hair space" },
	{ 0x200b, 0x200b, "zero width space" },
	{ 0x200c, 0x200d, "ZWNJ, ZWJ" }, { 0x200e, 0x200f, "LRM, RLM" },
	{ 0x2028, 0x2029, "line/paragraph separator" },
	{ 0x202a, 0x202e, "bidi embeddings" },
	{ 0x202f, 0x202f, "narrow no-break space" },
	{ 0x205f, 0x205f, "medium math space" },
	{ 0x2060, 0x2060, "word joiner" }, { 0x2061, 0x206f, "invisible "
	  "operators, isolates" }, { 0x3000, 0x3000, "ideographic space" },
	{ 0x3164, 0x3164, "Hangul filler" }, { 0xfe00, 0xfe0f, "VS1-16" },
	{ 0xfeff, 0xfeff, "ZWNBSP (BOM)" }, { 0xffa0, 0xffa0, "halfwidth "
	  "Hangul filler" }, { 0xfff0, 0xfff8, "specials" },
	{ 0x1bca0, 0x1bca3, "shorthand formats" },
	{ 0x1d173, 0x1d17a, "musical formats" },
	{ 0xe0000, 0xe0fff, "tags, VS17-256" },
};

/* Visible neighbours and look-alikes that are not blank. */
static const unsigned long visible[] = {
	0x08, 0x0e, 0x1f, 0x21, 0x41, 0x84, 0x86, 0x9f, 0xa1, 0xac, 0xae,
	0x34e, 0x350, 0x1681, 0x180a, 0x2010, 0x2027, 0x2030, 0x205e,
	0x2070, 0x2800 /* braille blank: a visible cell */, 0x2fff, 0x3001,
	0x3163, 0x3165, 0xfdff, 0xfe10, 0xfefe, 0xff00, 0xfffd, 0x1bca4,
	0xe1000, 0x10ffff,
};

static void
utf8(unsigned long cp, char *o)
{
	if (cp < 0x80)
		o[0] = (char)cp, o[1] = 0;
	else if (cp < 0x800)
		o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)),
		o[2] = 0;
	else if (cp < 0x10000)
		o[0] = (char)(0xe0 | cp >> 12),
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		o[2] = (char)(0x80 | (cp & 0x3f)), o[3] = 0;
	else
		o[0] = (char)(0xf0 | cp >> 18),
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		o[3] = (char)(0x80 | (cp & 0x3f)), o[4] = 0;
}

int
main(void)
{
	char	 s[32];
	size_t	 i;

	for (i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		TAP_OK(val_blank_cp(blank[i].lo) && val_blank_cp(blank[i].hi),
		    "U+%04lX..U+%04lX %s: blank", blank[i].lo, blank[i].hi,
		    blank[i].name);
		utf8(blank[i].hi, s);
		TAP_OK(val_blank(s), "U+%04lX alone is a blank string",
		    blank[i].hi);
	}
	for (i = 0; i < sizeof(visible) / sizeof(visible[0]); i++) {
		TAP_OK(!val_blank_cp(visible[i]), "U+%04lX: not blank",
		    visible[i]);
		utf8(visible[i], s);
		TAP_OK(!val_blank(s), "U+%04lX alone is text", visible[i]);
	}
	TAP_OK(val_blank(""), "\"\" is blank");
	TAP_OK(val_blank("\xc2\xa0\xe3\x80\x80\xe2\x80\x8b \t"), "NBSP, "
	    "ideographic space, ZWSP, space, tab: blank");
	TAP_OK(!val_blank("\xe2\x80\x8b" "a" "\xe2\x80\x8b"), "one letter "
	    "between zero-width spaces: text");
	TAP_OK(!val_blank("\xc2"), "a broken sequence is not blank");
	TAP_OK(!val_blank("\xff"), "a byte that is no UTF-8 is not blank");
	return tap_done();
}
