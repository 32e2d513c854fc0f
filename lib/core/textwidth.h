/*
 * textwidth.h — how many terminal columns a UTF-8 string takes, for text
 * tables that stay aligned with Chinese names (a CJK character is two
 * columns, a combining mark none).
 *
 * East Asian Wide and Fullwidth characters (Unicode UAX #11: CJK ideographs,
 * Hangul, kana, fullwidth forms, CJK punctuation, most emoji) are 2; combining
 * marks, zero-width characters and controls are 0; everything else is 1.
 * Malformed UTF-8 counts one column per byte, so a bad string still lines up
 * predictably.  Pure C: no locale, no I/O, no allocation.
 */
#ifndef MINHU_CORE_TEXTWIDTH_H
#define MINHU_CORE_TEXTWIDTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Columns of code point cp: 0, 1 or 2. */
int textwidth_cp(uint32_t cp);

/* Decodes one UTF-8 sequence at s (len > 0 bytes left).  Returns its length
 * and sets *cp, or returns 0 for a malformed sequence. */
size_t textwidth_decode(const char *s, size_t len, uint32_t *cp);

/* Columns of the NUL-terminated UTF-8 string s (NULL is 0). */
size_t textwidth(const char *s);

/*
 * Writes s into out (cap bytes, NUL-terminated) padded with spaces to width
 * columns, on the right (right_align false) or on the left.  A string wider
 * than width is cut at a character boundary and ends with "…" so that it
 * fits.  Returns false when out is too small (out then holds what fitted).
 */
bool textwidth_pad(char *out, size_t cap, const char *s, size_t width, bool right_align);

#endif
