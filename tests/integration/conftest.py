"""Integration test harness: a real PostgreSQL database and a real minhud.

Run through `tools/minhu-dev test`, which builds with sanitizers, starts a
throwaway PostgreSQL cluster and sets:

    MINHU_TEST_PG     libpq DSN of a superuser on that cluster
    MINHU_BUILD_DIR   the build holding minhud and minhu-admin (build/asan)
    MINHU_SOURCE_DIR  the repository root

Fixtures:

    stack     (module) a fresh database `minhu_t_<hex>`, migrated, with the demo
              reference data and one token per role, and a minhud on a free
              loopback port.  stack.url, stack.dsn, stack.tokens,
              stack.log_path, stack.sql(query), stack.admin(*args),
              stack.server (a Server), stack.start_server(**kw).
    servers   (function) starts extra minhud processes on the stack's database
              for one test: servers.start(**kw) -> Server; all are stopped
              and checked when the test ends.

Every minhud a test starts must stop on SIGTERM within 15 s with exit code 0
and leave no sanitizer report in its log; otherwise the test run fails.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import pytest

import minhu_client

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
)

TOKEN_SPECS = {
    # key: (role, name, unit)
    "operator": ("operator", "test-operator", None),
    "admin": ("admin", "test-admin", None),
    "leader": ("leader", "test-leader", None),
    "channel": ("channel", "test-channel", None),
    "unit": ("unit", "test-unit-hongmiaopo", "610104002"),  # 红庙坡街道
    "unit2": ("unit", "test-unit-beiyuanmen", "610104001"),  # 北院门街道
}


# ------------------------------------------------------------------ environment

def _env(name):
    return os.environ.get(name, "")


def test_pg():
    return _env("MINHU_TEST_PG")


def build_dir():
    return _env("MINHU_BUILD_DIR")


def source_dir():
    return _env("MINHU_SOURCE_DIR")


@pytest.fixture(scope="session", autouse=True)
def _required_env():
    missing = [n for n in ("MINHU_TEST_PG", "MINHU_BUILD_DIR", "MINHU_SOURCE_DIR")
               if not _env(n)]
    if missing:
        pytest.exit("integration tests need %s: run them with `tools/minhu-dev test` "
                    "(`tools/minhu-dev test -k EXPR` for a subset)" % ", ".join(missing),
                    returncode=2)
    for exe in ("minhud", "minhu-admin"):
        path = os.path.join(build_dir(), exe)
        if not os.access(path, os.X_OK):
            pytest.exit("%s is not built (MINHU_BUILD_DIR=%s)" % (path, build_dir()),
                        returncode=2)


def psql_path():
    found = shutil.which("psql")
    if found:
        return found
    for base in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) \
            if os.path.isdir("/usr/lib/postgresql") else []:
        cand = os.path.join("/usr/lib/postgresql", base, "bin", "psql")
        if os.access(cand, os.X_OK):
            return cand
    raise RuntimeError("psql not found")


def dsn_with_dbname(dsn, dbname):
    """The same connection with another database, for key=value or URI DSNs."""
    if dsn.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(dsn)
        return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))
    return "%s dbname=%s" % (dsn, dbname)  # the last keyword wins in libpq


def psql(dsn, query):
    """Run SQL with psql; returns rows as tuples of strings (NULL -> '')."""
    proc = subprocess.run(
        [psql_path(), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
         "-d", dsn, "-c", query],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError("psql failed (%d): %s\n%s" % (proc.returncode, query,
                                                          proc.stderr.strip()))
    out = proc.stdout
    if out.endswith("\n"):
        out = out[:-1]
    if out == "":
        return []
    return [tuple(line.split("\t")) for line in out.split("\n")]


def sanitizer_env():
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    for k in ("MINHU_DSN", "MINHU_LISTEN", "MINHU_WWW"):
        env.pop(k, None)  # flags are passed explicitly
    return env


def run_admin(dsn, *args, check=True, timeout=120):
    """Run minhu-admin against dsn; returns the CompletedProcess."""
    exe = os.path.join(build_dir(), "minhu-admin")
    proc = subprocess.run([exe, "--dsn", dsn] + [str(a) for a in args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=sanitizer_env(), timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError("minhu-admin %s failed (%d):\n%s%s" % (
            " ".join(map(str, args)), proc.returncode, proc.stdout, proc.stderr))
    return proc


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def calendar_csv():
    cand = os.path.join(source_dir(), "data", "calendar", "cn-holidays.csv")
    return cand if os.path.isfile(cand) else None


def load_reference_data(dsn):
    """Migrate and import the demo units, categories, calendar (and SLA defaults)."""
    src = source_dir()
    run_admin(dsn, "migrate")
    run_admin(dsn, "import", "units", os.path.join(src, "data", "demo", "units.csv"))
    run_admin(dsn, "import", "categories", os.path.join(src, "data", "demo", "categories.csv"))
    cal = calendar_csv()
    if cal:
        run_admin(dsn, "import", "calendar", cal)
    sla = os.path.join(src, "data", "sla-defaults.csv")
    if os.path.isfile(sla):
        proc = run_admin(dsn, "import", "sla", sla, check=False)
        if proc.returncode != 0:
            text = (proc.stdout + proc.stderr).lower()
            if not any(w in text for w in ("unknown", "not available", "not implemented",
                                            "not supported", "unsupported")):
                raise RuntimeError("minhu-admin import sla failed:\n" + proc.stderr)


def create_token(dsn, role, name, unit=None):
    args = ["token", "create", "--role", role, "--name", name]
    if unit:
        args += ["--unit", unit]
    tok = run_admin(dsn, *args).stdout.strip()
    assert tok and "\n" not in tok, "token create printed %r" % tok
    return tok


# ------------------------------------------------------------------ minhud


class ServerStopError(Exception):
    pass


class Server:
    """One minhud process on a loopback port, logging to log_path.

    start() waits for /readyz 200; stop() sends SIGTERM and waits (SIGKILL
    and ServerStopError past the bound); kill() is a crash (SIGKILL);
    restart() is stop() + start() on the same port.
    """

    def __init__(self, dsn, log_dir, port=None, extra_args=(), env=None, name="minhud"):
        self.dsn = dsn
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(log_dir, "%s-%d.log" % (name, self.port))
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc = None
        self.killed = False
        self.exit_codes = []  # one per process that ended, except killed ones
        self._recorded = False

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def argv(self):
        return [os.path.join(build_dir(), "minhud"),
                "--dsn", self.dsn,
                "--listen", "127.0.0.1:%d" % self.port,
                "--www", os.path.join(source_dir(), "server", "www")] + self.extra_args

    def start(self, wait=True, timeout=READY_TIMEOUT):
        assert not self.running(), "already running"
        env = sanitizer_env()
        env.update(self.env)
        with open(self.log_path, "ab") as log:
            log.write(b"--- start %s ---\n" % time.strftime("%H:%M:%S").encode())
            log.flush()
            self._recorded = False
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("minhud exited with %s during start-up; log:\n%s" % (
                    self.proc.returncode, self.log_tail()))
            try:
                r = minhu_client.call(self.url, "GET", "/readyz", timeout=2)
                last = r.status
                if r.status == 200:
                    return
            except OSError as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError("minhud not ready within %ss (last: %r); log:\n%s" % (
            timeout, last, self.log_tail()))

    def _reap(self):
        """Record the exit code of a process that has ended (once)."""
        if self.proc is not None and self.proc.returncode is not None and not self._recorded:
            self.exit_codes.append(self.proc.returncode)
            self._recorded = True

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit code. Raises ServerStopError
        (after SIGKILL) when it does not stop within the bound."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
                self._recorded = True
                self.exit_codes.append("no exit within %ss of SIGTERM" % timeout)
                raise ServerStopError("minhud (port %d) did not exit within %ss of SIGTERM"
                                      % (self.port, timeout))
        self._reap()
        return self.proc.returncode

    def kill(self):
        """Crash it (SIGKILL). This process's exit code is not checked."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._recorded = True
        self.killed = True

    def restart(self, timeout=READY_TIMEOUT):
        rc = self.stop()
        self.start(timeout=timeout)
        return rc

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def sanitizer_reports(self):
        return [line for line in self.log_text().splitlines()
                if any(m in line for m in SANITIZER_MARKERS)]

    def shutdown_problems(self):
        """Stop it if running and return what went wrong, as strings."""
        problems = []
        try:
            self.stop()
        except ServerStopError as e:
            problems.append(str(e))
        bad = [rc for rc in self.exit_codes if rc != 0]
        if bad:
            problems.append("minhud (port %d) exit codes %r, expected 0" % (self.port, bad))
        reports = self.sanitizer_reports()
        if reports:
            problems.append("sanitizer report in %s:\n  %s" % (self.log_path,
                                                              "\n  ".join(reports[:10])))
        if problems:
            problems.append("log tail (%s):\n%s" % (self.log_path, self.log_tail()))
        return problems


class Stack:
    """A migrated database with demo data and tokens, and a minhud on it."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.dbname = "minhu_t_" + secrets.token_hex(6)
        self.dsn = dsn_with_dbname(test_pg(), self.dbname)
        self.tokens = {}
        self.server = None
        self.servers = []
        self.created = False

    # -- set up / tear down

    def setup(self):
        psql(test_pg(), 'CREATE DATABASE "%s"' % self.dbname)
        self.created = True
        load_reference_data(self.dsn)
        for key, (role, name, unit) in TOKEN_SPECS.items():
            self.tokens[key] = create_token(self.dsn, role, name, unit)
        self.server = self.start_server()

    def teardown(self):
        problems = []
        for s in self.servers:
            problems += s.shutdown_problems()
        if self.created:
            try:
                psql(test_pg(), 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.dbname)
            except RuntimeError as e:
                problems.append(str(e))
        return problems

    # -- for tests

    @property
    def url(self):
        return self.server.url

    @property
    def log_path(self):
        return self.server.log_path

    def sql(self, query):
        return psql(self.dsn, query)

    def sql_value(self, query):
        rows = self.sql(query)
        return rows[0][0] if rows else None

    def admin(self, *args, check=True):
        return run_admin(self.dsn, *args, check=check)

    def token(self, role, name, unit=None):
        return create_token(self.dsn, role, name, unit)

    def start_server(self, **kw):
        """Start another minhud on this database (stopped and checked at teardown)."""
        s = Server(self.dsn, self.workdir, **kw)
        self.servers.append(s)
        return s.start()

    def call(self, method, path, role=None, **kw):
        """minhu_client.call against the main server, with the role's token."""
        if role is not None:
            kw["token"] = self.tokens[role]
        return minhu_client.call(self.url, method, path, **kw)


@pytest.fixture(scope="module")
def stack(_required_env):
    workdir = tempfile.mkdtemp(prefix="minhu-it-")
    st = Stack(workdir)
    try:
        st.setup()
    except BaseException:
        problems = st.teardown()
        for p in problems:
            print(p)
        raise
    yield st
    problems = st.teardown()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    shutil.rmtree(workdir, ignore_errors=True)


class _Servers:
    def __init__(self, st):
        self.stack = st
        self.started = []

    def start(self, **kw):
        s = Server(self.stack.dsn, self.stack.workdir, **kw)
        self.started.append(s)
        return s.start()


@pytest.fixture
def servers(stack):
    """Extra minhud processes on the stack's database for one test."""
    sv = _Servers(stack)
    yield sv
    problems = []
    for s in sv.started:
        problems += s.shutdown_problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
