/*
 * test_route.c — routing rule precedence.
 */
#include "check.h"
#include "core/route.h"

static const RouteRule rules[] = {
    {1, "*", "610104", "610104", 0},       /* district fallback (兜底) */
    {2, "*", "610104002", "610104002", 1}, /* the street owns its place */
    {3, "0201", "*", "ent-water", 10},     /* water to the water company */
    {4, "02", "*", "dept-q-zjj", 5},
    {5, "0301", "610104002", "dept-sthj", 1}, /* same priority as 2, longer category */
    {6, "06", "610104", "dept-q-scjg", 1},
    {7, "06", "61010400", "dept-x", 1}, /* longer area beats 6 */
};
#define N (sizeof rules / sizeof rules[0])

static const char *
unit_for(const char *category, const char *area)
{
    const RouteRule *r = route_match(rules, N, category, area);

    return r ? r->unit : "(queue)";
}

static void
test_precedence(void)
{
    CHECK_STR(unit_for("0201", "610104002001"), "ent-water"); /* priority first */
    CHECK_STR(unit_for("0203", NULL), "dept-q-zjj");          /* '*' area matches no area */
    CHECK_STR(unit_for("0101", "610104002001"), "610104002"); /* street over district */
    CHECK_STR(unit_for("0101", "610104005"), "610104");       /* only the fallback */
    CHECK_STR(unit_for("0301", "610104002"), "dept-sthj");    /* longer category wins a tie */
    CHECK_STR(unit_for("0601", "610104005"), "dept-x");       /* longer area wins a tie */
    CHECK_STR(unit_for("0101", NULL), "(queue)");             /* no area, no '*' rule */
    CHECK_STR(unit_for("0101", "610103001"), "(queue)");      /* another district */
}

static void
test_ties_are_deterministic(void)
{
    static const RouteRule tie[] = {{9, "01", "*", "b", 1}, {4, "01", "*", "a", 1}};

    CHECK_STR(route_match(tie, 2, "0101", NULL)->unit, "a");
    CHECK(route_match(tie, 0, "0101", NULL) == NULL);
}

int
main(void)
{
    RUN(test_precedence);
    RUN(test_ties_are_deterministic);
    return CHECK_DONE();
}
