/*
 * Blank text: what a person (or a model) reads as nothing.  A required
 * string made only of these is refused like "" (400 empty_field).
 */
#ifndef SF_VAL_BLANK_H
#define SF_VAL_BLANK_H

/*
 * Whether the code point is blank: Unicode's White_Space property
 * (PropList.txt: U+0009-U+000D, U+0020, U+0085, U+00A0, U+1680,
 * U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) or
 * Default_Ignorable_Code_Point (DerivedCoreProperties.txt: the
 * zero-width format characters U+200B-U+200F, U+2060-U+206F, U+FEFF,
 * the soft hyphen, variation selectors, Hangul fillers, tags, ...), as
 * of Unicode 15.1.
 */
int	val_blank_cp(unsigned long cp);
/*
 * Whether the NUL-terminated UTF-8 string s holds only blank code points
 * ("" included).  Bytes that are not UTF-8 count as not blank (the
 * caller refuses them as such).
 */
int	val_blank(const char *s);

#endif
