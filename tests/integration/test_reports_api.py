"""The report API serves the report engine's documents: GET
/api/v1/reports/hotspots returns exactly what `minhu-report hotspots --format
json` prints for the same month and top, built by the same code (lib/report).

A month of tickets is written straight into the tables for March 2025 and
the three months before it, with the hotspots worked out by hand: counts,
three-month averages, growth, the order by volume and by growth, the
minimum for a growth entry, and the month's edges in Asia/Shanghai.  Then
the server and the CLI must agree on that month and on others, and the
endpoint refuses what the contract refuses (400 with the error body, 403
for roles that do not read reports).
"""

import datetime
import json
import os
import subprocess
import uuid

import pytest

from conftest import build_dir, sanitizer_env
from minhu_client import assert_error

CST = datetime.timezone(datetime.timedelta(hours=8))

S1, S2, S3, S4, S5, S6 = ("610104001", "610104002", "610104003", "610104004", "610104005",
                          "610104006")
NAMES = {S1: "北院门街道", S2: "红庙坡街道", S3: "桃园路街道", S4: "青年路街道",
         S5: "北关街道", S6: "西关街道"}
DAXUEXI, BAIJIAKOU, BEIGUAN, QINGNIAN = ("大学习巷 1 号", "白家口 5 号楼", "北关正街 9 号",
                                         "青年路 2 号")


def at(y, m, d, hh=10, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=CST)


def spread(n, y, m, category, area, address):
    """n tickets over the month y-m (one a day from the 1st, 10:00)."""
    return [(at(y, m, 1 + i % 27), category, area, address) for i in range(n)]


def tickets():
    """(created, category, area, address) of every ticket of the month."""
    t = []
    # March 2025
    t += spread(8, 2025, 3, "0301", S1, DAXUEXI)
    t += spread(6, 2025, 3, "0301", S2, BAIJIAKOU)
    t.append((at(2025, 3, 31, 23, 30), "0301", S1, DAXUEXI))  # still March in Shanghai
    t += spread(12, 2025, 3, "0402", S2, BAIJIAKOU)           # new this month
    t += spread(10, 2025, 3, "0502", S3, None)                # no address
    t += spread(3, 2025, 3, "0101", S4, QINGNIAN)             # too few to be "growing"
    t += spread(11, 2025, 3, "0201", S5, BEIGUAN)
    # December 2024 to February 2025: the three months before
    for y, m in ((2024, 12), (2025, 1), (2025, 2)):
        t += spread(10, y, m, "0502", S3, None)
    t += spread(4, 2024, 12, "0301", S1, DAXUEXI) + spread(4, 2025, 1, "0301", S1, DAXUEXI)
    t += spread(3, 2025, 2, "0301", S1, DAXUEXI)
    t.append((at(2024, 12, 1, 0, 10), "0301", S1, DAXUEXI))   # the window's first minutes
    t += spread(3, 2025, 1, "0101", S4, QINGNIAN)
    t += spread(2, 2025, 2, "0201", S5, BEIGUAN)
    t += spread(6, 2025, 2, "0405", S6, "西关正街 3 号")     # none in March
    # outside March's window
    t.append((at(2024, 11, 30, 23, 50), "0301", S1, DAXUEXI))
    t.append((at(2025, 4, 1, 0, 10), "0301", S1, DAXUEXI))   # April's
    return t


def sql_text(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime.datetime):
        return "'%s'" % v.isoformat()
    return "'%s'" % str(v).replace("'", "''")


def insert(stack, rows):
    token = int(stack.sql_value("SELECT id FROM tokens WHERE name = 'test-operator'"))
    values, events = [], []
    for serial, (created, category, area, address) in enumerate(rows, start=1):
        ms = int(created.timestamp() * 1000)
        tid = str(uuid.UUID("%012x7%03x8%015x" % (ms, serial % 4096, serial)))
        number = created.strftime("%Y%m%d") + "%08d" % (70000000 + serial)
        values.append("(" + ", ".join(sql_text(v) for v in (
            tid, number, "pending_dispatch", 1, "phone", "complaint", "normal", category, area,
            address, "热点测试工单", "手工构造的热点测试工单", "王某", "13800138000",
            "test-operator", token, created, created)) + ")")
        events.append("(" + ", ".join(sql_text(v) for v in (
            tid, 1, created, "intake", "test-operator", "operator", None, None,
            "pending_dispatch", None, '{"channel": "phone"}', None)) + ")")
    stack.sql("INSERT INTO tickets (id, number, status, version, channel, nature, urgency,"
              " category, area, address, title, description, caller_name, caller_phone,"
              " created_by, created_by_token, created_at, updated_at) VALUES\n"
              + ",\n".join(values))
    stack.sql("INSERT INTO ticket_events (ticket_id, seq, at, action, actor, actor_role, unit,"
              " from_status, to_status, note, data, lead_unit) VALUES\n" + ",\n".join(events))


@pytest.fixture(scope="module")
def month(stack):
    insert(stack, tickets())


def cli(stack, *args):
    exe = os.path.join(build_dir(), "minhu-report")
    proc = subprocess.run([exe, "--dsn", stack.dsn, "hotspots", "--format", "json"] + list(args),
                          capture_output=True, env=sanitizer_env(), timeout=120)
    assert proc.returncode == 0, (args, proc.stderr.decode())
    return json.loads(proc.stdout)


def api(stack, query="", role="leader"):
    r = stack.call("GET", "/api/v1/reports/hotspots" + query, role=role)
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    return r.json


def codes(entries):
    return [e["code"] for e in entries]


# ------------------------------------------------------------------ the month by hand


def test_hotspots_match_the_hand_computed_month(stack, month):
    doc = api(stack, "?month=2025-03")
    assert doc["month"] == "2025-03" and doc["top"] == 10
    assert set(doc) == {"month", "top", "categories", "categories_growth", "areas",
                        "areas_growth", "addresses"}
    cats = {c["code"]: c for c in doc["categories"]}
    # by volume; 0405 had tickets only in the months before, so it is not listed
    assert codes(doc["categories"]) == ["0301", "0402", "0201", "0502", "0101"]
    # 0301: 8 + 6 + the one at 23:30 on 31 March; before: 11 + the one at
    # 00:10 on 1 December (the one at 23:50 on 30 November is outside)
    assert cats["0301"] == {"code": "0301", "name": "噪声扰民", "count": 15,
                            "previous_average": 4.0, "growth": 2.75}
    assert cats["0402"]["count"] == 12 and cats["0402"]["previous_average"] == 0.0
    assert cats["0402"]["growth"] is None                   # new: nothing to grow from
    assert (cats["0201"]["previous_average"], cats["0201"]["growth"]) == (0.7, 15.5)
    assert (cats["0502"]["previous_average"], cats["0502"]["growth"]) == (10.0, 0.0)
    assert (cats["0101"]["count"], cats["0101"]["growth"]) == (3, 2.0)
    # by growth: the new one first; 0101 grew too but has fewer than 10 tickets
    assert codes(doc["categories_growth"]) == ["0402", "0201", "0301", "0502"]

    areas = {a["code"]: a for a in doc["areas"]}
    assert codes(doc["areas"]) == [S2, S5, S3, S1, S4]
    assert {c: a["name"] for c, a in areas.items()} == {c: NAMES[c] for c in areas}
    assert [areas[c]["count"] for c in (S2, S5, S3, S1, S4)] == [18, 11, 10, 9, 3]
    assert areas[S1]["growth"] == 1.25 and areas[S1]["previous_average"] == 4.0
    assert codes(doc["areas_growth"]) == [S2, S5, S3]        # S1 and S4: under 10

    assert [(a["area"]["code"], a["address"], a["count"]) for a in doc["addresses"]] == [
        (S2, BAIJIAKOU, 18), (S5, BEIGUAN, 11), (S1, DAXUEXI, 9), (S4, QINGNIAN, 3)]
    assert doc["addresses"][0]["area"] == {"code": S2, "name": NAMES[S2]}
    assert doc["addresses"][2]["previous_average"] == 4.0


def test_top_limits_every_list(stack, month):
    doc = api(stack, "?month=2025-03&top=2")
    assert doc["top"] == 2
    assert codes(doc["categories"]) == ["0301", "0402"]
    assert codes(doc["categories_growth"]) == ["0402", "0201"]
    assert codes(doc["areas"]) == [S2, S5] and codes(doc["areas_growth"]) == [S2, S5]
    assert [a["address"] for a in doc["addresses"]] == [BAIJIAKOU, BEIGUAN]


def test_the_month_ends_at_midnight_in_shanghai(stack, month):
    april = api(stack, "?month=2025-04")
    assert [(c["code"], c["count"]) for c in april["categories"]] == [("0301", 1)]
    assert april["categories_growth"] == [] and april["areas_growth"] == []
    empty = api(stack, "?month=2030-01")
    assert {k: empty[k] for k in ("categories", "categories_growth", "areas", "areas_growth",
                                  "addresses")} == dict.fromkeys(
        ("categories", "categories_growth", "areas", "areas_growth", "addresses"), [])


# ------------------------------------------------------------------ one engine


@pytest.mark.parametrize("month_,top", [("2025-03", None), ("2025-03", "2"), ("2025-03", "1000"),
                                        ("2025-02", None), ("2025-04", "1"), ("2030-01", None)])
def test_api_is_the_cli_json(stack, month, month_, top):
    query = "?month=" + month_ + ("&top=" + top if top else "")
    args = ["--month", month_] + (["--top", top] if top else [])
    want = cli(stack, *args)
    for role in ("leader", "admin"):
        assert api(stack, query, role=role) == want


def test_without_a_month_it_is_the_current_month_so_far(stack, month):
    r = stack.call("POST", "/api/v1/tickets", role="operator", body={
        "channel": "phone", "nature": "complaint", "category": "0304", "area": S3,
        "address": "桃园路 8 号", "description": "楼下餐馆油烟直排",
        "caller": {"name": "李某", "phone": "13900139000"}})
    assert r.status == 201, r
    before = datetime.datetime.now(CST).strftime("%Y-%m")
    doc = api(stack)
    after = datetime.datetime.now(CST).strftime("%Y-%m")
    assert doc["month"] in (before, after) and doc["top"] == 10
    assert "0304" in codes(doc["categories"])
    assert doc == cli(stack, "--month", doc["month"])
    # the ranking keeps its own default: the month before
    ranking = stack.call("GET", "/api/v1/reports/ranking", role="leader")
    assert ranking.status == 200 and ranking.json["month"] < doc["month"]


def test_the_month_so_far_is_compared_with_the_same_span_before(stack, month):
    """On the 22nd at 15:00, each of the three months before counts from its
    1st to its 22nd at 15:00: a ticket later in those months is not in the
    average, one earlier is."""
    now = datetime.datetime.now(CST)
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = now - first
    rows, inside = [], 0
    for back in (1, 2, 3):
        y, m = first.year, first.month - back
        while m < 1:
            y, m = y - 1, m + 12
        start = first.replace(year=y, month=m)
        end = first if back == 1 else (start + datetime.timedelta(days=32)).replace(day=1)
        rows.append((start + span / 2, "1003", S6, "含光路 1 号"))   # inside the span
        inside += 1
        later = start + span + datetime.timedelta(hours=1)
        if later < end:
            rows.append((later, "1003", S6, "含光路 1 号"))          # after it: not counted
    this_month = now.strftime("%Y-%m")
    rows += [(first + span / 2, "1003", S6, "含光路 1 号")] * 2
    insert(stack, rows)
    doc = api(stack, "?month=" + this_month)
    entry = next(c for c in doc["categories"] if c["code"] == "1003")
    assert entry["count"] == 2
    assert entry["previous_average"] == round(inside / 3, 1) == 1.0
    assert entry["growth"] == 1.0
    assert doc == cli(stack, "--month", this_month)
    # a past month is compared with whole months: last month's ticket after
    # the span counts for it
    last = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
    whole = next(c for c in api(stack, "?month=" + last)["categories"] if c["code"] == "1003")
    assert whole["count"] == len([r for r in rows if r[0].strftime("%Y-%m") == last])


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("query,field", [
    ("?month=2025-13", "month"), ("?month=March", "month"), ("?month=", "month"),
    ("?month=2025-3", "month"), ("?month=1999-12", "month"),
    ("?month=2025-03&month=2025-04", "month"),
    ("?top=0", "top"), ("?top=1001", "top"), ("?top=abc", "top"), ("?top=-1", "top"),
    ("?top=%2B5", "top"), ("?top=", "top"), ("?top=2.5", "top"), ("?top=5&top=5", "top"),
    ("?month=2025-03&kind=street", "kind"), ("?x=1", "x"),
])
def test_bad_parameters_are_400(stack, month, query, field):
    r = stack.call("GET", "/api/v1/reports/hotspots" + query, role="leader")
    assert_error(r, 400, "invalid_field", field)


def test_roles_that_do_not_read_reports_are_403(stack, month):
    unit_dept = stack.token("unit", "hotspots-dept", "dept-q-cgj")
    for role in ("operator", "unit", "unit2", "channel"):
        for query in ("?month=2025-03", "?month=bad"):  # the role is checked first
            r = stack.call("GET", "/api/v1/reports/hotspots" + query, role=role)
            assert_error(r, 403, "forbidden")
    r = stack.call("GET", "/api/v1/reports/hotspots?month=2025-03", token=unit_dept)
    assert_error(r, 403, "forbidden")
    assert_error(stack.call("GET", "/api/v1/reports/hotspots?month=2025-03"), 401,
                 "unauthorized")
    r = stack.call("POST", "/api/v1/reports/hotspots?month=2025-03", role="leader", body={})
    assert r.status in (404, 405), r
