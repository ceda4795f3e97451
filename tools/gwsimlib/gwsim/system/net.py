"""system.net.httpClient over java.net.http.HttpClient, shaped like Ignition's JythonHttpClient.

Request bodies follow the IA manual for `data`: a dict is sent as JSON
("application/json;charset=UTF-8"), a string as "text/plain;charset=UTF-8", a byte array as
"application/octet-stream"; an explicit Content-Type header wins. Transport failures
(refused connection, timeout) raise the Java exception, as in Ignition.
"""
import array
import urllib

from java.lang import String
from java.net import CookieManager, CookiePolicy, URI
from java.net.http import HttpClient, HttpRequest, HttpResponse
from java.time import Duration
from java.util import Base64
from java.util.concurrent import TimeUnit

from gwsim import jsoncodec

_REDIRECTS = {"NORMAL": HttpClient.Redirect.NORMAL, "NEVER": HttpClient.Redirect.NEVER,
              "ALWAYS": HttpClient.Redirect.ALWAYS}
_VERSIONS = {"HTTP_2": HttpClient.Version.HTTP_2, "HTTP_1_1": HttpClient.Version.HTTP_1_1}
_COOKIES = {"ACCEPT_ORIGINAL_SERVER": CookiePolicy.ACCEPT_ORIGINAL_SERVER,
            "ACCEPT_ALL": CookiePolicy.ACCEPT_ALL, "ACCEPT_NONE": CookiePolicy.ACCEPT_NONE}


class Response(object):
    """An HTTP response: statusCode, headers, body (bytes), text, json, good/clientError/serverError."""

    def __init__(self, java_response):
        self._response = java_response
        self.statusCode = java_response.statusCode()
        self.headers = dict((unicode(k), list(v)) for k, v in java_response.headers().map().items())
        self.body = java_response.body()
        self.url = unicode(java_response.uri())
        self.good = 200 <= self.statusCode < 300
        self.clientError = 400 <= self.statusCode < 500
        self.serverError = 500 <= self.statusCode < 600

    @property
    def text(self):
        return self.getText()

    @property
    def json(self):
        return self.getJson()

    def getText(self, encoding=None):
        return unicode(String(self.body, encoding or self._charset()))

    def getJson(self, encoding=None):
        return jsoncodec.decode(self.getText(encoding))

    def _charset(self):
        for value in self.headers.get("content-type", []):
            for part in value.split(";"):
                if part.strip().lower().startswith("charset="):
                    return part.split("=", 1)[1].strip().strip('"')
        return "UTF-8"

    def getStatusCode(self):
        return self.statusCode

    def getHeaders(self):
        return self.headers

    def getBody(self):
        return self.body

    def getUrl(self):
        return self.url

    def isGood(self):
        return self.good

    def isClientError(self):
        return self.clientError

    def isServerError(self):
        return self.serverError

    def __repr__(self):
        return "<Response %s %s>" % (self.statusCode, self.url)


class Promise(object):
    """Result of the *Async methods: get(timeout) waits for the Response."""

    def __init__(self, future):
        self._future = future

    def get(self, timeout=None):
        raw = self._future.get() if timeout is None else self._future.get(long(timeout), TimeUnit.MILLISECONDS)
        return Response(raw)

    def isDone(self):
        return self._future.isDone()

    def cancel(self):
        return self._future.cancel(True)


DEFAULT_CONNECT_TIMEOUT_MS = 10000  # IA manual 8.3 (8.1 said 60000)


class JythonHttpClient(object):
    """system.net.httpClient(...)'s client. Its methods take exactly the documented parameters.

    Every verb (get, post, put, patch, delete, head, options, trace, and the *Async twins) is
    `verb(url, params=None, data=None, file=None, headers=None, username=None, password=None,
    timeout=None)`, the order of the published Ignition 8.3 API stubs; `request`/`requestAsync`
    put the custom verb second: `request(url, method, params=None, ...)`. Anything else (an
    unknown keyword, one argument too many, a params/headers that is not a dict, a method that
    is not a word) raises TypeError naming the call.
    """

    def __init__(self, timeout=DEFAULT_CONNECT_TIMEOUT_MS, bypass_cert_validation=False, username=None,
                 password=None, proxy=None, cookie_policy="ACCEPT_ORIGINAL_SERVER", redirect_policy="NORMAL",
                 version="HTTP_2", customizer=None):
        for flag, label in ((bypass_cert_validation, "bypass_cert_validation"), (proxy, "proxy"),
                            (customizer, "customizer")):
            if flag:
                raise NotImplementedError("system.net.httpClient: gwsim does not emulate %s" % label)
        _check_number("system.net.httpClient", "timeout", timeout)
        for name, value, allowed in (("cookie_policy", cookie_policy, _COOKIES),
                                     ("redirect_policy", redirect_policy, _REDIRECTS),
                                     ("version", version, _VERSIONS)):
            if not isinstance(value, basestring) or value.upper() not in allowed:
                raise TypeError("system.net.httpClient: %s must be one of %s, not %r"
                                % (name, ", ".join(sorted(allowed)), value))
        self.timeout = timeout
        self._auth = (username, password)
        self._redirect = redirect_policy.upper()
        self._version = version.upper()
        self._cookies = CookieManager(None, _COOKIES[cookie_policy.upper()])
        self._client = (HttpClient.newBuilder()
                        .connectTimeout(Duration.ofMillis(long(timeout)))
                        .followRedirects(_REDIRECTS[self._redirect])
                        .version(_VERSIONS[self._version])
                        .cookieHandler(self._cookies)
                        .build())

    def getJavaClient(self):
        return self._client

    def getConnectTimeout(self):
        return long(self.timeout)

    def getCookieManager(self):
        return self._cookies

    def getRedirectPolicy(self):
        return self._redirect

    def getVersion(self):
        return self._version

    def _build(self, url, method, data, params, headers, username, password, timeout):
        if params:
            url += ("&" if "?" in url else "?") + urllib.urlencode(
                [(k, unicode(v).encode("utf-8")) for k, v in dict(params).items()])
        builder = HttpRequest.newBuilder(URI.create(url))
        builder.timeout(Duration.ofMillis(long(timeout or self.timeout)))
        headers = dict(headers or {})
        user, secret = (username, password) if username else self._auth
        if user:
            token = Base64.getEncoder().encodeToString(String(u"%s:%s" % (user, secret or u"")).getBytes("UTF-8"))
            headers.setdefault("Authorization", "Basic " + token)
        body, content_type = _body(data)
        if content_type and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        for key, value in headers.items():
            builder.header(unicode(key), unicode(value))
        publisher = (HttpRequest.BodyPublishers.noBody() if body is None
                     else HttpRequest.BodyPublishers.ofByteArray(body))
        builder.method(method.upper(), publisher)
        return builder.build()

    def _send(self, what, url, method, params, data, file, headers, username, password, timeout, wait):
        _check_request(what, url, method, params, file, headers, username, password, timeout)
        req = self._build(url, method, data, params, headers, username, password, timeout)
        if wait:
            return Response(self._client.send(req, HttpResponse.BodyHandlers.ofByteArray()))
        return Promise(self._client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()))

    def request(self, url, method, params=None, data=None, file=None, headers=None, username=None,
                password=None, timeout=None):
        return self._send("request", url, method, params, data, file, headers, username, password,
                          timeout, True)

    def requestAsync(self, url, method, params=None, data=None, file=None, headers=None, username=None,
                     password=None, timeout=None):
        return self._send("requestAsync", url, method, params, data, file, headers, username, password,
                          timeout, False)

    def __repr__(self):
        return "<JythonHttpClient timeout=%s, redirect_policy=%r, version=%r (gwsim)>" % (
            self.timeout, self._redirect, self._version)


def _check_number(what, name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, long, float))):
        raise TypeError("%s: %s must be a number of milliseconds, not %r" % (what, name, value))


def _check_request(what, url, method, params, file, headers, username, password, timeout):
    what = "JythonHttpClient." + what
    if not isinstance(url, basestring):
        raise TypeError("%s: url must be a string, not %r" % (what, url))
    if not isinstance(method, basestring) or not method.strip().isalpha():
        raise TypeError("%s: method must be an HTTP verb such as 'GET', not %r" % (what, method))
    for name, value in (("params", params), ("headers", headers)):
        if value is not None and not isinstance(value, dict):
            raise TypeError("%s: %s must be a dict, not %r" % (what, name, value))
    for name, value in (("username", username), ("password", password)):
        if value is not None and not isinstance(value, basestring):
            raise TypeError("%s: %s must be a string, not %r" % (what, name, value))
    _check_number(what, "timeout", timeout)
    if file is not None:
        raise NotImplementedError("system.net.httpClient: gwsim does not emulate file uploads")


def _body(data):
    if data is None:
        return None, None
    if isinstance(data, dict):
        return String(jsoncodec.encode(data)).getBytes("UTF-8"), "application/json;charset=UTF-8"
    if isinstance(data, basestring):
        text = data if isinstance(data, unicode) else data.decode("utf-8")
        return String(text).getBytes("UTF-8"), "text/plain;charset=UTF-8"
    if isinstance(data, (array.array, bytearray)):
        return array.array("b", data) if isinstance(data, bytearray) else data, "application/octet-stream"
    raise TypeError("system.net.httpClient: cannot send data of type %s" % type(data).__name__)


def _verb(name):
    method = name.upper()

    def call(self, url, params=None, data=None, file=None, headers=None, username=None, password=None,
             timeout=None):
        return self._send(name, url, method, params, data, file, headers, username, password, timeout, True)

    def call_async(self, url, params=None, data=None, file=None, headers=None, username=None,
                   password=None, timeout=None):
        return self._send(name + "Async", url, method, params, data, file, headers, username, password,
                          timeout, False)
    return call, call_async


for _name in ("get", "post", "put", "patch", "delete", "head", "options", "trace"):
    _sync, _async = _verb(_name)
    setattr(JythonHttpClient, _name, _sync)
    setattr(JythonHttpClient, _name + "Async", _async)


class HttpClientFunction(object):
    """`system.net.httpClient`: called, it builds a client; used as one (8.3), it is a shared
    default client, so `system.net.httpClient.get(url)` works like `system.net.httpClient().get(url)`."""

    def __init__(self):
        self._default = None

    def __call__(self, timeout=DEFAULT_CONNECT_TIMEOUT_MS, bypass_cert_validation=False, username=None,
                 password=None, proxy=None, cookie_policy="ACCEPT_ORIGINAL_SERVER", redirect_policy="NORMAL",
                 version="HTTP_2", customizer=None):
        return JythonHttpClient(timeout, bypass_cert_validation, username, password, proxy, cookie_policy,
                                redirect_policy, version, customizer)

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(JythonHttpClient, name):
            raise AttributeError("system.net.httpClient has no attribute %r" % name)
        if self._default is None:
            self._default = JythonHttpClient()
        return getattr(self._default, name)


def exports(gateway):
    return {"httpClient": HttpClientFunction()}
