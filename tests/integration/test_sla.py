"""SLA clocks end to end: deadlines in the API, durable timers and their firing.

Deadlines of every clock and urgency under the default policy (domain.md §4,
docs/sla.md), the warning (黄灯) and overdue (红灯) points firing exactly once
each — with three processes on one database, after a time when no server ran,
and across a SIGKILL in the middle of a firing batch — suspension pausing the
clocks, the firing lag histogram of /metrics, and the notification outbox.

Short clocks come from an SLA import for categories 0901..0903 (卫生健康),
which only this module uses:

    0901  dispatch  4 seconds
    0902  dispatch  3 seconds, and accept 4 seconds for emergency (assist units)
    0903  reply     5 seconds

Every wait polls with a generous bound; no assertion depends on how fast the
machine is, except the lag check, which reads the server's own histogram.
"""

import csv
import datetime
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

import minhu_client
from conftest import Server, psql_path
from minhu_client import intake_body, parse_time

UNIT = "610104002"  # 红庙坡街道, the `unit` token
CST = datetime.timezone(datetime.timedelta(hours=8))
SEC = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
WORKDAY = "workday"

URGENCIES = ("emergency", "timely", "normal", "complex")
TIMED_CLOCKS = ("dispatch", "accept", "contact", "reply", "callback")

# domain.md §4: clock -> urgency -> limit (a timedelta, or (WORKDAY, n)).
DEFAULTS = {
    "dispatch": {"emergency": 5 * MINUTE, "timely": 30 * MINUTE, "normal": 2 * HOUR,
                 "complex": 2 * HOUR},
    "accept": {"emergency": 30 * MINUTE, "timely": 2 * HOUR, "normal": (WORKDAY, 1),
               "complex": (WORKDAY, 1)},
    "contact": {"emergency": 30 * MINUTE, "timely": 2 * HOUR, "normal": 24 * HOUR,
                "complex": 24 * HOUR},
    "reply": {"emergency": 2 * HOUR, "timely": 24 * HOUR, "normal": 7 * DAY,
              "complex": 15 * DAY},
    "callback": {u: (WORKDAY, 1) for u in URGENCIES},
    "return_window": {"emergency": 30 * MINUTE, "timely": 2 * HOUR, "normal": (WORKDAY, 1),
                      "complex": (WORKDAY, 1)},
}

SHORT_RULES = [
    ("0901", "*", "dispatch", "4 seconds"),
    ("0902", "*", "dispatch", "3 seconds"),
    ("0903", "*", "reply", "5 seconds"),
    ("0902", "emergency", "accept", "4 seconds"),
]

WAIT = 20.0  # the bound of every wait for a clock


# ------------------------------------------------------------------ helpers


def wait_for(what, fn, timeout=WAIT, interval=0.1):
    """Polls fn() until it returns a true value (returned); fails past timeout."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail("timed out after %.0f s waiting for %s (last: %r)" % (timeout, what, got))
        time.sleep(interval)


def sleep_until(when):
    """Sleeps until the aware datetime `when` has passed."""
    left = (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    if left > 0:
        time.sleep(left)


def intake(stack, url=None, **fields):
    r = minhu_client.call(url or stack.url, "POST", "/api/v1/tickets",
                          token=stack.tokens["operator"], body=intake_body(**fields))
    assert r.status == 201, r
    return r.json


def act(stack, role, ticket, action, body=None, expect=200):
    tid = ticket["id"] if isinstance(ticket, dict) else ticket
    r = stack.call("POST", "/api/v1/tickets/%s/%s" % (tid, action), role=role,
                   body={} if body is None else body)
    assert r.status == expect, (action, r)
    return r.json


def get(stack, ticket):
    tid = ticket["id"] if isinstance(ticket, dict) else ticket
    r = stack.call("GET", "/api/v1/tickets/" + tid, role="operator")
    assert r.status == 200, r
    return r.json


def sql_list(ids):
    return ",".join("'%s'" % i for i in ids)


def sla_events(t, action=None):
    """(action, clock) of the ticket's SLA events, in order."""
    return [(e["action"], (e["data"] or {}).get("clock")) for e in t["events"]
            if e["action"].startswith("sla_") and (action is None or e["action"] == action)]


def check_event_log(stack, ids):
    """For every ticket: seq is 1..version without a gap, and count(events) = version."""
    bad = stack.sql(
        "SELECT t.id, t.version, count(e.seq), min(e.seq), max(e.seq) FROM tickets t "
        "LEFT JOIN ticket_events e ON e.ticket_id = t.id WHERE t.id IN (%s) "
        "GROUP BY t.id, t.version "
        "HAVING count(e.seq) <> t.version OR min(e.seq) <> 1 OR max(e.seq) <> t.version"
        % sql_list(ids))
    assert bad == [], "event logs out of step with the version: %r" % bad[:5]


def duplicate_sla_events(stack, ids):
    """(ticket, action, clock, n) for every SLA point applied more than once."""
    return stack.sql(
        "SELECT ticket_id, action, data->>'clock', count(*) FROM ticket_events "
        "WHERE ticket_id IN (%s) AND action LIKE 'sla_%%' "
        "GROUP BY 1, 2, 3 HAVING count(*) > 1" % sql_list(ids))


def parallel(fn, items, threads=8):
    """fn(item) for every item on a few threads; the results in order."""
    out = [None] * len(items)
    errors = []
    lock = threading.Lock()
    nxt = [0]

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(items) or errors:
                return
            try:
                out[i] = fn(items[i])
            except BaseException as e:  # reported in the main thread
                errors.append(e)
                return

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]
    return out


def import_sla(stack, rows):
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write("category,urgency,clock,limit\n")
        for row in rows:
            f.write(",".join(row) + "\n")
        path = f.name
    try:
        stack.admin("import", "sla", path)
    finally:
        os.unlink(path)


def metrics(url):
    """The SLA series of /metrics: {name-with-labels: float}."""
    r = minhu_client.call(url, "GET", "/metrics")
    assert r.status == 200, r
    out = {}
    for line in r.text.splitlines():
        if line.startswith("minhu_sla_"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def center_code(stack):
    return stack.sql_value("SELECT code FROM units WHERE kind = 'center' ORDER BY code LIMIT 1")


class Psql:
    """One psql session kept open, for polling many times a second."""

    def __init__(self, dsn):
        self.proc = subprocess.Popen(
            [psql_path(), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", dsn],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def value(self, query):
        self.proc.stdin.write(query.rstrip().rstrip(";") + ";\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "psql ended"
        return line.rstrip("\n")

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait(10)


# -- the working-day calendar, straight from the shipped CSV

def shipped_calendar():
    path = os.path.join(os.environ["MINHU_SOURCE_DIR"], "data", "calendar", "cn-holidays.csv")
    with open(path, encoding="utf-8") as f:
        return {datetime.date.fromisoformat(row["date"]): row["kind"]
                for row in csv.DictReader(f)}


def add_workdays(cal, t, n):
    """docs/sla.md §6: the same Asia/Shanghai clock time on the Nth working day after t's date."""
    local = t.astimezone(CST)
    day = local.date()
    while n > 0:
        day += DAY
        kind = cal.get(day)
        if kind == "workday" or (kind is None and day.weekday() < 5):
            n -= 1
    return datetime.datetime.combine(day, local.timetz())


def expected_due(cal, start, limit):
    if isinstance(limit, tuple):
        return add_workdays(cal, start, limit[1])
    return start + limit


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def short_clocks(stack):
    """Imports SHORT_RULES and waits until the running server has reloaded them."""
    import_sla(stack, SHORT_RULES)

    def reloaded():
        t = intake(stack, category="0901")
        act(stack, "operator", t, "cancel", {"reason": "probe"})
        return (parse_time(t["deadlines"]["dispatch"]) - parse_time(t["created_at"])) == 4 * SEC

    wait_for("the server to reload the SLA rules (NOTIFY minhu_reference)", reloaded,
             interval=0.2)
    return stack


# ------------------------------------------------------------------ deadlines


def test_default_deadlines_for_every_clock_and_urgency(stack):
    cal = shipped_calendar()
    for urgency in URGENCIES:
        lim = {c: DEFAULTS[c][urgency] for c in DEFAULTS}

        t = intake(stack, urgency=urgency)
        created = parse_time(t["created_at"])
        dl = t["deadlines"]
        assert parse_time(dl["dispatch"]) == expected_due(cal, created, lim["dispatch"]), \
            (urgency, dl)
        assert [dl[c] for c in ("accept", "contact", "reply", "callback", "return_window")] == \
            [None] * 5, (urgency, dl)

        t = act(stack, "operator", t, "dispatch", {"unit": UNIT})
        dispatched = parse_time(t["dispatched_at"])
        dl = t["deadlines"]
        for c in ("accept", "reply", "return_window"):
            assert parse_time(dl[c]) == expected_due(cal, dispatched, lim[c]), (urgency, c, dl)
        assert dl["contact"] is None and dl["callback"] is None, (urgency, dl)

        t = act(stack, "unit", t, "accept")
        accepted = parse_time(t["accepted_at"])
        assert parse_time(t["deadlines"]["contact"]) == \
            expected_due(cal, accepted, lim["contact"]), (urgency, t["deadlines"])

        t = act(stack, "unit", t, "contact")
        t = act(stack, "unit", t, "reply", {"result": "已处理。"})
        replied = parse_time(t["replied_at"])
        assert parse_time(t["deadlines"]["callback"]) == \
            expected_due(cal, replied, lim["callback"]), (urgency, t["deadlines"])
        # The earlier deadlines stay as they were set.
        for c in ("accept", "reply", "return_window"):
            assert parse_time(t["deadlines"][c]) == expected_due(cal, dispatched, lim[c])


def test_one_workday_is_the_next_working_day_at_the_same_time(stack):
    """1 workday from now, per data/calendar/cn-holidays.csv (weekends, holidays, 调休)."""
    cal = shipped_calendar()
    t = act(stack, "operator", intake(stack, urgency="normal"), "dispatch", {"unit": UNIT})
    start = parse_time(t["dispatched_at"])
    local = start.astimezone(CST)
    day = local.date() + DAY
    while not (cal.get(day) == "workday" or (cal.get(day) is None and day.weekday() < 5)):
        day += DAY
    want = datetime.datetime.combine(day, local.timetz())
    assert parse_time(t["deadlines"]["accept"]) == want, (local, t["deadlines"])
    assert parse_time(t["deadlines"]["return_window"]) == want, (local, t["deadlines"])
    # Same wall-clock time in Shanghai, on a later date.
    got = parse_time(t["deadlines"]["accept"]).astimezone(CST)
    assert got.time() == local.time() and got.date() > local.date()


def ms(t):
    return round(t.timestamp() * 1000)


def test_timer_plan_of_a_dispatched_ticket(stack):
    """Warning at 75 % of start->due (rounded down to the ms), overdue at the due,
    and the report 5 working days after the reply deadline."""
    cal = shipped_calendar()
    t = act(stack, "operator", intake(stack, urgency="normal"), "dispatch", {"unit": UNIT})
    start = ms(parse_time(t["dispatched_at"]))
    accept_due = ms(parse_time(t["deadlines"]["accept"]))
    reply_due = parse_time(t["deadlines"]["reply"])
    want = sorted([
        ("accept", "warning", start + (accept_due - start) * 75 // 100, accept_due),
        ("accept", "overdue", accept_due, accept_due),
        ("reply", "warning", start + (ms(reply_due) - start) * 75 // 100, ms(reply_due)),
        ("reply", "overdue", ms(reply_due), ms(reply_due)),
        ("reply", "report", ms(add_workdays(cal, reply_due, 5)), ms(reply_due)),
    ])
    got = sorted((c, k, int(d), int(dl)) for c, k, d, dl in stack.sql(
        "SELECT clock, kind, minhu_ms(due_at), minhu_ms(deadline_at) FROM sla_timers "
        "WHERE ticket_id = '%s' AND unit = '' AND fired_at IS NULL" % t["id"]))
    assert got == want


def test_running_clocks_agree_between_the_plan_and_the_database(stack):
    """A clock has pending timers (planned by workflow_clock_running in C) exactly
    when minhu_clock_running() in SQL says it runs, in every status."""
    def new():
        return intake(stack, urgency="normal")

    def dispatched():
        return act(stack, "operator", new(), "dispatch", {"unit": UNIT})

    def accepted():
        return act(stack, "unit", dispatched(), "accept")

    def contacted():
        return act(stack, "unit", accepted(), "contact")

    def replied():
        return act(stack, "unit", contacted(), "reply", {"result": "已处理。"})

    cases = {
        "pending_dispatch": (new(), {"dispatch"}),
        "dispatched": (dispatched(), {"accept", "reply"}),
        "accepted": (accepted(), {"contact", "reply"}),
        "accepted, contacted": (contacted(), {"reply"}),
        "return_requested from dispatched": (
            act(stack, "unit", dispatched(), "request_return", {"reason": "不属于本单位"}),
            {"accept", "reply"}),
        "return_requested from accepted": (
            act(stack, "unit", accepted(), "request_return", {"reason": "不属于本单位"}),
            {"contact", "reply"}),
        "suspended": (act(stack, "operator", contacted(), "suspend", {"reason": "等待鉴定"}),
                      set()),
        "replied": (replied(), {"callback"}),
        "closed": (act(stack, "operator", replied(), "callback",
                       {"contacted": True, "resolved": True, "satisfaction": 5}), set()),
        "cancelled": (act(stack, "operator", accepted(), "cancel", {"reason": "撤回"}), set()),
    }
    for name, (t, want) in cases.items():
        planned = {r[0] for r in stack.sql(
            "SELECT DISTINCT clock FROM sla_timers WHERE ticket_id = '%s' AND unit = '' "
            "AND kind = 'overdue' AND fired_at IS NULL" % t["id"])}
        in_sql = {r[0] for r in stack.sql(
            "SELECT c FROM tickets t, unnest(ARRAY%r) c WHERE t.id = '%s' "
            "AND minhu_clock_running(t, c)" % (list(TIMED_CLOCKS), t["id"]))}
        assert (planned, in_sql) == (want, want), (name, t["status"], planned, in_sql)
        # Each planned point belongs to the ticket's current deadline of that clock.
        stale = stack.sql(
            "SELECT s.clock FROM sla_timers s JOIN tickets t ON t.id = s.ticket_id "
            "WHERE s.ticket_id = '%s' AND s.fired_at IS NULL "
            "AND s.deadline_at IS DISTINCT FROM minhu_clock_due(t, s.clock)" % t["id"])
        assert stale == [], (name, stale)


# ------------------------------------------------------------------ firing


def test_warning_then_overdue_fire_once_each(short_clocks):
    stack = short_clocks
    t = intake(stack, category="0901")
    created = parse_time(t["created_at"])
    due = parse_time(t["deadlines"]["dispatch"])
    assert due == created + 4 * SEC

    wait_for("the dispatch overdue", lambda: sla_events(get(stack, t), "sla_overdue"))
    sleep_until(created + 6 * SEC)
    t = get(stack, t)
    assert t["status"] == "pending_dispatch"
    assert t["warned"] == ["dispatch"] and t["overdue"] == ["dispatch"], t
    assert sla_events(t) == [("sla_warning", "dispatch"), ("sla_overdue", "dispatch")], t["events"]
    assert t["version"] == len(t["events"]) == 3
    warning, overdue = t["events"][1], t["events"][2]
    for ev in (warning, overdue):
        assert ev["actor"] == "system", ev
        assert ev["from"] == ev["to"] == "pending_dispatch", ev
        assert parse_time(ev["data"]["deadline"]) == due, ev
    # Never early: the warning at 75 % of the span (3 s), the overdue at the deadline.
    assert parse_time(warning["at"]) >= created + 3 * SEC, (created, warning)
    assert parse_time(overdue["at"]) >= due, (due, overdue)
    check_event_log(stack, [t["id"]])

    rows = stack.sql("SELECT kind, minhu_ms(due_at), fired_at IS NOT NULL, effect "
                     "FROM sla_timers WHERE ticket_id = '%s' AND clock = 'dispatch' "
                     "ORDER BY due_at" % t["id"])
    due_ms = int(due.timestamp() * 1000)
    created_ms = int(created.timestamp() * 1000)
    assert rows == [("warning", str(created_ms + 3000), "t", "applied"),
                    ("overdue", str(due_ms), "t", "applied")], rows
    # 督办: the overdue of a ticket that no unit holds goes to the centre.
    sup = stack.sql("SELECT unit, kind FROM notifications WHERE ticket_id = '%s' "
                    "AND audience = 'supervisor'" % t["id"])
    assert sup == [(center_code(stack), "overdue")], sup


def test_completing_the_step_cancels_its_pending_points(short_clocks):
    stack = short_clocks
    t = intake(stack, category="0901")
    created = parse_time(t["created_at"])
    t = act(stack, "operator", t, "dispatch", {"unit": UNIT})
    assert parse_time(t["dispatched_at"]) < created + 3 * SEC, \
        "dispatch took longer than the warning point: the test cannot show the cancel"
    # Nothing of the dispatch clock is pending any more.
    assert stack.sql("SELECT kind FROM sla_timers WHERE ticket_id = '%s' AND clock = 'dispatch' "
                     "AND fired_at IS NULL" % t["id"]) == []

    sleep_until(created + 6 * SEC)
    time.sleep(0.5)
    t = get(stack, t)
    assert t["warned"] == [] and t["overdue"] == [], t
    assert sla_events(t) == [], t["events"]
    rows = stack.sql("SELECT kind, coalesce(effect, 'pending') FROM sla_timers "
                     "WHERE ticket_id = '%s' AND clock = 'dispatch'" % t["id"])
    assert all(effect == "stale" for _, effect in rows), rows
    # The clocks that dispatch started are planned instead.
    assert {r[0] for r in stack.sql(
        "SELECT clock FROM sla_timers WHERE ticket_id = '%s' AND fired_at IS NULL"
        % t["id"])} == {"accept", "reply"}
    check_event_log(stack, [t["id"]])


def test_exactly_once_across_three_processes(short_clocks, servers):
    stack = short_clocks
    urls = [stack.url, servers.start().url, servers.start().url]
    n = 50
    tickets = parallel(lambda i: intake(stack, url=urls[i % 3], category="0902",
                                        description="并发计时 %d" % i), list(range(n)))
    ids = [t["id"] for t in tickets]
    last_due = max(parse_time(t["deadlines"]["dispatch"]) for t in tickets)
    sleep_until(last_due)

    wait_for("every timer of the %d tickets to fire" % n, lambda: stack.sql_value(
        "SELECT count(*) FROM sla_timers WHERE ticket_id IN (%s) AND fired_at IS NULL"
        % sql_list(ids)) == "0")
    rows = stack.sql("SELECT clock, kind, effect, count(*), count(fired_at), "
                     "bool_and(fired_at >= due_at) FROM sla_timers WHERE ticket_id IN (%s) "
                     "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" % sql_list(ids))
    assert rows == [("dispatch", "overdue", "applied", str(n), str(n), "t"),
                    ("dispatch", "warning", "applied", str(n), str(n), "t")], rows
    per_ticket = stack.sql(
        "SELECT action, data->>'clock', count(*), count(DISTINCT ticket_id) FROM ticket_events "
        "WHERE ticket_id IN (%s) AND action LIKE 'sla_%%' GROUP BY 1, 2 ORDER BY 1, 2"
        % sql_list(ids))
    assert per_ticket == [("sla_overdue", "dispatch", str(n), str(n)),
                          ("sla_warning", "dispatch", str(n), str(n))], per_ticket
    assert duplicate_sla_events(stack, ids) == []
    check_event_log(stack, ids)
    assert stack.sql("SELECT count(*) FROM tickets WHERE id IN (%s) AND warned = '{dispatch}' "
                     "AND overdue = '{dispatch}'" % sql_list(ids)) == [(str(n),)]

    # The three logs together name each point exactly once.
    logged = {}
    pat = re.compile(r"event=sla_(\w+) ticket=(\S+) clock=(\w+) effect=(\w+)")
    for path in {stack.log_path} | {s.log_path for s in servers.started}:
        with open(path, encoding="utf-8", errors="replace") as f:
            for m in pat.finditer(f.read()):
                if m.group(2) in ids:
                    key = (m.group(2), m.group(1), m.group(3))
                    logged[key] = logged.get(key, 0) + 1
    assert sorted(set(logged.values())) == [1] and len(logged) == 2 * n, \
        [k for k, v in logged.items() if v != 1][:5] or len(logged)


def test_suspension_pauses_the_clocks(short_clocks):
    stack = short_clocks
    t = act(stack, "operator", intake(stack, category="0903"), "dispatch", {"unit": UNIT})
    old_due = parse_time(t["deadlines"]["reply"])
    assert old_due == parse_time(t["dispatched_at"]) + 5 * SEC
    t = act(stack, "unit", t, "accept")
    t = act(stack, "operator", t, "suspend", {"reason": "等待第三方鉴定"})
    assert t["status"] == "suspended"
    suspended_at = parse_time(t["suspended_at"])
    assert suspended_at < old_due - 2 * SEC, "too slow to suspend before the warning point"
    assert stack.sql("SELECT clock FROM sla_timers WHERE ticket_id = '%s' AND fired_at IS NULL"
                     % t["id"]) == [], "a suspended ticket keeps pending timers"

    sleep_until(old_due + 1 * SEC)
    time.sleep(0.5)
    t = get(stack, t)
    assert sla_events(t) == [] and t["overdue"] == [] and t["warned"] == [], t["events"]

    t = act(stack, "operator", t, "resume")
    assert t["status"] == "accepted"
    resumed = parse_time(t["events"][-1]["at"])
    paused = resumed - suspended_at
    new_due = parse_time(t["deadlines"]["reply"])
    assert abs((new_due - old_due) - paused) <= SEC, (old_due, new_due, paused)
    assert new_due > resumed

    wait_for("the reply overdue after the new deadline",
             lambda: sla_events(get(stack, t), "sla_overdue"))
    time.sleep(0.5)
    t = get(stack, t)
    assert sla_events(t) == [("sla_warning", "reply"), ("sla_overdue", "reply")], t["events"]
    overdue = t["events"][-1]
    assert parse_time(overdue["data"]["deadline"]) == new_due, overdue
    assert parse_time(overdue["at"]) >= new_due, (new_due, overdue)
    assert t["overdue"] == ["reply"]
    assert t["version"] == len(t["events"])
    check_event_log(stack, [t["id"]])


def test_a_moved_deadline_does_not_repeat_warning_or_overdue(short_clocks):
    """Suspend and resume after the reply clock went overdue: the deadline moves
    by the paused time, but the clock has already warned and gone overdue in
    this span, so neither fires again (one 督办, not two)."""
    stack = short_clocks
    t = act(stack, "operator", intake(stack, category="0903"), "dispatch", {"unit": UNIT})
    t = act(stack, "unit", t, "accept")
    wait_for("the reply overdue", lambda: sla_events(get(stack, t), "sla_overdue"))
    t = act(stack, "operator", get(stack, t), "suspend", {"reason": "等待第三方鉴定"})
    time.sleep(1.0)
    t = act(stack, "operator", t, "resume")
    time.sleep(3.0)
    t = get(stack, t)
    assert sla_events(t) == [("sla_warning", "reply"), ("sla_overdue", "reply")], t["events"]
    assert t["overdue"] == ["reply"] and t["warned"] == ["reply"], t
    rows = stack.sql("SELECT count(*) FROM notifications WHERE ticket_id = '%s' "
                     "AND audience = 'supervisor'" % t["id"])
    assert rows == [(1,)] or rows == [("1",)], rows
    check_event_log(stack, [t["id"]])


def test_assist_units_accept_clocks_fire_for_the_unit(short_clocks):
    stack = short_clocks
    late, prompt = "610104003", "610104001"  # 桃园路街道, 北院门街道 (the `unit2` token)
    t = act(stack, "operator", intake(stack, category="0902", urgency="emergency"), "dispatch",
            {"unit": UNIT})
    t = act(stack, "unit", t, "accept")
    t = act(stack, "unit", t, "whistle", {"units": [late, prompt]})
    summoned = parse_time(t["events"][-1]["at"])
    assert {a["unit"]["code"]: parse_time(a["due_at"]) for a in t["assists"]} == \
        {late: summoned + 4 * SEC, prompt: summoned + 4 * SEC}, t["assists"]
    act(stack, "unit2", t, "assist_accept")  # reports in: its clock stops

    wait_for("the assist's overdue", lambda: sla_events(get(stack, t), "sla_overdue"))
    time.sleep(1.0)
    t = get(stack, t)
    got = [(e["action"], e["unit"], e["data"]["clock"], e["data"]["unit"]) for e in t["events"]
           if e["action"].startswith("sla_") and e["data"]["clock"] == "accept"]
    assert got == [("sla_warning", late, "accept", late), ("sla_overdue", late, "accept", late)], \
        t["events"]
    mark = "assist_accept:" + late
    assert t["warned"] == [mark] and t["overdue"] == [mark], t
    assert parse_time(t["events"][-1]["at"]) >= summoned + 4 * SEC
    rows = stack.sql("SELECT unit, kind, coalesce(effect, 'pending') FROM sla_timers "
                     "WHERE ticket_id = '%s' AND unit <> '' ORDER BY 1, 2" % t["id"])
    assert [r for r in rows if r[0] == late] == [(late, "overdue", "applied"),
                                                  (late, "warning", "applied")], rows
    assert all(r[2] == "stale" for r in rows if r[0] == prompt), rows
    notes = stack.sql("SELECT audience, unit, kind FROM notifications WHERE ticket_id = '%s' "
                      "AND kind IN ('warning', 'overdue') AND message LIKE '%%签收%%' ORDER BY id"
                      % t["id"])
    parent = stack.sql_value("SELECT parent FROM units WHERE code = '%s'" % late)
    assert notes == [("unit", late, "warning"), ("unit", late, "overdue"),
                     ("supervisor", parent, "overdue")], notes
    check_event_log(stack, [t["id"]])


def test_firing_lag_histogram(short_clocks):
    stack = short_clocks
    before = metrics(stack.url)
    count_key = "minhu_sla_firing_lag_seconds_count"
    le1 = 'minhu_sla_firing_lag_seconds_bucket{le="1"}'
    inf = 'minhu_sla_firing_lag_seconds_bucket{le="+Inf"}'
    assert before.get(count_key, 0) > 0, before  # the tests above fired timers here
    assert before[inf] == before[count_key]

    # A small batch at rest, fired by this one server.
    tickets = [intake(stack, category="0902") for _ in range(4)]
    ids = [t["id"] for t in tickets]
    sleep_until(max(parse_time(t["deadlines"]["dispatch"]) for t in tickets))
    wait_for("the batch to fire", lambda: stack.sql_value(
        "SELECT count(*) FROM sla_timers WHERE ticket_id IN (%s) AND fired_at IS NULL"
        % sql_list(ids)) == "0")
    fired = int(stack.sql_value("SELECT count(*) FROM sla_timers WHERE ticket_id IN (%s)"
                                % sql_list(ids)))
    assert fired == 8  # a warning and an overdue each

    after = wait_for("the metrics to count the batch",
                     lambda: (lambda m: m if m[count_key] - before[count_key] >= fired
                              else None)(metrics(stack.url)), timeout=5)
    assert after[count_key] - before[count_key] == fired, (before, after)
    assert after[le1] - before[le1] == fired, (before, after)
    fired_total = sum(v for k, v in after.items() if k.startswith("minhu_sla_timers_fired_total"))
    assert fired_total == after[count_key], after


def test_outbox_sends_the_intake_notice_with_the_phone_masked(stack):
    phone = "13912345678"
    caller = {"name": "李秀英", "phone": phone, "anonymous": False, "confidential": False}
    t = intake(stack, caller=caller)
    code = t["query_code"]
    rows = stack.sql("SELECT id, unit IS NULL FROM notifications WHERE ticket_id = '%s' "
                     "AND audience = 'resident' AND kind = 'intake'" % t["id"])
    assert len(rows) == 1 and rows[0][1] == "t", rows
    nid = rows[0][0]
    wait_for("the notice to be sent", lambda: stack.sql_value(
        "SELECT sent_at IS NOT NULL FROM notifications WHERE id = %s" % nid) == "t", timeout=10)
    assert stack.sql_value("SELECT attempts FROM notifications WHERE id = %s" % nid) == "1"

    def line():
        for name in os.listdir(stack.workdir):
            if name.endswith(".log"):
                with open(os.path.join(stack.workdir, name), encoding="utf-8",
                          errors="replace") as f:
                    for ln in f:
                        if re.search(r"event=notify id=%s\b" % nid, ln):
                            return ln
        return None

    ln = wait_for("the notice's log line", line, timeout=10)
    assert "to=139****5678" in ln, ln
    assert "audience=resident" in ln and t["number"] in ln, ln
    assert phone not in ln, ln
    assert code not in ln.replace(t["number"], ""), (code, ln)
    for name in os.listdir(stack.workdir):
        if name.endswith(".log"):
            with open(os.path.join(stack.workdir, name), encoding="utf-8",
                      errors="replace") as f:
                assert phone not in f.read(), "the full phone is in " + name


# ------------------------------------------------------------------ no server, crashes


def test_timers_due_while_no_server_ran_fire_at_start(short_clocks):
    stack = short_clocks
    tickets = [intake(stack, category="0902") for _ in range(5)]
    ids = [t["id"] for t in tickets]
    assert stack.server.stop() == 0
    try:
        pending = stack.sql_value("SELECT count(*) FROM sla_timers WHERE ticket_id IN (%s) "
                                  "AND kind = 'overdue' AND fired_at IS NULL" % sql_list(ids))
        assert pending == "5", "the server took so long to stop that the overdue points fired"
        sleep_until(max(parse_time(t["deadlines"]["dispatch"]) for t in tickets) + 1 * SEC)
        assert stack.sql_value("SELECT count(*) FROM ticket_events WHERE ticket_id IN (%s) "
                               "AND action = 'sla_overdue'" % sql_list(ids)) == "0"
    finally:
        stack.server.start()
    ready = time.monotonic()
    wait_for("the overdue points that came due while no server ran", lambda: stack.sql_value(
        "SELECT count(*) FROM ticket_events WHERE ticket_id IN (%s) AND action = 'sla_overdue'"
        % sql_list(ids)) == "5", timeout=WAIT)
    assert time.monotonic() - ready < 5.0, "took %.1f s after start" % (time.monotonic() - ready)
    assert stack.sql_value("SELECT count(*) FROM sla_timers WHERE ticket_id IN (%s) "
                           "AND fired_at IS NULL" % sql_list(ids)) == "0"
    assert duplicate_sla_events(stack, ids) == []
    check_event_log(stack, ids)


def test_kill_9_in_the_middle_of_firing(short_clocks):
    stack = short_clocks
    n = 1000  # two points each: 2000 due timers
    marker = "kill-9-" + uuid.uuid4().hex[:8]
    tickets = parallel(lambda i: intake(stack, title=marker), list(range(n)))
    ids = [t["id"] for t in tickets]
    total = 2 * n

    victim = Server(stack.dsn, stack.workdir, extra_args=["--timer-batch", "50"], name="victim")
    assert stack.server.stop() == 0
    db = Psql(stack.dsn)
    try:
        # Make the tickets' dispatch clocks come due in the past, with live timer rows:
        # their deadline is the ticket's dispatch_due.
        stack.sql(
            "BEGIN;"
            "UPDATE tickets SET dispatch_start = now() - interval '8 seconds',"
            " dispatch_due = now() - interval '2 seconds' WHERE title = '%(m)s';"
            "DELETE FROM sla_timers s USING tickets t WHERE t.id = s.ticket_id"
            " AND t.title = '%(m)s' AND s.fired_at IS NULL;"
            "INSERT INTO sla_timers (ticket_id, clock, kind, due_at, deadline_at)"
            " SELECT t.id, 'dispatch', k.kind, CASE k.kind WHEN 'warning'"
            " THEN t.dispatch_due - interval '2 seconds' ELSE t.dispatch_due END, t.dispatch_due"
            " FROM tickets t, (VALUES ('warning'), ('overdue')) k(kind) WHERE t.title = '%(m)s';"
            "COMMIT;" % {"m": marker})
        assert stack.sql_value("SELECT count(*) FROM sla_timers s JOIN tickets t "
                               "ON t.id = s.ticket_id WHERE t.title = '%s' AND s.fired_at IS NULL "
                               "AND s.due_at < now()" % marker) == str(total)
        # Nothing else comes due meanwhile, so each committed batch is 50 of these.
        assert stack.sql_value("SELECT count(*) FROM sla_timers WHERE fired_at IS NULL "
                               "AND due_at < now() + interval '60 seconds'") == str(total)

        count = ("SELECT count(*) FROM sla_timers s JOIN tickets t ON t.id = s.ticket_id "
                 "WHERE t.title = '%s' AND s.fired_at IS NOT NULL" % marker)
        victim.start(wait=False)
        deadline = time.monotonic() + 30
        while int(db.value(count)) == 0:
            assert victim.running(), victim.log_tail()
            assert time.monotonic() < deadline, "nothing fired in 30 s:\n" + victim.log_tail()
            time.sleep(0.005)
        victim.kill()
        time.sleep(1.0)  # a transaction the kill interrupted commits or rolls back
        done = int(db.value(count))
        assert 0 < done < total, "the kill did not land in the middle of firing (%d)" % done
        assert done % 50 == 0, "a batch was half applied: %d" % done

        victim.start()
        wait_for("the rest to fire after the restart",
                 lambda: int(db.value(count)) == total, timeout=30)
    finally:
        db.close()
        # Exit code 0 on SIGTERM after the restart, no sanitizer report.
        problems = victim.shutdown_problems()
        stack.server.start()
    assert problems == [], "\n".join(problems)

    assert stack.sql("SELECT count(*) FROM sla_timers WHERE fired_at IS NULL "
                     "AND due_at < now() - interval '5 seconds'") == [("0",)]
    assert stack.sql("SELECT effect, count(*) FROM sla_timers s JOIN tickets t "
                     "ON t.id = s.ticket_id WHERE t.title = '%s' GROUP BY 1" % marker) == \
        [("applied", str(total))]
    assert duplicate_sla_events(stack, ids) == []
    assert stack.sql("SELECT action, count(*) FROM ticket_events WHERE ticket_id IN (%s) "
                     "AND action LIKE 'sla_%%' GROUP BY 1 ORDER BY 1" % sql_list(ids)) == \
        [("sla_overdue", str(n)), ("sla_warning", str(n))]
    check_event_log(stack, ids)


def test_a_calendar_change_reaches_the_running_server(stack):
    """Importing a holiday is seen by the running server (NOTIFY minhu_reference):
    the next working day becomes a holiday and 1 workday skips it."""
    cal = shipped_calendar()
    now = datetime.datetime.now(CST)
    nxt = add_workdays(cal, now, 1).date()
    if cal.get(nxt) is not None:
        pytest.skip("the next working day %s is a special day already" % nxt)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write("date,kind,name\n%s,holiday,临时休假\n" % nxt.isoformat())
        path = f.name
    try:
        stack.admin("import", "calendar", path)
    finally:
        os.unlink(path)
    cal[nxt] = "holiday"

    def reloaded():
        t = act(stack, "operator", intake(stack, urgency="normal"), "dispatch", {"unit": UNIT})
        want = add_workdays(cal, parse_time(t["dispatched_at"]), 1)
        return parse_time(t["deadlines"]["accept"]) == want and t

    t = wait_for("the server to reload the calendar", reloaded, interval=0.2)
    assert parse_time(t["deadlines"]["accept"]).astimezone(CST).date() > nxt
