"""The process: health, readiness, metrics, graceful stop, a database that is
down or drops its connections, and the command line.
"""

import os
import re
import socket
import subprocess
import threading
import time

import pytest

import conftest
from minhu_client import assert_error, call, intake_body

ANSWER_WITHIN = 5.0  # seconds: no request may hang when the database is gone


def timed(url, method, path, **kw):
    t0 = time.monotonic()
    r = call(url, method, path, timeout=ANSWER_WITHIN + 5, **kw)
    took = time.monotonic() - t0
    assert took < ANSWER_WITHIN, "%s %s took %.1fs" % (method, path, took)
    return r


def port_open(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def minhud(*args, env=None, timeout=30):
    e = conftest.sanitizer_env()
    e.update(env or {})
    return subprocess.run([os.path.join(conftest.build_dir(), "minhud")] + list(args),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=e,
                          timeout=timeout)


# ------------------------------------------------------------------ probes


def test_healthz_and_readyz(stack):
    for path, status in (("/healthz", "ok"), ("/readyz", "ready")):
        r = call(stack.url, "GET", path)
        assert r.status == 200, r
        assert r.headers.get("Content-Type", "").startswith("application/json")
        assert r.json.get("status") == status, r
    # No token needed, and a bad one does not matter.
    r = call(stack.url, "GET", "/healthz", token="not-a-token")
    assert r.status == 200, r


def test_metrics_is_prometheus_text(stack):
    stack.call("GET", "/api/v1/units", role="operator")
    call(stack.url, "GET", "/api/v1/units")  # a 401
    r = call(stack.url, "GET", "/metrics")
    assert r.status == 200, r
    assert r.headers.get("Content-Type", "").startswith("text/plain"), r.headers
    text = r.text
    assert "# TYPE minhu_http_requests_total counter" in text
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"'
                        r'(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? '
                        r'(-?[0-9][0-9.eE+-]*|[+-]?Inf|NaN)( -?[0-9]+)?$')
    for line in text.splitlines():
        if line.startswith(("# HELP", "# TYPE")):
            assert re.match(r"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* \S", line), line
        if not line or line.startswith("#"):
            continue
        assert sample.match(line), "not a sample: %r" % line
    units = [line for line in text.splitlines()
             if line.startswith("minhu_http_requests_total{") and 'route="units"' in line]
    assert units, text
    counts = {re.search(r'code="([^"]+)"', line).group(1): float(line.rsplit(" ", 1)[1])
              for line in units}
    assert counts.get("2xx", 0) >= 1 and counts.get("4xx", 0) >= 1, counts
    # The counter counts: one more request, one more.
    stack.call("GET", "/api/v1/units", role="operator")
    again = call(stack.url, "GET", "/metrics").text
    line = [x for x in again.splitlines() if x.startswith("minhu_http_requests_total{")
            and 'route="units"' in x and 'code="2xx"' in x][0]
    assert float(line.rsplit(" ", 1)[1]) == counts["2xx"] + 1


# ------------------------------------------------------------------ graceful stop


def test_sigterm_exits_zero_and_closes_the_port(stack, servers):
    s = servers.start()
    assert call(s.url, "GET", "/readyz").status == 200
    t0 = time.monotonic()
    assert s.stop() == 0
    assert time.monotonic() - t0 < 10, "took longer than the shutdown grace"
    assert not port_open(s.port)
    with pytest.raises(OSError):
        call(s.url, "GET", "/healthz", timeout=2)


def test_sigterm_lets_the_request_in_flight_finish(stack, servers):
    s = servers.start()
    before = int(stack.sql_value("SELECT count(*) FROM tickets"))
    # Hold the tickets table so that an intake waits in the database.
    locker = subprocess.Popen(
        [conftest.psql_path(), "-X", "-q", "-d", stack.dsn, "-c",
         "BEGIN; LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while stack.sql_value("SELECT count(*) FROM pg_locks l JOIN pg_class c ON "
                              "c.oid = l.relation WHERE c.relname = 'tickets' AND "
                              "l.mode = 'AccessExclusiveLock' AND l.granted") != "1":
            assert time.monotonic() < deadline, "the lock was not taken"
            time.sleep(0.05)
        answer = {}

        def send():
            try:
                answer["r"] = call(s.url, "POST", "/api/v1/tickets",
                                   token=stack.tokens["operator"],
                                   body=intake_body(description="停机时在途的请求"), timeout=20)
            except OSError as e:
                answer["r"] = e

        th = threading.Thread(target=send)
        th.start()
        time.sleep(0.5)  # the intake is waiting for the lock now
        assert "r" not in answer, "the intake did not wait"
        s.proc.send_signal(15)
        time.sleep(0.3)
        assert s.running(), "exited with a request in flight"
        assert not port_open(s.port), "still accepting after SIGTERM"
        th.join(20)
        assert not isinstance(answer["r"], Exception), "%r; log:\n%s" % (answer["r"],
                                                                        s.log_tail())
        assert answer["r"].status == 201, answer["r"]
        assert s.proc.wait(10) == 0
    finally:
        locker.wait(20)
    assert int(stack.sql_value("SELECT count(*) FROM tickets")) == before + 1


# ------------------------------------------------------------------ database trouble


def test_database_down_answers_503_fast_and_never_hangs(stack, servers):
    bad = "host=127.0.0.1 port=%d user=postgres dbname=minhu connect_timeout=2" % \
        conftest.free_port()
    s = conftest.Server(bad, stack.workdir, name="minhud-nodb")
    servers.started.append(s)  # stopped and checked with the others
    s.start(wait=False)
    deadline = time.monotonic() + 30
    while True:
        try:
            if call(s.url, "GET", "/healthz", timeout=2).status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "no /healthz; log:\n" + s.log_tail()
        time.sleep(0.1)
    time.sleep(1)  # let the pool try (and fail) a connection or two
    for _ in range(3):
        assert timed(s.url, "GET", "/healthz").status == 200
        assert_error(timed(s.url, "GET", "/readyz"), 503, "unavailable")
        r = timed(s.url, "POST", "/api/v1/tickets", token=stack.tokens["operator"],
                  body=intake_body())
        assert_error(r, 503, "unavailable")
        assert_error(timed(s.url, "GET", "/api/v1/tickets", token=stack.tokens["operator"]),
                     503, "unavailable")
        assert_error(timed(s.url, "GET", "/api/v1/public/tickets/2026112200000001?code=123456"),
                     503, "unavailable")
    # Many at once: all answered, none hangs.
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        timed(s.url, "GET", "/api/v1/units", token=stack.tokens["leader"]))) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(15)
    assert len(answers) == 20
    for r in answers:
        assert_error(r, 503, "unavailable")
    assert s.stop() == 0


def test_dropped_database_connections_are_reopened(stack, servers):
    s = servers.start()
    assert call(s.url, "GET", "/api/v1/units", token=stack.tokens["operator"]).status == 200
    killed = stack.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND application_name = 'minhud'")
    assert killed, "no minhud connection found"
    # Right after: a quick answer, 200 or 503; then back to normal.
    for url in (s.url, stack.url):
        r = timed(url, "GET", "/api/v1/units", token=stack.tokens["operator"])
        if r.status != 200:
            assert_error(r, 503, "unavailable")
    deadline = time.monotonic() + 15
    for url in (s.url, stack.url):
        while True:
            r = timed(url, "GET", "/readyz")
            if r.status == 200:
                break
            assert_error(r, 503, "unavailable")
            assert time.monotonic() < deadline, "no reconnect"
            time.sleep(0.2)
    r = call(s.url, "POST", "/api/v1/tickets", token=stack.tokens["operator"],
             body=intake_body(description="重连之后"))
    assert r.status == 201, r


# ------------------------------------------------------------------ command line


def test_help_prints_the_settings(stack):
    p = minhud("--help")
    assert p.returncode == 0, p.stderr
    for flag in ("--dsn", "--listen", "--token-cache-ttl", "--shutdown-grace", "--print-config",
                 "--help"):
        assert flag in p.stdout, flag


def test_print_config_prints_the_settings_and_hides_passwords(stack):
    p = minhud("--print-config", "--dsn", "host=db user=minhu password=s3cr3t-pw dbname=minhu",
               "--listen", "127.0.0.1:18080", "--token-cache-ttl", "7")
    assert p.returncode == 0, p.stderr
    settings = dict(line.split(" = ", 1) for line in p.stdout.splitlines() if " = " in line)
    assert settings.get("listen") == "127.0.0.1:18080", settings
    assert settings.get("token-cache-ttl") == "7", settings
    assert "dsn" in settings and "shutdown-grace" in settings
    assert "s3cr3t-pw" not in p.stdout + p.stderr
    # The environment is read too; the command line wins over it.
    p = minhud("--print-config", env={"MINHU_LISTEN": "127.0.0.1:19090", "MINHU_DB_POOL": "3"})
    assert p.returncode == 0, p.stderr
    assert "listen = 127.0.0.1:19090" in p.stdout and "db-pool = 3" in p.stdout, p.stdout
    p = minhud("--print-config", "--db-pool", "5", env={"MINHU_DB_POOL": "3"})
    assert "db-pool = 5" in p.stdout, p.stdout
    p = minhud("--print-config", env={"MINHU_DSN": "postgresql://u:hunter2pw@db/minhu"})
    assert p.returncode == 0 and "hunter2pw" not in p.stdout + p.stderr, p.stdout


@pytest.mark.parametrize("args", [["--no-such-flag"], ["--listen"], ["--db-pool", "0"],
                                  ["--token-cache-ttl", "soon"], ["stray-argument"],
                                  ["--dsn", "host=x", "--log-level", "chatty"]])
def test_bad_command_lines_exit_2(stack, args):
    p = minhud(*args, env={"MINHU_DSN": "host=127.0.0.1 port=1 dbname=x"})
    assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip(), "no message on stderr"
    assert p.stdout == "", p.stdout
