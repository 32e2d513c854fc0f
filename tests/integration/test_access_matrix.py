"""Every endpoint × every role (domain.md §3 and §6, api-contract §2–3): the
status each role gets, as tables; a refusal changes nothing; units see and
act on their own tickets only (404 elsewhere), channels see what they took
in, leaders read and never act.  Tokens are stored only as sha256 and stop
working when revoked.  After the whole session, no full phone number, no
caller's given name and no token is in the server's log.

test_access.py covers masking and scoping in depth; this module is the
complete map.
"""

import datetime
import hashlib
import json
import time
import urllib.parse

import pytest

from minhu_client import call, intake_body, parse_time, ticket_state

LEAD, OTHER, ASSIST = "610104002", "610104001", "dept-sthj"

# The roles: the token each one uses (None: no Authorization header).
ROLES = ("none", "bad", "operator", "admin", "leader", "lead", "other", "assist", "channel",
         "channel2")

PHONES = set()  # every phone number this module sends
NAMES = set()  # and every caller's given name


@pytest.fixture(scope="module")
def tokens(stack):
    t = {"none": None, "bad": "mh_not_a_real_token_0000000000000000",
         "operator": stack.tokens["operator"], "admin": stack.tokens["admin"],
         "leader": stack.tokens["leader"], "lead": stack.tokens["unit"],
         "other": stack.tokens["unit2"], "channel": stack.tokens["channel"],
         "assist": stack.token("unit", "matrix-assist", ASSIST),
         "channel2": stack.token("channel", "matrix-channel-2")}
    return t


caller_seq = [0]


def new_caller():
    caller_seq[0] += 1
    n = caller_seq[0]
    phone = "1390%07d" % (5550000 + n)
    given = "矩阵%s" % "甲乙丙丁戊己庚辛壬癸"[n % 10] + str(n)
    PHONES.add(phone)
    NAMES.add(given)
    return {"name": "欧阳" + given, "phone": phone}


def req(stack, tokens, role, method, path, body=None):
    return call(stack.url, method, path, token=tokens[role], body=body)


def intake(stack, tokens, role="operator", **fields):
    r = req(stack, tokens, role, "POST", "/api/v1/tickets",
            intake_body(caller=new_caller(), **fields))
    assert r.status == 201, r
    return r.json


def act(stack, tokens, role, t, action, body=None):
    r = req(stack, tokens, role, "POST", "/api/v1/tickets/%s/%s" % (t["id"], action), body or {})
    assert r.status == 200, (action, role, r)
    return r.json


# Pre-states: each a function of (stack, tokens) -> a fresh ticket in it.

def pending(stack, tokens):
    return intake(stack, tokens)


def dispatched(stack, tokens):
    return act(stack, tokens, "operator", pending(stack, tokens), "dispatch", {"unit": LEAD})


def accepted(stack, tokens):
    t = act(stack, tokens, "lead", dispatched(stack, tokens), "accept")
    return act(stack, tokens, "lead", t, "contact")


def with_assist(stack, tokens):
    return act(stack, tokens, "lead", accepted(stack, tokens), "whistle",
               {"units": [ASSIST], "note": "请协助"})


def assisted(stack, tokens):
    t = with_assist(stack, tokens)
    t = act(stack, tokens, "assist", t, "assist_accept")
    return act(stack, tokens, "assist", t, "assist_reply", {"note": "协办意见"})


def return_requested(stack, tokens):
    return act(stack, tokens, "lead", dispatched(stack, tokens), "request_return",
               {"reason": "非本单位职责"})


def replied(stack, tokens):
    return act(stack, tokens, "lead", accepted(stack, tokens), "reply", {"result": "已处理"})


def closed(stack, tokens):
    return act(stack, tokens, "operator", replied(stack, tokens), "callback",
               {"contacted": True, "resolved": True, "satisfaction": 5})


# ------------------------------------------------------------------ reads

ALL = {r: 200 for r in ROLES}
AUTH = dict({r: 200 for r in ROLES}, none=401, bad=401)

READS = [
    # path                                      expected status per role
    ("/healthz", ALL),
    ("/readyz", ALL),
    ("/metrics", ALL),
    ("/", ALL),
    ("/unit.html", ALL),
    ("/open311/v2/services.json", ALL),
    ("/open311/v2/requests.json", ALL),
    ("/api/v1/me", AUTH),
    ("/api/v1/categories", AUTH),
    ("/api/v1/units", AUTH),
    ("/api/v1/tickets", AUTH),
    ("/api/v1/tickets?status=dispatched&limit=5", AUTH),
    ("/api/v1/reports/ranking?month=2026-10",
     dict({r: 403 for r in ROLES}, none=401, bad=401, leader=200, admin=200)),
    ("/api/v1/reports/hotspots?month=2026-10",
     dict({r: 403 for r in ROLES}, none=401, bad=401, leader=200, admin=200)),
]


@pytest.mark.parametrize("path,expect", READS, ids=[p for p, _ in READS])
def test_read_endpoints(stack, tokens, path, expect):
    got = {role: req(stack, tokens, role, "GET", path).status for role in ROLES}
    assert got == expect


# The ticket reads: who sees a ticket handled by LEAD with ASSIST, and one a
# channel took in.
SEE_HANDLED = dict(none=401, bad=401, operator=200, admin=200, leader=200, lead=200, other=404,
                   assist=200, channel=404, channel2=404)
SEE_CHANNELS = dict(none=401, bad=401, operator=200, admin=200, leader=200, lead=404, other=404,
                    assist=404, channel=200, channel2=404)


@pytest.fixture(scope="module")
def handled(stack, tokens):
    return with_assist(stack, tokens)


@pytest.fixture(scope="module")
def from_channel(stack, tokens):
    return intake(stack, tokens, role="channel", channel="app")


def listed(stack, tokens, role, ticket_id):
    after = None
    while True:
        q = {"limit": 200}
        if after:
            q["after"] = after
        r = req(stack, tokens, role, "GET", "/api/v1/tickets?" + urllib.parse.urlencode(q))
        assert r.status == 200, r
        if any(t["id"] == ticket_id for t in r.json["items"]):
            return True
        after = r.json["next"]
        if after is None:
            return False


@pytest.mark.parametrize("which", ["handled", "from_channel"])
def test_ticket_reads_by_id_number_and_list(stack, tokens, handled, from_channel, which):
    t, expect = (handled, SEE_HANDLED) if which == "handled" else (from_channel, SEE_CHANNELS)
    for ref in (t["id"], t["number"]):
        got = {role: req(stack, tokens, role, "GET", "/api/v1/tickets/" + ref).status
               for role in ROLES}
        assert got == expect, ref
    in_list = {role: listed(stack, tokens, role, t["id"]) for role in ROLES
               if expect[role] != 401}
    assert in_list == {role: expect[role] == 200 for role in in_list}


def test_the_public_lookup_needs_no_token_and_shows_no_caller(stack, tokens, handled):
    code = stack.sql_value("SELECT minhu_query_code('%s')" % handled["id"])
    name, phone = stack.sql("SELECT caller_name, caller_phone FROM tickets WHERE id = '%s'"
                            % handled["id"])[0]
    for role in ROLES:
        r = req(stack, tokens, role, "GET",
                "/api/v1/public/tickets/%s?code=%s" % (handled["number"], code))
        assert r.status == 200, (role, r)
        assert "caller" not in r.json and phone not in r.text
        assert name[2:] not in r.text and name[:2] not in r.text


# ------------------------------------------------------------------ intake

INTAKE = dict(none=401, bad=401, operator=201, admin=201, leader=403, lead=403, other=403,
              assist=403, channel=201, channel2=201)


def test_intake_by_role(stack, tokens):
    for role in ROLES:
        before = stack.sql_value("SELECT count(*) FROM tickets")
        r = req(stack, tokens, role, "POST", "/api/v1/tickets", intake_body(caller=new_caller()))
        assert r.status == INTAKE[role], (role, r)
        grew = int(stack.sql_value("SELECT count(*) FROM tickets")) - int(before)
        assert grew == (1 if r.status == 201 else 0), role


def open311_post(stack, api_key):
    c = new_caller()
    form = {"service_code": "0403", "description": "路面坑洼", "phone": c["phone"],
            "address_string": "莲湖区红庙坡路 18 号",
            "first_name": c["name"][2:], "last_name": c["name"][:2]}
    if api_key is not None:
        form["api_key"] = api_key
    return call(stack.url, "POST", "/open311/v2/requests.json",
                raw=urllib.parse.urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded"})


OPEN311_POST = dict(none=403, bad=403, operator=403, admin=403, leader=403, lead=403, other=403,
                    assist=403, channel=200, channel2=200)


def test_open311_intake_by_api_key(stack, tokens):
    got = {}
    for role in ROLES:
        before = stack.sql_value("SELECT count(*) FROM tickets")
        r = open311_post(stack, tokens[role])
        got[role] = r.status if r.status != 201 else 200
        grew = int(stack.sql_value("SELECT count(*) FROM tickets")) - int(before)
        assert grew == (1 if got[role] == 200 else 0), role
    assert got == OPEN311_POST


def test_open311_reads_show_no_caller(stack, tokens):
    r = call(stack.url, "GET", "/open311/v2/requests.json")
    assert r.status == 200
    for phone in PHONES:
        assert phone not in r.text
    for name in NAMES:
        assert name not in r.text


# ------------------------------------------------------------------ actions

# action, pre-state, body, expected status per role.  Roles that a route
# refuses get 403 (leader, channel), unauthenticated 401, a unit that is not
# a party 404 (it must not learn the ticket exists), a party the workflow
# never lets take this action 403, and the one that may: 200.
NOT_PARTY = dict(none=401, bad=401, leader=403, channel=403, channel2=403, other=404)

ACTIONS = [
    ("dispatch", pending, {"unit": LEAD},
     dict(NOT_PARTY, operator=200, admin=200, lead=404, assist=404)),
    ("answer", pending, {"result": "已直接答复"},
     dict(NOT_PARTY, operator=200, admin=200, lead=404, assist=404)),
    ("reject", pending, {"reason": "涉诉事项"},
     dict(NOT_PARTY, operator=200, admin=200, lead=404, assist=404)),
    ("cancel", pending, {"reason": "来电人撤回"},
     dict(NOT_PARTY, operator=200, admin=200, lead=404, assist=404)),
    ("accept", dispatched, {},
     dict(NOT_PARTY, operator=403, admin=403, lead=200, assist=404)),
    ("request_return", dispatched, {"reason": "非本单位职责"},
     dict(NOT_PARTY, operator=403, admin=403, lead=200, assist=404)),
    ("contact", accepted, {},
     dict(NOT_PARTY, operator=403, admin=403, lead=200, assist=404)),
    ("whistle", accepted, {"units": [ASSIST]},
     dict(NOT_PARTY, operator=403, admin=403, lead=200, assist=404)),
    ("request_extension", accepted, {"until": None, "reason": "需协调多部门"},
     dict(NOT_PARTY, operator=403, admin=403, lead=200, assist=404)),
    ("suspend", accepted, {"reason": "资金未落实"},
     dict(NOT_PARTY, operator=200, admin=200, lead=403, assist=404)),
    ("note", with_assist, {"note": "进展"},
     dict(NOT_PARTY, operator=200, admin=200, lead=200, assist=200)),
    ("assist_accept", with_assist, {},
     dict(NOT_PARTY, operator=403, admin=403, lead=403, assist=200)),
    ("reply", assisted, {"result": "已办结"},
     dict(NOT_PARTY, operator=403, admin=403, lead=200, assist=403)),
    ("approve_return", return_requested, {},
     dict(NOT_PARTY, operator=200, admin=200, lead=403, assist=404)),
    ("reject_return", return_requested, {"note": "请继续办理"},
     dict(NOT_PARTY, operator=200, admin=200, lead=403, assist=404)),
    ("callback", replied, {"contacted": True, "resolved": True, "satisfaction": 4},
     dict(NOT_PARTY, operator=200, admin=200, lead=403, assist=404)),
    ("reopen", closed, {"reason": "回访不满意"},
     dict(NOT_PARTY, operator=200, admin=200, lead=403, assist=404)),
    ("flag_unreasonable", closed, {"reason": "重复诉求"},
     dict(NOT_PARTY, operator=200, admin=200, lead=403, assist=404)),
]


def fill(body, t):
    body = dict(body)
    if "until" in body:  # two days past the reply deadline
        due = parse_time(t["deadlines"]["reply"])
        body["until"] = (due + datetime.timedelta(days=2)).isoformat()
    return body


@pytest.mark.parametrize("action,pre,body,expect", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_action_by_role(stack, tokens, action, pre, body, expect):
    assert set(expect) == set(ROLES), action
    t = pre(stack, tokens)
    path = "/api/v1/tickets/%s/%s" % (t["id"], action)
    refused = [r for r in ROLES if expect[r] != 200]
    allowed = [r for r in ROLES if expect[r] == 200]
    got = {}
    before = ticket_state(stack, t["id"])
    for role in refused:  # one ticket serves every refusal: nothing may change
        r = req(stack, tokens, role, "POST", path, fill(body, t))
        got[role] = r.status
        if r.status != 200:
            assert r.error_code() is not None, (role, r)
        assert ticket_state(stack, t["id"]) == before, (action, role, r)
    for role in allowed:  # each allowed role on a ticket of its own
        t2 = pre(stack, tokens)
        r = req(stack, tokens, role, "POST", "/api/v1/tickets/%s/%s" % (t2["id"], action),
                fill(body, t2))
        got[role] = r.status
        if r.status == 200:
            assert r.json["version"] == t2["version"] + 1, (action, role)
            assert r.json["events"][-1]["action"] == action
    assert got == expect


# ------------------------------------------------------------------ tokens


def test_tokens_are_stored_only_as_sha256(stack, tokens):
    cols = [r[0] for r in stack.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'tokens' "
        "ORDER BY ordinal_position")]
    assert "token_hash" in cols and "token" not in cols
    dump = stack.sql_value("SELECT string_agg(t::text, '|') FROM tokens t")
    for role, tok in tokens.items():
        if tok is None or role == "bad":
            continue
        assert tok not in dump, role
        digest = hashlib.sha256(tok.encode()).hexdigest()
        assert stack.sql_value("SELECT count(*) FROM tokens WHERE token_hash = '\\x%s'"
                               % digest) == "1", role


def test_revoked_token_is_refused_everywhere(stack, tokens, handled):
    tok = stack.token("channel", "matrix-revoke-me")
    op = stack.token("operator", "matrix-revoke-op")
    assert call(stack.url, "GET", "/api/v1/me", token=tok).status == 200
    assert call(stack.url, "GET", "/api/v1/me", token=op).status == 200
    stack.admin("token", "revoke", "--name", "matrix-revoke-me")
    stack.admin("token", "revoke", "--name", "matrix-revoke-op")
    deadline = time.monotonic() + 10  # the cache keeps a token --token-cache-ttl (5 s)
    while call(stack.url, "GET", "/api/v1/me", token=tok).status != 401:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    while call(stack.url, "GET", "/api/v1/me", token=op).status != 401:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    before = stack.sql_value("SELECT count(*) FROM tickets")
    assert call(stack.url, "POST", "/api/v1/tickets", token=tok,
                body=intake_body(caller=new_caller())).status == 401
    assert open311_post(stack, tok).status == 403
    assert call(stack.url, "POST", "/api/v1/tickets/%s/note" % handled["id"], token=op,
                body={"note": "x"}).status == 401
    assert stack.sql_value("SELECT count(*) FROM tickets") == before


# ------------------------------------------------------------------ logs (last)


def test_the_log_of_the_whole_session_holds_no_phone_name_or_token(stack, tokens):
    # Requests carrying a phone and a code elsewhere than the body too.
    call(stack.url, "GET", "/api/v1/tickets?caller=13905550001", token=tokens["operator"])
    time.sleep(0.3)
    with open(stack.log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "route=intake" in log and "route=action" in log, "the log records no requests"
    digits = "".join(ch for ch in log if ch.isdigit() or ch == "\n")
    assert len(PHONES) > 50
    for phone in PHONES:
        assert phone not in digits, "phone %s in %s" % (phone, stack.log_path)
    for name in NAMES:
        assert name not in log, "caller name %s in %s" % (name, stack.log_path)
    for role, tok in tokens.items():
        if tok is not None:
            assert tok not in log and tok[6:22] not in log, role
    assert "code=" not in log
    # Reports carry units and counts, never a caller.
    r = req(stack, tokens, "leader", "GET", "/api/v1/reports/ranking?month=2026-10")
    assert r.status == 200
    for phone in PHONES:
        assert phone not in r.text
    for name in NAMES:
        assert name not in r.text
    # Nor is any of them in the responses of the roles that must not see them.
    t = intake(stack, tokens)
    t = act(stack, tokens, "operator", t, "dispatch", {"unit": LEAD})
    for role in ("lead", "leader"):
        r = req(stack, tokens, role, "GET", "/api/v1/tickets/" + t["id"])
        body = json.dumps(r.json, ensure_ascii=False)
        assert t["caller"]["phone"] not in body and t["caller"]["name"][2:] not in body
        assert r.json["caller"]["phone"] == t["caller"]["phone"][:3] + "****" + \
            t["caller"]["phone"][-4:]
