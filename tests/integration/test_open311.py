"""Open311 GeoReport v2 under /open311/v2/, against a real minhud.

Every endpoint in both formats (XML parsed with xml.etree, JSON with json,
and the two compared field by field), POST requests creating a real ticket
through the intake path (channel open311, seen through the JSON API), the
filters and limits of GET requests, the status mapping, jurisdiction_id,
privacy of the public reads, and errors in the specification's shape with
400/403/404 only.
"""

import datetime
import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from minhu_client import call

UNIT = "610104002"  # 红庙坡街道, the `unit` token
W3C_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
CONTAINERS = {"services": "service", "service_requests": "request", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format",
              "errors": "error"}
PHONE = "13812345678"
EMAIL = "resident@example.cn"


# ------------------------------------------------------------------ helpers


def form(fields):
    """application/x-www-form-urlencoded, keeping repeated keys and order."""
    items = fields.items() if isinstance(fields, dict) else fields
    return urllib.parse.urlencode(list(items))


def post(stack, fmt="json", fields=None, raw=None, headers=None, url=None):
    hdrs = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    hdrs.update(headers or {})
    return call(url or stack.url, "POST", "/open311/v2/requests." + fmt,
                raw=form(fields) if raw is None else raw, headers=hdrs)


def get(stack, path, query=None, url=None):
    q = ("?" + urllib.parse.urlencode(query)) if query else ""
    return call(url or stack.url, "GET", "/open311/v2/" + path + q)


def xml_of(r):
    """The document of an XML response, after checking its headers and declaration."""
    assert (r.headers.get("Content-Type") or "").lower() == "text/xml; charset=utf-8", r
    assert r.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), r.body[:80]
    return ET.fromstring(r.body)


def json_of(r):
    assert (r.headers.get("Content-Type") or "").lower() == \
        "application/json; charset=utf-8", r
    assert r.json is not None, r
    return r.json


def spark(el):
    """An XML element as the JSON the Spark convention maps it to (text stays text)."""
    if el.tag in CONTAINERS:
        assert all(c.tag == CONTAINERS[el.tag] for c in el), [c.tag for c in el]
        return [spark(c) for c in el]
    if len(el):
        out = {}
        for c in el:
            assert c.tag not in out, "repeated %s in %s" % (c.tag, el.tag)
            out[c.tag] = spark(c)
        return out
    return el.text


def same(x, j, path="$"):
    """The XML-derived value x carries the same data as the JSON value j."""
    if isinstance(j, dict):
        assert isinstance(x, dict) and list(x) == list(j), (path, x, j)
        for k in j:
            same(x[k], j[k], path + "." + k)
    elif isinstance(j, list):
        assert isinstance(x, list) and len(x) == len(j), (path, x, j)
        for i, (a, b) in enumerate(zip(x, j)):
            same(a, b, "%s[%d]" % (path, i))
    elif j is None or j == "":
        assert x is None, (path, x, j)
    elif isinstance(j, bool):
        assert x == ("true" if j else "false"), (path, x, j)
    elif isinstance(j, (int, float)):
        assert x is not None and float(x) == float(j), (path, x, j)
    else:
        assert x == j, (path, x, j)


def both(stack, path, query=None, status=200, url=None):
    """GET path in both formats; checks they carry the same data; returns the JSON."""
    rj = get(stack, path + ".json", query, url)
    rx = get(stack, path + ".xml", query, url)
    assert rj.status == status, rj
    assert rx.status == status, rx
    j = json_of(rj)
    same(spark(xml_of(rx)), j)
    return j


def assert_errors(r, status, fmt="json", words=None):
    """The specification's errors document with status (400, 403 or 404)."""
    assert r.status == status, r
    if fmt == "json":
        body = json_of(r)
        assert isinstance(body, list) and body, body
        for e in body:
            assert list(e) == ["code", "description"], e
            assert e["code"] == status and isinstance(e["description"], str) and e["description"]
        text = body[0]["description"]
    else:
        root = xml_of(r)
        assert root.tag == "errors" and len(root) >= 1, r.body
        for e in root:
            assert e.tag == "error" and [c.tag for c in e] == ["code", "description"], r.body
            assert e.find("code").text == str(status) and e.find("description").text
        text = root[0].find("description").text
    if words:
        assert words in text, text
    return text


def request_fields(stack, **over):
    f = {"api_key": stack.tokens["channel"], "service_code": "0403",
         "lat": "34.2658", "long": "108.9541", "address_string": "莲湖区红庙坡路 18 号",
         "email": EMAIL, "device_id": "dev-1", "account_id": "acc-9",
         "first_name": "小明", "last_name": "王", "phone": PHONE,
         "description": "路面塌陷，有一个大坑 <危险> & 夜间无警示",
         "media_url": "https://img.example.cn/p/1.jpg", "attribute[nature]": "help"}
    for k, v in over.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return f


def create(stack, fmt="json", **over):
    r = post(stack, fmt, request_fields(stack, **over))
    assert r.status == 200, r
    if fmt == "json":
        body = json_of(r)
        assert isinstance(body, list) and len(body) == 1, body
        return body[0]["service_request_id"]
    return xml_of(r).find("request/service_request_id").text


def api_ticket(stack, number, role="operator"):
    r = stack.call("GET", "/api/v1/tickets/%s" % number, role=role)
    assert r.status == 200, r
    return r.json


def act(stack, role, ticket, action, body=None):
    r = stack.call("POST", "/api/v1/tickets/%s/%s" % (ticket["id"], action), role=role,
                   body=body or {})
    assert r.status == 200, r
    return r.json


def utc(text):
    assert W3C_UTC.match(text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


# ------------------------------------------------------------------ discovery, services


def test_discovery(stack):
    d = both(stack, "discovery")
    # also at the root, where the specification wants discovery to live
    for fmt in ("json", "xml"):
        r = call(stack.url, "GET", "/open311/discovery." + fmt)
        assert r.status == 200, r
        assert r.body == get(stack, "discovery." + fmt).body
    for d in (d,):
        assert list(d) == ["changeset", "contact", "key_service", "endpoints"], d
        assert "channel" in d["key_service"]
        (ep,) = d["endpoints"]
        assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert ep["url"].endswith("/open311/v2") and ep["url"].startswith("http://127.0.0.1:")
        assert ep["type"] == "production"
        assert ep["formats"] == ["text/xml", "application/json"]
        assert ep["changeset"] == d["changeset"]


def test_services(stack):
    services = both(stack, "services")
    codes = [s["service_code"] for s in services]
    assert codes == sorted(codes)
    # leaf categories only: 0403 is one, its parent 04 is a group
    assert "0403" in codes and "04" not in codes and "01" not in codes
    cats = stack.sql("SELECT c.code FROM categories c WHERE c.active AND NOT EXISTS"
                     " (SELECT 1 FROM categories k WHERE k.parent = c.code AND k.active)")
    assert sorted(c[0] for c in cats) == codes
    s = services[codes.index("0403")]
    assert s == {"service_code": "0403", "service_name": "道路破损",
                 "description": "城市管理：道路破损", "metadata": True, "type": "realtime",
                 "keywords": "道路破损, 城市管理", "group": "城市管理"}
    for s in services:
        assert list(s) == ["service_code", "service_name", "description", "metadata", "type",
                           "keywords", "group"]
        assert s["type"] == "realtime"  # never batch: no tokens


def test_service_definition(stack):
    d = both(stack, "services/0403")
    assert list(d) == ["service_code", "attributes"] and d["service_code"] == "0403"
    (a,) = d["attributes"]
    assert list(a) == ["variable", "code", "datatype", "required", "datatype_description",
                       "order", "description", "values"]
    assert a["variable"] is True and a["code"] == "nature"
    assert a["datatype"] == "singlevaluelist" and a["required"] is False and a["order"] == 1
    keys = [v["key"] for v in a["values"]]
    assert keys[0] == "complaint" and set(keys) == {"consultation", "help", "complaint",
                                                      "report", "suggestion", "praise",
                                                      "other"}
    assert {"key": "help", "name": "求助"} in a["values"]

    for fmt in ("json", "xml"):
        # unknown, a group (not a leaf), malformed: 404 in the specification's errors
        for code in ("9999", "04", "a%20b"):
            assert_errors(get(stack, "services/%s.%s" % (code, fmt)), 404, fmt)


# ------------------------------------------------------------------ POST requests


def test_post_creates_a_ticket(stack):
    r = post(stack, "json", request_fields(stack))
    assert r.status == 200, r
    body = json_of(r)
    assert isinstance(body, list) and len(body) == 1
    (res,) = body
    assert list(res) == ["service_request_id", "service_notice", "account_id"], res
    number = res["service_request_id"]
    assert isinstance(number, str) and re.match(r"^\d{16}$", number), number
    assert res["account_id"] is None
    assert number in res["service_notice"] and "查询码" in res["service_notice"]
    code = re.search(r"查询码 (\d{6})", res["service_notice"]).group(1)

    # a real ticket, through the intake path, as the operator sees it
    t = api_ticket(stack, number)
    assert t["channel"] == "open311" and t["nature"] == "help" and t["urgency"] == "normal"
    assert t["category"] == {"code": "0403", "name": "道路破损"}
    assert t["caller"] == {"name": "王小明", "phone": PHONE, "anonymous": False,
                           "confidential": False}
    assert t["callback_wanted"] is True
    assert t["address"] == "莲湖区红庙坡路 18 号"
    assert t["location"] == {"lat": 34.2658, "lon": 108.9541}
    assert t["description"] == "路面塌陷，有一个大坑 <危险> & 夜间无警示"
    assert t["created_by"] == "test-channel" and t["status"] == "pending_dispatch"
    (ev,) = t["events"]
    assert ev["action"] == "intake" and ev["actor"] == "test-channel"
    assert ev["data"]["channel"] == "open311"
    assert ev["data"]["media_url"] == "https://img.example.cn/p/1.jpg"
    assert ev["data"]["attributes"] == {"nature": "help"}
    # the caller's email, device and account are not kept anywhere
    dump = "".join(c for row in stack.sql(
        "SELECT t::text FROM tickets t WHERE number = '%s' UNION ALL "
        "SELECT e::text FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
        " WHERE t.number = '%s'" % (number, number)) for c in row)
    assert EMAIL not in dump and "dev-1" not in dump and "acc-9" not in dump
    # the resident is told (SMS outbox), and the query code works on the status page
    assert stack.sql_value("SELECT count(*) FROM notifications n JOIN tickets t"
                           " ON t.id = n.ticket_id WHERE t.number = '%s'"
                           " AND n.audience = 'resident'" % number) == "1"
    pub = stack.call("GET", "/api/v1/public/tickets/%s?code=%s" % (number, code))
    assert pub.status == 200 and pub.json["number"] == number, pub

    # the app's own channel token reads it through the JSON API (caller masked);
    # another app's does not
    mine = api_ticket(stack, number, role="channel")
    assert mine["caller"]["phone"] == "138****5678"
    other = stack.token("channel", "other-app")
    r = call(stack.url, "GET", "/api/v1/tickets/%s" % number, token=other)
    assert r.status == 404, r


def test_post_xml_and_defaults(stack):
    # XML answer; no phone: anonymous (no caller at all); no description: the service's name;
    # no nature attribute: complaint; address_id (an area code) as the only location
    r = post(stack, "xml", {"api_key": stack.tokens["channel"], "service_code": "0404",
                            "address_id": "610104002", "first_name": "Jane",
                            "description": ""})
    assert r.status == 200, r
    root = xml_of(r)
    assert root.tag == "service_requests"
    (req,) = list(root)
    assert req.tag == "request"
    assert [c.tag for c in req] == ["service_request_id", "service_notice", "account_id"]
    assert req.find("account_id").text is None
    number = req.find("service_request_id").text
    t = api_ticket(stack, number)
    assert t["caller"] == {"name": None, "phone": None, "anonymous": True,
                           "confidential": False}
    assert t["callback_wanted"] is False
    assert t["description"] == "路灯照明" and t["nature"] == "complaint"
    assert t["area"]["code"] == "610104002" and t["location"] is None
    assert t["channel"] == "open311"
    # ASCII names read first-last
    n2 = create(stack, first_name="John", last_name="Smith")
    assert api_ticket(stack, n2)["caller"]["name"] == "John Smith"


# ------------------------------------------------------------------ GET requests


def test_get_request(stack):
    number = create(stack, service_code="0406")
    (req,) = both(stack, "requests/" + number)
    assert list(req) == ["service_request_id", "status", "status_notes", "service_name",
                         "service_code", "description", "agency_responsible", "service_notice",
                         "requested_datetime", "updated_datetime", "expected_datetime",
                         "address", "address_id", "zipcode", "lat", "long", "media_url"]
    assert req["service_request_id"] == number
    assert req["status"] == "open" and req["status_notes"] == "待派单"
    assert req["service_name"] == "井盖设施" and req["service_code"] == "0406"
    assert req["description"] == "路面塌陷，有一个大坑 <危险> & 夜间无警示"
    assert req["agency_responsible"] is None  # not dispatched yet
    assert req["service_notice"] == "已受理，12345 热线正在派单"
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((utc(req["requested_datetime"]) - now).total_seconds()) < 60
    utc(req["updated_datetime"])
    assert req["expected_datetime"] is None
    assert req["address"] == "莲湖区红庙坡路 18 号" and req["address_id"] is None
    assert req["lat"] == 34.2658 and req["long"] == 108.9541
    assert req["media_url"] == "https://img.example.cn/p/1.jpg"

    # dispatched: the lead unit answers for it by the reply deadline
    t = api_ticket(stack, number)
    t = act(stack, "operator", t, "dispatch", {"unit": UNIT})
    (req,) = both(stack, "requests/" + number)
    assert req["status"] == "open" and req["status_notes"] == "已派单待签收"
    assert req["agency_responsible"] == "红庙坡街道"
    due = datetime.datetime.fromisoformat(t["deadlines"]["reply"])
    assert utc(req["expected_datetime"]) == due.replace(microsecond=0)
    assert req["service_notice"].startswith("由红庙坡街道办理，应于 ")
    assert due.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime(
        "%Y-%m-%d %H:%M") in req["service_notice"]

    # unknown, malformed, or not an Open311 ticket: 404
    for fmt in ("json", "xml"):
        assert_errors(get(stack, "requests/2000010100000000.%s" % fmt), 404, fmt)
        assert_errors(get(stack, "requests/abc.%s" % fmt), 404, fmt)


def test_status_mapping(stack):
    # closed through the whole path: the public result is the status_notes
    a = api_ticket(stack, create(stack, service_code="0405"))
    a = act(stack, "operator", a, "dispatch", {"unit": UNIT})
    a = act(stack, "unit", a, "accept")
    a = act(stack, "unit", a, "contact")
    req = both(stack, "requests/" + a["number"])[0]
    assert req["status"] == "open" and req["status_notes"] == "办理中"
    a = act(stack, "unit", a, "reply", {"result": "已补种行道树"})
    req = both(stack, "requests/" + a["number"])[0]
    assert req["status"] == "open" and req["status_notes"] == "已补种行道树"  # awaits callback
    a = act(stack, "operator", a, "callback",
            {"contacted": True, "resolved": True, "satisfaction": 5})
    assert a["status"] == "closed"
    req = both(stack, "requests/" + a["number"])[0]
    assert req["status"] == "closed" and req["status_notes"] == "已补种行道树"
    assert req["service_notice"] is None
    # updated_datetime of a closed request is when it was closed
    assert utc(req["updated_datetime"]) == datetime.datetime.fromisoformat(
        a["closed_at"]).replace(microsecond=0)

    # every final state is closed: cancelled, rejected, merged
    b = api_ticket(stack, create(stack, service_code="0405"))
    act(stack, "operator", b, "cancel", {"reason": "来电人撤回"})
    c = api_ticket(stack, create(stack, service_code="0405"))
    act(stack, "operator", c, "reject", {"reason": "涉诉"})
    d = api_ticket(stack, create(stack, service_code="0405"))
    e = api_ticket(stack, create(stack, service_code="0405"))
    act(stack, "operator", d, "merge", {"into": e["number"]})
    got = {r["service_request_id"]: r for r in both(
        stack, "requests", {"service_request_id": ",".join(
            x["number"] for x in (b, c, d))})}
    assert got[b["number"]]["status"] == "closed"
    assert got[b["number"]]["status_notes"] == "已撤销"
    assert got[c["number"]]["status_notes"] == "不予受理"
    assert got[d["number"]]["status_notes"] == "已合并至工单 %s 一并办理" % e["number"]
    assert all(r["status"] == "closed" for r in got.values())


def test_get_requests_filters(stack):
    # this module's Open311 tickets only; a phone ticket never shows
    phone = stack.call("POST", "/api/v1/tickets", role="operator", body={
        "channel": "phone", "nature": "complaint", "category": "0403",
        "description": "电话来件", "caller": {"name": "李某", "phone": "13900001111"}})
    assert phone.status == 201, phone
    x1 = create(stack, service_code="0201")
    x2 = create(stack, service_code="0202")
    x3 = create(stack, service_code="0202")
    t3 = api_ticket(stack, x3)
    act(stack, "operator", t3, "cancel", {"reason": "撤回"})

    every = both(stack, "requests")
    ids = [r["service_request_id"] for r in every]
    assert phone.json["number"] not in ids
    total = int(stack.sql_value("SELECT count(*) FROM tickets WHERE channel = 'open311'"))
    assert len(ids) == total and {x1, x2, x3} <= set(ids)
    times = [r["requested_datetime"] for r in every]
    assert times == sorted(times, reverse=True)  # newest first
    assert ids.index(x3) < ids.index(x2) < ids.index(x1)
    r = get(stack, "requests/%s.json" % phone.json["number"])
    assert_errors(r, 404)

    def ids_of(query):
        return [r["service_request_id"] for r in both(stack, "requests", query)]

    assert ids_of({"service_code": "0202"}) == [x3, x2]
    assert ids_of({"service_code": "0201,0202"}) == [x3, x2, x1]
    assert ids_of({"service_code": "0202", "status": "open"}) == [x2]
    assert ids_of({"service_code": "0202", "status": "closed"}) == [x3]
    assert ids_of({"service_code": "0202", "status": "open,closed"}) == [x3, x2]
    assert x3 not in ids_of({"status": "open"})
    # service_request_id overrides every other argument
    assert sorted(ids_of({"service_request_id": "%s,%s" % (x1, x3), "status": "closed",
                          "service_code": "0999"})) == sorted([x1, x3])
    # dates: requested_datetime within [start_date, end_date]
    now = datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    hour = datetime.timedelta(hours=1)
    assert x1 in ids_of({"start_date": (now - hour).strftime(fmt),
                         "end_date": (now + hour).strftime(fmt)})
    assert ids_of({"start_date": (now + hour).strftime(fmt)}) == []
    assert ids_of({"end_date": (now - hour).strftime(fmt)}) == []
    assert x1 in ids_of({"start_date": (now - datetime.timedelta(days=2)).strftime("%Y-%m-%d")})
    assert x1 in ids_of({"end_date": (now + hour).strftime("%Y-%m-%dT%H:%M+00:00")})
    # paging (the common extension) and the 1000 limit
    assert ids_of({"page_size": "2"}) == ids[:2]
    assert ids_of({"page_size": "2", "page": "2"}) == ids[2:4]
    assert ids_of({"page_size": "1000", "page": "99"}) == []
    # old tickets fall out of the default 90 days
    stack.sql("UPDATE tickets SET created_at = created_at - interval '91 days'"
              " WHERE number = '%s'" % x1)
    assert x1 not in ids_of({})
    assert x1 in ids_of({"service_request_id": x1})

    bad = [{"status": "pending"}, {"start_date": "yesterday"}, {"end_date": "2010-01-01T00:00:00"},
           {"start_date": "2010-01-01T00:00:00Z", "end_date": "2010-04-02T00:00:00Z"},
           {"start_date": "2010-02-01T00:00:00Z", "end_date": "2010-01-01T00:00:00Z"},
           {"service_request_id": "1,x"}, {"service_code": "a b"}, {"page_size": "1001"},
           {"page": "0"}, {"limit": "5"}, {"sort": "id"}]
    for query in bad:
        for fmt in ("json", "xml"):
            assert_errors(get(stack, "requests.%s" % fmt, query), 400, fmt)


def test_public_reads_keep_callers_private(stack):
    number = create(stack, phone="13700009999", first_name="秀英", last_name="张",
                    email="zhang@example.cn")
    texts = [get(stack, "requests.json").text, get(stack, "requests.xml").text,
             get(stack, "requests/%s.json" % number).text,
             get(stack, "requests/%s.xml" % number).text]
    for text in texts:
        for secret in ("13700009999", "张秀英", "秀英", "zhang@example.cn", PHONE,
                       "王小明"):
            assert secret not in text, secret
    # confidential tickets never show (an operator can mark one so through the JSON API)
    stack.sql("UPDATE tickets SET confidential = true WHERE number = '%s'" % number)
    assert_errors(get(stack, "requests/%s.json" % number), 404)
    assert number not in get(stack, "requests.json").text


def test_tokens_are_never_issued(stack):
    for fmt in ("json", "xml"):
        assert_errors(get(stack, "tokens/12345.%s" % fmt), 404, fmt, "realtime")


# ------------------------------------------------------------------ errors


def test_post_errors(stack):
    key = stack.tokens["channel"]
    cases = [
        # (fields, status, words in the description)
        (request_fields(stack, api_key=None), 403, "api_key"),
        (request_fields(stack, api_key=""), 403, "api_key"),
        (request_fields(stack, api_key="not-a-token"), 403, "api_key"),
        (request_fields(stack, api_key=stack.tokens["operator"]), 403, "channel"),
        (request_fields(stack, api_key=stack.tokens["unit"]), 403, "channel"),
        (request_fields(stack, service_code="9999"), 404, "9999"),
        (request_fields(stack, service_code="04"), 404, "04"),  # a group, not a service
        (request_fields(stack, service_code=None), 400, "service_code"),
        (request_fields(stack, lat=None, long=None, address_string=None), 400, "location"),
        (request_fields(stack, long=None), 400, "together"),
        (request_fields(stack, lat="91"), 400, "lat"),
        (request_fields(stack, long="east"), 400, "long"),
        (request_fields(stack, phone="call me"), 400, "phone"),
        (request_fields(stack, media_url="file:///etc/passwd"), 400, "media_url"),
        (request_fields(stack, **{"attribute[nature]": "angry"}), 400, "attribute[nature]"),
        (request_fields(stack, **{"attribute[colour]": "red"}), 400, "colour"),
        (request_fields(stack, lon="108.9"), 400, "lon"),
        (request_fields(stack, description="坑" * 4001), 400, "description"),
        (request_fields(stack, address_id="610199999"), 400, None),  # an unknown area
        (list(request_fields(stack).items()) + [("service_code", "0404")], 400, "more than once"),
    ]
    before = stack.sql_value("SELECT count(*) FROM tickets")
    for fields, status, words in cases:
        for fmt in ("json", "xml"):
            r = post(stack, fmt, fields)
            assert_errors(r, status, fmt, words)
    # the body must be a form: JSON, a bad escape, bad UTF-8
    assert_errors(post(stack, "json", raw='{"service_code": "0403"}',
                       headers={"Content-Type": "application/json"}), 400)
    assert_errors(post(stack, "json", raw="api_key=%s&service_code=%%zz" % key), 400)
    assert_errors(post(stack, "xml", raw=b"api_key=x&description=\xff\xfe"), 400, "xml")
    # nothing was created by any of them
    assert stack.sql_value("SELECT count(*) FROM tickets") == before


def test_url_and_method_errors(stack):
    for fmt in ("json", "xml"):
        assert_errors(get(stack, "nothing.%s" % fmt), 404, fmt)
        assert_errors(call(stack.url, "GET", "/open311/v3/services.%s" % fmt), 404, fmt)
        assert_errors(call(stack.url, "POST", "/open311/v2/services.%s" % fmt, raw="a=1",
                           headers={"Content-Type": CT_FORM}), 400, fmt)
        assert_errors(call(stack.url, "PUT", "/open311/v2/requests.%s" % fmt, raw="a=1"), 400,
                      fmt)
        assert_errors(call(stack.url, "POST", "/open311/v2/requests/1.%s" % fmt, raw="a=1"),
                      400, fmt)
    # an unknown format: XML, the specification's required one
    assert_errors(get(stack, "services.html"), 404, "xml")
    assert_errors(get(stack, "services"), 404, "xml")
    # a body over the limit: 400, not 413
    big = "a=" + "x" * 70000
    assert_errors(call(stack.url, "POST", "/open311/v2/requests.json", raw=big,
                       headers={"Content-Type": CT_FORM}), 400)


CT_FORM = "application/x-www-form-urlencoded"


def test_jurisdiction(stack, servers):
    s = servers.start(extra_args=["--open311-jurisdiction", "xa.gov.cn"])
    both(stack, "services", {"jurisdiction_id": "xa.gov.cn"}, url=s.url)
    both(stack, "services", url=s.url)  # one jurisdiction: the argument is optional
    for path in ("services", "services/0403", "requests", "discovery"):
        for fmt in ("json", "xml"):
            r = get(stack, "%s.%s" % (path, fmt), {"jurisdiction_id": "bj.gov.cn"}, url=s.url)
            assert_errors(r, 404, fmt, "jurisdiction_id")
    r = post(stack, "json", request_fields(stack, jurisdiction_id="bj.gov.cn"), url=s.url)
    assert_errors(r, 404, "json", "jurisdiction_id")
    r = post(stack, "json", request_fields(stack, jurisdiction_id="xa.gov.cn"), url=s.url)
    assert r.status == 200, r
    # with none configured, any is accepted
    assert get(stack, "services.json", {"jurisdiction_id": "bj.gov.cn"}).status == 200


def test_only_spec_statuses(stack):
    """A sweep of odd requests: every answer is 200/400/403/404 in the right format."""
    paths = ["services.json", "services.xml", "requests.json?status=", "requests.xml?page=x",
             "services/%00.json", "requests/%E5%9D%91.xml", "discovery.json?jurisdiction_id=",
             "tokens/.json", "services/0403.json?api_key=x", "requests.json?service_code=%2C"]
    for p in paths:
        r = call(stack.url, "GET", "/open311/v2/" + p)
        assert r.status in (200, 400, 403, 404), (p, r)
        ctype = r.headers.get("Content-Type")
        assert ctype in ("application/json; charset=utf-8", "text/xml; charset=utf-8"), (p, r)
        if r.status != 200:
            assert_errors(r, r.status, "json" if "json" in ctype else "xml")
