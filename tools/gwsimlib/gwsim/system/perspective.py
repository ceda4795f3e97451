"""system.perspective: the gateway-side security functions, over gwsim's session registry
(gwsim/perspective.py). Other system.perspective functions are not emulated and fail loudly.

  isAuthorized(isAllOf, securityLevels, sessionId=None) -> bool
  getSessionInfo(usernameFilter=None, projectFilter=None) -> list of dicts
"""
from java.lang import IllegalArgumentException
from java.util.regex import Pattern


class PerspectiveApi(object):
    def __init__(self, gateway):
        self._gateway = gateway

    def _session(self, sessionId):
        registry = self._gateway.perspective
        if sessionId is None:
            session = registry.current()
            if session is None:
                raise IllegalArgumentException(
                    "system.perspective.isAuthorized: no Perspective session on this thread; "
                    "from gateway scope pass sessionId")
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


def _now_ms():
    from java.lang import System
    return System.currentTimeMillis()


def exports(gateway):
    api = PerspectiveApi(gateway)
    return {"isAuthorized": api.isAuthorized, "getSessionInfo": api.getSessionInfo}
