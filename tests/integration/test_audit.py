"""The event log as evidence (sql/009_audit.sql, tools/verify.c): append-only
in the database for the role the server runs as, every event chained by hash
to the previous one of its ticket whatever wrote it (API, SLA timers), and
`minhu-admin verify` naming the first broken link of each tampered ticket.

The tests run in file order: the tampering ones come last.
"""

import os
import re
import secrets
import subprocess
import tempfile
import time

import pytest

import conftest
from minhu_client import intake_body

UNIT = "610104002"


def intake(stack, **fields):
    r = stack.call("POST", "/api/v1/tickets", role="operator", body=intake_body(**fields))
    assert r.status == 201, r
    return r.json


def act(stack, role, t, action, body=None):
    r = stack.call("POST", "/api/v1/tickets/%s/%s" % (t["id"], action), role=role,
                   body=body or {})
    assert r.status == 200, r
    return r.json


def closed_ticket(stack, note="进展说明"):
    """intake → dispatch → accept → contact → note → reply → callback: 7 events."""
    t = intake(stack)
    for role, action, body in (("operator", "dispatch", {"unit": UNIT}), ("unit", "accept", {}),
                               ("unit", "contact", {}), ("unit", "note", {"note": note}),
                               ("unit", "reply", {"result": "已处理"}),
                               ("operator", "callback", {"contacted": True, "resolved": True,
                                                         "satisfaction": 5})):
        t = act(stack, role, t, action, body)
    assert t["status"] == "closed" and t["version"] == 7, t
    return t


def verify(stack):
    return stack.admin("verify", check=False)


def psql_as(stack, role, sql):
    """Runs sql as another database role; returns (exit code, stderr)."""
    dsn = stack.dsn + " user=" + role  # the last keyword wins
    proc = subprocess.run([conftest.psql_path(), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                           "-d", dsn, "-c", sql], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stderr + proc.stdout


@pytest.fixture(scope="module")
def app_role(stack):
    """A login role with every table privilege on the event log and ownership
    of nothing: what minhud runs as in production (docs/operations.md)."""
    name = "minhu_app_" + secrets.token_hex(4)
    stack.sql('CREATE ROLE "%s" LOGIN' % name)
    stack.sql('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ticket_events, tickets '
              'TO "%s"' % name)
    yield name
    stack.sql('REVOKE ALL ON ticket_events, tickets FROM "%s"' % name)
    stack.sql('DROP ROLE "%s"' % name)


# ------------------------------------------------------------------ the chain


def test_every_event_is_chained_to_the_previous_one(stack):
    t = closed_ticket(stack)
    rows = stack.sql("SELECT seq, encode(prev_hash, 'hex'), encode(hash, 'hex'),"
                     " hash = minhu_event_hash(e, prev_hash) FROM ticket_events e "
                     "WHERE ticket_id = '%s' ORDER BY seq" % t["id"])
    assert [int(r[0]) for r in rows] == list(range(1, 8))
    assert rows[0][1] == "", "the first event has no predecessor"
    for prev, cur in zip(rows, rows[1:]):
        assert cur[1] == prev[2], "seq %s does not chain to seq %s" % (cur[0], prev[0])
    assert all(len(r[2]) == 64 and r[3] == "t" for r in rows), rows
    assert len({r[2] for r in rows}) == 7


def test_the_hash_covers_what_the_event_says(stack):
    """Same content, another note: another hash (and every later link differs)."""
    a = closed_ticket(stack, note="甲")
    b = closed_ticket(stack, note="乙")
    ha, hb = (stack.sql("SELECT encode(hash, 'hex') FROM ticket_events WHERE ticket_id = '%s'"
                        " ORDER BY seq" % t["id"]) for t in (a, b))
    assert ha[4] != hb[4] and ha[6] != hb[6]


def test_timer_events_are_chained_too(stack):
    """An SLA overdue mark is written by a database function, not by the API:
    the trigger chains it all the same."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write("category,urgency,clock,limit\n0302,*,dispatch,2 seconds\n")
        path = f.name
    try:
        stack.admin("import", "sla", path)
    finally:
        os.unlink(path)
    deadline = time.monotonic() + 30
    while True:  # the server reloads the policy on its own
        t = intake(stack, category="0302")  # waits for dispatch: its clock runs
        due = t["deadlines"]["dispatch"]
        if due is not None and conftest_seconds(due) - conftest_seconds(t["created_at"]) <= 2.5:
            break
        act(stack, "operator", t, "cancel", {"reason": "probe"})
        assert time.monotonic() < deadline, ("the short SLA rule was not loaded", t["deadlines"])
        time.sleep(0.5)
    deadline = time.monotonic() + 20
    while stack.sql_value("SELECT count(*) FROM ticket_events WHERE ticket_id = '%s' "
                          "AND action = 'sla_overdue'" % t["id"]) != "1":
        assert time.monotonic() < deadline, "the overdue timer did not fire"
        time.sleep(0.2)
    rows = stack.sql("SELECT action, hash = minhu_event_hash(e, (SELECT p.hash FROM "
                     "ticket_events p WHERE p.ticket_id = e.ticket_id AND p.seq = e.seq - 1)) "
                     "FROM ticket_events e WHERE ticket_id = '%s' ORDER BY seq" % t["id"])
    assert ("sla_overdue", "t") in rows, rows
    assert all(ok == "t" for _, ok in rows), rows


def conftest_seconds(text):
    from minhu_client import parse_time
    return parse_time(text).timestamp()


def test_verify_passes_on_an_untouched_database(stack):
    closed_ticket(stack)
    r = verify(stack)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""
    m = re.search(r"checked (\d+) events of (\d+) tickets: 0 broken chains", r.stderr)
    assert m, r.stderr
    assert int(m.group(1)) == int(stack.sql_value("SELECT count(*) FROM ticket_events"))
    assert int(m.group(2)) == int(stack.sql_value("SELECT count(*) FROM tickets"))
    digest = re.search(r"heads digest ([0-9a-f]{64})", r.stderr).group(1)
    again = verify(stack)
    assert re.search(r"heads digest ([0-9a-f]{64})", again.stderr).group(1) == digest
    closed_ticket(stack)  # a new event: a new digest
    assert re.search(r"heads digest ([0-9a-f]{64})", verify(stack).stderr).group(1) != digest


def test_help(stack):
    r = stack.admin("verify", "--help")
    assert "hash chain" in r.stdout
    assert "verify" in stack.admin("--help").stdout


# ------------------------------------------------------------------ append-only


def test_the_app_role_cannot_rewrite_or_remove_events(stack, app_role):
    t = closed_ticket(stack)
    before = stack.sql("SELECT seq, note, encode(hash, 'hex') FROM ticket_events "
                       "WHERE ticket_id = '%s' ORDER BY seq" % t["id"])
    for sql in ("UPDATE ticket_events SET note = '改写' WHERE ticket_id = '%s'" % t["id"],
                "DELETE FROM ticket_events WHERE ticket_id = '%s' AND seq = 7" % t["id"],
                "TRUNCATE ticket_events CASCADE"):
        rc, err = psql_as(stack, app_role, sql)
        assert rc != 0 and "append-only" in err, (sql, err)
    # Nor set the rule aside: the triggers are the table owner's, and a
    # replica session (which would skip ordinary triggers) is a superuser's.
    for sql in ("ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_append_only",
                "ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_zz_chain",
                "SET session_replication_role = replica"):
        rc, err = psql_as(stack, app_role, sql)
        assert rc != 0 and ("must be owner" in err or "permission denied" in err), (sql, err)
    # Even a superuser's replica session keeps the log append-only.
    with pytest.raises(RuntimeError, match="append-only"):
        stack.sql("SET session_replication_role = replica; "
                  "UPDATE ticket_events SET note = 'x' WHERE ticket_id = '%s'" % t["id"])
    after = stack.sql("SELECT seq, note, encode(hash, 'hex') FROM ticket_events "
                      "WHERE ticket_id = '%s' ORDER BY seq" % t["id"])
    assert after == before


def test_a_writer_cannot_choose_its_own_hash(stack, app_role):
    t = closed_ticket(stack)
    rc, out = psql_as(stack, app_role,
                      "BEGIN; "
                      "INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role,"
                      " to_status, note, prev_hash, hash) VALUES ('%s', 8, now(), 'note',"
                      " 'forger', 'operator', 'closed', '伪造', '\\x00', '\\x00'); "
                      "SELECT encode(prev_hash, 'hex') = (SELECT encode(hash, 'hex') FROM"
                      " ticket_events WHERE ticket_id = '%s' AND seq = 7),"
                      " hash = minhu_event_hash(e, prev_hash) FROM ticket_events e"
                      " WHERE ticket_id = '%s' AND seq = 8; "
                      "ROLLBACK;" % (t["id"], t["id"], t["id"]))
    assert rc == 0, out
    assert out.strip().splitlines()[-1] == "t|t", out


# ------------------------------------------------------------------ tampering (last)


def tamper(stack, sql):
    """What only the owner or a superuser can do: set the rule aside, change
    the log, put the rule back."""
    stack.sql("ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_append_only; " + sql +
              "; ALTER TABLE ticket_events ENABLE ALWAYS TRIGGER ticket_events_append_only")


def broken_lines(r):
    return [line for line in r.stdout.splitlines() if line.startswith("broken ")]


def test_verify_names_the_ticket_and_seq_of_a_changed_note(stack):
    t = closed_ticket(stack, note="原始记录")
    other = closed_ticket(stack)
    assert verify(stack).returncode == 0
    tamper(stack, "UPDATE ticket_events SET note = '改过的记录' "
                  "WHERE ticket_id = '%s' AND seq = 5" % t["id"])
    r = verify(stack)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = broken_lines(r)
    assert lines == ['broken ticket=%s id=%s seq=5 problem="hash does not match the event\'s '
                     'content"' % (t["number"], t["id"])], r.stdout
    assert other["number"] not in r.stdout
    assert "1 broken chain" in r.stderr


def test_verify_finds_removed_and_rehashed_events(stack):
    gap = closed_ticket(stack)
    tail = closed_ticket(stack)
    rehashed = closed_ticket(stack)
    tamper(stack, "DELETE FROM ticket_events WHERE ticket_id = '%s' AND seq = 3" % gap["id"])
    tamper(stack, "DELETE FROM ticket_events WHERE ticket_id = '%s' AND seq = 7" % tail["id"])
    # A forger who recomputes the changed event's own hash still breaks the
    # next link, which chains to the old one.
    tamper(stack, "UPDATE ticket_events SET note = '伪造' WHERE ticket_id = '%s' AND seq = 4; "
                  "UPDATE ticket_events e SET hash = minhu_event_hash(e, e.prev_hash) "
                  "WHERE ticket_id = '%s' AND seq = 4" % (rehashed["id"], rehashed["id"]))
    r = verify(stack)
    assert r.returncode == 1
    lines = broken_lines(r)
    assert 'broken ticket=%s id=%s seq=4 problem="event 3 missing"' % (
        gap["number"], gap["id"]) in lines, r.stdout
    assert 'broken ticket=%s id=%s seq=7 problem="ticket is at version 7, its last event ' \
           'is 6"' % (tail["number"], tail["id"]) in lines, r.stdout
    assert 'broken ticket=%s id=%s seq=5 problem="prev_hash is not the previous event\'s ' \
           'hash"' % (rehashed["number"], rehashed["id"]) in lines, r.stdout
    assert len(lines) == 4, r.stdout  # these three and the one before
