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


class JythonHttpClient(object):
    def __init__(self, timeout=60000, bypass_cert_validation=False, username=None, password=None,
                 proxy=None, cookie_policy="ACCEPT_ORIGINAL_SERVER", redirect_policy="NORMAL",
                 version="HTTP_2", customizer=None):
        for flag, label in ((bypass_cert_validation, "bypass_cert_validation"), (proxy, "proxy"),
                            (customizer, "customizer")):
            if flag:
                raise NotImplementedError("system.net.httpClient: gwsim does not emulate %s" % label)
        self.timeout = timeout
        self._auth = (username, password)
        self._client = (HttpClient.newBuilder()
                        .connectTimeout(Duration.ofMillis(long(timeout)))
                        .followRedirects(_REDIRECTS[redirect_policy.upper()])
                        .version(_VERSIONS[version.upper()])
                        .cookieHandler(CookieManager(None, _COOKIES[cookie_policy.upper()]))
                        .build())

    def getJavaClient(self):
        return self._client

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

    def request(self, url, method, data=None, file=None, params=None, headers=None, username=None,
                password=None, timeout=None):
        if file is not None:
            raise NotImplementedError("system.net.httpClient: gwsim does not emulate file uploads")
        req = self._build(url, method, data, params, headers, username, password, timeout)
        return Response(self._client.send(req, HttpResponse.BodyHandlers.ofByteArray()))

    def requestAsync(self, url, method, data=None, file=None, params=None, headers=None,
                     username=None, password=None, timeout=None):
        if file is not None:
            raise NotImplementedError("system.net.httpClient: gwsim does not emulate file uploads")
        req = self._build(url, method, data, params, headers, username, password, timeout)
        return Promise(self._client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()))


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


def _verb(method, with_data):
    if with_data:
        def call(self, url, data=None, file=None, params=None, headers=None, username=None,
                 password=None, timeout=None):
            return self.request(url, method, data, file, params, headers, username, password, timeout)

        def call_async(self, url, data=None, file=None, params=None, headers=None, username=None,
                       password=None, timeout=None):
            return self.requestAsync(url, method, data, file, params, headers, username, password, timeout)
    else:
        def call(self, url, params=None, headers=None, username=None, password=None, timeout=None):
            return self.request(url, method, None, None, params, headers, username, password, timeout)

        def call_async(self, url, params=None, headers=None, username=None, password=None, timeout=None):
            return self.requestAsync(url, method, None, None, params, headers, username, password, timeout)
    return call, call_async


for _method, _with_data in (("get", False), ("head", False), ("options", False), ("delete", True),
                            ("post", True), ("put", True), ("patch", True)):
    _sync, _async = _verb(_method.upper(), _with_data)
    setattr(JythonHttpClient, _method, _sync)
    setattr(JythonHttpClient, _method + "Async", _async)


def exports(gateway):
    return {"httpClient": JythonHttpClient}
