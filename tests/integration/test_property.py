"""Property test: a seeded random walk over the whole lifecycle, checked against the table.

Many tickets, random actions by random parties with random bodies (valid and
invalid).  After every step:

* an accepted action (200) is one the transition table of
  docs/workflow-table.md allows for that party, from that status, with that
  variant, and leads to the status the table names; it appended exactly one
  event, and nothing else changed anywhere;
* a refused one answered 400, 403, 404, 409 or 422 — 403 only when the party
  may never take the action, 404 only for a unit that is no party to the
  ticket, 409 only for a wrong expected_version — and changed nothing: the
  ticket row, its events, assists, timers and notifications are byte-equal,
  and no other row of tickets or ticket_events appeared.

At the end every ticket's event log is folded and compared with its row:
status, version (seq 1..N without a gap), return and reopen counts, the
problem mark, the lead unit (intake rule, dispatch and approve_return data),
assists and their status, merged_into, the unreasonable flag, the approved
extension count, closed_at, and next_due against the SQL clock rules.

MINHU_PROPERTY_SEED and MINHU_PROPERTY_STEPS change the walk; a failure
names the seed and the step.
"""

import datetime
import json
import os
import random
import re
import subprocess

import pytest

from conftest import psql_path
from minhu_client import call, intake_body

SEED = int(os.environ.get("MINHU_PROPERTY_SEED", "20261122"))
STEPS = int(os.environ.get("MINHU_PROPERTY_STEPS", "400"))
TICKETS = 8

HONG, BEI, CGJ, ZJJ = "610104002", "610104001", "dept-q-cgj", "dept-q-zjj"
UNITS = (HONG, BEI, CGJ, ZJJ)  # each has a unit token here
LEADS = (HONG, BEI, CGJ)
ROLES = ("operator", "admin", "leader", "channel") + UNITS
STATUSES = ("pending_dispatch", "dispatched", "accepted", "return_requested", "suspended",
            "replied", "closed", "answered", "rejected", "merged", "cancelled")
OPEN = STATUSES[:6]
ACTIONS = ("answer", "reject", "dispatch", "accept", "contact", "note", "whistle",
           "assist_accept", "assist_reply", "request_return", "approve_return",
           "reject_return", "request_extension", "approve_extension", "reject_extension",
           "suspend", "resume", "reply", "callback", "reopen", "merge", "cancel",
           "flag_unreasonable")
CLOCKS = ("dispatch", "accept", "contact", "reply", "callback")
FINAL_WEIGHT = {"answer": 0.1, "reject": 0.1, "cancel": 0.1, "merge": 0.15,
                "flag_unreasonable": 0.3}


# ------------------------------------------------------------------ the table


def load_table():
    """(action, from, to, who, variant) rows of docs/workflow-table.md."""
    path = os.path.join(os.environ["MINHU_SOURCE_DIR"], "docs", "workflow-table.md")
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\| `([a-z_]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$",
                         line.rstrip("\n"))
            if not m:
                continue
            action, frm, to, who, variant = (x.strip() for x in m.groups())
            rows.append((action, None if frm == "—" else frm, to,
                         frozenset(w.strip() for w in who.split(",")), variant))
    return rows


TABLE = load_table()


def test_the_table_parses_and_names_every_action():
    assert len(TABLE) > 40
    assert {r[0] for r in TABLE} == set(ACTIONS) | {"intake"}
    for action, frm, to, who, variant in TABLE:
        assert frm is None or frm in STATUSES, frm
        assert to in STATUSES or to in ("(same)", "(previous)"), to
        assert who <= {"centre", "lead", "assist", "channel"}, who
        assert variant in ("", "routed", "to_unit", "reopen"), variant


def test_workflow_md_diagram_matches_the_table():
    """docs/workflow.md's diagram has exactly the table's status changes."""
    path = os.path.join(os.environ["MINHU_SOURCE_DIR"], "docs", "workflow.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"```mermaid\n(.*?)```", text, re.S).group(1)
    drawn = set()
    for line in block.splitlines():
        m = re.match(r"^\s*(\S+) --> (\S+): ([a-z_]+)(?: \(([a-z_]+)\))?$", line)
        if not m:
            continue
        frm, to, action, variant = m.groups()
        for f in (OPEN if frm == "open" else (None,) if frm == "[*]" else (frm,)):
            drawn.add((action, f, to, variant or ""))
    table = set()
    for action, frm, to, who, variant in TABLE:
        if to == "(same)":
            continue
        for t in ("dispatched", "accepted") if to == "(previous)" else (to,):
            table.add((action, frm, t, variant))
    assert drawn == table, ("only drawn: %r" % sorted(drawn - table, key=str),
                            "only in the table: %r" % sorted(table - drawn, key=str))


def may_ever(action, parties):
    return any(r[0] == action and r[3] & parties for r in TABLE)


def allowed_to(action, frm, prev, parties, variant):
    """The statuses the table allows (action, frm, variant) by parties to lead to."""
    out = set()
    for a, f, to, who, v in TABLE:
        if a == action and f == frm and v == variant and who & parties:
            out.add(frm if to == "(same)" else prev if to == "(previous)" else to)
    return out


# ------------------------------------------------------------------ database


class Psql:
    """One psql session for many small queries: rows as lists of strings."""

    END = "__minhu_end__"

    def __init__(self, dsn):
        self.proc = subprocess.Popen(
            [psql_path(), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", dsn],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def rows(self, query):
        self.proc.stdin.write(query.rstrip().rstrip(";") + ";\nSELECT '%s';\n" % self.END)
        self.proc.stdin.flush()
        out = []
        while True:
            line = self.proc.stdout.readline()
            assert line, "psql ended"
            line = line.rstrip("\n")
            if line == self.END:
                return out
            out.append(line.split("\t"))

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait(10)


STATE_SQL = """
SELECT t.status, coalesce(t.prev_status, ''), t.version, coalesce(t.lead_unit, ''),
       array_to_string(t.assist_units, ','), coalesce(minhu_ms(t.reply_due)::text, ''),
       t.number, t.anonymous, t.contacted_at IS NOT NULL,
       md5(t::text
           || coalesce((SELECT string_agg(e::text, ';' ORDER BY e.seq) FROM ticket_events e
                        WHERE e.ticket_id = t.id), '')
           || coalesce((SELECT string_agg(a::text, ';' ORDER BY a.unit) FROM ticket_assists a
                        WHERE a.ticket_id = t.id), '')
           || coalesce((SELECT string_agg(s::text, ';' ORDER BY s.id) FROM sla_timers s
                        WHERE s.ticket_id = t.id), '')
           || (SELECT count(*) FROM notifications n WHERE n.ticket_id = t.id)::text)
FROM tickets t WHERE t.id = '%s'
"""

COUNTS_SQL = "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events)"


class State:
    def __init__(self, row):
        (self.status, prev, version, lead, assists, reply_due, self.number, anonymous,
         contacted, self.digest) = row
        self.prev = prev or None
        self.version = int(version)
        self.lead = lead or None
        self.assists = set(assists.split(",")) if assists else set()
        self.reply_due = int(reply_due) if reply_due else None
        self.anonymous = anonymous == "t"
        self.contacted = contacted == "t"

    def parties(self, role):
        if role in ("operator", "admin"):
            return frozenset({"centre"})
        if role == "channel":
            return frozenset({"channel"})
        if role in UNITS:
            p = set()
            if self.lead == role:
                p.add("lead")
            if role in self.assists:
                p.add("assist")
            return frozenset(p)
        return frozenset()


# ------------------------------------------------------------------ the walk


class Walk:
    def __init__(self, stack, db, rng):
        self.stack = stack
        self.db = db
        self.rng = rng
        self.tok = dict(stack.tokens)
        self.tok[HONG] = stack.tokens["unit"]
        self.tok[BEI] = stack.tokens["unit2"]
        for code in (CGJ, ZJJ):
            self.tok[code] = stack.token("unit", "prop-" + code, code)
        self.tickets = []  # ids
        self.log = []      # one line per step, for the failure message
        self.accepted = {}  # action -> count of 200s
        self.refused = {}   # status code -> count

    # -- helpers

    def state(self, tid):
        rows = self.db.rows(STATE_SQL % tid)
        assert len(rows) == 1, rows
        return State(rows[0])

    def counts(self):
        return tuple(self.db.rows(COUNTS_SQL)[0])

    def fail(self, msg):
        pytest.fail("seed %d, step %d: %s\nlast steps:\n  %s" % (
            SEED, len(self.log), msg, "\n  ".join(self.log[-12:])), pytrace=False)

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)

    # -- intake

    def intake(self, role=None):
        rng = self.rng
        role = role or rng.choice(("operator", "operator", "admin", "channel", "leader", HONG))
        anonymous = rng.random() < 0.2
        fields = {"urgency": rng.choice(("normal", "timely", "complex")),
                  "category": rng.choice(("0301", "0402", "0101", "0601")),
                  "area": rng.choice((HONG, "610104002001", BEI, None)),
                  "caller": {"anonymous": True} if anonymous else
                  {"name": "测试", "phone": "1380000%04d" % rng.randrange(10000)}}
        if fields["area"] is None or anonymous:
            fields["address"] = None
        before = self.counts()
        r = call(self.stack.url, "POST", "/api/v1/tickets", token=self.tok[role],
                 body=intake_body(**fields))
        self.log.append("intake by %s -> %d" % (role, r.status))
        if role in ("operator", "admin", "channel"):
            self.check(r.status == 201, "intake by %s: %r" % (role, r))
            t = r.json
            self.check(t["status"] == "pending_dispatch" and t["version"] == 1,
                       "intake: %r" % t)  # no routing rules in this module
            after = self.counts()
            self.check((int(after[0]) - int(before[0]), int(after[1]) - int(before[1])) ==
                       (1, 1), "intake stored %r -> %r" % (before, after))
            self.tickets.append(t["id"])
        else:
            self.check(r.status == 403, "intake by %s: %r" % (role, r))
            self.check(self.counts() == before, "a refused intake stored something")

    # -- one action

    def body(self, action, st):
        """(body, variant, pinned wrong version?) — valid most of the time."""
        rng = self.rng
        bad = rng.random() < 0.15
        text = "随机 %d" % rng.randrange(1000)
        b = {}
        if action in ("note", "assist_reply"):
            b = {} if bad else {"note": text}
        elif action in ("request_return", "suspend", "reopen", "cancel", "reject",
                        "flag_unreasonable"):
            b = {} if bad else {"reason": text}
        elif action in ("reply", "answer"):
            b = {} if bad else {"result": text}
        elif action == "dispatch":
            b = {} if bad else {"unit": rng.choice(LEADS + ("no-such-unit", "12345")
                                                   if rng.random() < 0.1 else LEADS)}
        elif action == "approve_return":
            if rng.random() < 0.5:
                b = {"unit": rng.choice(LEADS + (("no-such-unit",) if bad else ()))}
        elif action == "whistle":
            b = {"units": [] if bad else rng.sample(UNITS, rng.choice((1, 1, 2)))}
        elif action == "request_extension":
            base = st.reply_due or 0
            until = base + (rng.choice((-3600, 86400, 3 * 86400)) if not bad else -86400) * 1000
            when = datetime.datetime.fromtimestamp(until / 1000, datetime.timezone.utc)
            b = {"until": when.isoformat(), "reason": text}
            if bad and rng.random() < 0.5:
                del b["reason"]
        elif action == "callback":
            if not bad or rng.random() < 0.5:
                b = {"contacted": rng.random() < 0.8, "resolved": rng.random() < 0.7,
                     "satisfaction": rng.randint(1, 5) if not bad else 9}
            if rng.random() < 0.3:
                b["reopen"] = True
        elif action == "merge":
            if not bad and self.tickets:
                other = self.state(rng.choice(self.tickets))
                b = {"into": other.number}
        if rng.random() < 0.03:
            b["colour"] = "red"  # an unknown member: 400
        pinned_wrong = False
        if rng.random() < 0.08:
            pinned_wrong = rng.random() < 0.5
            b["expected_version"] = st.version + (1 if pinned_wrong else 0)
        variant = ""
        if action == "callback" and b.get("reopen"):
            variant = "reopen"
        if action == "approve_return" and b.get("unit"):
            variant = "to_unit"
        return b, variant, pinned_wrong

    def choose(self, st):
        """An action and an actor, biased towards ones the table allows now."""
        rng = self.rng
        if rng.random() < 0.75:
            rows = [r for r in TABLE if r[1] == st.status]
            if rows:
                # Endings are rarer, so that walks go deep (reopen, problem tickets).
                weights = [FINAL_WEIGHT.get(r[0], 1.0) for r in rows]
                action, _, _, who, _ = rng.choices(rows, weights)[0]
                actors = [a for a in ROLES if st.parties(a) & who]
                if actors and rng.random() < 0.85:
                    return action, rng.choice(actors)
                return action, rng.choice(ROLES)
        return rng.choice(ACTIONS), rng.choice(ROLES)

    def step(self):
        rng = self.rng
        open_ids = [i for i in self.tickets if self.state(i).status in OPEN]
        if len(open_ids) < 4 or rng.random() < 0.04:
            self.intake()
            return
        tid = rng.choice(open_ids if rng.random() < 0.85 else self.tickets)
        st = self.state(tid)
        action, role = self.choose(st)
        body, variant, pinned_wrong = self.body(action, st)
        parties = st.parties(role)
        before_counts = self.counts()
        r = call(self.stack.url, "POST", "/api/v1/tickets/%s/%s" % (tid, action),
                 token=self.tok[role], body=body)
        after = self.state(tid)
        after_counts = self.counts()
        self.log.append("%s %s by %s (%s) %s -> %d %s" % (
            tid[-6:], action, role, ",".join(sorted(parties)) or "-", json.dumps(
                body, ensure_ascii=False), r.status,
            after.status if r.status == 200 else (r.json or {}).get("error", {}).get("message")))
        self.check(after.status in STATUSES, "status %r" % after.status)
        if r.status == 200:
            self.accepted[action] = self.accepted.get(action, 0) + 1
            allowed = allowed_to(action, st.status, st.prev, parties, variant)
            self.check(allowed, "%s (%s) by %s from %s was accepted; the table forbids it"
                       % (action, variant or "default", role, st.status))
            self.check(after.status in allowed, "%s from %s went to %s, the table says %s"
                       % (action, st.status, after.status, allowed))
            self.check(r.json["status"] == after.status and r.json["version"] == after.version,
                       "the answer disagrees with the row")
            self.check(after.version == st.version + 1, "version %d -> %d"
                       % (st.version, after.version))
            self.check(after_counts == (before_counts[0], str(int(before_counts[1]) + 1)),
                       "%s: rows %r -> %r (one event expected)" % (action, before_counts,
                                                                   after_counts))
            self.check(not pinned_wrong, "a wrong expected_version was accepted")
            ev = r.json["events"][-1]
            self.check((ev["seq"], ev["action"], ev["from"], ev["to"]) ==
                       (after.version, action, st.status, after.status), "event %r" % ev)
            return
        self.refused[r.status] = self.refused.get(r.status, 0) + 1
        self.check(r.status in (400, 403, 404, 409, 422), "refused with %r" % r)
        self.check(after.digest == st.digest, "a refused %s (%d) changed the ticket"
                   % (action, r.status))
        self.check(after_counts == before_counts, "a refused %s stored rows" % action)
        if role in ("leader", "channel"):
            self.check(r.status == 403, "%s acting: %r" % (role, r))
        elif r.status == 403:
            self.check(not may_ever(action, parties), "403 for %s by %s (%s), who may"
                       % (action, role, set(parties)))
        elif r.status == 404:
            self.check(role in UNITS and not parties, "404 for %s by %s, a party" % (action, role))
        elif r.status == 409:
            self.check(pinned_wrong, "409 without a wrong expected_version: %r" % r)
        elif r.status == 422:
            self.check(may_ever(action, parties), "422 for %s by %s (%s), who never may"
                       % (action, role, set(parties)))
        if allowed_to(action, st.status, st.prev, parties, variant) == set():
            self.check(r.status in (400, 403, 404, 409, 422), "should be refused")


# ------------------------------------------------------------------ the replay


def fold(events, rule_unit, number_to_id):
    """The ticket row its events imply."""
    f = {"status": None, "version": 0, "lead": None, "returns": 0, "reopens": 0,
         "merged_into": None, "unreasonable": False, "ext_approved": 0, "assists": {},
         "closed": False}
    for seq, action, frm, to, unit, lead_col, data in events:
        f["version"] += 1
        assert seq == f["version"], "seq %d at position %d" % (seq, f["version"])
        assert frm == f["status"], "event %d from %r, the log was at %r" % (seq, frm, f["status"])
        data = data or {}
        if action == "intake":
            f["lead"] = rule_unit.get(data.get("rule")) if "rule" in data else None
        elif action == "dispatch":
            f["lead"] = data["unit"]
        elif action == "approve_return":
            f["returns"] += 1
            f["lead"] = data.get("unit")
            f["assists"] = {}
            f["ext_approved"] = 0
        elif action == "reopen" or (action == "callback" and data.get("reopen")):
            f["reopens"] += 1
        elif action == "merge":
            f["merged_into"] = number_to_id[data["into"]]
        elif action == "flag_unreasonable":
            f["unreasonable"] = True
        elif action == "approve_extension":
            f["ext_approved"] += 1
        elif action == "whistle":
            for u in data["units"]:
                f["assists"][u] = "summoned"
        elif action == "assist_accept":
            f["assists"][unit] = "accepted"
        elif action == "assist_reply":
            f["assists"][unit] = "replied"
        assert lead_col == f["lead"], "event %d (%s) records lead %r, the log says %r" % (
            seq, action, lead_col, f["lead"])
        f["status"] = to
    f["problem"] = f["returns"] >= 3 or f["reopens"] >= 3
    f["closed"] = f["status"] in ("closed", "answered")
    return f


def check_replay(stack, db, ids):
    rule_unit = {int(i): u for i, u in db.rows("SELECT id, unit FROM routing_rules")}
    number_to_id = {n: i for n, i in db.rows("SELECT number, id FROM tickets")}
    for tid in ids:
        events = [(int(s), a, f or None, t, u or None, lu or None, json.loads(d) if d else None)
                  for s, a, f, t, u, lu, d in db.rows(
                      "SELECT seq, action, coalesce(from_status, ''), to_status, "
                      "coalesce(unit, ''), coalesce(lead_unit, ''), coalesce(data::text, '') "
                      "FROM ticket_events WHERE ticket_id = '%s' ORDER BY seq" % tid)]
        try:
            f = fold(events, rule_unit, number_to_id)
        except AssertionError as e:
            pytest.fail("ticket %s: the event log does not replay: %s" % (tid, e), pytrace=False)
        row = db.rows("SELECT status, version, coalesce(lead_unit, ''), return_count, "
                      "reopen_count, problem, coalesce(merged_into::text, ''), unreasonable, "
                      "ext_approved_count, closed_at IS NOT NULL FROM tickets WHERE id = '%s'"
                      % tid)[0]
        want = [f["status"], str(f["version"]), f["lead"] or "", str(f["returns"]),
                str(f["reopens"]), "t" if f["problem"] else "f", f["merged_into"] or "",
                "t" if f["unreasonable"] else "f", str(f["ext_approved"]),
                "t" if f["closed"] else "f"]
        assert row == want, "ticket %s: row %r, events fold to %r" % (tid, row, want)
        assists = sorted(tuple(a) for a in db.rows(
            "SELECT unit, status FROM ticket_assists WHERE ticket_id = '%s'" % tid))
        assert assists == sorted(f["assists"].items()), (tid, assists, f["assists"])
        au = db.rows("SELECT array_to_string(assist_units, ',') FROM tickets WHERE id = '%s'"
                     % tid)[0][0]
        assert sorted(filter(None, au.split(","))) == sorted(f["assists"]), (tid, au)


def check_clocks(db, ids):
    """next_due is the nearest running clock by the SQL rules (R_sla.sql), and
    final tickets keep no pending timer."""
    listed = ",".join("'%s'" % i for i in ids)
    bad = db.rows(
        "SELECT t.id, t.status, minhu_ms(t.next_due) FROM tickets t WHERE t.id IN (%s) AND "
        "t.next_due IS DISTINCT FROM (SELECT min(minhu_clock_due(t, c)) FROM unnest(ARRAY[%s]) c "
        "WHERE minhu_clock_running(t, c))" % (listed, ",".join("'%s'" % c for c in CLOCKS)))
    assert bad == [], "next_due disagrees with the running clocks: %r" % bad[:5]
    bad = db.rows("SELECT t.id, t.status FROM tickets t JOIN sla_timers s ON s.ticket_id = t.id "
                  "WHERE t.id IN (%s) AND s.fired_at IS NULL AND t.status IN "
                  "('closed', 'answered', 'rejected', 'merged', 'cancelled', 'suspended')"
                  % listed)
    assert bad == [], "timers pending on tickets whose clocks stopped: %r" % bad[:5]


def test_random_walk_stays_in_the_table_and_replays(stack):
    rng = random.Random(SEED)
    db = Psql(stack.dsn)
    try:
        walk = Walk(stack, db, rng)
        for _ in range(TICKETS):
            walk.intake("operator")
        for _ in range(STEPS):
            walk.step()
        # The walk went places: most actions were accepted at least once, and
        # refusals of every kind happened.
        print("accepted", sorted(walk.accepted.items()), "refused", walk.refused)
        assert len(walk.accepted) >= 18, sorted(walk.accepted)
        assert {400, 403, 404, 422} <= set(walk.refused), walk.refused
        statuses = {r[0] for r in db.rows("SELECT DISTINCT status FROM tickets")}
        assert len(statuses) >= 7, statuses
        check_replay(stack, db, walk.tickets)
        check_clocks(db, walk.tickets)
    finally:
        db.close()
