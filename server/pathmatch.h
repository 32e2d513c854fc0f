/*
 * pathmatch.h — matches a request path against a route pattern.
 *
 * A pattern is a list of segments ("/api/v1/tickets/<*>/<*>" with a plain
 * "*" for each captured one); a "*" captures one non-empty segment,
 * percent-decoded.  Kept apart from http.c so that it can be fuzzed alone.
 */
#ifndef MINHU_SERVER_PATHMATCH_H
#define MINHU_SERVER_PATHMATCH_H

#include <stdbool.h>

/*
 * True when path matches pattern segment for segment; caps[0..*ncaps) are
 * then the captured segments, decoded, as new strings to free().  False when
 * it does not match, more than max segments would be captured, or a captured
 * segment decodes to a NUL byte; nothing is allocated then.
 */
bool path_match(const char *pattern, const char *path, char **caps, int max, int *ncaps);

#endif
