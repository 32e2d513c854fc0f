"""The server answers: liveness, readiness, and the error shape of a 404."""

from minhu_client import call


def test_healthz(stack):
    r = call(stack.url, "GET", "/healthz")
    assert r.status == 200, r


def test_readyz(stack):
    r = call(stack.url, "GET", "/readyz")
    assert r.status == 200, r


def test_unknown_path_is_json_404(stack):
    r = call(stack.url, "GET", "/api/v1/no-such-thing")
    assert r.status == 404, r
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert isinstance(r.json, dict), r
    err = r.json.get("error")
    assert isinstance(err, dict), r
    assert err.get("code") == "not_found", r
    assert isinstance(err.get("message"), str) and err["message"], r


def test_demo_reference_data_loaded(stack):
    assert stack.sql_value("SELECT name FROM units WHERE code = '610104002'") == "红庙坡街道"
    assert stack.sql_value("SELECT name FROM categories WHERE code = '0301'") == "噪声扰民"


def test_me_says_who_the_token_is(stack):
    r = call(stack.url, "GET", "/api/v1/me", token=stack.tokens["unit"])
    assert r.status == 200, r
    assert r.json["role"] == "unit" and r.json["unit"] == "610104002", r.json
    r = call(stack.url, "GET", "/api/v1/me", token=stack.tokens["operator"])
    assert r.json["role"] == "operator" and r.json["unit"] is None, r.json
    r = call(stack.url, "GET", "/api/v1/me")
    assert r.status == 401 and r.json["error"]["code"] == "unauthorized", r
