"""Who sees what (domain.md §6, api-contract §2): caller masking per role, unit
and channel scoping, leaders read only, revoked tokens, and logs without
phone numbers or tokens.
"""

import time
import urllib.parse

import pytest

from minhu_client import assert_error, call, counts, intake_body

UNIT, UNIT2 = "610104002", "610104001"
PHONES = set()  # every full phone number this module sends; none may reach the log
SECRET_TOKENS = set()  # tokens made here (besides stack.tokens); none may reach the log


def intake(stack, role="operator", **fields):
    caller = fields.get("caller")
    if isinstance(caller, dict) and caller.get("phone"):
        PHONES.add(caller["phone"])
    r = stack.call("POST", "/api/v1/tickets", role=role, body=intake_body(**fields))
    assert r.status == 201, r
    return r.json


def act(stack, role, t, action, body=None):
    r = stack.call("POST", "/api/v1/tickets/%s/%s" % (t["id"], action), role=role,
                   body=body or {})
    assert r.status == 200, r
    return r


def get(stack, role, ref):
    return stack.call("GET", "/api/v1/tickets/" + ref, role=role)


def listing(stack, role, **params):
    ids, after = [], None
    while True:
        q = dict(params, limit=200)
        if after:
            q["after"] = after
        r = stack.call("GET", "/api/v1/tickets?" + urllib.parse.urlencode(q), role=role)
        assert r.status == 200, r
        ids += r.json["items"]
        after = r.json["next"]
        if after is None:
            return ids


def caller(t):
    return t["caller"]["name"], t["caller"]["phone"]


@pytest.fixture(scope="module")
def plain(stack):
    """A named caller's ticket, dispatched to 红庙坡街道."""
    t = intake(stack, caller={"name": "王小明", "phone": "13800138000"})
    return act(stack, "operator", t, "dispatch", {"unit": UNIT}).json


# ------------------------------------------------------------------ masking


def test_centre_sees_the_full_caller(stack, plain):
    for role in ("operator", "admin"):
        r = get(stack, role, plain["id"])
        assert r.status == 200, r
        assert caller(r.json) == ("王小明", "13800138000"), role
    assert caller(plain) == ("王小明", "13800138000")


def test_lead_unit_and_leader_see_surname_and_masked_phone(stack, plain):
    for role in ("unit", "leader"):
        for ref in (plain["id"], plain["number"]):
            r = get(stack, role, ref)
            assert r.status == 200, (role, r)
            assert caller(r.json) == ("王某", "138****8000"), (role, r.json["caller"])
            assert "13800138000" not in r.text and "小明" not in r.text, role
    # The answer to the unit's own action is masked too.
    r = act(stack, "unit", plain, "accept")
    assert caller(r.json) == ("王某", "138****8000")
    assert "13800138000" not in r.text and "小明" not in r.text
    # And so are list items.
    for role in ("unit", "leader"):
        items = [t for t in listing(stack, role, unit=UNIT) if t["id"] == plain["id"]]
        assert len(items) == 1, role
        assert caller(items[0]) == ("王某", "138****8000"), role
    items = [t for t in listing(stack, "operator", unit=UNIT) if t["id"] == plain["id"]]
    assert caller(items[0]) == ("王小明", "13800138000")


def test_phone_with_separators_is_masked_on_its_digits(stack):
    t = intake(stack, caller={"name": "李雷", "phone": "029-8765 4321"})
    t = act(stack, "operator", t, "dispatch", {"unit": UNIT}).json
    r = get(stack, "unit", t["id"])
    name, phone = caller(r.json)
    assert name == "李某"
    assert phone is not None and "8765" not in phone and "4321" in phone, phone
    assert "87654321" not in r.text.replace("-", "").replace(" ", "")


def test_confidential_caller_is_hidden_from_units_and_leaders(stack):
    t = intake(stack, caller={"name": "赵敏", "phone": "13611112222", "confidential": True})
    t = act(stack, "operator", t, "dispatch", {"unit": UNIT}).json
    assert caller(t) == ("赵敏", "13611112222") and t["caller"]["confidential"] is True
    for role in ("unit", "leader"):
        r = get(stack, role, t["id"])
        assert r.status == 200, r
        assert caller(r.json) == (None, None), (role, r.json["caller"])
        assert r.json["caller"]["confidential"] is True
        for secret in ("13611112222", "1361", "2222", "赵"):
            assert secret not in r.text, (role, secret)
    items = [x for x in listing(stack, "unit") if x["id"] == t["id"]]
    assert len(items) == 1 and caller(items[0]) == (None, None)


def test_anonymous_appeal_needs_no_phone_and_carries_no_caller(stack):
    t = intake(stack, caller={"anonymous": True}, description="匿名反映：小区门口夜市占道")
    assert t["caller"]["anonymous"] is True
    assert caller(t) == (None, None)
    assert t["callback_wanted"] is False  # anonymous appeals get no callback
    t = act(stack, "operator", t, "dispatch", {"unit": UNIT}).json
    for role in ("operator", "admin", "unit", "leader"):
        r = get(stack, role, t["id"])
        assert caller(r.json) == (None, None), role
    row = stack.sql("SELECT caller_name IS NULL, caller_phone IS NULL, anonymous FROM tickets "
                    "WHERE id = '%s'" % t["id"])
    assert row == [("t", "t", "t")]
    # No one to call: the unit may reply without first contact.
    act(stack, "unit", t, "accept")
    r = act(stack, "unit", t, "reply", {"result": "已清理占道摊点"})
    assert r.json["status"] == "replied"


# ------------------------------------------------------------------ scoping


def test_units_list_only_their_own_tickets(stack, plain):
    mine = intake(stack, caller={"name": "孙丽", "phone": "13933334444"})
    mine = act(stack, "operator", mine, "dispatch", {"unit": UNIT}).json
    theirs = intake(stack, caller={"name": "周强", "phone": "13955556666"}, area=UNIT2)
    theirs = act(stack, "operator", theirs, "dispatch", {"unit": UNIT2}).json
    pending = intake(stack, caller={"name": "吴静", "phone": "13977778888"})

    unit_items = listing(stack, "unit")
    unit_ids = {t["id"] for t in unit_items}
    assert {plain["id"], mine["id"]} <= unit_ids
    assert theirs["id"] not in unit_ids and pending["id"] not in unit_ids
    assert all(t["lead_unit"] and t["lead_unit"]["code"] == UNIT for t in unit_items)

    unit2_items = listing(stack, "unit2")
    assert [t["id"] for t in unit2_items] == [theirs["id"]]
    assert not unit_ids & {t["id"] for t in unit2_items}
    # A filter cannot widen the scope.
    assert listing(stack, "unit", unit=UNIT2) == []
    assert listing(stack, "unit2", unit=UNIT) == []
    # Nor can a read by id or number.
    for ref in (theirs["id"], theirs["number"]):
        assert_error(get(stack, "unit", ref), 404, "not_found")
    assert get(stack, "unit2", theirs["number"]).status == 200
    # The centre and leaders see all three.
    for role in ("operator", "admin", "leader"):
        ids = {t["id"] for t in listing(stack, role)}
        assert {mine["id"], theirs["id"], pending["id"]} <= ids, role


def test_channel_intakes_and_sees_only_what_it_created(stack, plain):
    own = intake(stack, role="channel", channel="app",
                 caller={"name": "郑洁", "phone": "13722223333"})
    assert own["created_by"] == "test-channel"
    assert own["events"][0]["actor"] == "test-channel"
    r = get(stack, "channel", own["id"])
    assert r.status == 200 and r.json["id"] == own["id"], r
    assert get(stack, "channel", own["number"]).status == 200
    assert_error(get(stack, "channel", plain["id"]), 404, "not_found")
    assert_error(get(stack, "channel", plain["number"]), 404, "not_found")
    items = listing(stack, "channel")
    assert [t["id"] for t in items] == [own["id"]]
    assert listing(stack, "channel", status="pending_dispatch") == items
    # A channel takes appeals in; it never handles them.
    before = stack.sql("SELECT version FROM tickets WHERE id = '%s'" % own["id"])
    for action, body in (("dispatch", {"unit": UNIT}), ("cancel", {"reason": "x"}),
                         ("note", {"note": "x"})):
        r = stack.call("POST", "/api/v1/tickets/%s/%s" % (own["id"], action), role="channel",
                       body=body)
        assert_error(r, 403, "forbidden")
    assert stack.sql("SELECT version FROM tickets WHERE id = '%s'" % own["id"]) == before


def test_leader_reads_everything_and_changes_nothing(stack, plain):
    assert get(stack, "leader", plain["id"]).status == 200
    assert stack.call("GET", "/api/v1/units", role="leader").status == 200
    before = counts(stack)
    r = stack.call("POST", "/api/v1/tickets", role="leader",
                   body=intake_body(caller={"name": "钱多", "phone": "13844445555"}))
    PHONES.add("13844445555")
    assert_error(r, 403, "forbidden")
    r = stack.call("POST", "/api/v1/tickets/%s/note" % plain["id"], role="leader",
                   body={"note": "领导批示"})
    assert_error(r, 403, "forbidden")
    assert counts(stack) == before


def test_unit_token_cannot_intake(stack):
    before = counts(stack)
    r = stack.call("POST", "/api/v1/tickets", role="unit", body=intake_body())
    assert_error(r, 403, "forbidden")
    assert counts(stack) == before


# ------------------------------------------------------------------ tokens


def wait_refused(url, token, path="/api/v1/units", bound=15.0):
    """Seconds until token is refused with 401 (fails past bound)."""
    t0 = time.monotonic()
    while True:
        r = call(url, "GET", path, token=token)
        if r.status == 401:
            assert_error(r, 401, "unauthorized")
            return time.monotonic() - t0
        assert r.status == 200, r
        assert time.monotonic() - t0 < bound, "revoked token still accepted after %ss" % bound
        time.sleep(0.25)


def test_revoked_tokens_are_refused_within_the_cache_ttl(stack):
    by_cli = stack.token("operator", "revoke-me-cli")
    by_sql = stack.token("unit", "revoke-me-sql", UNIT)
    kept = stack.token("operator", "keep-me")
    SECRET_TOKENS.update((by_cli, by_sql, kept))
    for tok in (by_cli, by_sql, kept):  # known and cached by the server now
        assert call(stack.url, "GET", "/api/v1/units", token=tok).status == 200
    stack.admin("token", "revoke", "--name", "revoke-me-cli")
    stack.sql("UPDATE tokens SET revoked_at = now() WHERE name = 'revoke-me-sql'")
    assert stack.sql_value("SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL AND "
                           "name IN ('revoke-me-cli', 'revoke-me-sql')") == "2"
    waited = wait_refused(stack.url, by_cli)
    wait_refused(stack.url, by_sql, path="/api/v1/tickets")
    assert waited < 5 + 2.5, waited  # --token-cache-ttl defaults to 5 s
    # Refused for good, on every route, and intake stores nothing.
    before = counts(stack)
    r = call(stack.url, "POST", "/api/v1/tickets", token=by_cli, body=intake_body())
    assert_error(r, 401, "unauthorized")
    assert counts(stack) == before
    for _ in range(3):
        assert call(stack.url, "GET", "/api/v1/units", token=by_cli).status == 401
    # Other tokens are untouched.
    assert call(stack.url, "GET", "/api/v1/units", token=kept).status == 200
    assert stack.call("GET", "/api/v1/units", role="operator").status == 200


def test_a_token_made_while_running_works_at_once(stack):
    tok = stack.token("leader", "fresh-leader")
    SECRET_TOKENS.add(tok)
    r = call(stack.url, "GET", "/api/v1/tickets", token=tok)
    assert r.status == 200, r


# ------------------------------------------------------------------ logs


def test_log_holds_no_phone_number_and_no_token(stack, plain):
    # Requests that carry a phone or a code outside the body as well.
    r = stack.call("GET", "/api/v1/tickets?phone=13800138000", role="operator")
    assert_error(r, 400, "invalid_field")
    r = stack.call("POST", "/api/v1/tickets", role="operator",
                   body=intake_body(caller={"name": "冯某", "phone": "1380013800a"}))
    assert_error(r, 400, "invalid_field", "caller.phone")
    PHONES.update(("13800138000", "1380013800"))
    code = intake(stack, caller={"name": "陈晨", "phone": "13566667777"})["query_code"]
    assert call(stack.url, "GET", "/api/v1/public/tickets/%s?code=%s"
                % (plain["number"], code)).status == 404
    call(stack.url, "GET", "/api/v1/units",
         headers={"Authorization": "Bearer " + stack.tokens["admin"] + "x"})

    time.sleep(0.2)  # let the last lines reach the file
    with open(stack.log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "route=intake" in log and "status=201" in log, "the log does not record requests"
    compact = log.replace("-", "").replace(" ", "")
    for phone in PHONES:
        digits = "".join(ch for ch in phone if ch.isdigit())
        assert digits not in compact, "phone %s in %s" % (phone, stack.log_path)
    for tok in list(stack.tokens.values()) + list(SECRET_TOKENS):
        assert tok not in log, "a token is in %s" % stack.log_path
        assert tok[4:20] not in log
    assert "code=" not in log, "a query string (with a resident's query code) is in the log"
