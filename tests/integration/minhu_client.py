"""A small HTTP client for the integration tests (standard library only).

    r = call(url, "POST", "/api/v1/tickets", token=tok, body={...})
    r.status, r.headers["Location"], r.json, r.text

`call` never raises on an HTTP error status: the test looks at `.status`.
Connection errors (server down) do raise (urllib.error.URLError / OSError).
Redirects are not followed and proxies from the environment are ignored.
"""

import json as _json
import urllib.error
import urllib.request

DEFAULT_TIMEOUT = 30.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class Response:
    """status (int), headers (case-insensitive), body (bytes), text (str),
    json (decoded body, or None when the body is not JSON)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", errors="replace")
        self.json = None
        ctype = (headers.get("Content-Type") or "").lower()
        if body and ("json" in ctype or body.lstrip()[:1] in (b"{", b"[")):
            try:
                self.json = _json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.json = None

    def error_code(self):
        """The contract's error code ({"error": {"code": ...}}), or None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def __repr__(self):
        snippet = self.text if len(self.text) <= 300 else self.text[:300] + "..."
        return "<Response %d %s>" % (self.status, snippet)


def call(url, method, path, token=None, body=None, headers=None, raw=None,
         timeout=DEFAULT_TIMEOUT):
    """Send one request to `url` + `path`.

    body: a JSON-serialisable value, sent as application/json.
    raw:  bytes or str sent as is (no Content-Type unless given in headers).
    """
    hdrs = {"Accept": "application/json"}
    data = None
    if body is not None and raw is not None:
        raise ValueError("give body or raw, not both")
    if body is not None:
        data = _json.dumps(body, ensure_ascii=False).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    elif raw is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    if headers:
        for k, v in headers.items():
            if v is None:
                hdrs.pop(k, None)
            else:
                hdrs[k] = v
    req = urllib.request.Request(url.rstrip("/") + path, data=data, headers=hdrs,
                                 method=method.upper())
    try:
        with _opener.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as e:
        try:
            payload = e.read()
        finally:
            e.close()
        return Response(e.code, e.headers, payload or b"")


def get(url, path, **kw):
    return call(url, "GET", path, **kw)


def post(url, path, **kw):
    return call(url, "POST", path, **kw)


# ------------------------------------------------------------------ test helpers

ERROR_CODES = {
    400: ("invalid_json", "invalid_field", "missing_field"),
    401: ("unauthorized",),
    403: ("forbidden",),
    404: ("not_found",),
    405: ("method_not_allowed",),
    409: ("version_conflict", "idempotency_conflict"),
    413: ("payload_too_large",),
    415: ("unsupported_media_type",),
    422: ("illegal_transition",),
    429: ("rate_limited",),
    503: ("unavailable",),
}


def assert_error(r, status, code=None, field=None):
    """The response is `status` with exactly the contract's error body:
    {"error": {"code", "message", optional "field"}} as application/json.
    field=None does not look at the field; field="" requires none."""
    assert r.status == status, r
    ctype = (r.headers.get("Content-Type") or "").lower()
    assert ctype.startswith("application/json"), (ctype, r)
    assert isinstance(r.json, dict) and list(r.json) == ["error"], r
    err = r.json["error"]
    assert isinstance(err, dict), r
    assert set(err) <= {"code", "message", "field"}, r
    assert {"code", "message"} <= set(err), r
    assert isinstance(err["code"], str) and isinstance(err["message"], str) and err["message"], r
    if status in ERROR_CODES:
        assert err["code"] in ERROR_CODES[status], r
    if code is not None:
        assert err["code"] == code, r
    if "field" in err:
        assert isinstance(err["field"], str) and err["field"], r
    if field == "":
        assert "field" not in err, r
    elif field is not None:
        assert err.get("field") == field, r
    return err


def parse_time(text):
    """An RFC 3339 time with offset -> aware datetime (None stays None)."""
    import datetime
    import re

    if text is None:
        return None
    assert isinstance(text, str), text
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", text), \
        "not RFC 3339 with offset: %r" % text
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert t.tzinfo is not None, text
    return t


def intake_body(**overrides):
    """A valid phone complaint (0301 噪声扰民 in 红庙坡街道); keyword arguments
    replace top-level members, and a value of None removes the member."""
    body = {
        "channel": "phone",
        "nature": "complaint",
        "urgency": "normal",
        "category": "0301",
        "area": "610104002",
        "address": "红庙坡街道白家口社区 5 号楼",
        "title": "夜间施工噪声",
        "description": "小区旁工地每晚十一点后仍在施工，影响休息。",
        "caller": {"name": "王小明", "phone": "13800138000", "anonymous": False,
                   "confidential": False},
        "callback_wanted": True,
    }
    for k, v in overrides.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def ticket_state(stack, ticket_id):
    """What the database holds for a ticket (its row, events and assists) and
    the total rows of tickets and events: equal before and after a refused
    request.  One psql round trip."""
    import json as _j

    text = stack.sql_value(
        "SELECT json_build_object("
        " 'row', (SELECT to_json(t) FROM tickets t WHERE t.id = '%(id)s'),"
        " 'events', (SELECT json_agg(e ORDER BY e.seq) FROM ticket_events e"
        "            WHERE e.ticket_id = '%(id)s'),"
        " 'assists', (SELECT json_agg(a ORDER BY a.unit) FROM ticket_assists a"
        "             WHERE a.ticket_id = '%(id)s'),"
        " 'tickets', (SELECT count(*) FROM tickets),"
        " 'all_events', (SELECT count(*) FROM ticket_events))::jsonb::text"  # one line
        % {"id": ticket_id})
    return _j.loads(text)


def counts(stack):
    """Rows in tickets and ticket_events: unchanged by a refused intake."""
    return stack.sql("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events)")[0]


def raw_request(url, method, path, headers=None, body=b"", timeout=DEFAULT_TIMEOUT):
    """One request through http.client, with exactly the headers given (urllib
    adds a Content-Type of its own to any body); returns a Response."""
    import http.client
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body or method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        conn.close()
