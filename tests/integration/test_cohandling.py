"""Co-handling and the side paths of domain.md §3, end to end over HTTP.

吹哨报到 (whistle, assist_accept, assist_reply), returns, extensions,
suspension, reopen, merge, cancel, flag_unreasonable, problem tickets, the
duplicate hints of intake and the unit inbox filters (as=assist, warned,
sort=deadline).  Every refusal is checked to change nothing: the ticket row,
its events, assists, timers and notifications are compared before and after.

No routing rules are loaded here: tickets wait in the queue and are
dispatched by hand.  Short clocks come from an SLA import for the private
categories 96xx (return window, reply and accept of a few seconds).
"""

import datetime
import os
import tempfile
import time
import urllib.parse

import pytest

from minhu_client import assert_error, call, intake_body, parse_time, ticket_state

CST = datetime.timezone(datetime.timedelta(hours=8))
DAY = datetime.timedelta(days=1)
SEC = datetime.timedelta(seconds=1)
WAIT = 20.0

HONG = "610104002"   # 红庙坡街道, the `unit` token
BEI = "610104001"    # 北院门街道, the `unit2` token
CGJ = "dept-q-cgj"   # 区城管局
ZJJ = "dept-q-zjj"   # 区住建局
STHJ = "dept-sthj"   # 市生态环境局

PRIVATE_CATEGORIES = [("96", "协办测试", ""), ("9601", "退单窗口短", "96"),
                      ("9602", "办结时限短", "96"), ("9603", "签收时限短", "96")]
SHORT_SLA = [("96", "*", "dispatch", "90 minutes"),   # the reload probe
             ("9601", "*", "return_window", "3 seconds"),
             ("9602", "*", "reply", "3 seconds"),
             ("9603", "*", "accept", "2 seconds")]


# ------------------------------------------------------------------ helpers


class Co:
    """The stack plus a token per acting party: tok["operator"], tok[HONG], tok[CGJ] ..."""

    def __init__(self, stack):
        self.stack = stack
        self.tok = dict(stack.tokens)
        self.tok[HONG] = stack.tokens["unit"]
        self.tok[BEI] = stack.tokens["unit2"]
        for code in (CGJ, ZJJ, STHJ, "610104005", "610104006", "610104007"):
            self.tok[code] = stack.token("unit", "test-" + code, code)

    def intake(self, role="operator", headers=None, **fields):
        r = call(self.stack.url, "POST", "/api/v1/tickets", token=self.tok[role],
                 body=intake_body(**fields), headers=headers)
        assert r.status in (200, 201), r
        return r.json

    def call(self, who, t, action, body=None):
        return call(self.stack.url, "POST", "/api/v1/tickets/%s/%s" % (t["id"], action),
                    token=self.tok[who], body={} if body is None else body)

    def ok(self, who, t, action, body=None, to=None):
        """Applies an action that must succeed: one new event, version + 1."""
        before = self.get(t)
        r = self.call(who, t, action, body)
        assert r.status == 200, (action, r)
        n = r.json
        assert n["version"] == before["version"] + 1, (action, n["version"])
        assert len(n["events"]) == n["version"] and n["events"][:-1] == before["events"]
        ev = n["events"][-1]
        assert ev["action"] == action and ev["from"] == before["status"], ev
        assert ev["to"] == n["status"]
        if to is not None:
            assert n["status"] == to, (action, n["status"])
        return n

    def refused(self, who, t, action, body, status, code, field=None):
        """An action that must be refused with status/code and change nothing."""
        before = self.state(t)
        r = self.call(who, t, action, body)
        err = assert_error(r, status, code, field)
        assert self.state(t) == before, "a refused %s changed something" % action
        return err

    def state(self, t):
        s = ticket_state(self.stack, t["id"])
        s["timers"] = self.stack.sql("SELECT clock, kind, unit, due_at, fired_at FROM sla_timers "
                                     "WHERE ticket_id = '%s' ORDER BY 1, 2, 3, 4" % t["id"])
        s["notifications"] = self.stack.sql("SELECT count(*) FROM notifications "
                                            "WHERE ticket_id = '%s'" % t["id"])
        return s

    def get(self, t, who="operator"):
        r = call(self.stack.url, "GET", "/api/v1/tickets/" + t["id"], token=self.tok[who])
        assert r.status == 200, r
        return r.json

    def dispatched(self, unit=HONG, **fields):
        t = self.intake(**fields)
        return self.ok("operator", t, "dispatch", {"unit": unit}, to="dispatched")

    def accepted(self, unit=HONG, contacted=True, **fields):
        t = self.ok(unit, self.dispatched(unit, **fields), "accept", to="accepted")
        if contacted:
            t = self.ok(unit, t, "contact")
        return t

    def replied(self, unit=HONG, **fields):
        return self.ok(unit, self.accepted(unit, **fields), "reply", {"result": "已处理"},
                       to="replied")

    def closed(self, unit=HONG, **fields):
        return self.ok("operator", self.replied(unit, **fields), "callback", CLOSE, to="closed")

    def list(self, who, **params):
        r = call(self.stack.url, "GET",
                 "/api/v1/tickets?" + urllib.parse.urlencode(params), token=self.tok[who])
        assert r.status == 200, r
        return r.json

    def sql(self, q):
        return self.stack.sql(q)


CLOSE = {"contacted": True, "resolved": True, "satisfaction": 5}


def import_csv(stack, kind, header, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")
        path = f.name
    try:
        stack.admin("import", kind, path)
    finally:
        os.unlink(path)


def wait_for(what, fn, timeout=WAIT, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail("timed out after %.0f s waiting for %s (last: %r)" % (timeout, what, got))
        time.sleep(interval)


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


def units_of(t):
    return [(a["unit"]["code"], a["status"]) for a in t["assists"]]


def ids(page):
    return [i["id"] for i in page["items"]]


def problem_notices(co, t):
    return int(co.sql("SELECT count(*) FROM notifications WHERE ticket_id = '%s' AND "
                      "audience = 'supervisor' AND kind = 'problem'" % t["id"])[0][0])


@pytest.fixture(scope="module")
def co(stack):
    c = Co(stack)
    import_csv(stack, "categories", "code,name,parent", PRIVATE_CATEGORIES)
    import_csv(stack, "sla", "category,urgency,clock,limit", SHORT_SLA)

    def reloaded():
        t = c.intake(category="9601", caller={"anonymous": True}, address=None)
        c.ok("operator", t, "cancel", {"reason": "probe"})
        return parse_time(t["deadlines"]["dispatch"]) - parse_time(t["created_at"]) == \
            datetime.timedelta(minutes=90)

    wait_for("the server to reload the SLA rules", reloaded)
    return c


# ------------------------------------------------------------------ whistle


def test_whistle_summons_assists_with_their_own_accept_clock(co):
    t = co.accepted()
    # Who may whistle, and from where.
    co.refused("operator", t, "whistle", {"units": [CGJ]}, 403, "forbidden")
    co.refused(CGJ, t, "whistle", {"units": [ZJJ]}, 404, "not_found")  # not a party yet
    d = co.dispatched()
    co.refused(HONG, d, "whistle", {"units": [CGJ]}, 422, "illegal_transition")
    # What it may name.
    co.refused(HONG, t, "whistle", {}, 400, "missing_field", "units")
    co.refused(HONG, t, "whistle", {"units": []}, 400, "invalid_field", "units")
    co.refused(HONG, t, "whistle", {"units": ["no-such-unit"]}, 400, "invalid_field", "units")
    co.refused(HONG, t, "whistle", {"units": ["12345"]}, 400, "invalid_field", "units")  # centre
    co.refused(HONG, t, "whistle", {"units": [HONG]}, 422, "illegal_transition", "units")
    co.refused(HONG, t, "whistle", {"units": [CGJ, CGJ]}, 400, "invalid_field", "units")

    t = co.ok(HONG, t, "whistle", {"units": [CGJ, ZJJ], "note": "请城管、住建到场"},
              to="accepted")
    assert sorted(units_of(t)) == [(CGJ, "summoned"), (ZJJ, "summoned")]
    ev = t["events"][-1]
    assert ev["data"] == {"units": [CGJ, ZJJ]} and ev["note"] == "请城管、住建到场"
    # Each assist has its own accept clock: one working day from the summons
    # (normal urgency), with warning and overdue points for that unit.
    cal = {datetime.date.fromisoformat(d): k for d, k in co.sql("SELECT day, kind FROM calendar")}
    for a in t["assists"]:
        summoned = parse_time(a["summoned_at"])
        assert summoned == parse_time(ev["at"])
        assert parse_time(a["due_at"]) == add_workdays(cal, summoned, 1), a
    assert co.sql("SELECT unit, kind FROM sla_timers WHERE ticket_id = '%s' AND unit <> '' "
                  "ORDER BY 1, 2" % t["id"]) == \
        [(CGJ, "overdue"), (CGJ, "warning"), (ZJJ, "overdue"), (ZJJ, "warning")]
    assert co.sql("SELECT assist_units FROM tickets WHERE id = '%s'" % t["id"]) == \
        [("{%s,%s}" % (CGJ, ZJJ),)]
    # Not twice.
    co.refused(HONG, t, "whistle", {"units": [STHJ, CGJ]}, 422, "illegal_transition", "units")
    # A later whistle adds to the list.
    t = co.ok(HONG, t, "whistle", {"units": [STHJ]})
    assert [u for u, _ in units_of(t)] == [CGJ, ZJJ, STHJ]


def test_assists_report_in_and_reply_then_the_lead_replies(co):
    t = co.accepted()
    t = co.ok(HONG, t, "whistle", {"units": [CGJ, ZJJ]})
    # The assist sees the ticket; a unit that is no party does not.
    assert co.get(t, CGJ)["id"] == t["id"]
    r = call(co.stack.url, "GET", "/api/v1/tickets/" + t["id"], token=co.tok[STHJ])
    assert_error(r, 404, "not_found")
    # Only the assist unit itself reports in and replies.
    co.refused(HONG, t, "assist_accept", {}, 403, "forbidden")
    co.refused("operator", t, "assist_accept", {}, 403, "forbidden")
    co.refused(STHJ, t, "assist_accept", {}, 404, "not_found")
    co.refused(CGJ, t, "assist_reply", {"note": "已处理"}, 422, "illegal_transition")  # not in yet
    t = co.ok(CGJ, t, "assist_accept")
    assert dict(units_of(t)) == {CGJ: "accepted", ZJJ: "summoned"}
    assert t["events"][-1]["unit"] == CGJ
    # Its own accept clock stopped: no pending point left for it.
    assert co.sql("SELECT count(*) FROM sla_timers WHERE ticket_id = '%s' AND unit = '%s' AND "
                  "fired_at IS NULL" % (t["id"], CGJ)) == [("0",)]
    co.refused(CGJ, t, "assist_accept", {}, 422, "illegal_transition")
    co.refused(CGJ, t, "assist_reply", {}, 400, "missing_field", "note")
    co.refused(HONG, t, "assist_reply", {"note": "x"}, 403, "forbidden")
    # The lead cannot reply while any assist has not replied.
    co.refused(HONG, t, "reply", {"result": "已处理"}, 422, "illegal_transition")
    t = co.ok(CGJ, t, "assist_reply", {"note": "已拆除违建"})
    assert dict(units_of(t)) == {CGJ: "replied", ZJJ: "summoned"}
    co.refused(CGJ, t, "assist_reply", {"note": "again"}, 422, "illegal_transition")
    co.refused(HONG, t, "reply", {"result": "已处理"}, 422, "illegal_transition")
    t = co.ok(ZJJ, t, "assist_accept")
    co.refused(HONG, t, "reply", {"result": "已处理"}, 422, "illegal_transition")
    t = co.ok(ZJJ, t, "assist_reply", {"note": "已复核房屋安全"})
    t = co.ok(HONG, t, "reply", {"result": "已联合处置"}, to="replied")
    # After the reply, assists no longer act.
    co.refused(ZJJ, t, "assist_reply", {"note": "x"}, 422, "illegal_transition")
    co.refused(HONG, t, "whistle", {"units": [STHJ]}, 422, "illegal_transition")
    # Assists may add notes while the ticket is open.
    t = co.ok(CGJ, t, "note", {"note": "补充材料"}, to="replied")


def test_assist_inbox_lists_tickets_as_assist(co):
    a = co.accepted()
    a = co.ok(HONG, a, "whistle", {"units": ["610104007"]})
    b = co.accepted(unit=BEI)
    b = co.ok(BEI, b, "whistle", {"units": ["610104007"]})
    own = co.dispatched(unit="610104007")
    assert ids(co.list("610104007", **{"as": "assist"})) == [b["id"], a["id"]]
    assert ids(co.list("610104007", **{"as": "lead"})) == [own["id"]]
    assert ids(co.list("610104007")) == [own["id"], b["id"], a["id"]]
    assert ids(co.list("operator", unit="610104007", **{"as": "assist"})) == [b["id"], a["id"]]
    assert ids(co.list("operator", unit="610104007")) == [own["id"]]  # unit= is the lead
    assert ids(co.list("610104007", status="dispatched")) == [own["id"]]
    # By deadline, led and assisted tickets merge into one order, page by page.
    due = dict(co.sql("SELECT id::text, minhu_ms(next_due) FROM tickets WHERE id IN "
                      "('%s', '%s', '%s')" % (a["id"], b["id"], own["id"])))
    want = sorted(due, key=lambda i: (int(due[i]), i))
    seen, after = [], None
    for _ in range(5):
        page = co.list("610104007", sort="deadline", limit=1, **({"after": after} if after else {}))
        seen += ids(page)
        after = page["next"]
        if after is None:
            break
    assert seen == want
    assert ids(co.list("610104007", sort="deadline", **{"as": "assist"})) == \
        [i for i in want if i != own["id"]]
    assert ids(co.list("610104007", sort="deadline", **{"as": "lead"})) == [own["id"]]
    r = call(co.stack.url, "GET", "/api/v1/tickets?as=assist", token=co.tok["operator"])
    assert_error(r, 400, "missing_field", "unit")
    r = call(co.stack.url, "GET", "/api/v1/tickets?as=helper", token=co.tok["610104007"])
    assert_error(r, 400, "invalid_field", "as")


# ------------------------------------------------------------------ returns


def test_return_request_reason_role_and_window(co):
    t = co.dispatched()
    co.refused(HONG, t, "request_return", {}, 400, "missing_field", "reason")
    co.refused(HONG, t, "request_return", {"reason": ""}, 400, "missing_field", "reason")
    co.refused("operator", t, "request_return", {"reason": "x"}, 403, "forbidden")
    co.refused(BEI, t, "request_return", {"reason": "x"}, 404, "not_found")
    p = co.intake()
    co.refused("operator", p, "approve_return", {}, 422, "illegal_transition")
    co.refused("operator", t, "reject_return", {}, 422, "illegal_transition")
    t = co.ok(HONG, t, "request_return", {"reason": "不属于本街道辖区"}, to="return_requested")
    assert t["events"][-1]["note"] == "不属于本街道辖区"
    # The request is recorded against the unit that asked (reports count it so).
    assert co.sql("SELECT lead_unit, unit FROM ticket_events WHERE ticket_id = '%s' AND "
                  "seq = %d" % (t["id"], t["version"])) == [(HONG, HONG)]
    co.refused(HONG, t, "request_return", {"reason": "again"}, 422, "illegal_transition")
    co.refused(HONG, t, "accept", {}, 422, "illegal_transition")
    co.refused(HONG, t, "approve_return", {}, 403, "forbidden")
    co.refused(HONG, t, "reject_return", {}, 403, "forbidden")


def test_reject_return_goes_back_to_the_previous_status(co):
    t = co.dispatched()
    t = co.ok(HONG, t, "request_return", {"reason": "非本单位职责"})
    t = co.ok("operator", t, "reject_return", {"note": "属地管理，请继续办理"}, to="dispatched")
    assert t["lead_unit"]["code"] == HONG and t["return_count"] == 0
    t = co.ok(HONG, t, "accept", to="accepted")
    t = co.ok(HONG, t, "request_return", {"reason": "非本单位职责"})
    t = co.ok("operator", t, "reject_return", to="accepted")
    assert t["return_count"] == 0 and t["accepted_at"] is not None
    t = co.ok(HONG, t, "contact")


def test_approve_return_to_the_queue(co):
    t = co.dispatched()
    reply_due = t["deadlines"]["reply"]
    assert reply_due is not None
    t = co.ok(HONG, t, "request_return", {"reason": "应由北院门街道办理"})
    co.refused("operator", t, "approve_return", {"unit": "no-such-unit"}, 400, "invalid_field",
               "unit")
    t = co.ok("operator", t, "approve_return", to="pending_dispatch")
    assert t["lead_unit"] is None and t["return_count"] == 1 and not t["problem"]
    assert t["dispatched_at"] is None and t["accepted_at"] is None
    assert t["deadlines"]["accept"] is None and t["deadlines"]["reply"] is None
    assert parse_time(t["deadlines"]["dispatch"]) > parse_time(t["events"][-1]["at"])
    # The old lead lost it; the centre dispatches again.
    r = call(co.stack.url, "GET", "/api/v1/tickets/" + t["id"], token=co.tok[HONG])
    assert_error(r, 404, "not_found")
    t = co.ok("operator", t, "dispatch", {"unit": BEI}, to="dispatched")
    t = co.ok(BEI, t, "accept")


def test_approve_return_to_a_named_unit_resets_the_assists(co):
    t = co.accepted()
    t = co.ok(HONG, t, "whistle", {"units": [CGJ]})
    t = co.ok(CGJ, t, "assist_accept")
    t = co.ok(HONG, t, "request_return", {"reason": "应由区住建局主办"})
    co.refused("operator", t, "approve_return", {"unit": "12345"}, 400, "invalid_field", "unit")
    t = co.ok("operator", t, "approve_return", {"unit": ZJJ}, to="dispatched")
    assert t["lead_unit"]["code"] == ZJJ and t["return_count"] == 1
    assert t["events"][-1]["data"] == {"unit": ZJJ}
    assert t["assists"] == [] and t["accepted_at"] is None and t["contacted_at"] is None
    assert co.sql("SELECT count(*) FROM ticket_assists WHERE ticket_id = '%s'" % t["id"]) == \
        [("0",)]
    assert co.sql("SELECT assist_units, lead_unit FROM tickets WHERE id = '%s'" % t["id"]) == \
        [("{}", ZJJ)]
    # A new handling: new accept and reply clocks from the approval.
    at = parse_time(t["events"][-1]["at"])
    assert parse_time(t["dispatched_at"]) == at
    assert parse_time(t["deadlines"]["accept"]) > at and parse_time(t["deadlines"]["reply"]) > at
    # The former assist and the former lead no longer see it; the new lead acts.
    for who in (CGJ, HONG):
        r = call(co.stack.url, "GET", "/api/v1/tickets/" + t["id"], token=co.tok[who])
        assert_error(r, 404, "not_found")
    t = co.ok(ZJJ, t, "accept", to="accepted")


def test_three_approved_returns_make_a_problem_ticket(co):
    t = co.intake()
    for n in range(1, 4):
        t = co.ok("operator", t, "dispatch", {"unit": HONG})
        t = co.ok(HONG, t, "request_return", {"reason": "第 %d 次退单" % n})
        assert not t["problem"] and problem_notices(co, t) == 0
        t = co.ok("operator", t, "approve_return", to="pending_dispatch")
        assert t["return_count"] == n
    assert t["problem"] is True
    assert problem_notices(co, t) == 1
    # It stays a problem ticket, and is not announced twice.
    t = co.ok("operator", t, "dispatch", {"unit": HONG})
    t = co.ok(HONG, t, "request_return", {"reason": "第 4 次退单"})
    t = co.ok("operator", t, "approve_return", {"unit": BEI})
    assert t["problem"] and t["return_count"] == 4 and problem_notices(co, t) == 1


# ------------------------------------------------------------------ extensions


def test_extension_request_approve_and_at_most_one(co):
    t = co.accepted()
    reply_due = parse_time(t["deadlines"]["reply"])
    later = (reply_due + 3 * DAY).isoformat()
    co.refused("operator", t, "request_extension", {"until": later, "reason": "x"}, 403,
               "forbidden")
    co.refused(HONG, t, "request_extension", {"reason": "需协调"}, 400, "missing_field", "until")
    co.refused(HONG, t, "request_extension", {"until": later}, 400, "missing_field", "reason")
    co.refused(HONG, t, "request_extension", {"until": "next week", "reason": "x"}, 400,
               "invalid_field", "until")
    co.refused(HONG, t, "request_extension",
               {"until": (reply_due - DAY).isoformat(), "reason": "x"}, 400, "invalid_field",
               "until")
    co.refused("operator", t, "approve_extension", {}, 422, "illegal_transition")  # none pending
    co.refused("operator", t, "reject_extension", {}, 422, "illegal_transition")
    d = co.dispatched()
    co.refused(HONG, d, "request_extension", {"until": later, "reason": "x"}, 422,
               "illegal_transition")

    t = co.ok(HONG, t, "request_extension", {"until": later, "reason": "需市住建局鉴定"})
    assert t["extension"]["state"] == "requested" and t["extension"]["reason"] == "需市住建局鉴定"
    assert parse_time(t["extension"]["until"]) == parse_time(later)
    assert parse_time(t["deadlines"]["reply"]) == reply_due  # not before the approval
    co.refused(HONG, t, "request_extension", {"until": later, "reason": "again"}, 422,
               "illegal_transition")
    co.refused(HONG, t, "approve_extension", {}, 403, "forbidden")
    t = co.ok("operator", t, "approve_extension")
    assert t["extension"]["state"] == "approved"
    assert parse_time(t["deadlines"]["reply"]) == parse_time(later)
    assert co.sql("SELECT next_due = reply_due, ext_approved_count FROM tickets "
                  "WHERE id = '%s'" % t["id"]) == [("t", "1")]
    # The reply timers moved with the deadline.
    assert co.sql("SELECT count(*) FROM sla_timers WHERE ticket_id = '%s' AND clock = 'reply' "
                  "AND kind = 'overdue' AND fired_at IS NULL AND due_at = '%s'"
                  % (t["id"], later)) == [("1",)]
    even_later = (parse_time(later) + DAY).isoformat()
    co.refused(HONG, t, "request_extension", {"until": even_later, "reason": "再延"}, 422,
               "illegal_transition")
    co.refused("operator", t, "approve_extension", {}, 422, "illegal_transition")


def test_rejected_extension_leaves_the_deadline_and_may_be_asked_again(co):
    t = co.accepted()
    reply_due = t["deadlines"]["reply"]
    later = (parse_time(reply_due) + 2 * DAY).isoformat()
    t = co.ok(HONG, t, "request_extension", {"until": later, "reason": "材料未齐"})
    co.refused(HONG, t, "reject_extension", {}, 403, "forbidden")
    t = co.ok("operator", t, "reject_extension", {"note": "理由不充分"})
    assert t["extension"]["state"] == "rejected" and t["deadlines"]["reply"] == reply_due
    co.refused("operator", t, "reject_extension", {}, 422, "illegal_transition")
    t = co.ok(HONG, t, "request_extension", {"until": later, "reason": "已补齐材料"})
    t = co.ok("operator", t, "approve_extension")
    assert parse_time(t["deadlines"]["reply"]) == parse_time(later)


# ------------------------------------------------------------------ suspension


def test_suspend_pauses_and_resume_shifts_the_clocks(co):
    t = co.accepted(contacted=False)
    t = co.ok(HONG, t, "whistle", {"units": [CGJ, ZJJ]})
    t = co.ok(ZJJ, t, "assist_accept")
    before = t
    co.refused(HONG, t, "suspend", {"reason": "x"}, 403, "forbidden")
    co.refused("operator", t, "suspend", {}, 400, "missing_field", "reason")
    d = co.dispatched()
    co.refused("operator", d, "suspend", {"reason": "x"}, 422, "illegal_transition")
    co.refused("operator", t, "resume", {}, 422, "illegal_transition")

    t = co.ok("operator", t, "suspend", {"reason": "待市级政策出台"}, to="suspended")
    assert t["suspended_at"] == t["events"][-1]["at"]
    # Paused: no pending timer while suspended.
    assert co.sql("SELECT count(*) FROM sla_timers WHERE ticket_id = '%s' AND fired_at IS NULL"
                  % t["id"]) == [("0",)]
    assert co.sql("SELECT next_due IS NULL FROM tickets WHERE id = '%s'" % t["id"]) == [("t",)]
    for action, body in (("reply", {"result": "x"}), ("whistle", {"units": [STHJ]}),
                         ("contact", {}), ("request_return", {"reason": "x"}),
                         ("request_extension", {"until": "2099-01-01T00:00:00+08:00",
                                                "reason": "x"})):
        co.refused(HONG, t, action, body, 422, "illegal_transition")
    co.refused(CGJ, t, "assist_accept", {}, 422, "illegal_transition")
    co.refused(HONG, t, "resume", {}, 403, "forbidden")
    time.sleep(1.2)
    t = co.ok("operator", t, "resume", {"note": "政策已明确"}, to="accepted")
    assert t["suspended_at"] is None
    paused = parse_time(t["events"][-1]["at"]) - parse_time(t["events"][-2]["at"])
    assert paused >= SEC
    # Every running clock moved by exactly the paused time; the stopped accept clock did not.
    for clock in ("contact", "reply"):
        assert parse_time(t["deadlines"][clock]) == \
            parse_time(before["deadlines"][clock]) + paused, clock
    assert t["deadlines"]["accept"] == before["deadlines"]["accept"]
    due = {a["unit"]["code"]: a["due_at"] for a in before["assists"]}
    for a in t["assists"]:
        if a["status"] == "summoned":  # still owes its 报到
            assert parse_time(a["due_at"]) == parse_time(due[a["unit"]["code"]]) + paused
        else:
            assert a["due_at"] == due[a["unit"]["code"]]
    # The timers run again, at the shifted deadlines.
    got = co.sql("SELECT clock, unit, minhu_ms(deadline_at) FROM sla_timers WHERE ticket_id = "
                 "'%s' AND fired_at IS NULL AND kind = 'overdue' ORDER BY 1, 2" % t["id"])
    ms = lambda s: str(int(parse_time(s).timestamp() * 1000))  # noqa: E731
    want = [("accept", CGJ, ms([a for a in t["assists"] if a["unit"]["code"] == CGJ][0]
                               ["due_at"])),
            ("contact", "", ms(t["deadlines"]["contact"])),
            ("reply", "", ms(t["deadlines"]["reply"]))]
    assert got == want
    t = co.ok(HONG, t, "contact")


def test_sixteen_assists_at_most_and_a_resume_shifts_them_all(co):
    t = co.accepted()
    many = [c for (c,) in co.sql("SELECT code FROM units WHERE kind = 'community' "
                                 "ORDER BY code LIMIT 17")]
    t = co.ok(HONG, t, "whistle", {"units": many[:12]})  # more than a handful at once
    co.refused(HONG, t, "whistle", {"units": many[12:]}, 422, "illegal_transition", "units")
    t = co.ok(HONG, t, "whistle", {"units": many[12:16]})
    assert [u for u, _ in units_of(t)] == many[:16]
    due = {a["unit"]["code"]: parse_time(a["due_at"]) for a in t["assists"]}
    t = co.ok("operator", t, "suspend", {"reason": "待资金"})
    time.sleep(0.05)
    t = co.ok("operator", t, "resume", to="accepted")
    paused = parse_time(t["events"][-1]["at"]) - parse_time(t["events"][-2]["at"])
    assert paused > datetime.timedelta(0)
    assert {a["unit"]["code"]: parse_time(a["due_at"]) for a in t["assists"]} == \
        {u: d + paused for u, d in due.items()}
    assert co.sql("SELECT count(DISTINCT unit) FROM sla_timers WHERE ticket_id = '%s' AND "
                  "unit <> '' AND fired_at IS NULL" % t["id"]) == [("16",)]


# ------------------------------------------------------------------ reopen, problem


def test_reopen_within_30_days_of_closing(co):
    t = co.closed()
    reply_due = parse_time(t["deadlines"]["reply"])
    r = co.replied()
    co.refused("operator", r, "reopen", {"reason": "x"}, 422, "illegal_transition")
    co.refused(HONG, t, "reopen", {"reason": "x"}, 403, "forbidden")
    co.refused("operator", t, "reopen", {}, 400, "missing_field", "reason")
    time.sleep(0.01)
    t = co.ok("operator", t, "reopen", {"reason": "居民反映仍有噪声"}, to="accepted")
    assert t["reopen_count"] == 1 and t["closed_at"] is None and t["callback"] is None
    assert t["lead_unit"]["code"] == HONG and t["replied_at"] is None
    # A new reply clock from the reopening.
    at = parse_time(t["events"][-1]["at"])
    assert parse_time(t["deadlines"]["reply"]) > reply_due
    assert parse_time(t["deadlines"]["reply"]) == at + 7 * DAY
    t = co.ok(HONG, t, "reply", {"result": "已再次处理"})


def test_reopen_after_30_days_is_refused(co):
    t = co.closed()
    co.sql("UPDATE tickets SET closed_at = now() - interval '31 days' WHERE id = '%s'" % t["id"])
    co.refused("operator", t, "reopen", {"reason": "逾期重办"}, 422, "illegal_transition")
    co.sql("UPDATE tickets SET closed_at = now() - interval '29 days' WHERE id = '%s'" % t["id"])
    co.ok("operator", t, "reopen", {"reason": "期内重办"}, to="accepted")


def test_three_reopens_make_a_problem_ticket(co):
    t = co.closed()
    t = co.ok("operator", t, "reopen", {"reason": "一次"})
    t = co.ok(HONG, t, "reply", {"result": "再处理"})
    t = co.ok("operator", t, "callback", dict(CLOSE, resolved=False, satisfaction=1,
                                              reopen=True), to="accepted")
    assert t["reopen_count"] == 2 and not t["problem"] and problem_notices(co, t) == 0
    t = co.ok(HONG, t, "reply", {"result": "三处理"})
    t = co.ok("operator", t, "callback", CLOSE, to="closed")
    t = co.ok("operator", t, "reopen", {"reason": "三次"})
    assert t["reopen_count"] == 3 and t["problem"] is True
    assert problem_notices(co, t) == 1


# ------------------------------------------------------------------ merge, cancel, flag


def test_merge_into_another_open_ticket(co):
    a = co.intake()
    b = co.dispatched()
    closed = co.closed()
    co.refused(HONG, b, "merge", {"into": a["number"]}, 403, "forbidden")
    co.refused("operator", a, "merge", {}, 400, "missing_field", "into")
    co.refused("operator", a, "merge", {"into": a["id"]}, 400, "invalid_field", "into")
    co.refused("operator", a, "merge", {"into": "20990101000000"}, 400, "invalid_field", "into")
    co.refused("operator", a, "merge", {"into": a["number"]}, 422, "illegal_transition", "into")
    co.refused("operator", a, "merge", {"into": closed["number"]}, 422, "illegal_transition",
               "into")
    co.refused("operator", closed, "merge", {"into": a["number"]}, 422, "illegal_transition")
    b_state = co.state(b)
    a = co.ok("operator", a, "merge", {"into": b["number"], "note": "同一工地噪声"},
              to="merged")
    assert a["merged_into"] == b["number"]
    assert a["events"][-1]["data"] == {"into": b["number"]}
    assert co.sql("SELECT merged_into::text FROM tickets WHERE id = '%s'" % a["id"]) == \
        [(b["id"],)]
    own = lambda s: {k: v for k, v in s.items() if k not in ("tickets", "all_events")}  # noqa
    assert own(co.state(b)) == own(b_state), "the surviving ticket changed"
    # Final: nothing but the unreasonable flag.
    for action, body in (("note", {"note": "x"}), ("cancel", {"reason": "x"}),
                         ("dispatch", {"unit": HONG}), ("merge", {"into": b["number"]})):
        co.refused("operator", a, action, body, 422, "illegal_transition")
    # Nothing merges into a merged ticket either.
    c = co.intake()
    co.refused("operator", c, "merge", {"into": a["number"]}, 422, "illegal_transition", "into")
    # Merged from any open status, e.g. a replied one, by an admin.
    r = co.replied()
    r = co.ok("admin", r, "merge", {"into": c["number"]}, to="merged")
    assert r["merged_into"] == c["number"]


def test_cancel(co):
    t = co.dispatched()
    co.refused(HONG, t, "cancel", {"reason": "x"}, 403, "forbidden")
    co.refused("operator", t, "cancel", {}, 400, "missing_field", "reason")
    t = co.ok("operator", t, "cancel", {"reason": "来电人撤回诉求"}, to="cancelled")
    assert t["events"][-1]["note"] == "来电人撤回诉求"
    co.refused("operator", t, "cancel", {"reason": "again"}, 422, "illegal_transition")
    co.refused(HONG, t, "accept", {}, 422, "illegal_transition")
    assert co.sql("SELECT count(*) FROM sla_timers WHERE ticket_id = '%s' AND fired_at IS NULL"
                  % t["id"]) == [("0",)]
    co.refused("operator", co.closed(), "cancel", {"reason": "x"}, 422, "illegal_transition")


def test_flag_unreasonable_once_in_any_status(co):
    t = co.closed()
    co.refused(HONG, t, "flag_unreasonable", {"reason": "x"}, 403, "forbidden")
    co.refused("operator", t, "flag_unreasonable", {}, 400, "missing_field", "reason")
    t = co.ok("operator", t, "flag_unreasonable", {"reason": "反复无理诉求"}, to="closed")
    assert t["unreasonable"] is True and t["unreasonable_reason"] == "反复无理诉求"
    co.refused("operator", t, "flag_unreasonable", {"reason": "again"}, 422, "illegal_transition")
    p = co.intake()
    p = co.ok("admin", p, "flag_unreasonable", {"reason": "恶意骚扰"}, to="pending_dispatch")
    assert p["unreasonable"] is True


def test_leaders_and_channels_never_act(co):
    t = co.accepted()
    for who in ("leader", "channel"):
        co.refused(who, t, "note", {"note": "x"}, 403, "forbidden")
        co.refused(who, t, "suspend", {"reason": "x"}, 403, "forbidden")


# ------------------------------------------------------------------ duplicate hints


def test_duplicate_hints_same_phone(co):
    first = co.intake(category="0402", area="610104003001", caller={"phone": "13911110001"})
    assert first["possible_duplicates"] == []
    second = co.intake(category="0101", area="610104008", caller={"phone": "13911110001"})
    hints = second["possible_duplicates"]
    assert [(h["id"], h["number"], h["reason"]) for h in hints] == \
        [(first["id"], first["number"], "same_phone")], hints
    assert hints[0]["status"] == "pending_dispatch" and hints[0]["category"] == "0402"
    # Closed or cancelled tickets are not hints.
    co.ok("operator", first, "cancel", {"reason": "已合并"})
    third = co.intake(category="0101", area="610104008", caller={"phone": "13911110001"})
    assert [h["id"] for h in third["possible_duplicates"]] == [second["id"]]
    # The stored ticket carries no hints; a read does not list them.
    assert "possible_duplicates" not in co.get(third)


def test_duplicate_hints_same_category_same_community_within_7_days(co):
    phone = iter("139222200%02d" % i for i in range(50))
    a = co.intake(category="0304", area="610104004003", caller={"phone": next(phone)})
    b = co.intake(category="0304", area="610104004003001", caller={"phone": next(phone)})
    assert [(h["id"], h["reason"]) for h in b["possible_duplicates"]] == [(a["id"], "same_place")]
    # Another community, another category, or only a street: no hint.
    c = co.intake(category="0304", area="610104004002", caller={"phone": next(phone)})
    assert c["possible_duplicates"] == []
    d = co.intake(category="0303", area="610104004003", caller={"phone": next(phone)})
    assert d["possible_duplicates"] == []
    e = co.intake(category="0304", area="610104004", caller={"phone": next(phone)})
    assert e["possible_duplicates"] == []
    f = co.intake(category="0304", caller={"phone": next(phone)}, address=None)
    assert f["possible_duplicates"] == []
    # Newest first; older than 7 days is no longer a hint.
    g = co.intake(category="0304", area="610104004003", caller={"phone": next(phone)})
    assert [h["id"] for h in g["possible_duplicates"]] == [b["id"], a["id"]]
    co.sql("UPDATE tickets SET created_at = created_at - interval '8 days' WHERE id = '%s'"
           % a["id"])
    h = co.intake(category="0304", area="610104004003", caller={"phone": next(phone)})
    assert [x["id"] for x in h["possible_duplicates"]] == [g["id"], b["id"]]
    # Same phone and same place: one hint, as same_phone.
    i = co.intake(category="0304", area="610104004003", caller={"phone": "13922220006"})
    assert [(x["id"], x["reason"]) for x in i["possible_duplicates"]][:2] == \
        [(h["id"], "same_place"), (g["id"], "same_phone")]
    assert len({x["id"] for x in i["possible_duplicates"]}) == len(i["possible_duplicates"])


def test_duplicate_hints_only_for_the_centre(co):
    co.intake(category="0405", area="610104009001", caller={"phone": "13933330001"})
    r = co.intake(role="channel", category="0405", area="610104009001",
                  caller={"phone": "13933330001"})
    assert "possible_duplicates" not in r
    a = co.intake(role="admin", category="0405", area="610104009001",
                  caller={"phone": "13933330001"})
    assert len(a["possible_duplicates"]) == 2


def test_idempotent_replay_does_not_list_itself(co):
    first = co.intake(category="0406", area="610104005001", caller={"phone": "13944440001"})
    body = intake_body(category="0406", area="610104005001", caller={"phone": "13944440001"})
    key = {"Idempotency-Key": "dup-replay-1"}
    r1 = call(co.stack.url, "POST", "/api/v1/tickets", token=co.tok["operator"], body=body,
              headers=key)
    assert r1.status == 201, r1
    assert [h["id"] for h in r1.json["possible_duplicates"]] == [first["id"]]
    r2 = call(co.stack.url, "POST", "/api/v1/tickets", token=co.tok["operator"], body=body,
              headers=key)
    assert r2.status == 200 and r2.json["id"] == r1.json["id"], r2
    assert [h["id"] for h in r2.json["possible_duplicates"]] == [first["id"]]


# ------------------------------------------------------------------ inbox


def running_due(t):
    """The nearest deadline among t's running clocks (the return window aside), or None."""
    st, d = t["status"], t["deadlines"]
    dues = []
    if st == "pending_dispatch":
        dues.append(d["dispatch"])
    if st in ("dispatched", "return_requested") and t["accepted_at"] is None:
        dues.append(d["accept"])
    if st in ("accepted", "return_requested") and t["accepted_at"] and not t["contacted_at"]:
        dues.append(d["contact"])
    if st in ("dispatched", "accepted", "return_requested"):
        dues.append(d["reply"])
    if st == "replied":
        dues.append(d["callback"])
    dues = [parse_time(x) for x in dues if x]
    return min(dues) if dues else None


def test_inbox_sorted_by_nearest_deadline_with_a_cursor(co):
    u = "610104006"
    made = []
    for urgency in ("normal", "emergency", "timely", "complex", "normal", "emergency"):
        made.append(co.dispatched(unit=u, urgency=urgency, category="0403"))
    made[1] = co.ok(u, made[1], "accept")                      # contact clock (30 min)
    made[2] = co.ok(u, co.ok(u, made[2], "accept"), "contact")  # reply clock only
    made[4] = co.ok("operator", co.ok(u, made[4], "accept"), "suspend", {"reason": "挂账"})
    closed = co.closed(unit=u, category="0403")
    replied = co.replied(unit=u, category="0403")
    made += [closed, replied]
    # Two tickets with the same deadline: the id breaks the tie.
    co.sql("UPDATE tickets SET next_due = (SELECT next_due FROM tickets WHERE id = '%s') "
           "WHERE id = '%s'" % (made[0]["id"], made[3]["id"]))
    made = [co.get(t) for t in made]
    rows = dict(co.sql("SELECT id::text, coalesce(minhu_ms(next_due)::text, '') FROM tickets "
                       "WHERE lead_unit = '%s'" % u))
    for t in made:
        want = running_due(t)
        if t["id"] != made[3]["id"]:
            assert rows[t["id"]] == ("" if want is None else str(int(want.timestamp() * 1000))), \
                (t["status"], t["deadlines"])
    key = lambda t: (rows[t["id"]] == "", int(rows[t["id"]] or 0), t["id"])  # noqa: E731
    want = [t["id"] for t in sorted(made, key=key)]
    assert len(want) == 8 and rows[made[4]["id"]] == "" and rows[closed["id"]] == ""

    for limit in (1, 2, 3, 200):
        seen, after, pages = [], None, 0
        while True:
            params = {"sort": "deadline", "limit": limit}
            if after:
                params["after"] = after
            page = co.list(u, **params)
            pages += 1
            seen += ids(page)
            after = page["next"]
            if after is None:
                break
            assert len(page["items"]) == limit and pages <= 10
        assert seen == want, limit
    # Filters combine with the order; the operator sees the same with unit=.
    assert ids(co.list(u, sort="deadline", status="dispatched")) == \
        [i for i in want if i in {made[0]["id"], made[3]["id"], made[5]["id"]}]
    assert ids(co.list("operator", unit=u, sort="deadline", limit=200)) == want
    for bad in ("soon", "created,deadline"):
        r = call(co.stack.url, "GET", "/api/v1/tickets?sort=" + bad, token=co.tok[u])
        assert_error(r, 400, "invalid_field", "sort")
    r = call(co.stack.url, "GET", "/api/v1/tickets?sort=deadline&after=" + made[0]["id"],
             token=co.tok[u])
    assert_error(r, 400, "invalid_field", "after")


# ------------------------------------------------------------------ short clocks


def test_return_outside_the_window_and_extension_after_the_deadline(co):
    ret = co.dispatched(category="9601")
    assert parse_time(ret["deadlines"]["return_window"]) == \
        parse_time(ret["dispatched_at"]) + 3 * SEC
    ext = co.accepted(category="9602")
    inside = co.dispatched(category="9601")
    inside = co.ok(HONG, inside, "request_return", {"reason": "窗口内"})
    # Past the window (3 s from dispatch) a return is refused; past the reply
    # deadline (3 s) so is an extension, once the overdue mark has fired.
    wait_for("the reply clock to go overdue", lambda: "reply" in co.get(ext)["overdue"])
    time.sleep(max(0.0, (parse_time(ret["deadlines"]["return_window"]) -
                         datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 0.2)
    err = co.refused(HONG, ret, "request_return", {"reason": "不属于本街道"}, 422,
                     "illegal_transition")
    assert "window" in err["message"]
    ret = co.ok(HONG, ret, "accept")
    co.refused(HONG, ret, "request_return", {"reason": "不属于本街道"}, 422, "illegal_transition")
    ext = co.get(ext)
    later = (parse_time(ext["deadlines"]["reply"]) + DAY).isoformat()
    err = co.refused(HONG, ext, "request_extension", {"until": later, "reason": "来不及"}, 422,
                     "illegal_transition")
    assert "deadline" in err["message"]
    # A request made inside the window is still decided after it closed.
    co.ok("operator", inside, "approve_return", to="pending_dispatch")


def test_warned_and_overdue_filters(co):
    u = "610104005"
    late = co.dispatched(unit=u, category="9603")
    fine = co.dispatched(unit=u, category="0403")
    wait_for("the accept clock to warn and go overdue",
             lambda: co.get(late)["overdue"] == ["accept"])
    assert co.get(late)["warned"] == ["accept"]
    assert ids(co.list(u, warned="true")) == [late["id"]]
    assert fine["id"] in ids(co.list(u, warned="false"))
    assert late["id"] not in ids(co.list(u, warned="false"))
    assert ids(co.list(u, overdue="true")) == [late["id"]]
    assert ids(co.list("operator", unit=u, warned="true", overdue="true")) == [late["id"]]
    assert ids(co.list(u, warned="true", status="accepted")) == []
    r = call(co.stack.url, "GET", "/api/v1/tickets?warned=yes", token=co.tok[u])
    assert_error(r, 400, "invalid_field", "warned")
