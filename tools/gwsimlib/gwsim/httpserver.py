"""A loopback-only HTTP server for scenarios (com.sun.net.httpserver on 127.0.0.1).

    server = gwsim.httpserver.start(handler)
    client.get(server.url + "/path")
    server.stop()

handler(request) receives a Request (method, path, query dict, headers dict with lower-case
names, body bytes, text, json) and returns one of:
    a status int; (status, body) or (status, body, headers); or a body alone (status 200).
A dict/list body is sent as JSON, a string as text. Errors in the handler answer 500.
Every Request is also appended to server.requests.
"""
import traceback
import urlparse

from com.sun.net.httpserver import HttpHandler, HttpServer
from java.lang import String, Throwable
from java.net import InetAddress, InetSocketAddress
from java.util.concurrent import Executors

from gwsim import jsoncodec, logs, threads

_log = logs.getLogger("gwsim.httpserver")


class Request(object):
    def __init__(self, exchange):
        uri = exchange.getRequestURI()
        self.method = unicode(exchange.getRequestMethod())
        self.path = unicode(uri.getPath())
        self.query = dict((k, v[0]) for k, v in urlparse.parse_qs(uri.getRawQuery() or "").items())
        self.headers = dict((unicode(k).lower(), unicode(v[0])) for k, v in exchange.getRequestHeaders().items())
        self.body = exchange.getRequestBody().readAllBytes()
        self.text = unicode(String(self.body, "UTF-8"))

    @property
    def json(self):
        return jsoncodec.decode(self.text)


def _normalise(result):
    status, body, headers = 200, None, {}
    if isinstance(result, int):
        status = result
    elif isinstance(result, tuple):
        status, body = result[0], result[1]
        if len(result) > 2:
            headers = dict(result[2])
    else:
        body = result
    if isinstance(body, (dict, list)):
        headers.setdefault("Content-Type", "application/json;charset=UTF-8")
        body = jsoncodec.encode(body)
    if body is None:
        return status, None, headers
    headers.setdefault("Content-Type", "text/plain;charset=UTF-8")
    text = body if isinstance(body, unicode) else unicode(body, "utf-8")
    return status, String(text).getBytes("UTF-8"), headers


class _Adapter(HttpHandler):
    def __init__(self, handler, requests):
        self.handler = handler
        self.requests = requests

    def handle(self, exchange):
        try:
            try:
                request = Request(exchange)
                self.requests.append(request)
                status, payload, headers = _normalise(self.handler(request))
            except (Exception, Throwable):
                logs.log_python_error(_log, "handler failed")
                status, payload, headers = 500, String(traceback.format_exc()).getBytes("UTF-8"), {}
            for key, value in headers.items():
                exchange.getResponseHeaders().set(key, unicode(value))
            if payload is None:
                exchange.sendResponseHeaders(status, -1)
            else:
                exchange.sendResponseHeaders(status, len(payload))
                exchange.getResponseBody().write(payload)
        finally:
            exchange.close()


class TestServer(object):
    def __init__(self, server, requests):
        self._server = server
        self.requests = requests
        self.port = server.getAddress().getPort()
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self._server.stop(0)


def start(handler):
    """Start a server on 127.0.0.1 with an ephemeral port; returns it (url, port, stop())."""
    requests = []
    server = HttpServer.create(InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0)
    server.createContext("/", _Adapter(handler, requests))
    server.setExecutor(Executors.newCachedThreadPool(threads.factory("gwsim-httpserver")))
    server.start()
    return TestServer(server, requests)
