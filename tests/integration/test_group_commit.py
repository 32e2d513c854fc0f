"""Group commit: intakes in flight together share one transaction, each
answered only after that commit; one bad intake in a group costs the others
nothing (they are re-run alone) and gets its own error."""

import re
import threading

from minhu_client import call, intake_body


def _metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


def test_concurrent_intakes_commit_together_and_a_bad_one_fails_alone(stack, servers):
    # One connection, so concurrent intakes queue behind it and form groups.
    srv = servers.start(extra_args=["--db-pool", "1"])
    token = stack.tokens["operator"]
    before = int(stack.sql_value("SELECT count(*) FROM tickets"))
    n_good, n_bad = 60, 6
    results = []
    lock = threading.Lock()

    def send(i):
        bad = i % 11 == 5
        body = intake_body(category="9999" if bad else "0301",
                           description="group commit %d" % i,
                           caller={"name": "王小明", "phone": "1390000%04d" % i})
        r = call(srv.url, "POST", "/api/v1/tickets", token=token, body=body,
                 headers={"Idempotency-Key": "group-%d" % i})
        with lock:
            results.append((i, bad, r))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n_good + n_bad)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == n_good + n_bad

    created = [r.json["number"] for _, bad, r in results if not bad]
    for i, bad, r in results:
        if bad:
            assert r.status == 400 and r.json["error"]["field"] == "category", (i, r)
        else:
            assert r.status == 201, (i, r)
    assert len(created) == n_good and len(set(created)) == n_good
    after = int(stack.sql_value("SELECT count(*) FROM tickets"))
    assert after - before == n_good
    # Every acknowledged ticket is there exactly once, with its one intake event.
    rows = stack.sql("SELECT t.number, count(e.*) FROM tickets t JOIN ticket_events e "
                     "ON e.ticket_id = t.id WHERE t.idempotency_key LIKE 'group-%%' "
                     "GROUP BY t.number")
    assert sorted(r[0] for r in rows) == sorted(created)
    assert all(int(r[1]) == 1 for r in rows)

    m = call(srv.url, "GET", "/metrics").text
    assert _metric(m, "minhu_db_groups_total") > 0, m
    assert _metric(m, "minhu_db_grouped_jobs_total") >= 2
