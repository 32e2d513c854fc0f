/*
 * fuzz_path.c — request paths against every route pattern of minhud
 * (path_match), and the Open311 format of a path.  The patterns are those of
 * the routing table in server/handlers.c.
 */
#include "fuzz.h"

#include "core/open311.h"
#include "pathmatch.h"

static const char *const patterns[] = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/tickets",
    "/api/v1/tickets/*",
    "/api/v1/tickets/*/*",
    "/api/v1/public/tickets/*",
    "/api/v1/me",
    "/api/v1/categories",
    "/api/v1/units",
    "/api/v1/reports/ranking",
    "/api/v1/reports/hotspots",
    "/open311/*",
    "/open311/v2/*",
    "/open311/v2/services/*",
    "/open311/v2/requests/*",
    "/open311/v2/tokens/*",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_cstr(data, size);
    char *caps[8];
    char base[64];
    int n;

    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        int stars = 0;

        for (const char *p = patterns[i]; *p; p++)
            stars += *p == '*';
        n = -1;
        if (!path_match(patterns[i], path, caps, 8, &n))
            continue;
        FUZZ_CHECK(n == stars);
        for (int k = 0; k < n; k++) {
            FUZZ_CHECK(caps[k] != NULL && caps[k][0] != '\0');
            free(caps[k]);
        }
    }
    (void) open311_path_format(path);
    (void) open311_split_format(path, base, sizeof base);
    free(path);
    return 0;
}
