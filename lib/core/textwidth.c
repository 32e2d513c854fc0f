/*
 * textwidth.c — display width of UTF-8 text (see textwidth.h).
 */
#include "core/textwidth.h"

#include <string.h>

typedef struct Range {
    uint32_t lo, hi;
} Range;

/* Zero-width: combining marks, zero-width spaces and joiners, variation
 * selectors.  Sorted. */
static const Range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

/* East Asian Wide (W) and Fullwidth (F).  Sorted. */
static const Range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F320},
    {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
    {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
    {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
    {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4},
    {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
    {0x1F6D5, 0x1F6D7}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
    {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static bool
in_ranges(uint32_t cp, const Range *r, size_t n)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int
textwidth_cp(uint32_t cp)
{
    if (cp == 0 || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
        return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
        return 2;
    return 1;
}

size_t
textwidth_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n;
    uint32_t v, min;

    if (len == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2;
        v = p[0] & 0x1F;
        min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3;
        v = p[0] & 0x0F;
        min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4;
        v = p[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

size_t
textwidth(const char *s)
{
    size_t w = 0, len;

    if (s == NULL)
        return 0;
    len = strlen(s);
    while (len > 0) {
        uint32_t cp;
        size_t n = textwidth_decode(s, len, &cp);

        if (n == 0) {
            w++; /* a stray byte: one column */
            n = 1;
        } else {
            w += (size_t) textwidth_cp(cp);
        }
        s += n;
        len -= n;
    }
    return w;
}

/* Appends n bytes of src to out (cap, *used); false when it does not fit. */
static bool
put(char *out, size_t cap, size_t *used, const char *src, size_t n)
{
    if (*used + n + 1 > cap)
        return false;
    memcpy(out + *used, src, n);
    *used += n;
    out[*used] = '\0';
    return true;
}

static bool
spaces(char *out, size_t cap, size_t *used, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!put(out, cap, used, " ", 1))
            return false;
    return true;
}

bool
textwidth_pad(char *out, size_t cap, const char *s, size_t width, bool right_align)
{
    static const char ellipsis[] = "\xE2\x80\xA6"; /* …, one column */
    size_t used = 0, w, keep = 0, kept_w = 0, len;

    if (cap == 0)
        return false;
    out[0] = '\0';
    if (s == NULL)
        s = "";
    len = strlen(s);
    w = textwidth(s);
    if (w <= width) {
        keep = len;
        kept_w = w;
    } else if (width > 0) {
        /* Keep whole characters up to width - 1 columns, then "…". */
        size_t at = 0;

        while (at < len) {
            uint32_t cp;
            size_t n = textwidth_decode(s + at, len - at, &cp);
            size_t cw = n == 0 ? 1 : (size_t) textwidth_cp(cp);

            if (n == 0)
                n = 1;
            if (kept_w + cw > width - 1)
                break;
            kept_w += cw;
            at += n;
        }
        keep = at;
    }
    if (right_align && !spaces(out, cap, &used, width - kept_w - (w > width && width > 0)))
        return false;
    if (!put(out, cap, &used, s, keep))
        return false;
    if (w > width && width > 0) {
        if (!put(out, cap, &used, ellipsis, sizeof ellipsis - 1))
            return false;
        kept_w++;
        if (right_align)
            return true;
    }
    if (!right_align && !spaces(out, cap, &used, width > kept_w ? width - kept_w : 0))
        return false;
    return true;
}
