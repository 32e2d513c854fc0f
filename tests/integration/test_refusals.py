"""Every refusal of the contract answers the contract's error body and changes nothing.

Intake refusals compare the number of tickets and events before and after;
action refusals compare the ticket's row, events and assists.
"""

import json
import socket
import urllib.parse
import uuid

import pytest

from minhu_client import (assert_error, call, counts, intake_body, raw_request,
                          ticket_state)

UNIT = "610104002"
JSON = {"Content-Type": "application/json"}


def new_ticket(stack, **fields):
    r = stack.call("POST", "/api/v1/tickets", role="operator", body=intake_body(**fields))
    assert r.status == 201, r
    return r.json


def act_ok(stack, role, t, action, body=None):
    r = stack.call("POST", "/api/v1/tickets/%s/%s" % (t["id"], action), role=role,
                   body=body or {})
    assert r.status == 200, r
    return r.json


PATH = [("operator", "dispatch", {"unit": UNIT}), ("unit", "accept", {}),
        ("unit", "contact", {}), ("unit", "reply", {"result": "已处理"}),
        ("operator", "callback", {"contacted": True, "resolved": True, "satisfaction": 5})]


def advanced(stack, steps):
    """A new ticket moved along the first `steps` actions of the main path."""
    t = new_ticket(stack)
    for role, action, body in PATH[:steps]:
        t = act_ok(stack, role, t, action, body)
    return t


@pytest.fixture(scope="module")
def tickets(stack):
    """One ticket per status the refusals need (dispatched ones go to 红庙坡街道)."""
    got = {name: advanced(stack, n) for n, name in enumerate(
        ("pending", "dispatched", "accepted", "contacted", "replied", "closed"))}
    for name, want in (("pending", "pending_dispatch"), ("dispatched", "dispatched"),
                       ("accepted", "accepted"), ("contacted", "accepted"),
                       ("replied", "replied"), ("closed", "closed")):
        assert got[name]["status"] == want, (name, got[name]["status"])
    assert got["contacted"]["contacted_at"] and not got["accepted"]["contacted_at"]
    return got


def refused_intake(stack, status, code, field=None, role="operator", **kw):
    before = counts(stack)
    r = call(stack.url, "POST", "/api/v1/tickets",
             token=stack.tokens[role] if role else None, **kw)
    err = assert_error(r, status, code, field)
    assert counts(stack) == before, "a refused intake stored something"
    return err


def refused_action(stack, t, action, status, code, field=None, role="operator", **kw):
    before = ticket_state(stack, t["id"])
    assert before["row"] is not None
    r = call(stack.url, "POST", "/api/v1/tickets/%s/%s" % (t["id"], action),
             token=stack.tokens[role] if role else None, **kw)
    err = assert_error(r, status, code, field)
    assert ticket_state(stack, t["id"]) == before, "a refused %s changed something" % action
    return err


# ------------------------------------------------------------------ 400 invalid_json


@pytest.mark.parametrize("raw", [
    b"{\"channel\": \"phone\",",
    b"{channel: phone}",
    b"",
    b"[1, 2, 3]",
    b"\"a string\"",
    b"null",
    b"42",
    b"{\"channel\": \"phone\", \"nature\": \"complaint\", \"category\": \"0301\","
    b" \"description\": \"\xff\xfe invalid\", \"caller\": {\"phone\": \"13800138000\"}}",
    b"{\"channel\": \"phone\", \"nature\": \"complaint\", \"category\": \"0301\","
    b" \"description\": \"\xe5\x99\", \"caller\": {\"phone\": \"13800138000\"}}",
    b"{\"channel\": \"phone\", \"channel\": \"web\", \"nature\": \"complaint\","
    b" \"category\": \"0301\", \"description\": \"x\", \"caller\": {\"phone\": \"13800138000\"}}",
    b"{\"channel\": \"phone\", \"nature\": \"complaint\", \"category\": \"0301\","
    b" \"description\": \"x\", \"caller\": {\"phone\": \"13800138000\", \"phone\": \"1\"}}",
    b"{\"description\": \"a\\u0000b\"}",
], ids=["truncated", "bare-words", "empty", "array", "string", "null", "number",
        "bad-utf8", "cut-utf8", "duplicate-key", "duplicate-nested-key", "nul-escape"])
def test_intake_invalid_json(stack, raw):
    refused_intake(stack, 400, "invalid_json", raw=raw, headers=JSON)


@pytest.mark.parametrize("raw", [b"{\"unit\": ", b"[]", b"{\"unit\": \"1\", \"unit\": \"2\"}",
                                 b"{\"unit\": \"\xc3\x28\"}"],
                         ids=["truncated", "array", "duplicate-key", "bad-utf8"])
def test_action_invalid_json(stack, tickets, raw):
    refused_action(stack, tickets["pending"], "dispatch", 400, "invalid_json", raw=raw,
                   headers=JSON)


# ------------------------------------------------------------------ 400 invalid_field


@pytest.mark.parametrize("fields, field", [
    ({"colour": "red"}, "colour"),
    ({"caller": {"phone": "13800138000", "age": 40}}, "caller.age"),
    ({"location": {"lat": 34.2, "lon": 108.9, "alt": 400}}, "location.alt"),
    ({"description": 123}, "description"),
    ({"description": ["x"]}, "description"),
    ({"channel": 1}, "channel"),
    ({"caller": "13800138000"}, "caller"),
    ({"caller": {"phone": 13800138000}}, "caller.phone"),
    ({"caller": {"phone": "13800138000", "anonymous": "no"}}, "caller.anonymous"),
    ({"callback_wanted": "yes"}, "callback_wanted"),
    ({"location": {"lat": "34.2", "lon": 108.9}}, "location"),
    ({"location": {"lat": 91, "lon": 108.9}}, "location"),
    ({"channel": "pigeon"}, "channel"),
    ({"nature": "rant"}, "nature"),
    ({"urgency": "asap"}, "urgency"),
    ({"category": "9999"}, "category"),
    ({"category": "03 01"}, "category"),
    ({"area": "999999999"}, "area"),
    ({"caller": {"name": "王小明", "phone": "12ab34"}}, "caller.phone"),
    ({"caller": {"name": "王小明", "phone": "123"}}, "caller.phone"),
    ({"description": "诉" * 4001}, "description"),
    ({"caller": {"anonymous": True, "phone": "13800138000"}}, "caller"),
], ids=lambda v: json.dumps(v, ensure_ascii=False)[:40] if isinstance(v, dict) else v)
def test_intake_invalid_field(stack, fields, field):
    refused_intake(stack, 400, "invalid_field", field, body=intake_body(**fields))


def test_intake_description_of_4000_characters_is_accepted(stack):
    r = stack.call("POST", "/api/v1/tickets", role="operator",
                   body=intake_body(description="诉" * 4000))
    assert r.status == 201, r
    assert len(r.json["description"]) == 4000


@pytest.mark.parametrize("action, body, field", [
    ("dispatch", {"unit": "999999999"}, "unit"),
    ("dispatch", {"unit": "12345"}, "unit"),            # the centre is not a handling unit
    ("dispatch", {"unit": "6101 04"}, "unit"),
    ("dispatch", {"unit": 610104002}, "unit"),
    ("dispatch", {"unit": UNIT, "colour": "red"}, "colour"),
    ("dispatch", {"unit": UNIT, "expected_version": "1"}, "expected_version"),
    ("dispatch", {"unit": UNIT, "expected_version": 0}, "expected_version"),
    ("cancel", {"reason": 42}, "reason"),
    ("answer", {"result": "诉" * 4001}, "result"),
    ("note", {"note": False}, "note"),
])
def test_action_invalid_field(stack, tickets, action, body, field):
    refused_action(stack, tickets["pending"], action, 400, "invalid_field", field, body=body)


@pytest.mark.parametrize("body, field", [
    ({"contacted": True, "resolved": True, "satisfaction": 6}, "satisfaction"),
    ({"contacted": True, "resolved": True, "satisfaction": 0}, "satisfaction"),
    ({"contacted": "yes", "resolved": True, "satisfaction": 5}, "contacted"),
    ({"contacted": True, "resolved": True, "satisfaction": 5, "reopen": "no"}, "reopen"),
])
def test_callback_invalid_field(stack, tickets, body, field):
    refused_action(stack, tickets["replied"], "callback", 400, "invalid_field", field, body=body)


# ------------------------------------------------------------------ 400 missing_field


@pytest.mark.parametrize("fields, field", [
    ({"description": None}, "description"),
    ({"channel": None}, "channel"),
    ({"nature": None}, "nature"),
    ({"category": None}, "category"),
    ({"caller": None}, "caller.phone"),
    ({"caller": {"name": "王小明"}}, "caller.phone"),
    ({"caller": {"name": "王小明", "anonymous": False}}, "caller.phone"),
])
def test_intake_missing_field(stack, fields, field):
    refused_intake(stack, 400, "missing_field", field, body=intake_body(**fields))


@pytest.mark.parametrize("state, action, body, field", [
    ("pending", "cancel", {}, "reason"),
    ("pending", "cancel", {"reason": ""}, "reason"),
    ("pending", "reject", {}, "reason"),
    ("pending", "answer", {}, "result"),
    ("pending", "dispatch", {}, "unit"),
    ("pending", "note", {}, "note"),
    ("contacted", "reply", {}, "result"),
    ("replied", "callback", {}, "contacted"),
    ("replied", "callback", {"contacted": True, "resolved": True}, "satisfaction"),
])
def test_action_missing_field(stack, tickets, state, action, body, field):
    role = "unit" if action == "reply" else "operator"
    refused_action(stack, tickets[state], action, 400, "missing_field", field, role=role,
                   body=body)


@pytest.mark.parametrize("state, action, field", [
    ("pending", "cancel", "reason"), ("pending", "reject", "reason"),
    ("pending", "answer", "result"), ("contacted", "reply", "result"),
])
def test_a_note_never_stands_in_for_a_reason_or_result(stack, tickets, state, action, field):
    """The result is shown to the resident and a note is internal: an action
    that needs a reason or a result refuses a body with only a note, either as
    that member missing or the note as a member it does not take."""
    role = "unit" if action == "reply" else "operator"
    err = refused_action(stack, tickets[state], action, 400, None, role=role,
                         body={"note": "内部：施工方老板电话 13700001111，不配合"})
    assert (err["code"], err.get("field")) in (("missing_field", field),
                                               ("invalid_field", "note")), err


# ------------------------------------------------------------------ 401


@pytest.mark.parametrize("auth", [None, "Bearer mh_not-a-real-token", "Bearer ",
                                  "Basic dXNlcjpwYXNz", "Token {tok}", "Bearer {tok} extra",
                                  "{tok}", "Bearer {tok}x"])
def test_unauthorized(stack, tickets, auth):
    headers = dict(JSON)
    if auth is not None:
        headers["Authorization"] = auth.format(tok=stack.tokens["operator"])
    err = refused_intake(stack, 401, "unauthorized", role=None, raw=json.dumps(intake_body()),
                         headers=headers)
    assert stack.tokens["operator"] not in err["message"]
    refused_action(stack, tickets["pending"], "dispatch", 401, "unauthorized", role=None,
                   raw=json.dumps({"unit": UNIT}), headers=headers)
    for path in ("/api/v1/tickets", "/api/v1/tickets/" + tickets["pending"]["id"],
                 "/api/v1/units"):
        r = call(stack.url, "GET", path, headers=headers)
        assert_error(r, 401, "unauthorized")
        assert "Bearer" in (r.headers.get("WWW-Authenticate") or ""), r.headers


# ------------------------------------------------------------------ 403


def test_forbidden_roles_change_nothing(stack, tickets):
    p, d = tickets["pending"], tickets["dispatched"]
    refused_action(stack, p, "dispatch", 403, "forbidden", role="leader", body={"unit": UNIT})
    refused_action(stack, p, "cancel", 403, "forbidden", role="leader", body={"reason": "x"})
    refused_action(stack, p, "dispatch", 403, "forbidden", role="channel", body={"unit": UNIT})
    refused_action(stack, p, "note", 403, "forbidden", role="channel", body={"note": "x"})
    refused_action(stack, d, "dispatch", 403, "forbidden", role="unit", body={"unit": UNIT})
    refused_action(stack, d, "cancel", 403, "forbidden", role="unit", body={"reason": "不归我管"})
    refused_action(stack, d, "accept", 403, "forbidden", role="operator", body={})
    refused_action(stack, d, "accept", 403, "forbidden", role="admin", body={})
    refused_action(stack, tickets["contacted"], "reply", 403, "forbidden", role="operator",
                   body={"result": "x"})
    refused_action(stack, tickets["replied"], "callback", 403, "forbidden", role="unit",
                   body={"contacted": True, "resolved": True, "satisfaction": 5})
    refused_intake(stack, 403, "forbidden", role="leader", body=intake_body())
    refused_intake(stack, 403, "forbidden", role="unit", body=intake_body())


# ------------------------------------------------------------------ 404


def test_not_found(stack, tickets):
    op = stack.tokens["operator"]
    unknown = str(uuid.uuid4())
    for path in ("/api/v1/tickets/" + unknown, "/api/v1/tickets/2026010100000000",
                 "/api/v1/tickets/not-a-ticket", "/api/v1/nothing", "/api/v2/tickets",
                 "/api/v1/tickets/%s/events/1" % tickets["pending"]["id"]):
        assert_error(call(stack.url, "GET", path, token=op), 404, "not_found")
    before = counts(stack)
    for path in ("/api/v1/tickets/%s/cancel" % unknown, "/api/v1/tickets/abc/cancel",
                 "/api/v1/tickets/2026010100000000/cancel"):
        assert_error(call(stack.url, "POST", path, token=op, body={"reason": "x"}), 404,
                     "not_found")
    assert counts(stack) == before
    for action in ("teleport", "intake", "ACCEPT", "delete"):
        refused_action(stack, tickets["pending"], action, 404, "not_found", body={})


def test_unit_cannot_see_or_touch_other_units_tickets(stack, tickets):
    d = tickets["dispatched"]
    # unit2 (北院门街道) is not the lead of d: 404 as if it did not exist, not 403.
    for ref in (d["id"], d["number"]):
        r = stack.call("GET", "/api/v1/tickets/" + ref, role="unit2")
        assert_error(r, 404, "not_found")
        assert d["id"] not in r.text and d["number"] not in r.text
    refused_action(stack, d, "accept", 404, "not_found", role="unit2", body={})
    refused_action(stack, d, "dispatch", 404, "not_found", role="unit2", body={"unit": UNIT})
    # A ticket still waiting for dispatch belongs to no unit yet.
    assert_error(stack.call("GET", "/api/v1/tickets/" + tickets["pending"]["id"], role="unit"),
                 404, "not_found")
    # The same answer as for a ticket that does not exist.
    absent = stack.call("GET", "/api/v1/tickets/" + str(uuid.uuid4()), role="unit2")
    hidden = stack.call("GET", "/api/v1/tickets/" + d["id"], role="unit2")
    assert absent.json == hidden.json


# ------------------------------------------------------------------ 405


def test_method_not_allowed(stack, tickets):
    before = counts(stack)
    state = ticket_state(stack, tickets["pending"]["id"])
    for method, path in (("DELETE", "/api/v1/tickets"),
                         ("PUT", "/api/v1/tickets"),
                         ("DELETE", "/api/v1/tickets/" + tickets["pending"]["id"]),
                         ("PATCH", "/api/v1/tickets/" + tickets["pending"]["id"]),
                         ("GET", "/api/v1/tickets/%s/cancel" % tickets["pending"]["id"]),
                         ("POST", "/healthz")):
        r = call(stack.url, method, path, token=stack.tokens["operator"],
                 body={"reason": "x"})
        assert_error(r, 405, "method_not_allowed")
    assert counts(stack) == before
    assert ticket_state(stack, tickets["pending"]["id"]) == state


# ------------------------------------------------------------------ 409


def test_version_conflict_changes_nothing(stack, tickets):
    p = tickets["pending"]
    refused_action(stack, p, "dispatch", 409, "version_conflict",
                   body={"unit": UNIT, "expected_version": p["version"] + 1})
    refused_action(stack, p, "cancel", 409, "version_conflict", body={"reason": "x"},
                   headers={"If-Match": '"%d"' % (p["version"] + 3)})


def test_idempotency_conflict_changes_nothing(stack):
    key = {"Idempotency-Key": "refusals-0001"}
    r = stack.call("POST", "/api/v1/tickets", role="operator", body=intake_body(), headers=key)
    assert r.status == 201, r
    refused_intake(stack, 409, "idempotency_conflict",
                   body=intake_body(description="完全不同的诉求"), headers=key)
    refused_intake(stack, 409, "idempotency_conflict", body=intake_body(urgency="emergency"),
                   headers=key)


# ------------------------------------------------------------------ 413


def test_payload_too_large(stack, tickets):
    big = intake_body(description="x" * (64 * 1024))
    raw = json.dumps(big).encode()
    assert len(raw) > 64 * 1024
    refused_intake(stack, 413, "payload_too_large", raw=raw, headers=JSON)
    refused_action(stack, tickets["pending"], "note", 413, "payload_too_large",
                   raw=json.dumps({"note": "n" * (64 * 1024 + 1)}), headers=JSON)


def test_body_of_64_kib_exactly_is_not_too_large(stack):
    body = intake_body(description="x")
    raw = json.dumps(body)
    raw = raw[:-1] + " " * (64 * 1024 - len(raw)) + "}"
    assert len(raw.encode()) == 64 * 1024
    r = call(stack.url, "POST", "/api/v1/tickets", token=stack.tokens["operator"], raw=raw,
             headers=JSON)
    assert r.status == 201, r


def test_larger_payloads_are_refused(stack):
    before = counts(stack)
    raw = json.dumps(intake_body(description="x" * (200 * 1024)))
    r = call(stack.url, "POST", "/api/v1/tickets", token=stack.tokens["operator"], raw=raw,
             headers=JSON)
    assert_error(r, 413, "payload_too_large")
    # Far past the limit the HTTP layer refuses from the headers alone, before
    # the body is sent (a client announcing it with Expect: 100-continue).
    parts = urllib.parse.urlsplit(stack.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: minhu\r\n"
                  b"Authorization: Bearer " + stack.tokens["operator"].encode() + b"\r\n"
                  b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                  b"Content-Length: 16777216\r\n\r\n")
        head = s.recv(4096)
    assert head.startswith(b"HTTP/1.1 413 "), head
    assert counts(stack) == before


# ------------------------------------------------------------------ 415


@pytest.mark.parametrize("ctype", ["text/plain", "text/plain; charset=utf-8",
                                   "application/x-www-form-urlencoded",
                                   "application/jsonp", "multipart/form-data; boundary=x"])
def test_unsupported_media_type(stack, tickets, ctype):
    headers = {"Content-Type": ctype}
    refused_intake(stack, 415, "unsupported_media_type", raw=json.dumps(intake_body()),
                   headers=headers)
    refused_action(stack, tickets["pending"], "cancel", 415, "unsupported_media_type",
                   raw=json.dumps({"reason": "x"}), headers=headers)


def test_body_without_content_type_is_415(stack, tickets):
    auth = {"Authorization": "Bearer " + stack.tokens["operator"]}
    before = counts(stack)
    r = raw_request(stack.url, "POST", "/api/v1/tickets", headers=auth,
                    body=json.dumps(intake_body()).encode())
    assert_error(r, 415, "unsupported_media_type")
    assert counts(stack) == before
    state = ticket_state(stack, tickets["pending"]["id"])
    r = raw_request(stack.url, "POST", "/api/v1/tickets/%s/cancel" % tickets["pending"]["id"],
                    headers=auth, body=b'{"reason": "x"}')
    assert_error(r, 415, "unsupported_media_type")
    assert ticket_state(stack, tickets["pending"]["id"]) == state


def test_json_media_type_variants_are_accepted(stack):
    for ctype in ("application/json; charset=utf-8", "Application/JSON"):
        r = call(stack.url, "POST", "/api/v1/tickets", token=stack.tokens["operator"],
                 raw=json.dumps(intake_body()), headers={"Content-Type": ctype})
        assert r.status == 201, (ctype, r)


# ------------------------------------------------------------------ 422


def test_illegal_transitions_change_nothing(stack, tickets):
    d, a, c = tickets["dispatched"], tickets["accepted"], tickets["closed"]
    refused_action(stack, a, "accept", 422, "illegal_transition", role="unit", body={})
    refused_action(stack, a, "reply", 422, "illegal_transition", role="unit",
                   body={"result": "已处理"})  # before contact
    refused_action(stack, c, "callback", 422, "illegal_transition",
                   body={"contacted": True, "resolved": True, "satisfaction": 5})
    refused_action(stack, d, "dispatch", 422, "illegal_transition", body={"unit": UNIT})
    refused_action(stack, d, "answer", 422, "illegal_transition", body={"result": "x"})
    refused_action(stack, d, "reply", 422, "illegal_transition", role="unit",
                   body={"result": "x"})
    refused_action(stack, c, "cancel", 422, "illegal_transition", body={"reason": "x"})
    refused_action(stack, c, "note", 422, "illegal_transition", body={"note": "x"})
    refused_action(stack, tickets["pending"], "resume", 422, "illegal_transition", body={})
    refused_action(stack, tickets["replied"], "reply", 422, "illegal_transition", role="unit",
                   body={"result": "again"})
