"""HTTP step: ``http.request``.

    from exchange.workflows.steps import http
    r = http.request("POST", "https://mes.local/api/batches", json_body={"id": 7},
                     headers={"Authorization": "Bearer " + token})
    batchId = r["json"]["batchId"]

One ``system.net.httpClient`` serves every call in the JVM: Ignition's
clients are heavyweight. It lives in ``system.util.getGlobals()`` under a
versioned key because a project save re-executes this module; bump the key
when the client's settings change. It keeps no cookies (``ACCEPT_NONE``), so
one workflow's session can never leak into another's, and it follows no
redirects, so a credential header is never replayed to another host.

What the checkpoint records is the step's result, and error messages end up
in checkpoints and logs too. Neither ever contains the request headers, the
URL's user info, or the values of secret-looking query parameters; and any
secret sent is masked if the server echoes it back.
"""
import re

from exchange.workflows.bootstrap import step
from exchange.workflows.core import clock, codec, logs
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments, typeAndMessage
from exchange.workflows.steps.errors import HttpStatusError, HttpTransportError
from exchange.workflows.steps.results import UPSTREAM, deliver, styleOf

__all__ = ["HTTP_OPTIONS", "CLIENT_KEY", "CONNECT_TIMEOUT_MS", "MASK", "request", "client", "mask",
           "safeUrl"]

try:
    from urlparse import urlsplit, urlunsplit  # Python 2 / Jython
except ImportError:
    from urllib.parse import urlsplit, urlunsplit

try:
    _NUMBERS = (int, long, float)  # noqa: F821 - Python 2 / Jython
except NameError:
    _NUMBERS = (int, float)

# Not retried by default: a POST that reached the server but lost its answer
# would be sent twice. Opt in for idempotent calls:
# http.request.withOptions({"retries_allowed": True})("GET", url).
HTTP_OPTIONS = {"retries_allowed": False}

CLIENT_KEY = "exchange.workflows.steps.http.client.v1"
CONNECT_TIMEOUT_MS = 10000
MASK = "***"
# A header or parameter whose name contains one of these carries a secret.
_SECRET_WORDS = ("auth", "token", "key", "secret", "passw", "cookie", "session",
                 "signature", "credential")
_DROPPED_RESPONSE_HEADERS = ("set-cookie", "set-cookie2")
_ERROR_BODY_CHARS = 200
_PARTS = re.compile(r"[\s;,=]+")

def _logger():
    return logs.get("steps.http")


@step(name="http.request", options=HTTP_OPTIONS)
def request(method, url, headers=None, params=None, data=None, json_body=None, timeout_ms=10000,
            resultStyle=None):
    """Sends one HTTP request; a status outside 2xx fails the step.

    Args:
        method: "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS" or another verb.
        url: absolute http(s) URL.
        headers: dict of request headers (never recorded or logged).
        params: dict of query-string parameters, added to the URL.
        data: request body as given to Ignition's client (text, bytes, or a
            dict sent as JSON); not together with ``json_body``.
        json_body: any JSON-safe value, sent as ``application/json``.
        timeout_ms: time allowed for the whole response.
        resultStyle: "native" or "upstream" (see steps/results.py); None:
            the running workflow's style.

    Returns:
        dict: ``{"status", "url", "headers", "text", "json"}``: ``url`` without
        user info or secret query values; ``headers`` the response headers
        (lower-case names, values joined by ", ", Set-Cookie dropped);
        ``text`` the body; ``json`` the parsed body when the response is
        JSON, else None. Upstream style: the same keys with ``ok`` (status
        2xx) for any status, and ``error`` when not ok.

    Raises:
        HttpStatusError: (native style) the server answered with a status
            outside 2xx (3xx too: redirects are not followed); ``.status`` holds it.
        HttpTransportError: no answer: refused, unreachable, TLS, or timed
            out (in both styles: there is no response to return).
        InvalidArguments: bad method, URL, headers, body or timeout.
    """
    style = styleOf(resultStyle)
    verb, headers, body, timeout = _prepare(method, url, headers, data, json_body, timeout_ms)
    secrets = _secrets(url, headers, params)
    where = "%s %s" % (verb, safeUrl(url))
    started = clock.nowMs()
    try:
        response = client().request(url, verb, data=body, params=params or None,
                                    headers=headers, timeout=timeout)
    except ANY_ERROR as e:
        raise HttpTransportError(mask("%s failed with no response after %d ms: %s" % (
            where, clock.nowMs() - started, _errorText(e)), secrets))
    status = int(response.statusCode)
    text = mask(_text(response), secrets)
    _logger().debugf("%s -> %d in %d ms", where, status, clock.nowMs() - started)
    failure = None
    if not 200 <= status < 300:
        excerpt = text[:_ERROR_BODY_CHARS] + ("..." if len(text) > _ERROR_BODY_CHARS else "")
        failure = HttpStatusError("%s answered HTTP %d (not 2xx): %s" % (where, status, excerpt),
                                  status)
        if style != UPSTREAM:
            raise failure
    respHeaders = _responseHeaders(response, secrets)
    return deliver(style, failure, {"status": status, "url": safeUrl(url), "headers": respHeaders,
                                    "text": text, "json": _json(text, respHeaders)})


def client():
    """Returns this JVM's shared JythonHttpClient, creating it on first use."""
    store = system.util.getGlobals()
    found = store.get(CLIENT_KEY)
    if found is None:
        made = system.net.httpClient(timeout=CONNECT_TIMEOUT_MS, cookie_policy="ACCEPT_NONE",
                                     redirect_policy="NEVER")
        # Two first calls may race: both build a client, one is kept.
        found = store.setdefault(CLIENT_KEY, made)
    return found


# -- arguments ---------------------------------------------------------------

def _prepare(method, url, headers, data, json_body, timeout_ms):
    if not isinstance(method, TEXT) or not method.strip().isalpha():
        raise InvalidArguments("method must be an HTTP verb such as 'GET' or 'POST'")
    if not isinstance(url, TEXT) or not url.lower().startswith(("http://", "https://")):
        raise InvalidArguments("url must be an absolute http:// or https:// URL")
    if headers is not None and not isinstance(headers, dict):
        raise InvalidArguments("headers must be a dict or None")
    if data is not None and json_body is not None:
        raise InvalidArguments("give data or json_body, not both")
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, _NUMBERS) or timeout_ms <= 0:
        raise InvalidArguments("timeout_ms must be a positive number of milliseconds")
    headers = dict(headers or {})
    body = data
    if json_body is not None:
        try:
            body = codec.encode(json_body)
        except ANY_ERROR:
            raise InvalidArguments("json_body has no JSON form")
        if not _hasHeader(headers, "content-type"):
            headers["Content-Type"] = "application/json;charset=UTF-8"
    return method.strip().upper(), headers, body, int(timeout_ms)


def _hasHeader(headers, name):
    return any(_lower(k) == name for k in headers)


def _lower(value):
    return (u"%s" % (value,)).lower()


# -- secrets -----------------------------------------------------------------

def _secretName(name):
    lowered = _lower(name)
    return any(word in lowered for word in _SECRET_WORDS)


def _secrets(url, headers, params):
    """Returns every secret value this request sends, longest first."""
    found = []
    for name, value in headers.items():
        if _secretName(name) and value is not None:
            text = u"%s" % (value,)
            found.append(text)
            # The parts a server may echo alone: the token of "Bearer <token>", a cookie's value.
            found.extend(part for part in _PARTS.split(text) if len(part) >= 8)
    for name, value in (params or {}).items():
        if _secretName(name) and value is not None:
            found.append(u"%s" % (value,))
    parts = urlsplit(url)
    if parts.password:
        found.append(parts.password)
    for name, value in _queryPairs(parts.query):
        if _secretName(name) and value:
            found.append(value)
    return sorted(set(s for s in found if len(s) >= 4), key=len, reverse=True)


def mask(text, secrets):
    """Returns ``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def safeUrl(url):
    """Returns ``url`` without user info, fragment, or secret query values."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = "[%s]" % host  # IPv6 literal
    netloc = host + (":%d" % parts.port if parts.port else "")
    query = []
    for pair in parts.query.split("&") if parts.query else []:
        name = pair.partition("=")[0]
        query.append(name + "=" + MASK if _secretName(name) else pair)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(query), ""))


def _queryPairs(query):
    pairs = []
    for pair in query.split("&") if query else []:
        name, _, value = pair.partition("=")
        pairs.append((name, value))
    return pairs


# -- response ----------------------------------------------------------------

def _text(response):
    try:
        text = response.text
    except ANY_ERROR:
        return u""
    return u"" if text is None else text


def _responseHeaders(response, secrets):
    raw = response.headers
    out = {}
    names = raw.keySet() if hasattr(raw, "keySet") else raw.keys()
    for name in names:
        key = _lower(name)
        if not key or key.startswith(":") or key in _DROPPED_RESPONSE_HEADERS:
            continue
        values = raw.get(name)
        if isinstance(values, TEXT):
            values = [values]
        out[key] = mask(u", ".join(u"%s" % (v,) for v in (values or [])), secrets)
    return out


def _json(text, headers):
    if "json" not in headers.get("content-type", "").lower() or not text.strip():
        return None
    try:
        return codec.decode(text)
    except ValueError:
        return None


def _errorText(e):
    """``Type: message`` of a transport failure; the class name tells refused from timeout."""
    name = e.__class__.__name__
    try:
        message = e.getMessage() if hasattr(e, "getMessage") else str(e)
    except ANY_ERROR:
        message = None
    return typeAndMessage(name, message)
