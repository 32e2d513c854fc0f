"""Leaders' reports: a hand-built month whose figures are worked out by hand.

Tickets and their events are written straight into the tables (as the
workflow would have written them) for February and March 2025, on the demo
streets 610104001..007 (S1..S7 below).  The trigger on ticket_events keeps
the report summary; the expected population, rates, scores, ranks, ties,
lists and 约谈 marks below are worked out by hand from the tickets' answers
(docs/ranking.md gives the rules).  The same figures computed by one plain
query over the raw tables must be identical (`minhu-report verify`), here and
on a few thousand generated tickets (`minhu-admin gen --live`).

Every format is checked: text (aligned by display width), CSV (BOM, parses),
JSON (the contract's shape), HTML (rendered by headless Chromium to a PNG,
its DOM holding the table), and the API returns the CLI's JSON.
"""

import csv
import datetime
import io
import json
import os
import shutil
import subprocess
import tempfile
import unicodedata
import uuid

import pytest

from conftest import build_dir, sanitizer_env

CST = datetime.timezone(datetime.timedelta(hours=8))
H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)

S1, S2, S3, S4, S5, S6, S7 = ("610104001", "610104002", "610104003", "610104004",
                              "610104005", "610104006", "610104007")
NAMES = {S1: "北院门街道", S2: "红庙坡街道", S3: "桃园路街道", S4: "青年路街道",
         S5: "北关街道", S6: "西关街道", S7: "环城西路街道"}


# ------------------------------------------------------------------ building the month


def sql_text(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime.datetime):
        return "'%s'" % v.isoformat()
    return "'%s'" % str(v).replace("'", "''")


class Ticket:
    """One ticket: its events in order, and its row derived from them."""

    def __init__(self, world, created, category="0301", anonymous=False):
        self.world = world
        ms = int(created.timestamp() * 1000)
        raw = "%012x7%03x8%015x" % (ms, world.serial % 4096, world.serial)
        self.id = str(uuid.UUID(raw))
        self.number = created.strftime("%Y%m%d") + "%08d" % (90000000 + world.serial)
        world.serial += 1
        self.created = created
        self.category = category
        self.anonymous = anonymous
        self.events = []
        self.status = None
        self.lead = None
        self.unreasonable = False
        self.cb = None
        self.add(created, "intake", "pending_dispatch", data={"channel": "phone"})

    def add(self, at, action, to=None, unit=None, lead=..., data=None, role="operator"):
        if lead is not ...:
            self.lead = lead
        to = to or self.status
        self.events.append((len(self.events) + 1, at, action, role, unit, self.status, to,
                            json.dumps(data) if data is not None else None, self.lead))
        self.status = to
        return at

    def dispatch(self, at, unit):
        return self.add(at, "dispatch", "dispatched", lead=unit, data={"unit": unit})

    def overdue(self, at, clock):
        return self.add(at, "sla_overdue", unit=self.lead, role="system",
                        data={"clock": clock, "deadline": at.isoformat(), "unit": self.lead})

    def unit_act(self, at, action, to=None, data=None):
        return self.add(at, action, to, unit=self.lead, role="unit", data=data)

    def callback(self, at, c, r, s, reopen=False):
        self.cb = (c, r, s, at)
        return self.add(at, "callback", "accepted" if reopen else "closed",
                        data={"contacted": c, "resolved": r, "satisfaction": s,
                              "reopen": reopen})

    def row_sql(self):
        tok = self.world.token_id
        last = self.events[-1][1]
        cb = self.cb or (None, None, None, None)
        values = [self.id, self.number, self.status, len(self.events), "phone", "complaint",
                  "normal", self.category, self.lead or S1, "测试地址 1 号",
                  "测试工单", "手工构造的考核测试工单", None if self.anonymous else "王某",
                  None if self.anonymous else "13800138000", self.anonymous,
                  not self.anonymous, "test-operator", tok, self.lead, self.created,
                  cb[0], cb[1], cb[2], cb[3], self.unreasonable, last]
        return "(" + ", ".join(sql_text(v) for v in values) + ")"

    def events_sql(self):
        out = []
        for seq, at, action, role, unit, frm, to, data, lead in self.events:
            actor = "system" if role == "system" else "test-operator"
            out.append("(" + ", ".join(sql_text(v) for v in (
                self.id, seq, at, action, actor, role, unit, frm, to, None, data, lead)) + ")")
        return out


class World:
    def __init__(self, token_id):
        self.token_id = token_id
        self.serial = 1
        self.tickets = []

    def ticket(self, created, **kw):
        t = Ticket(self, created, **kw)
        self.tickets.append(t)
        return t

    def standard(self, unit, day, hours, c=True, r=True, s=5, contact_late=False,
                 accept_late=False, reply_late=False, extension=False, callback_at=None,
                 close=True):
        """intake → dispatch → accept → contact → reply (dispatch + hours) → callback."""
        t = self.ticket(day)
        d = t.dispatch(day + 5 * MIN, unit)
        if accept_late:
            t.overdue(d + 24 * H, "accept")
            a = t.unit_act(d + 25 * H, "accept", "accepted")
        else:
            a = t.unit_act(d + H, "accept", "accepted")
        if contact_late:
            t.overdue(a + 24 * H, "contact")
            t.unit_act(a + 25 * H, "contact")
        elif not t.anonymous:
            t.unit_act(a + H, "contact")
        if extension:
            t.unit_act(a + 2 * H, "request_extension",
                       data={"until": (d + 20 * 24 * H).isoformat()})
            t.add(a + 3 * H, "approve_extension")
        reply = d + hours * H
        if reply_late:
            t.overdue(reply - H, "reply")
        t.unit_act(reply, "reply", "replied")
        if close:
            t.callback(callback_at or reply + 2 * H, c, r, s)
        return t

    def insert(self, stack):
        rows = ",\n".join(t.row_sql() for t in self.tickets)
        stack.sql("INSERT INTO tickets (id, number, status, version, channel, nature, urgency,"
                  " category, area, address, title, description, caller_name, caller_phone,"
                  " anonymous, callback_wanted, created_by, created_by_token, lead_unit,"
                  " created_at, cb_contacted, cb_resolved, cb_satisfaction, cb_at,"
                  " unreasonable, updated_at) VALUES\n" + rows)
        events = [e for t in self.tickets for e in t.events_sql()]
        for i in range(0, len(events), 200):
            stack.sql("INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role,"
                      " unit, from_status, to_status, note, data, lead_unit) VALUES\n"
                      + ",\n".join(events[i:i + 200]))


def march(day, hour=9):
    return datetime.datetime(2025, 3, day, hour, 0, tzinfo=CST)


def feb(day, hour=9):
    return datetime.datetime(2025, 2, day, hour, 0, tzinfo=CST)


def build(world):
    # ---- February: the month before (ranks and the black list of last month)
    feb_answers = {
        S1: [(True, True, 5)] * 10,                               # 100.00, rank 1
        S2: [(True, True, 5)] * 8 + [(False, False, 1)] * 2,      # 80.00, rank 4
        S3: [(True, True, 5)] * 9 + [(False, False, 1)],          # 90.00, rank 3
        S4: [(True, True, 5)] * 10,                               # 100.00, rank 1 (tie)
        S5: [(True, True, 5)] * 5 + [(False, False, 1)] * 5,      # 50.00, rank 5
    }
    for unit, answers in feb_answers.items():
        for i, (c, r, s) in enumerate(answers):
            world.standard(unit, feb(3 + i), 20, c, r, s)

    # ---- March
    # S1: 12 callbacks, all contacted in time; one unresolved with 2; one 3.
    s1 = [(5, True)] * 8 + [(4, True)] * 2 + [(3, True), (2, False)]
    hours = [10, 20, 30, 40, 50, 60, 24, 24, 24, 24, 100, 5]   # median 24.0
    for i, ((s, r), h) in enumerate(zip(s1, hours)):
        world.standard(S1, march(2 + i), h, True, r, s, extension=(h == 100))
    # A ticket S1 returns (退单), approved straight to S2, which closes it.
    t = world.ticket(march(3, 14))
    d = t.dispatch(march(3, 14) + 5 * MIN, S1)
    t.unit_act(d + 30 * MIN, "request_return", "return_requested")
    a = t.add(d + H, "approve_return", "dispatched", lead=S2, data={"unit": S2})
    t.unit_act(a + H, "accept", "accepted")
    t.unit_act(a + 2 * H, "contact")
    t.unit_act(a + 30 * H, "reply", "replied")
    t.callback(a + 32 * H, True, True, 4)

    # S2: 10 closing callbacks (the returned ticket above is one): one not
    # contacted, one unresolved and unsatisfied; one ticket reopened (重办)
    # by its first callback, replied again and closed.
    world.standard(S2, march(5), 30, False, True, 5)
    world.standard(S2, march(6), 30, True, False, 2)
    for i in range(6):
        world.standard(S2, march(7 + i), 30, True, True, 5)
    t = world.standard(S2, march(14), 30, close=False)
    d = t.events[1][1]
    t.callback(d + 32 * H, True, False, 1, reopen=True)
    t.unit_act(d + 72 * H, "reply", "replied")
    t.callback(d + 74 * H, True, True, 5)

    # S3: 20 callbacks; two contacted after the contact clock went red, two
    # unresolved and unsatisfied.
    for i in range(16):
        world.standard(S3, march(2 + i), 48)
    world.standard(S3, march(18), 48, contact_late=True)
    world.standard(S3, march(19), 48, contact_late=True)
    world.standard(S3, march(20), 48, True, False, 1)
    world.standard(S3, march(21), 48, True, False, 1)

    # S4: 10 callbacks: 4×(5), 2 unresolved with 3, 2 resolved with 3, 2
    # resolved with 2; one late acceptance, one late reply.  Plus a ticket
    # flagged unreasonable after its (bad) callback, and one closed, reopened
    # by hand and cancelled: neither counts.
    world.standard(S4, march(2), 30, accept_late=True)
    world.standard(S4, march(3), 30, reply_late=True)
    world.standard(S4, march(4), 30)
    world.standard(S4, march(5), 30)
    world.standard(S4, march(6), 30, True, False, 3)
    world.standard(S4, march(7), 30, True, False, 3)
    world.standard(S4, march(8), 30, True, True, 3)
    world.standard(S4, march(9), 30, True, True, 3)
    world.standard(S4, march(10), 30, True, True, 2)
    world.standard(S4, march(11), 30, True, True, 2)
    t = world.standard(S4, march(12), 30, False, False, 1)
    t.add(t.events[-1][1] + 24 * H, "flag_unreasonable")
    t.unreasonable = True
    t = world.standard(S4, march(13), 30)
    closed = t.events[-1][1]
    t.add(closed + 24 * H, "reopen", "accepted", data={})
    t.add(closed + 25 * H, "cancel", "cancelled")

    # S5: 10 callbacks: 6 good, 4 not contacted (1 resolved with 4, 3
    # unresolved with 1, 2, 2); the last one recorded at 23:30 on 31 March
    # (still March in Asia/Shanghai).  Plus an anonymous ticket closed
    # without answers, and one whose callback falls at 00:10 on 1 April.
    for i in range(6):
        world.standard(S5, march(2 + i), 100)
    world.standard(S5, march(9), 100, False, True, 4)
    world.standard(S5, march(10), 100, False, False, 1)
    world.standard(S5, march(11), 100, False, False, 2)
    world.standard(S5, march(27), 100, False, False, 2,
                   callback_at=datetime.datetime(2025, 3, 31, 23, 30, tzinfo=CST))
    t = world.ticket(march(12), anonymous=True)
    d = t.dispatch(march(12) + 5 * MIN, S5)
    t.unit_act(d + H, "accept", "accepted")
    t.unit_act(d + 100 * H, "reply", "replied")
    t.add(d + 102 * H, "callback", "closed", data={"reopen": False})
    world.standard(S5, march(27, 12), 100, True, True, 5,
                   callback_at=datetime.datetime(2025, 4, 1, 0, 10, tzinfo=CST))

    # S6: 9 good callbacks: under the minimum population of 10.
    for i in range(9):
        world.standard(S6, march(2 + i), 12)

    # S7: two open tickets, accepted, one past its reply deadline now.
    for due in (datetime.datetime(2025, 3, 12, 9, 0, tzinfo=CST),
                datetime.datetime(2099, 1, 1, tzinfo=CST)):
        t = world.ticket(march(10), category="0101")
        d = t.dispatch(march(10) + 5 * MIN, S7)
        t.unit_act(d + H, "accept", "accepted")
        t.due = due


# What the month must show, worked out by hand from the tickets above.
# population, responded, resolved, satisfied (3 counts), volume, returns,
# reopens, extensions, overdue (accept, contact, reply), median hours.
EXPECTED = {
    S1: dict(population=12, rates=(1.0, 0.9167, 0.9167), score=94.17, rank=1, volume=13,
             returns=1, reopens=0, extensions=1, overdue=(0, 0, 0), median=24.0),
    S2: dict(population=10, rates=(0.9, 0.9, 0.9), score=90.0, rank=2, volume=10,
             returns=0, reopens=1, extensions=0, overdue=(0, 0, 0), median=30.0),
    S3: dict(population=20, rates=(0.9, 0.9, 0.9), score=90.0, rank=2, volume=20,
             returns=0, reopens=0, extensions=0, overdue=(0, 2, 0), median=48.0),
    S4: dict(population=10, rates=(1.0, 0.8, 0.8), score=86.0, rank=4, volume=12,
             returns=0, reopens=1, extensions=0, overdue=(1, 0, 1), median=30.0),
    S5: dict(population=10, rates=(0.6, 0.7, 0.7), score=67.0, rank=5, volume=12,
             returns=0, reopens=0, extensions=0, overdue=(0, 0, 0), median=100.0),
    S6: dict(population=9, rates=(1.0, 1.0, 1.0), score=100.0, rank=None, volume=9,
             returns=0, reopens=0, extensions=0, overdue=(0, 0, 0), median=12.0),
    S7: dict(population=0, rates=(None, None, None), score=None, rank=None, volume=2,
             returns=0, reopens=0, extensions=0, overdue=(0, 0, 0), median=None),
}
# February: S1 100 (1), S4 100 (1), S3 90 (3), S2 80 (4), S5 50 (5).
RANK_CHANGE = {S1: 0, S2: 2, S3: 1, S4: -3, S5: 0, S6: None, S7: None}


# ------------------------------------------------------------------ fixtures


def report(stack, *args, check=True):
    exe = os.path.join(build_dir(), "minhu-report")
    proc = subprocess.run([exe, "--dsn", stack.dsn] + list(args), capture_output=True,
                          env=sanitizer_env(), timeout=120)
    if check:
        assert proc.returncode == 0, (args, proc.stderr.decode())
    return proc


@pytest.fixture(scope="module")
def month(stack):
    token = stack.sql_value("SELECT id FROM tokens WHERE name = 'test-operator'")
    world = World(int(token))
    build(world)
    world.insert(stack)
    for t in world.tickets:
        if hasattr(t, "due"):
            stack.sql("UPDATE tickets SET dispatched_at = %s, accepted_at = %s, reply_due = %s,"
                      " contact_due = %s WHERE id = '%s'" % (
                          sql_text(t.events[1][1]), sql_text(t.events[2][1]), sql_text(t.due),
                          sql_text(t.due), t.id))
            # contacted, so only the reply clock runs
            stack.sql("UPDATE tickets SET contacted_at = accepted_at WHERE id = '%s'" % t.id)
    return world


def ranking_json(stack, month_="2025-03", kind="street"):
    return json.loads(report(stack, "ranking", "--month", month_, "--kind", kind,
                             "--format", "json").stdout)


def by_code(doc):
    return {u["unit"]["code"]: u for u in doc["units"]}


# ------------------------------------------------------------------ the month by hand


def test_ranking_matches_the_hand_computed_month(stack, month):
    doc = ranking_json(stack)
    units = by_code(doc)
    assert doc["month"] == "2025-03" and doc["kind"] == "street"
    assert doc["weights"] == {"response": 0.3, "resolution": 0.35, "satisfaction": 0.35}
    for code, want in EXPECTED.items():
        u = units[code]
        got = (u["response_rate"], u["resolution_rate"], u["satisfaction_rate"])
        assert u["unit"] == {"code": code, "name": NAMES[code], "kind": "street"}
        assert u["population"] == want["population"], code
        assert got == want["rates"], (code, got)
        assert u["score"] == want["score"], (code, u["score"])
        assert u["rank"] == want["rank"], (code, u["rank"])
        assert u["volume"] == want["volume"], (code, u["volume"])
        assert u["returns"] == want["returns"], code
        assert u["reopens"] == want["reopens"], code
        assert u["extensions"] == want["extensions"], code
        assert (u["overdue"]["accept"], u["overdue"]["contact"],
                u["overdue"]["reply"]) == want["overdue"], (code, u["overdue"])
        assert u["median_handling_hours"] == want["median"], (code, u["median_handling_hours"])
        assert u["rank_change"] == RANK_CHANGE[code], (code, u["rank_change"])
    # the streets without a ticket are listed, unranked
    for code in ("610104008", "610104009"):
        assert units[code]["rank"] is None and units[code]["population"] == 0
    # display order: ranked by rank (ties by code), then the unranked by code
    order = [u["unit"]["code"] for u in doc["units"]]
    assert order[:5] == [S1, S2, S3, S4, S5]
    assert order[5:] == [S6, S7, "610104008", "610104009"]
    # 5 ranked: lists of min(5, 5 // 2) = 2; the tie at rank 2 puts three on the red list
    assert doc["red_list"] == [S1, S2, S3]
    assert doc["black_list"] == [S4, S5]
    # S5 was on February's black list too (S5, S2): 约谈
    assert doc["interview"] == [S5]
    assert units[S1]["return_rate"] == round(1 / 13, 4)
    assert units[S4]["reopen_rate"] == round(1 / 12, 4)


def test_february_and_april(stack, month):
    units = by_code(ranking_json(stack, "2025-02"))
    assert [units[c]["score"] for c in (S1, S2, S3, S4, S5)] == [100.0, 80.0, 90.0, 100.0, 50.0]
    assert [units[c]["rank"] for c in (S1, S2, S3, S4, S5)] == [1, 4, 3, 1, 5]
    # the callback at 00:10 on 1 April (Asia/Shanghai) is April's
    april = by_code(ranking_json(stack, "2025-04"))
    assert april[S5]["population"] == 1 and april[S5]["volume"] == 0


def test_summary_equals_the_raw_tables(stack, month):
    for m in ("2025-02", "2025-03", "2025-04"):
        proc = report(stack, "verify", "--month", m)
        assert b"identical" in proc.stdout, proc.stdout


def test_settings_and_weights_are_data(stack, month):
    try:
        stack.sql("UPDATE report_settings SET count_basic_satisfied = false")
        units = by_code(ranking_json(stack))
        assert units[S4]["score"] == 72.0       # 30 + 28 + 35·0.4
        assert units[S4]["satisfaction_rate"] == 0.4
        assert units[S1]["score"] == 91.25      # (3000·12 + 3500·11 + 3500·10) / 12
        stack.sql("UPDATE report_settings SET count_basic_satisfied = true")
        stack.sql("UPDATE report_weights SET w_response = 0.5, w_resolution = 0.25,"
                  " w_satisfaction = 0.25 WHERE kind = 'street'")
        doc = ranking_json(stack)
        units = by_code(doc)
        assert doc["weights"] == {"response": 0.5, "resolution": 0.25, "satisfaction": 0.25}
        assert [units[c]["score"] for c in (S1, S2, S3, S4, S5)] == [95.83, 90.0, 90.0, 90.0,
                                                                    65.0]
        assert [units[c]["rank"] for c in (S1, S2, S3, S4, S5)] == [1, 2, 2, 2, 5]
        assert doc["red_list"] == [S1, S2, S3, S4]   # a three-way tie at rank 2
        assert doc["black_list"] == [S5]             # the tied units are red, not black
        with pytest.raises(RuntimeError):            # weights must sum to 1
            stack.sql("UPDATE report_weights SET w_response = 0.6 WHERE kind = 'street'")
    finally:
        stack.sql("UPDATE report_settings SET count_basic_satisfied = true")
        stack.sql("UPDATE report_weights SET w_response = 0.30, w_resolution = 0.35,"
                  " w_satisfaction = 0.35 WHERE kind = 'street'")


def test_accountability_lists_the_tickets_behind_the_scores(stack, month):
    doc = json.loads(report(stack, "accountability", "--month", "2025-03",
                            "--format", "json").stdout)
    acc = doc["accountability"]
    assert [e["unit"]["code"] for e in acc["red"]] == [S1, S2, S3]
    black = {e["unit"]["code"]: e for e in acc["black"]}
    assert list(black) == [S4, S5]
    assert black[S5]["interview"] is True and black[S4]["interview"] is False
    assert black[S4]["rank"] == 4 and black[S4]["score"] == 86.0

    def reasons(code):
        return sorted(sorted(t["reasons"]) for t in black[code]["tickets"])

    assert reasons(S4) == sorted([["overdue_accept"], ["overdue_reply"], ["unresolved"],
                                  ["unresolved"], ["unsatisfied"], ["unsatisfied"],
                                  ["reopened"]])
    assert reasons(S5) == sorted([["not_responded"],
                                  ["not_responded", "unresolved", "unsatisfied"],
                                  ["not_responded", "unresolved", "unsatisfied"],
                                  ["not_responded", "unresolved", "unsatisfied"]])
    for t in black[S4]["tickets"] + black[S5]["tickets"]:
        assert set(t) >= {"number", "id", "title", "category", "status", "reasons", "callback"}
        assert t["number"].startswith("2025")
    # the contract's ranking document is all there too
    assert doc["black_list"] == [S4, S5] and doc["interview"] == [S5]
    # the counts: tickets, and tickets per reason (a ticket counts once per reason)
    assert black[S4]["tickets_total"] == 7 and black[S5]["tickets_total"] == 4
    assert black[S4]["reasons"] == {"overdue_accept": 1, "overdue_reply": 1, "unresolved": 2,
                                    "unsatisfied": 2, "reopened": 1}
    assert black[S5]["reasons"] == {"not_responded": 4, "unresolved": 3, "unsatisfied": 3}
    assert acc["red"] and all("tickets" not in e for e in acc["red"])


def test_accountability_can_list_the_worst_tickets_first(stack, month):
    doc = json.loads(report(stack, "accountability", "--month", "2025-03",
                            "--format", "json", "--tickets", "2").stdout)
    black = {e["unit"]["code"]: e for e in doc["accountability"]["black"]}
    # the counts still cover every ticket; the list holds the two with most reasons
    assert black[S5]["tickets_total"] == 4 and len(black[S5]["tickets"]) == 2
    assert [len(t["reasons"]) for t in black[S5]["tickets"]] == [3, 3]
    assert black[S4]["tickets_total"] == 7 and len(black[S4]["tickets"]) == 2
    # text and HTML list at most 200 per unit and say how many there are
    text = report(stack, "accountability", "--month", "2025-03").stdout.decode("utf-8")
    assert "共 4 件：未及时响应 4 件" in text
    text = report(stack, "accountability", "--month", "2025-03",
                  "--tickets", "1").stdout.decode("utf-8")
    assert "列出扣分原因最多的 1 件" in text
    for bad in ("0", "-1", "x", "1x", "all2", "2000000"):
        r = report(stack, "accountability", "--month", "2025-03", "--tickets", bad, check=False)
        assert r.returncode == 2, bad
        assert b"--tickets" in r.stderr


# ------------------------------------------------------------------ formats


def display_width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def test_text_is_aligned_by_display_width(stack, month):
    out = report(stack, "ranking", "--month", "2025-03").stdout.decode("utf-8")
    lines = out.splitlines()
    start = lines.index("三率考核排名") + 1
    table = []
    for line in lines[start:]:
        if not line.strip():
            break
        table.append(line)
    assert len(table) == 2 + 9          # header, rule, nine streets
    widths = {display_width(line) for line in table}
    assert len(widths) == 1, widths     # Chinese names do not shift the columns
    # the score column ends at the same place on every line
    row = next(line for line in table if NAMES[S1] in line)
    assert "94.17" in row and "100.00%" in row and "91.67%" in row
    assert "红榜：北院门街道、红庙坡街道、桃园路街道" in out
    assert "约谈：北关街道" in out


def test_csv_has_a_bom_and_parses(stack, month):
    raw = report(stack, "ranking", "--month", "2025-03", "--format", "csv").stdout
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["排名", "单位代码", "单位", "样本量"]
    assert len(body) == 9 and all(len(r) == len(header) for r in body)
    first = dict(zip(header, body[0]))
    assert first["单位代码"] == S1 and first["综合得分"] == "94.17" and first["排名"] == "1"
    acc = report(stack, "accountability", "--month", "2025-03", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(acc[3:].decode("utf-8"))))
    assert acc.startswith(b"\xef\xbb\xbf")
    black_rows = [r for r in rows[1:] if r[0] == "黑榜"]
    assert len(black_rows) == 7 + 4     # one row per ticket behind S4 and S5
    assert {r[1] for r in black_rows} == {S4, S5}


def test_json_has_the_contract_shape(stack, month):
    doc = ranking_json(stack)
    assert set(doc) >= {"month", "kind", "weights", "units", "red_list", "black_list",
                        "interview"}
    contract_unit = {"rank", "unit", "population", "volume", "response_rate",
                     "resolution_rate", "satisfaction_rate", "score", "overdue", "returns",
                     "reopens", "extensions", "median_handling_hours", "rank_change"}
    for u in doc["units"]:
        assert set(u) >= contract_unit
        assert set(u["unit"]) == {"code", "name", "kind"}
        assert set(u["overdue"]) >= {"accept", "contact", "reply"}
        assert u["rank"] is None or (isinstance(u["rank"], int) and u["rank"] >= 1)
        for k in ("response_rate", "resolution_rate", "satisfaction_rate"):
            assert u[k] is None or 0 <= u[k] <= 1
        assert u["score"] is None or (0 <= u["score"] <= 100
                                      and round(u["score"], 2) == u["score"])
    assert all(isinstance(c, str) for c in doc["red_list"] + doc["black_list"]
               + doc["interview"])


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is needed (tools/minhu-dev test installs chromium)")


def test_html_renders_in_chromium(stack, month):
    browser = chromium()
    with tempfile.TemporaryDirectory() as d:
        page = os.path.join(d, "ranking.html")
        png = os.path.join(d, "ranking.png")
        report(stack, "accountability", "--month", "2025-03", "--format", "html",
               "--output", page)
        html = open(page, encoding="utf-8").read()
        assert "<svg" in html and "<table>" in html and "@page" in html
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in html and "<script" not in html
        base = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                "--user-data-dir=" + os.path.join(d, "profile")]
        subprocess.run(base + ["--window-size=1400,1800", "--screenshot=" + png,
                               "file://" + page],
                       capture_output=True, timeout=120, check=True)
        with open(png, "rb") as f:
            head = f.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(head[16:20], "big")
        assert width == 1400 and os.path.getsize(png) > 20000
        dom = subprocess.run(base + ["--dump-dom", "file://" + page], capture_output=True,
                             timeout=120, check=True).stdout.decode("utf-8")
        # the ranking table made it into the rendered page, with its rows
        assert dom.count("<tr") >= 1 + 9
        assert NAMES[S1] in dom and "94.17" in dom and "约谈" in dom


def test_hotspots_and_overdue(stack, month):
    doc = json.loads(report(stack, "hotspots", "--month", "2025-03", "--top", "5",
                            "--format", "json").stdout)
    cats = {c["code"]: c for c in doc["categories"]}
    n_march = sum(1 for t in month.tickets if t.created.month == 3 and t.category == "0301")
    assert cats["0301"]["count"] == n_march
    assert cats["0101"]["count"] == 2
    assert doc["addresses"][0]["address"] == "测试地址 1 号"
    for fmt in ("text", "csv", "html"):
        out = report(stack, "hotspots", "--month", "2025-03", "--format", fmt).stdout
        assert "噪声扰民".encode() in out
    over = json.loads(report(stack, "overdue", "--unit", S7, "--format", "json").stdout)
    assert [(t["unit"]["code"], t["clock"]) for t in over["tickets"]] == [(S7, "reply")]
    assert over["tickets"][0]["overdue_minutes"] > 0
    csv_out = report(stack, "overdue", "--unit", S7, "--format", "csv").stdout
    assert len(list(csv.reader(io.StringIO(csv_out[3:].decode())))) == 2


def test_reports_never_write(stack, month):
    # a session that refuses writes (as on a hot standby) serves every report
    ro = stack.dsn + " options='-c default_transaction_read_only=on'"
    exe = os.path.join(build_dir(), "minhu-report")
    for args in (["ranking", "--month", "2025-03", "--format", "html"],
                 ["accountability", "--month", "2025-03", "--format", "json"],
                 ["hotspots", "--month", "2025-03"], ["overdue"],
                 ["verify", "--month", "2025-03"]):
        proc = subprocess.run([exe, "--dsn", ro] + args, capture_output=True,
                              env=sanitizer_env(), timeout=120)
        assert proc.returncode == 0, (args, proc.stderr)


def test_command_line_errors(stack, month):
    for args in (["ranking"], ["ranking", "--month", "2025-13"],
                 ["ranking", "--month", "2025-03", "--kind", "grid"],
                 ["ranking", "--month", "2025-03", "--format", "pdf"],
                 ["overdue", "--month", "2025-03"], ["bogus"]):
        proc = report(stack, *args, check=False)
        assert proc.returncode == 2, (args, proc.returncode)
        assert proc.stderr.startswith(b"minhu-report: "), proc.stderr
    assert report(stack, "--help").stdout.startswith(b"usage: minhu-report")


# ------------------------------------------------------------------ the API


def test_api_ranking_is_the_cli_json(stack, month):
    for role in ("leader", "admin"):
        r = stack.call("GET", "/api/v1/reports/ranking?month=2025-03&kind=street", role=role)
        assert r.status == 200, r
        assert r.json == ranking_json(stack)
    r = stack.call("GET", "/api/v1/reports/ranking?month=2025-03&kind=department",
                   role="leader")
    assert r.status == 200 and r.json["kind"] == "department"
    assert r.json == ranking_json(stack, kind="department")


def test_api_ranking_refusals(stack, month):
    for role in ("operator", "unit", "channel"):
        r = stack.call("GET", "/api/v1/reports/ranking?month=2025-03", role=role)
        assert r.status == 403 and r.error_code() == "forbidden", (role, r)
    r = stack.call("GET", "/api/v1/reports/ranking?month=2025-03")
    assert r.status == 401
    for q, field in (("month=2025-13", "month"), ("month=March", "month"),
                     ("month=2025-03&kind=grid", "kind"), ("month=2025-03&x=1", "x")):
        r = stack.call("GET", "/api/v1/reports/ranking?" + q, role="leader")
        assert r.status == 400 and r.error_code() == "invalid_field", (q, r)
        assert r.json["error"]["field"] == field
    # no month: the month before the current one
    r = stack.call("GET", "/api/v1/reports/ranking", role="leader")
    assert r.status == 200
    today = datetime.datetime.now(CST).date().replace(day=1)
    prev = (today - datetime.timedelta(days=1)).strftime("%Y-%m")
    assert r.json["month"] == prev


# ------------------------------------------------------------------ generated data


def test_generated_tickets_summary_equals_raw_tables(stack, month):
    """A few thousand realistic tickets, the summary kept by the trigger event
    by event, must give exactly what the plain query over the raw tables gives."""
    proc = stack.admin("gen", "--tickets", "3000", "--months", "2", "--seed", "11",
                       "--end", "2025-06-15", "--live")
    assert "generated 3000 tickets" in proc.stderr
    assert int(stack.sql_value("SELECT count(*) FROM tickets WHERE created_by = 'minhu-gen'")) \
        == 3000
    # every ticket's version is its number of events, and seq runs 1..version
    assert stack.sql_value(
        "SELECT count(*) FROM tickets t WHERE created_by = 'minhu-gen' AND version <>"
        " (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id)") == "0"
    for m in ("2025-05", "2025-06"):
        out = report(stack, "verify", "--month", m).stdout
        assert b"identical" in out, out
        assert b"tickets behind the figures" in out
    doc = ranking_json(stack, "2025-05")
    ranked = [u for u in doc["units"] if u["rank"] is not None]
    assert len(ranked) >= 5 and doc["black_list"]


def test_generated_bulk_load_equals_raw_tables(stack, month):
    """The bulk load computes the figures itself (no trigger): a third
    implementation of the rules, held to the same plain query."""
    proc = stack.admin("gen", "--tickets", "3000", "--months", "2", "--seed", "12",
                       "--end", "2025-09-20")
    assert "bulk load" in proc.stderr and "generated 3000 tickets" in proc.stderr
    for m in ("2025-08", "2025-09"):
        out = report(stack, "verify", "--month", m).stdout
        assert b"identical" in out, out
    a = stack.sql("SELECT status, category, area, lead_unit, cb_satisfaction FROM tickets"
                  " WHERE created_by = 'minhu-gen' AND created_at >= '2025-08-01 00:00+08'"
                  " AND created_at < '2025-09-20 00:00+08' ORDER BY created_at, number")
    assert len(a) == 3000
