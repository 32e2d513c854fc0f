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
