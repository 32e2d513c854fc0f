"""The main path of a ticket over HTTP, checked against the database.

intake -> dispatch -> accept -> contact -> reply -> callback (closed), the
reopen loop, the final shortcuts (answer, reject, cancel), reads by id and
number, the list with filters and cursor paging, the resident's public view,
SLA deadlines, idempotent intake and optimistic concurrency.

Areas used only here, so that list filters see exactly this module's tickets:
610104003xxx (桃园路街道) and 610104004 (青年路街道); categories 04xx.
"""

import datetime
import re
import threading
import urllib.parse

import pytest

from minhu_client import assert_error, call, counts, intake_body, parse_time, ticket_state

UNIT = "610104002"  # 红庙坡街道, the `unit` token
CST = datetime.timezone(datetime.timedelta(hours=8))
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)

ACTORS = {"operator": "test-operator", "admin": "test-admin", "unit": "test-unit-hongmiaopo"}


# ------------------------------------------------------------------ helpers


def intake(stack, role="operator", headers=None, **fields):
    r = stack.call("POST", "/api/v1/tickets", role=role, body=intake_body(**fields),
                   headers=headers)
    assert r.status == 201, r
    return r.json


def act(stack, role, ticket, action, body=None, headers=None):
    tid = ticket["id"] if isinstance(ticket, dict) else ticket
    return stack.call("POST", "/api/v1/tickets/%s/%s" % (tid, action), role=role,
                      body={} if body is None else body, headers=headers)


def step(stack, before, role, action, to, body=None, headers=None):
    """Applies one action and checks the answer, its one new event and the database."""
    r = act(stack, role, before, action, body, headers)
    assert r.status == 200, r
    t = r.json
    assert t["id"] == before["id"] and t["number"] == before["number"]
    assert t["status"] == to, t
    assert t["version"] == before["version"] + 1, (before["version"], t["version"])
    events = t["events"]
    assert len(events) == len(before["events"]) + 1 == t["version"], events
    assert events[:-1] == before["events"], "earlier events changed"
    ev = events[-1]
    assert ev["seq"] == t["version"]
    assert ev["action"] == action
    assert ev["from"] == before["status"] and ev["to"] == to, ev
    assert ev["actor"] == ACTORS[role], ev
    assert ev["unit"] == (UNIT if role == "unit" else None), ev
    parse_time(ev["at"])
    check_db(stack, t)
    return t


def check_db(stack, t):
    row = stack.sql("SELECT status, version FROM tickets WHERE id = '%s'" % t["id"])
    assert row == [(t["status"], str(t["version"]))], row
    seqs = stack.sql("SELECT seq, action, coalesce(from_status, ''), to_status FROM ticket_events"
                     " WHERE ticket_id = '%s' ORDER BY seq" % t["id"])
    assert [int(s[0]) for s in seqs] == list(range(1, t["version"] + 1)), seqs
    assert [(e["action"], e["from"] or "", e["to"]) for e in t["events"]] == \
        [s[1:] for s in seqs]


def cst_today():
    return datetime.datetime.now(CST).strftime("%Y%m%d")


def workdays(stack):
    """The calendar the server uses: {date: 'holiday'|'workday'}."""
    return {datetime.date.fromisoformat(d): k
            for d, k in stack.sql("SELECT day::text, kind FROM calendar")}


def add_workdays(cal, t, n):
    """domain.md §4: the same clock time (Asia/Shanghai) on the Nth working day after t's date."""
    local = t.astimezone(CST)
    day = local.date()
    while n > 0:
        day += DAY
        kind = cal.get(day)
        if kind == "workday" or (kind is None and day.weekday() < 5):
            n -= 1
    return datetime.datetime.combine(day, local.timetz())


def to_accepted(stack, t):
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT})
    return step(stack, t, "unit", "accept", "accepted")


def q(**params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def list_all(stack, role, **params):
    r = stack.call("GET", "/api/v1/tickets?" + q(**params), role=role)
    assert r.status == 200, r
    assert set(r.json) == {"items", "next"}, r.json.keys()
    return r.json


# ------------------------------------------------------------------ intake


def test_intake_answers_201_with_number_code_location_and_one_event(stack):
    before = counts(stack)
    day0 = cst_today()
    r = stack.call("POST", "/api/v1/tickets", role="operator", body=intake_body())
    day1 = cst_today()
    assert r.status == 201, r
    t = r.json
    assert r.headers.get("Content-Type", "").startswith("application/json")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", t["id"])
    loc = r.headers.get("Location")
    assert loc and loc.endswith("/api/v1/tickets/" + t["id"]), loc
    assert re.fullmatch(r"[0-9]{1,20}", t["number"]), t["number"]
    assert t["number"][:8] in (day0, day1), (t["number"], day0)
    assert re.fullmatch(r"[0-9]{6}", t["query_code"]), t["query_code"]
    assert t["version"] == 1
    assert t["status"] == "pending_dispatch"  # no routing rule is loaded
    assert t["channel"] == "phone" and t["nature"] == "complaint" and t["urgency"] == "normal"
    assert t["category"] == {"code": "0301", "name": "噪声扰民"}
    assert t["area"]["code"] == UNIT and t["area"]["name"] == "红庙坡街道"
    assert t["caller"]["name"] == "王小明" and t["caller"]["phone"] == "13800138000"
    assert t["lead_unit"] is None and t["assists"] == []
    assert t["reopen_count"] == 0 and t["return_count"] == 0
    assert t["result"] is None and t["callback"] is None
    assert [(e["seq"], e["action"], e["from"], e["to"], e["actor"]) for e in t["events"]] == \
        [(1, "intake", None, "pending_dispatch", "test-operator")]
    assert t["events"][0]["at"] == t["created_at"]

    # The Location names the ticket that was stored, once.
    got = call(stack.url, "GET", loc[loc.index("/api/"):], token=stack.tokens["operator"])
    assert got.status == 200 and got.json["id"] == t["id"], got
    assert "query_code" not in got.json
    after = counts(stack)
    assert (int(after[0]) - int(before[0]), int(after[1]) - int(before[1])) == (1, 1)
    check_db(stack, t)
    # The code is not stored in plain text anywhere in the row.
    assert stack.sql_value("SELECT count(*) FROM tickets t WHERE t.id = '%s' AND "
                           "strpos(t::text, '%s') > 0" % (t["id"], t["query_code"])) in ("0",)


def test_main_path_dispatch_accept_contact_reply_callback_closed(stack):
    t = intake(stack)
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT})
    assert t["lead_unit"] == {"code": UNIT, "name": "红庙坡街道", "kind": "street"}
    assert t["events"][-1]["data"] == {"unit": UNIT}
    assert parse_time(t["dispatched_at"]) >= parse_time(t["created_at"])
    t = step(stack, t, "unit", "accept", "accepted")
    assert t["accepted_at"] is not None and t["contacted_at"] is None
    t = step(stack, t, "unit", "contact", "accepted", {"note": "已电话联系王先生"})
    assert t["contacted_at"] is not None
    assert t["events"][-1]["note"] == "已电话联系王先生"
    t = step(stack, t, "unit", "reply", "replied", {"result": "已责令工地夜间停工。"})
    assert t["result"] == "已责令工地夜间停工。" and t["replied_at"] is not None
    t = step(stack, t, "operator", "callback", "closed",
             {"contacted": True, "resolved": True, "satisfaction": 5})
    assert t["closed_at"] is not None
    cb = t["callback"]
    assert (cb["contacted"], cb["resolved"], cb["satisfaction"]) == (True, True, 5)
    parse_time(cb["at"])
    assert t["reopen_count"] == 0
    assert [e["action"] for e in t["events"]] == \
        ["intake", "dispatch", "accept", "contact", "reply", "callback"]
    assert stack.sql("SELECT status, cb_satisfaction, closed_at IS NOT NULL FROM tickets "
                     "WHERE id = '%s'" % t["id"]) == [("closed", "5", "t")]
    # Times only move forward along the path.
    stamps = [parse_time(t[k]) for k in ("created_at", "dispatched_at", "accepted_at",
                                         "contacted_at", "replied_at", "closed_at")]
    assert stamps == sorted(stamps)


def test_callback_reopen_returns_to_the_unit_then_closes(stack):
    t = to_accepted(stack, intake(stack))
    t = step(stack, t, "unit", "contact", "accepted")
    t = step(stack, t, "unit", "reply", "replied", {"result": "已处理。"})
    first_reply_due = t["deadlines"]["reply"]
    t = step(stack, t, "operator", "callback", "accepted",
             {"contacted": True, "resolved": False, "satisfaction": 2, "reopen": True})
    assert t["reopen_count"] == 1
    assert t["replied_at"] is None and t["closed_at"] is None
    assert t["lead_unit"]["code"] == UNIT
    assert t["events"][-1]["data"]["reopen"] is True
    # A new reply clock starts at the reopening callback.
    assert parse_time(t["deadlines"]["reply"]) > parse_time(first_reply_due)
    assert parse_time(t["deadlines"]["reply"]) == \
        parse_time(t["events"][-1]["at"]) + 7 * DAY
    assert stack.sql_value("SELECT reopen_count FROM tickets WHERE id = '%s'" % t["id"]) == "1"
    t = step(stack, t, "unit", "reply", "replied", {"result": "二次整改：已加装隔音屏。"})
    t = step(stack, t, "operator", "callback", "closed",
             {"contacted": True, "resolved": True, "satisfaction": 4})
    assert t["reopen_count"] == 1 and t["result"] == "二次整改：已加装隔音屏。"
    assert t["callback"]["satisfaction"] == 4
    assert t["version"] == 8 and len(t["events"]) == 8


def test_answer_a_consultation_directly(stack):
    t = intake(stack, nature="consultation", category="0501", area="610104004",
               description="请问违章停车的举报电话是多少？")
    t = step(stack, t, "operator", "answer", "answered", {"result": "已告知：可拨打 12319。"})
    assert t["result"] == "已告知：可拨打 12319。"
    assert t["lead_unit"] is None
    assert t["events"][-1]["note"] == "已告知：可拨打 12319。"
    # answered is final: nothing moves it any more.
    r = act(stack, "operator", t, "dispatch", {"unit": UNIT})
    assert_error(r, 422, "illegal_transition")


def test_reject_from_pending(stack):
    t = intake(stack, nature="report", category="0402", area="610104004")
    t = step(stack, t, "operator", "reject", "rejected", {"reason": "属于诉讼程序，不予受理"})
    assert t["events"][-1]["note"] == "属于诉讼程序，不予受理"
    assert_error(act(stack, "operator", t, "cancel", {"reason": "x"}), 422, "illegal_transition")


def test_cancel_from_pending(stack):
    t = intake(stack, category="0402", area="610104004")
    t = step(stack, t, "operator", "cancel", "cancelled", {"reason": "来电人撤回诉求"})
    assert t["events"][-1]["note"] == "来电人撤回诉求"
    assert_error(act(stack, "operator", t, "dispatch", {"unit": UNIT}), 422,
                 "illegal_transition")


# ------------------------------------------------------------------ reading


def test_get_by_id_and_by_number_agree(stack):
    t = intake(stack)
    t = step(stack, t, "operator", "note", "pending_dispatch", {"note": "等待核实地址"})
    by_id = stack.call("GET", "/api/v1/tickets/" + t["id"], role="operator")
    by_number = stack.call("GET", "/api/v1/tickets/" + t["number"], role="operator")
    assert by_id.status == 200 and by_number.status == 200, (by_id, by_number)
    assert by_id.json == by_number.json
    assert by_id.json["version"] == 2 and len(by_id.json["events"]) == 2
    # The answer of the action and a later read are the same ticket.
    assert by_id.json == t


def make_list_fixture(stack):
    """Four tickets in order A, B, C, D (created one after the other)."""
    a = intake(stack, category="0401", area="610104003001", description="A 占道经营")
    b = intake(stack, category="0402", area="610104003002", description="B 垃圾清运")
    c = intake(stack, category="0101", area="610104003", description="C 房屋安全")
    d = intake(stack, category="0401", area="610104004", description="D 占道经营")
    a = step(stack, a, "operator", "dispatch", "dispatched", {"unit": "610104003"})
    c = step(stack, c, "operator", "dispatch", "dispatched", {"unit": "610104001"})
    return a, b, c, d


def ids(page):
    return [t["id"] for t in page["items"]]


def test_list_filters(stack):
    a, b, c, d = make_list_fixture(stack)
    op = "operator"
    assert ids(list_all(stack, op, area="610104003")) == [c["id"], b["id"], a["id"]]
    assert ids(list_all(stack, op, area="610104003", category="04")) == [b["id"], a["id"]]
    assert ids(list_all(stack, op, category="0401")) == [d["id"], a["id"]]
    assert ids(list_all(stack, op, area="610104003", status="pending_dispatch")) == [b["id"]]
    assert ids(list_all(stack, op, area="610104003", status="dispatched")) == [c["id"], a["id"]]
    assert ids(list_all(stack, op, area="610104003", status="pending_dispatch,dispatched")) == \
        [c["id"], b["id"], a["id"]]
    assert ids(list_all(stack, op, area="610104003", status="closed")) == []
    assert ids(list_all(stack, op, unit="610104003")) == [a["id"]]
    assert ids(list_all(stack, op, unit="610104001", area="610104003")) == [c["id"]]
    # from is inclusive, to exclusive; RFC 3339 with offset or a date (Asia/Shanghai).
    assert ids(list_all(stack, op, area="610104003", **{"from": b["created_at"]})) == \
        [c["id"], b["id"]]
    assert ids(list_all(stack, op, area="610104003", to=b["created_at"])) == [a["id"]]
    assert ids(list_all(stack, op, area="610104003", **{"from": a["created_at"]},
                        to=c["created_at"])) == [b["id"], a["id"]]
    created = parse_time(a["created_at"]).astimezone(CST).date()
    tomorrow = (created + DAY).isoformat()
    assert ids(list_all(stack, op, area="610104003", **{"from": created.isoformat()},
                        to=tomorrow)) == [c["id"], b["id"], a["id"]]
    assert ids(list_all(stack, op, area="610104003", **{"from": tomorrow})) == []
    # limit cuts the newest first and hands back a cursor.
    page = list_all(stack, op, area="610104003", limit=1)
    assert ids(page) == [c["id"]] and page["next"] is not None
    page = list_all(stack, op, area="610104003", limit=1, after=page["next"])
    assert ids(page) == [b["id"]]
    # List items are tickets (no events needed) with the same fields as a read.
    item = list_all(stack, op, area="610104003", status="pending_dispatch")["items"][0]
    assert item["number"] == b["number"] and item["status"] == "pending_dispatch"
    assert item["category"]["code"] == "0402"


@pytest.mark.parametrize("params, field", [
    ({"status": "open_ish"}, "status"),
    ({"limit": "0"}, "limit"),
    ({"limit": "100000"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"from": "yesterday"}, "from"),
    ({"after": "not-a-cursor"}, "after"),
    ({"colour": "red"}, "colour"),
])
def test_list_refuses_bad_parameters(stack, params, field):
    r = stack.call("GET", "/api/v1/tickets?" + q(**params), role="operator")
    assert_error(r, 400, "invalid_field", field)


def test_list_cursor_paging_newest_first_without_duplicates(stack):
    made = [intake(stack, category="0403", area="610104004", description="路面破损 %d" % i)
            for i in range(7)]
    seen, pages, after = [], 0, None
    while True:
        params = {"category": "0403", "limit": 3}
        if after:
            params["after"] = after
        page = list_all(stack, "operator", **params)
        pages += 1
        assert len(page["items"]) <= 3
        seen += page["items"]
        after = page["next"]
        if after is None:
            break
        assert pages < 10, "paging does not end"
    got = [t["id"] for t in seen]
    assert len(got) == len(set(got)) == 7, got
    assert set(got) == {t["id"] for t in made}
    assert got == [t["id"] for t in reversed(made)], "not newest first"
    created = [parse_time(t["created_at"]) for t in seen]
    assert created == sorted(created, reverse=True)
    assert pages == 3


# ------------------------------------------------------------------ public view


def test_public_lookup_shows_progress_never_private_data(stack):
    caller = {"name": "欧阳晓梅", "phone": "13912345678", "anonymous": False,
              "confidential": False}
    address = "桃园路街道汉城南路社区 17 号楼 3 单元 502"
    description = "楼下烧烤店油烟直排，窗户无法打开。"
    note = "内部备注：该店已被多次投诉，老板电话 13700001111"
    t = intake(stack, category="0304", area="610104003002", address=address,
               description=description, title="餐饮油烟", caller=caller)
    number, code = t["number"], t["query_code"]
    path = "/api/v1/public/tickets/%s?code=%s" % (number, code)

    r = call(stack.url, "GET", path)
    assert r.status == 200, r
    assert r.headers.get("Content-Type", "").startswith("application/json")
    p = r.json
    assert p["number"] == number and p["status"] == "pending_dispatch"
    assert p["status_label"] == "待派单"
    assert [e["action"] for e in p["timeline"]] == ["intake"]

    t = step(stack, t, "operator", "note", "pending_dispatch", {"note": note})
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT})
    t = step(stack, t, "unit", "accept", "accepted")
    t = step(stack, t, "unit", "contact", "accepted", {"note": "已联系欧阳女士，约定上门"})
    p = call(stack.url, "GET", path).json
    assert p["status"] == "accepted" and p["status_label"] == "办理中"
    assert p["result"] is None
    t = step(stack, t, "unit", "reply", "replied", {"result": "已督促商户安装油烟净化器。"})
    r = call(stack.url, "GET", path)
    assert r.status == 200, r
    p = r.json
    assert p["status"] == "replied" and p["status_label"] == "已办结待回访"
    assert p["result"] == "已督促商户安装油烟净化器。"
    assert [e["action"] for e in p["timeline"]] == \
        ["intake", "dispatch", "accept", "contact", "reply"]
    for e in p["timeline"]:
        parse_time(e["at"])
    text = r.text
    for secret in ("13912345678", "欧阳晓梅", "欧某", address, "汉城南路社区 17 号楼",
                   description, note, "13700001111", "已联系欧阳女士", "test-operator",
                   "test-unit-hongmiaopo", t["id"]):
        assert secret not in text, "public view shows %r: %s" % (secret, text)
    for key in ("caller", "address", "description", "events", "phone", "name", "location"):
        assert key not in p, key


def test_query_codes_are_per_ticket(stack):
    made = [intake(stack, category="0405", area="610104004") for _ in range(6)]
    codes = [t["query_code"] for t in made]
    assert len(set(codes)) > 1, "every ticket has the query code %s" % codes[0]
    # One ticket's code opens that ticket only.
    a, b = made[0], made[1]
    if a["query_code"] != b["query_code"]:  # equal by chance once in a million
        r = call(stack.url, "GET", "/api/v1/public/tickets/%s?code=%s"
                 % (b["number"], a["query_code"]))
        assert_error(r, 404, "not_found")
    for t in made:
        r = call(stack.url, "GET", "/api/v1/public/tickets/%s?code=%s"
                 % (t["number"], t["query_code"]))
        assert r.status == 200 and r.json["number"] == t["number"], r


def test_public_lookup_wrong_code_or_number_is_the_same_404(stack):
    t = intake(stack, category="0405", area="610104004")
    wrong_code = "%06d" % ((int(t["query_code"]) + 1) % 1000000)
    wrong_number = t["number"][:-1] + ("0" if t["number"][-1] != "0" else "1")
    answers = [
        call(stack.url, "GET", "/api/v1/public/tickets/%s?code=%s" % (t["number"], wrong_code)),
        call(stack.url, "GET", "/api/v1/public/tickets/%s?code=%s" % (wrong_number,
                                                                       t["query_code"])),
        call(stack.url, "GET", "/api/v1/public/tickets/%s" % t["number"]),
        call(stack.url, "GET", "/api/v1/public/tickets/%s?code=abc" % t["number"]),
    ]
    for r in answers:
        assert_error(r, 404, "not_found")
    assert len({r.text for r in answers}) == 1, [r.text for r in answers]


# ------------------------------------------------------------------ deadlines


def test_deadlines_normal_urgency(stack):
    cal = workdays(stack)
    t = intake(stack, category="0404", area="610104004")
    created = parse_time(t["created_at"])
    d = t["deadlines"]
    assert parse_time(d["dispatch"]) == created + 2 * HOUR
    assert d["accept"] is None and d["reply"] is None and d["contact"] is None
    assert d["callback"] is None

    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT})
    dispatched = parse_time(t["dispatched_at"])
    d = t["deadlines"]
    assert d["dispatch"] is None  # the centre's clock stops at dispatch
    assert parse_time(d["accept"]) == add_workdays(cal, dispatched, 1)
    assert parse_time(d["reply"]) == dispatched + 7 * DAY
    assert parse_time(d["return_window"]) == add_workdays(cal, dispatched, 1)
    assert d["contact"] is None

    t = step(stack, t, "unit", "accept", "accepted")
    assert parse_time(t["deadlines"]["contact"]) == parse_time(t["accepted_at"]) + 24 * HOUR
    assert parse_time(t["deadlines"]["reply"]) == dispatched + 7 * DAY
    t = step(stack, t, "unit", "contact", "accepted")
    t = step(stack, t, "unit", "reply", "replied", {"result": "路灯已修复"})
    assert parse_time(t["deadlines"]["callback"]) == \
        add_workdays(cal, parse_time(t["replied_at"]), 1)
    # The database holds the same instants.
    row = stack.sql("SELECT minhu_ms(accept_due), minhu_ms(reply_due) FROM tickets "
                    "WHERE id = '%s'" % t["id"])[0]
    assert int(row[0]) == int(parse_time(t["deadlines"]["accept"]).timestamp() * 1000)
    assert int(row[1]) == int((dispatched + 7 * DAY).timestamp() * 1000)


def test_deadlines_emergency_and_timely_are_shorter(stack):
    t = intake(stack, category="0406", area="610104004", urgency="emergency",
               description="井盖缺失，有行人跌落危险")
    assert parse_time(t["deadlines"]["dispatch"]) == parse_time(t["created_at"]) + 5 * MINUTE
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT})
    dispatched = parse_time(t["dispatched_at"])
    assert parse_time(t["deadlines"]["accept"]) == dispatched + 30 * MINUTE
    assert parse_time(t["deadlines"]["reply"]) == dispatched + 2 * HOUR
    assert parse_time(t["deadlines"]["return_window"]) == dispatched + 30 * MINUTE
    t = step(stack, t, "unit", "accept", "accepted")
    assert parse_time(t["deadlines"]["contact"]) == parse_time(t["accepted_at"]) + 30 * MINUTE

    t = intake(stack, category="0201", area="610104004", urgency="timely",
               description="整栋楼停水")
    assert parse_time(t["deadlines"]["dispatch"]) == parse_time(t["created_at"]) + 30 * MINUTE
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT})
    dispatched = parse_time(t["dispatched_at"])
    assert parse_time(t["deadlines"]["accept"]) == dispatched + 2 * HOUR
    assert parse_time(t["deadlines"]["reply"]) == dispatched + 24 * HOUR


# ------------------------------------------------------------------ idempotency


def test_idempotency_same_key_same_body_returns_the_same_ticket(stack):
    body = intake_body(category="0405", area="610104004", description="绿化带树木倒伏")
    key = {"Idempotency-Key": "call-20261122-0001"}
    first = stack.call("POST", "/api/v1/tickets", role="operator", body=body, headers=key)
    assert first.status == 201, first
    before = counts(stack)
    again = stack.call("POST", "/api/v1/tickets", role="operator", body=body, headers=key)
    assert again.status == 200, again
    for k in ("id", "number", "query_code", "version", "created_at"):
        assert again.json[k] == first.json[k], k
    assert again.json["events"] == first.json["events"]
    assert counts(stack) == before


def test_idempotency_same_key_other_body_is_409_and_stores_nothing(stack):
    key = {"Idempotency-Key": "call-20261122-0002"}
    first = stack.call("POST", "/api/v1/tickets", role="operator", headers=key,
                       body=intake_body(category="0405", area="610104004"))
    assert first.status == 201, first
    before = counts(stack)
    r = stack.call("POST", "/api/v1/tickets", role="operator", headers=key,
                   body=intake_body(category="0405", area="610104004", description="另一件事"))
    assert_error(r, 409, "idempotency_conflict")
    assert counts(stack) == before
    assert first.json["id"] not in r.text and first.json["query_code"] not in r.text


def test_idempotency_concurrent_retries_make_one_ticket(stack):
    body = intake_body(category="0405", area="610104004", description="并发重试")
    key = {"Idempotency-Key": "call-20261122-0003"}
    before = counts(stack)
    answers = []

    def send():
        answers.append(stack.call("POST", "/api/v1/tickets", role="operator", body=body,
                                  headers=key))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(r.status for r in answers) == [200] * 7 + [201], answers
    assert len({(r.json["id"], r.json["number"], r.json["query_code"]) for r in answers}) == 1
    after = counts(stack)
    assert (int(after[0]) - int(before[0]), int(after[1]) - int(before[1])) == (1, 1)


# ------------------------------------------------------------------ concurrency


def test_expected_version_mismatch_is_409_and_changes_nothing(stack):
    t = intake(stack, category="0405", area="610104004")
    state = ticket_state(stack, t["id"])
    for v in (2, 5):
        r = act(stack, "operator", t, "dispatch", {"unit": UNIT, "expected_version": v})
        assert_error(r, 409, "version_conflict")
        assert ticket_state(stack, t["id"]) == state
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT, "expected_version": 1})
    # A stale writer (still at version 1) is refused; the unit at version 2 is not.
    state = ticket_state(stack, t["id"])
    assert_error(act(stack, "unit", t, "accept", {"expected_version": 1}), 409,
                 "version_conflict")
    assert ticket_state(stack, t["id"]) == state
    step(stack, t, "unit", "accept", "accepted", {"expected_version": 2})


def test_if_match_header(stack):
    t = intake(stack, category="0405", area="610104004")
    state = ticket_state(stack, t["id"])
    r = act(stack, "operator", t, "dispatch", {"unit": UNIT}, headers={"If-Match": '"7"'})
    assert_error(r, 409, "version_conflict")
    assert ticket_state(stack, t["id"]) == state
    t = step(stack, t, "operator", "dispatch", "dispatched", {"unit": UNIT},
             headers={"If-Match": '"1"'})
    t = step(stack, t, "unit", "accept", "accepted", headers={"If-Match": "2"})
    # If-Match and expected_version must not disagree.
    state = ticket_state(stack, t["id"])
    r = act(stack, "unit", t, "contact", {"expected_version": 3}, headers={"If-Match": '"4"'})
    assert_error(r, 400)
    assert ticket_state(stack, t["id"]) == state
    r = act(stack, "unit", t, "contact", {}, headers={"If-Match": '"abc"'})
    assert_error(r, 400, "invalid_field")
    assert ticket_state(stack, t["id"]) == state


def test_concurrent_writers_on_one_version_one_wins(stack):
    """Two operators dispatch the same version at once: one 200, one 409."""
    t = intake(stack, category="0405", area="610104004")
    answers = []

    def send(unit):
        answers.append(act(stack, "operator", t, "dispatch",
                           {"unit": unit, "expected_version": 1}))

    threads = [threading.Thread(target=send, args=(u,))
               for u in ("610104002", "610104001", "610104003", "610104005")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    statuses = sorted(r.status for r in answers)
    assert statuses == [200, 409, 409, 409], answers
    for r in answers:
        if r.status == 409:
            assert_error(r, 409, "version_conflict")
    winner = [r for r in answers if r.status == 200][0].json
    row = stack.sql("SELECT status, version, lead_unit FROM tickets WHERE id = '%s'" % t["id"])
    assert row == [("dispatched", "2", winner["lead_unit"]["code"])]
    assert stack.sql_value("SELECT count(*) FROM ticket_events WHERE ticket_id = '%s'"
                           % t["id"]) == "2"
