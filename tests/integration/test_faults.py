"""Faults under load: a 2xx means committed.

* minhud is killed with SIGKILL at random moments while clients send intakes
  (with Idempotency-Key, retried until acknowledged) and actions (with
  expected_version); every acknowledged ticket and action is in the
  database exactly once.
* PostgreSQL is restarted (fast, then immediate) under load, on a private
  cluster of this module (the shared test cluster is never touched): requests
  get 503 `unavailable` quickly, never hang, /readyz goes 503, the server
  recovers by itself, and in-flight work is either committed or cleanly
  refused.

MINHU_FAULT_SECONDS sets the length of the kill test (default 25); the
soak script (tools/soak) runs the same kind of load for minutes.
"""

import http.client
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
import traceback

import pytest

import conftest
from minhu_client import call, intake_body

SECONDS = float(os.environ.get("MINHU_FAULT_SECONDS", "25"))
ANSWER_WITHIN = 5.0


# ------------------------------------------------------------------ clients


class Ledger:
    """What the server acknowledged, and what the clients saw."""

    def __init__(self):
        self.lock = threading.Lock()
        self.intakes = {}  # Idempotency-Key -> ticket id (acknowledged)
        self.actions = []  # (ticket id, seq, note) acknowledged
        self.statuses = {}
        self.slowest = 0.0
        self.errors = []

    def saw(self, what, took):
        with self.lock:
            self.statuses[what] = self.statuses.get(what, 0) + 1
            self.slowest = max(self.slowest, took)


def guarded(ledger, fn):
    """fn as a thread's target: an exception is the test's failure, not a lost thread."""
    def run(*args):
        try:
            fn(*args)
        except BaseException:  # noqa: BLE001 - reported by check_ledger
            ledger.errors.append(traceback.format_exc())
    return run


def send(ledger, url, method, path, **kw):
    """One request; returns the Response or None when the connection failed."""
    t0 = time.monotonic()
    try:
        r = call(url, method, path, timeout=ANSWER_WITHIN * 3, **kw)
    except (OSError, http.client.HTTPException):  # killed mid-answer: outcome unknown
        ledger.saw("connection", time.monotonic() - t0)
        return None
    ledger.saw(r.status, time.monotonic() - t0)
    return r


def intake_client(ledger, url, token, name, stop, bound):
    i = 0
    while not stop.is_set():
        i += 1
        key = "%s-%d" % (name, i)
        body = intake_body(description="故障测试 %s" % key,
                           caller={"name": "测试", "phone": "1350000%04d" % (i % 10000)})
        while True:  # the same key and body until acknowledged
            r = send(ledger, url, "POST", "/api/v1/tickets", token=token, body=body,
                     headers={"Idempotency-Key": key})
            if r is not None and r.status in (200, 201):
                with ledger.lock:
                    prev = ledger.intakes.setdefault(key, r.json["id"])
                if prev != r.json["id"]:
                    ledger.errors.append("key %s acknowledged as two tickets" % key)
                break
            if r is not None and r.status not in (503,):
                ledger.errors.append("intake %s: %r" % (key, r))
                break
            if time.monotonic() > bound:
                return
            time.sleep(0.05)


def action_client(ledger, url, token, ticket_id, name, stop, bound):
    """Notes on one ticket, each pinned to the version it was made against."""
    version = None
    n = 0
    while not stop.is_set() and time.monotonic() < bound:
        if version is None:
            r = send(ledger, url, "GET", "/api/v1/tickets/" + ticket_id, token=token)
            if r is None or r.status != 200:
                time.sleep(0.05)
                continue
            version = r.json["version"]
        n += 1
        note = "%s-%d" % (name, n)
        r = send(ledger, url, "POST", "/api/v1/tickets/%s/note" % ticket_id, token=token,
                 body={"note": note, "expected_version": version})
        if r is not None and r.status == 200:
            if r.json["version"] != version + 1:
                ledger.errors.append("note %s: version %s after %s" % (note, r.json["version"],
                                                                       version))
            with ledger.lock:
                ledger.actions.append((ticket_id, version + 1, note))
            version += 1
        elif r is not None and r.status not in (409, 503):
            ledger.errors.append("note %s: %r" % (note, r))
            return
        else:
            version = None  # outcome unknown or someone else's: read it again
            time.sleep(0.02)


def check_ledger(stack, ledger, token_name):
    """Every acknowledged intake and action is in the database exactly once."""
    assert not ledger.errors, ledger.errors[:5]
    keys = list(ledger.intakes)
    rows = {}
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        for key, tid, n in stack.sql(
                "SELECT idempotency_key, min(id::text), count(*) FROM tickets "
                "WHERE created_by = '%s' AND idempotency_key IN (%s) GROUP BY 1"
                % (token_name, ",".join("'%s'" % k for k in part))):
            rows[key] = (tid, int(n))
    missing = [k for k in keys if k not in rows]
    assert not missing, "acknowledged intakes missing: %s" % missing[:10]
    wrong = [k for k in keys if rows[k] != (ledger.intakes[k], 1)]
    assert not wrong, "acknowledged intakes not exactly once: %s" % wrong[:10]
    for start in range(0, len(ledger.actions), 500):
        part = ledger.actions[start:start + 500]
        got = stack.sql(
            "SELECT a.note, count(e.seq), min(e.seq) = a.seq FROM (VALUES %s) AS a(tid, seq, note) "
            "LEFT JOIN ticket_events e ON e.ticket_id = a.tid::uuid AND e.note = a.note "
            "GROUP BY a.note, a.seq" % ",".join("('%s', %d, '%s')" % x for x in part))
        bad = [row for row in got if row[1:] != ("1", "t")]
        assert len(got) == len(part) and not bad, "actions not exactly once: %s" % bad[:10]
    # No ticket without its intake event, no event past its ticket's version.
    r = stack.admin("verify", check=False)
    assert r.returncode == 0, r.stdout + r.stderr


# ------------------------------------------------------------------ kill -9


def test_acknowledged_work_survives_sigkill(stack, servers):
    s = servers.start()
    url, token = s.url, stack.tokens["operator"]
    tickets = []
    for _ in range(3):
        r = call(url, "POST", "/api/v1/tickets", token=token, body=intake_body())
        tickets.append(r.json["id"])
    ledger = Ledger()
    stop = threading.Event()
    bound = time.monotonic() + SECONDS + 30
    workers = [threading.Thread(target=guarded(ledger, intake_client),
                                args=(ledger, url, token, "k%d" % i, stop, bound))
               for i in range(6)]
    workers += [threading.Thread(target=guarded(ledger, action_client),
                                 args=(ledger, url, token, tickets[i % 3], "n%d" % i, stop,
                                       bound))
                for i in range(3)]
    for w in workers:
        w.start()
    rng = random.Random(int(os.environ.get("MINHU_FAULT_SEED", "12345")))
    kills = 0
    t_end = time.monotonic() + SECONDS
    try:
        while time.monotonic() < t_end:
            time.sleep(rng.uniform(0.5, 2.5))
            s.kill()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.5))
            s.start()
    finally:
        time.sleep(1.0)  # let the clients get their last answers
        stop.set()
        for w in workers:
            w.join(60)
    if not s.running():
        s.start()
    assert kills >= 5, kills
    acked = len(ledger.intakes)
    assert acked >= 100 and len(ledger.actions) >= 30, (acked, len(ledger.actions),
                                                        ledger.statuses)
    check_ledger(stack, ledger, "test-operator")
    print("\nkill -9: %d kills in %.0fs; %d intakes and %d actions acknowledged, all "
          "present once; answers %r; slowest %.2fs"
          % (kills, SECONDS, acked, len(ledger.actions), ledger.statuses, ledger.slowest))


# ------------------------------------------------------------------ PostgreSQL restart


def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(os.listdir("/usr/lib/postgresql"), reverse=True):
        cand = os.path.join("/usr/lib/postgresql", base, "bin", name)
        if os.access(cand, os.X_OK):
            return cand
    raise RuntimeError("%s not found" % name)


class Cluster:
    """A private PostgreSQL cluster (as the postgres user when root)."""

    def __init__(self):
        self.root = os.getuid() == 0
        self.dir = tempfile.mkdtemp(prefix="minhu-faults-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "postgresql.log")
        self.port = conftest.free_port()
        self.dsn = "host=127.0.0.1 port=%d user=postgres dbname=minhu connect_timeout=3" % \
            self.port

    def run(self, *argv, check=True):
        argv = list(argv)
        if self.root:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120, check=check, cwd="/")

    def init(self):
        os.mkdir(self.data, 0o700)
        open(self.log, "w").close()
        if self.root:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        self.run(pg_bin("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "-E",
                 "UTF8", "--locale=C.UTF-8", "--no-instructions")
        conf = ("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\n"
                "fsync = off\nmax_connections = 50\n" % self.port)
        with open(os.path.join(self.dir, "extra.conf"), "w") as f:
            f.write(conf)
        self.run("sh", "-c", "cat '%s/extra.conf' >> '%s/postgresql.conf'" % (self.dir,
                                                                             self.data))

    def ctl(self, *args):
        return self.run(pg_bin("pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60",
                        *args)

    def start(self):
        self.ctl("start")

    def stop(self, mode="fast"):
        self.ctl("-m", mode, "stop")

    def destroy(self):
        self.run(pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop",
                 check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class Db:
    """The part of a stack check_ledger uses, on another database."""

    def __init__(self, dsn):
        self.dsn = dsn

    def sql(self, query):
        return conftest.psql(self.dsn, query)

    def admin(self, *args, check=True):
        return conftest.run_admin(self.dsn, *args, check=check)


@pytest.fixture(scope="module")
def private_db():
    c = Cluster()
    try:
        c.init()
        c.start()
        conftest.psql(c.dsn.replace("dbname=minhu", "dbname=postgres"), "CREATE DATABASE minhu")
        conftest.load_reference_data(c.dsn)
        token = conftest.create_token(c.dsn, "operator", "faults-operator")
        yield c, token
    finally:
        c.destroy()


def test_postgresql_restarts_under_load(stack, private_db):
    cluster, token = private_db
    s = conftest.Server(cluster.dsn, stack.workdir, name="minhud-pgrestart",
                        extra_args=["--db-pool", "4"])
    try:
        s.start()
        url = s.url
        ledger = Ledger()
        stop = threading.Event()
        bound = time.monotonic() + 120
        workers = [threading.Thread(target=guarded(ledger, intake_client),
                                    args=(ledger, url, token, "r%d" % i, stop, bound))
                   for i in range(4)]
        for w in workers:
            w.start()
        outages = []
        try:
            for mode in ("fast", "immediate"):
                time.sleep(2)
                cluster.stop(mode)
                t_down = time.monotonic()
                # While it is down: fast 503s, /readyz 503, /healthz 200.
                saw_503 = False
                while time.monotonic() - t_down < 2.5:
                    t0 = time.monotonic()
                    r = call(url, "GET", "/readyz", timeout=ANSWER_WITHIN + 5)
                    assert time.monotonic() - t0 < ANSWER_WITHIN
                    if r.status == 503:
                        assert r.error_code() == "unavailable"
                        saw_503 = True
                    assert call(url, "GET", "/healthz", timeout=5).status == 200
                    time.sleep(0.1)
                assert saw_503, "/readyz never said 503 with the database down"
                r = call(url, "POST", "/api/v1/tickets", token=token, body=intake_body(),
                         timeout=ANSWER_WITHIN + 5)
                assert r.status == 503 and r.error_code() == "unavailable", r
                cluster.start()
                # Recovery without help.
                t_up = time.monotonic()
                while call(url, "GET", "/readyz", timeout=5).status != 200:
                    assert time.monotonic() - t_up < 30, "no recovery within 30 s"
                    time.sleep(0.1)
                outages.append((mode, time.monotonic() - t_down, time.monotonic() - t_up))
            time.sleep(2)  # acknowledged work after the last restart too
        finally:
            stop.set()
            for w in workers:
                w.join(60)
        assert s.running(), "minhud died; log:\n" + s.log_tail()
        assert ledger.slowest < ANSWER_WITHIN * 2, ledger.statuses
        assert ledger.statuses.get("connection", 0) == 0, ledger.statuses
        assert ledger.statuses.get(503, 0) > 0, ledger.statuses
        check_ledger(Db(cluster.dsn), ledger, "faults-operator")
        print("\nPostgreSQL restarts: %s; answers %r; slowest %.2fs; %d intakes acknowledged"
              % (", ".join("%s: down %.1fs, back %.1fs after start" % o for o in outages),
                 ledger.statuses, ledger.slowest, len(ledger.intakes)))
    finally:
        problems = s.shutdown_problems()
        assert not problems, "\n".join(problems)
