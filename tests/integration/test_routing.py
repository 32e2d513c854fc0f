"""Direct dispatch (直派) by routing rules at intake, over HTTP.

The module imports data/demo/rules.csv itself (the harness loads units,
categories, calendar and SLA defaults, not rules), plus a few rules of its
own for the private categories 97xx, and waits until the running minhud has
reloaded them (the routing_rules trigger NOTIFYs minhu_reference).

Demo rules: utilities (02xx) go to their enterprises and some categories to
departments whatever the place (priority 10 / 5); everything else goes to the
street that owns the place (priority 1), then to the district (兜底, priority
0); no rule and no area leaves the ticket in the operators' queue.
"""

import os
import tempfile
import time

import pytest

from minhu_client import assert_error, intake_body, parse_time

WAIT = 20.0

# Precedence rules for the private categories 97 → 9701, 9702, 9703
# (category,area,unit,priority).
PRIVATE_CATEGORIES = [("97", "路由测试", ""), ("9701", "路由测试一", "97"),
                      ("9702", "路由测试二", "97"), ("9703", "路由测试三", "97"),
                      ("9704", "路由测试四", "97")]
PRIVATE_RULES = [
    ("97", "*", "dept-q-cgj", 2),             # the category family, anywhere
    ("9701", "*", "dept-q-zjj", 2),           # a longer category prefix wins at equal priority
    ("97", "610104002", "dept-zjj", 2),       # a longer area prefix wins at equal category prefix
    ("9703", "*", "dept-sthj", 1),            # a longer prefix loses to a higher priority
    ("9704", "610104003", "dept-q-mzj", 3),   # outranks everything, but only in 桃园路街道
]


# ------------------------------------------------------------------ helpers


def write_csv(header, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(str(c) for c in row) + "\n")
        return f.name


def import_csv(stack, kind, header, rows, check=True):
    path = write_csv(header, rows)
    try:
        return stack.admin("import", kind, path, check=check)
    finally:
        os.unlink(path)


def intake(stack, role="operator", **fields):
    r = stack.call("POST", "/api/v1/tickets", role=role, body=intake_body(**fields))
    assert r.status == 201, r
    return r.json


def act(stack, token, ticket, action, body=None):
    return stack.call("POST", "/api/v1/tickets/%s/%s" % (ticket["id"], action),
                      token=token, body={} if body is None else body)


def rule_id(stack, category, area):
    got = stack.sql_value("SELECT id FROM routing_rules WHERE category = '%s' AND area = '%s'"
                          % (category, area))
    assert got, "no rule %s × %s" % (category, area)
    return int(got)


def wait_for(what, fn, timeout=WAIT, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail("timed out after %.0f s waiting for %s (last: %r)" % (timeout, what, got))
        time.sleep(interval)


def probe(stack, category, area=None):
    """An anonymous probe intake (cancelled at once); its lead unit code or None."""
    t = intake(stack, category=category, area=area, address=None,
               caller={"anonymous": True}, title="路由探测")
    r = act(stack, stack.tokens["operator"], t, "cancel", {"reason": "probe"})
    assert r.status == 200, r
    return (t["lead_unit"] or {}).get("code")


def route(stack, category, area=None, role="operator"):
    """Intake (category, area); checks the routed ticket's shape; returns it."""
    t = intake(stack, role=role, category=category, area=area,
               address=None if area is None else "测试地址")
    ev = t["events"][0]
    assert ev["action"] == "intake" and ev["from"] is None and ev["to"] == t["status"]
    if t["status"] == "dispatched":
        assert t["lead_unit"] is not None
        assert isinstance(ev["data"].get("rule"), int), ev
        assert t["dispatched_at"] == t["created_at"]
        for clock in ("accept", "reply", "return_window"):
            assert parse_time(t["deadlines"][clock]) > parse_time(t["created_at"]), clock
        assert t["deadlines"]["dispatch"] is None
    else:
        assert t["status"] == "pending_dispatch" and t["lead_unit"] is None
        assert "rule" not in (ev["data"] or {}), ev
        assert parse_time(t["deadlines"]["dispatch"]) > parse_time(t["created_at"])
        assert t["deadlines"]["accept"] is None and t["deadlines"]["reply"] is None
    return t


def lead(t):
    return (t["lead_unit"] or {}).get("code")


# ------------------------------------------------------------------ fixture


@pytest.fixture(scope="module")
def routed(stack):
    """Demo rules + the private precedence rules, loaded and seen by the server."""
    # Before any rule: nothing routes (the harness loads no rules).
    assert stack.sql_value("SELECT count(*) FROM routing_rules") == "0"
    t = route(stack, "0201")
    assert t["status"] == "pending_dispatch"

    import_csv(stack, "categories", "code,name,parent", PRIVATE_CATEGORIES)
    stack.admin("import", "rules", os.path.join(os.environ["MINHU_SOURCE_DIR"], "data", "demo",
                                                "rules.csv"))
    import_csv(stack, "rules", "category,area,unit,priority", PRIVATE_RULES)
    wait_for("the server to reload the routing rules (NOTIFY minhu_reference)",
             lambda: probe(stack, "9701") == "dept-q-zjj")
    return stack


# ------------------------------------------------------------------ demo rules


def test_utility_without_area_goes_to_its_enterprise(routed):
    t = route(routed, "0201")
    assert t["status"] == "dispatched"
    assert t["lead_unit"] == {"code": "ent-water", "name": "西安水务集团", "kind": "enterprise"}
    assert t["events"][0]["data"]["rule"] == rule_id(routed, "0201", "*")
    # The event row records the unit it was handed to (reports count volume by it).
    assert routed.sql("SELECT lead_unit, to_status FROM ticket_events WHERE ticket_id = '%s'"
                      % t["id"]) == [("ent-water", "dispatched")]
    # The row agrees, with the accept and reply clocks running.
    assert routed.sql("SELECT status, lead_unit, version, dispatch_due IS NULL, "
                      "next_due = least(accept_due, reply_due) FROM tickets WHERE id = '%s'"
                      % t["id"]) == [("dispatched", "ent-water", "1", "t", "t")]
    assert routed.sql("SELECT DISTINCT clock FROM sla_timers WHERE ticket_id = '%s' "
                      "ORDER BY 1" % t["id"]) == [("accept",), ("reply",)]


def test_a_place_based_category_in_a_community_goes_to_its_street(routed):
    for area in ("610104002001", "610104002001001", "610104002"):  # community, grid, street
        t = route(routed, "0301", area)
        assert t["status"] == "dispatched", area
        assert t["lead_unit"] == {"code": "610104002", "name": "红庙坡街道", "kind": "street"}
        assert t["area"]["code"] == area
        assert t["events"][0]["data"]["rule"] == rule_id(routed, "*", "610104002")


def test_every_street_gets_its_own_places(routed):
    streets = [c for (c,) in routed.sql("SELECT code FROM units WHERE kind = 'street' "
                                        "ORDER BY code")]
    assert len(streets) == 9
    for s in streets:
        community = routed.sql_value("SELECT min(code) FROM units WHERE parent = '%s'" % s)
        t = route(routed, "0402", community or s)
        assert lead(t) == s, (s, community, lead(t))


def test_no_rule_and_no_area_waits_in_the_queue(routed):
    t = route(routed, "0301")
    assert t["status"] == "pending_dispatch"
    assert t["events"][0]["data"] == {"channel": "phone", "nature": "complaint",
                                      "urgency": "normal", "category": "0301"}
    assert routed.sql("SELECT DISTINCT clock FROM sla_timers WHERE ticket_id = '%s'"
                      % t["id"]) == [("dispatch",)]


def test_district_fallback_for_a_place_no_street_rule_covers(routed):
    t = route(routed, "0301", "610104")
    assert t["status"] == "dispatched"
    assert t["lead_unit"]["code"] == "610104" and t["lead_unit"]["kind"] == "district"
    assert t["events"][0]["data"]["rule"] == rule_id(routed, "*", "610104")


def test_a_category_rule_outranks_the_street(routed):
    # 供水 in a community still goes to the water company (priority 10 > 1),
    # 食品安全 to the market regulator (5 > 1).
    assert lead(route(routed, "0201", "610104002001")) == "ent-water"
    t = route(routed, "0601", "610104005")
    assert lead(t) == "dept-q-scjg"
    assert t["events"][0]["data"]["rule"] == rule_id(routed, "0601", "*")


def test_channel_intake_is_routed_too(routed):
    t = route(routed, "0202", role="channel")
    assert t["status"] == "dispatched" and lead(t) == "ent-power"
    assert "possible_duplicates" not in t


# ------------------------------------------------------------------ precedence


@pytest.mark.parametrize("category, area, unit, rule", [
    ("9702", None, "dept-q-cgj", ("97", "*")),                # only the family rule matches
    ("9701", None, "dept-q-zjj", ("9701", "*")),              # longest category prefix
    ("9702", "610104002001", "dept-zjj", ("97", "610104002")),  # then longest area prefix
    ("9701", "610104002001", "dept-q-zjj", ("9701", "*")),    # category before area
    ("9703", None, "dept-q-cgj", ("97", "*")),                # priority before prefixes
    ("9704", "610104003001", "dept-q-mzj", ("9704", "610104003")),
    ("9704", "610104004", "dept-q-cgj", ("97", "*")),         # the area rule does not match
], ids=["family", "longer-category", "longer-area", "category-first", "priority",
        "top-priority-area", "area-mismatch"])
def test_precedence_priority_then_category_then_area(routed, category, area, unit, rule):
    t = route(routed, category, area)
    assert t["status"] == "dispatched"
    assert lead(t) == unit, t["lead_unit"]
    assert t["events"][0]["data"]["rule"] == rule_id(routed, *rule)


def test_a_changed_rule_takes_effect_without_a_restart(routed):
    import_csv(routed, "rules", "category,area,unit,priority", [("9702", "*", "dept-q-wjj", 4)])
    wait_for("the server to reload the changed rule", lambda: probe(routed, "9702") ==
             "dept-q-wjj")
    t = route(routed, "9702", "610104002001")
    assert lead(t) == "dept-q-wjj"
    assert t["events"][0]["data"]["rule"] == rule_id(routed, "9702", "*")


def test_a_bad_rules_file_changes_nothing(routed):
    before = routed.sql("SELECT id, category, area, unit, priority FROM routing_rules "
                        "ORDER BY id")
    proc = import_csv(routed, "rules", "category,area,unit,priority",
                      [("9702", "*", "dept-q-cgj", 9), ("9703", "*", "no-such-unit", 1)],
                      check=False)
    assert proc.returncode != 0
    assert ":3:" in proc.stderr and "no-such-unit" in proc.stderr, proc.stderr  # its line
    proc = import_csv(routed, "rules", "category,area,unit,priority",
                      [("9702", "*", "12345", 9)], check=False)  # the centre handles nothing
    assert proc.returncode != 0 and ":2:" in proc.stderr, proc.stderr
    assert routed.sql("SELECT id, category, area, unit, priority FROM routing_rules "
                      "ORDER BY id") == before


# ------------------------------------------------------------------ after routing


def test_the_routed_unit_sees_and_handles_its_ticket(routed):
    t = route(routed, "0301", "610104002002")
    assert lead(t) == "610104002"
    # In the street's inbox, newest first, without a dispatch step.
    r = routed.call("GET", "/api/v1/tickets?status=dispatched&limit=5", role="unit")
    assert r.status == 200 and r.json["items"][0]["id"] == t["id"], r
    # Its own token accepts it; another street cannot see it.
    r = act(routed, routed.tokens["unit2"], t, "accept")
    assert_error(r, 404, "not_found")
    r = act(routed, routed.tokens["unit"], t, "accept")
    assert r.status == 200 and r.json["status"] == "accepted", r
    # An enterprise's token handles what was routed to it.
    water = routed.token("unit", "test-ent-water", "ent-water")
    w = route(routed, "0201")
    r = act(routed, water, w, "accept")
    assert r.status == 200 and r.json["status"] == "accepted", r
    # A routed ticket can still be returned to the centre, then re-dispatched.
    r = act(routed, water, w, "request_return", {"reason": "不属于供水问题"})
    assert r.status == 200 and r.json["status"] == "return_requested", r
    r = act(routed, routed.tokens["operator"], w, "approve_return", {"unit": "ent-gas"})
    assert r.status == 200 and lead(r.json) == "ent-gas" and r.json["return_count"] == 1, r
