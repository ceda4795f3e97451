"""system.perspective: the gateway-side functions, over gwsim's session registry
(gwsim/perspective.py). Other system.perspective functions are not emulated and fail loudly.

  isAuthorized(isAllOf, securityLevels, sessionId=None) -> bool
  getSessionInfo(usernameFilter=None, projectFilter=None) -> list of dicts
  sendMessage(messageType, payload, scope="page", sessionId=None, pageId=None) -> None
  download(filename, data, contentType=None, sessionId=None, pageId=None) -> None
"""
from java.lang import IllegalArgumentException
from java.util.regex import Pattern


SEND_SCOPES = ("page", "session", "view")


class PerspectiveApi(object):
    def __init__(self, gateway):
        self._gateway = gateway

    def _session(self, sessionId, function="isAuthorized"):
        registry = self._gateway.perspective
        if sessionId is None:
            session = registry.current()
            if session is None:
                raise IllegalArgumentException(
                    "system.perspective.%s: no Perspective session on this thread; "
                    "from gateway scope pass sessionId" % function)
            return session
        session = registry.find(sessionId)
        if session is None:
            raise IllegalArgumentException("Perspective session '%s' not found" % (sessionId,))
        return session

    def isAuthorized(self, isAllOf, securityLevels, sessionId=None):
        """True if the session has all (isAllOf) or any of the security level paths."""
        session = self._session(sessionId)
        levels = [unicode(level).strip("/") for level in securityLevels]
        if isAllOf:
            return all(level in session.levels for level in levels)
        return any(level in session.levels for level in levels)

    def sendMessage(self, messageType, payload, scope="page", sessionId=None, pageId=None):
        """Queue a message for the session's component message handlers (IA manual 8.1/8.3,
        system.perspective.sendMessage: handlers run asynchronously to the caller; scope is
        "page", "session" or "view"; without sessionId the current session is used, so from
        gateway scope a sessionId is needed). gwsim has no views or components, so nothing
        handles it: the message is recorded on the session (session.messages()) for tests."""
        if scope not in SEND_SCOPES:
            raise IllegalArgumentException("system.perspective.sendMessage: scope must be one of %s, not %r"
                                           % (", ".join(SEND_SCOPES), scope))
        if payload is not None and not isinstance(payload, dict):
            raise TypeError("system.perspective.sendMessage: payload must be a dictionary")
        session = self._session(sessionId, "sendMessage")
        session.deliver(messageType, dict(payload or {}), scope, pageId)

    def download(self, filename, data, contentType=None, sessionId=None, pageId=None):
        """Send a file to the session's browser (IA manual 8.1/8.3, system.perspective.download:
        data is a string (written as UTF-8), a byte[] or an InputStream; from the gateway scope
        both sessionId and pageId are needed). gwsim has no browser: the file is recorded on
        the session (session.downloads()) as bytes, for tests."""
        if not filename:
            raise IllegalArgumentException("system.perspective.download: filename is required")
        session = self._session(sessionId, "download")
        if sessionId is not None and pageId is None and self._gateway.perspective.current() is not session:
            raise IllegalArgumentException(
                "system.perspective.download: from the gateway scope pass sessionId and pageId")
        session.receiveDownload(unicode(filename), _bytes(data), contentType, pageId)

    def getSessionInfo(self, usernameFilter=None, projectFilter=None):
        """One dict per open session (filters are regular expressions matching the whole name)."""
        out = []
        now = _now_ms()
        for session in self._gateway.perspective.all():
            username = session.user or "Unauthenticated"
            if usernameFilter is not None and not Pattern.matches(usernameFilter, username):
                continue
            if projectFilter is not None and not Pattern.matches(projectFilter, session.project):
                continue
            out.append({
                "userAgent": "gwsim", "id": session.props.id, "username": username,
                "project": session.project, "uptime": now - session.created_ms,
                "clientAddress": session.props.host, "lastComm": 0, "sessionScope": "browser",
                "activePages": 1, "recentBytesSent": 0, "totalBytesSent": 0, "pageIds": [],
                "authorized": bool(session.user),
            })
        return out


def _bytes(data):
    """The bytes a download sends: text as UTF-8, a byte[] as it is, an InputStream read whole."""
    from java.io import ByteArrayOutputStream, InputStream
    if isinstance(data, basestring):  # noqa: F821 - Jython
        return bytearray(unicode(data).encode("utf-8"))
    if isinstance(data, InputStream):
        from jarray import zeros
        out = ByteArrayOutputStream()
        chunk = zeros(8192, "b")
        while True:
            n = data.read(chunk)
            if n < 0:
                break
            out.write(chunk, 0, n)
        return bytearray(out.toByteArray())
    try:
        return bytearray(data)
    except TypeError:
        raise TypeError("system.perspective.download: data must be a string, a byte[] or an "
                        "InputStream, not %s" % type(data).__name__)


def _now_ms():
    from java.lang import System
    return System.currentTimeMillis()


def exports(gateway):
    api = PerspectiveApi(gateway)
    return {"isAuthorized": api.isAuthorized, "getSessionInfo": api.getSessionInfo,
            "sendMessage": api.sendMessage, "download": api.download}
