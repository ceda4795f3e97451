"""Perspective sessions, enough of them for gateway-side security code: a registry of sessions
logged in with a user, roles and security levels, session objects with the props scripts read,
and a way to run a function as a Perspective script of a session.

What Ignition does, and is reproduced here:
  - A session has an id (`session.props.id`) and, once logged in, a user with roles; the gateway
    grants it security levels: `Authenticated`, `Authenticated/Roles/<role>` for each role, and
    any custom levels (a level granted implies its parents: "Each child level of the tree
    inherits the security of its parent levels", IA manual 8.1/8.3 "Security Levels").
    `Public` is never part of a path. An anonymous session has none.
  - `system.perspective.isAuthorized(isAllOf, securityLevels, sessionId)` answers for the
    session; without sessionId it works only in a Perspective script (the current session), and
    from gateway scope it fails (IA manual: "only works in the Gateway scope if sessionId is
    supplied").
  - `system.perspective.getSessionInfo()` lists sessions with `id`, `username`
    ("Unauthenticated" when nobody is logged in), `project`, `authorized`, ... (IA manual 8.1/8.3).
  - A Perspective script runs as a function whose `self` is one of Perspective's script
    wrappers, Java objects of package `com.inductiveautomation.perspective` (e.g.
    `com.inductiveautomation.perspective.gateway.script.ComponentModelScriptWrapper$SafetyWrapper`,
    as a public Ignition library reports). `run_script` gives `self` a class of that name, runs
    the function on a worker thread of its own, and makes the session current on that thread.
  - `system.perspective.sendMessage` to a session: recorded on the session (session.messages()),
    since there are no components with message handlers to run.
Not reproduced: pages, views, components, navigation, popups, login flows and IdPs; those
functions are absent from system.perspective and fail loudly.
"""
import threading

from java.lang import Throwable
from java.util import UUID
from java.util.concurrent import Callable, Executors, TimeUnit

from gwsim import threads

PERSPECTIVE_SCRIPT_PACKAGE = "com.inductiveautomation.perspective.gateway.script"
RUN_TIMEOUT_S = 120


class _Bag(object):
    """A props node: attributes, plus item access as Perspective's wrappers allow."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def __getitem__(self, key):
        return self.__dict__[key]


class Session(object):
    """A Perspective session as a script sees `self.session` (the props scripts read)."""

    def __init__(self, registry, session_id, user, roles, levels, project):
        self._registry = registry
        self.user = user
        self.roles = tuple(roles)
        self.levels = frozenset(levels)
        self.project = project
        self.created_ms = _now_ms()
        self._messages = []
        self._downloads = []
        self._messages_lock = threading.Lock()
        auth_user = _Bag(userName=user, roles=list(self.roles)) if user else _Bag(userName=None, roles=[])
        self.props = _Bag(id=session_id, host="127.0.0.1",
                          auth=_Bag(authenticated=bool(user), user=auth_user,
                                    securityLevels=sorted(self.levels)))

    @property
    def id(self):
        return self.props.id

    def deliver(self, message_type, payload, scope, page_id):
        """A system.perspective.sendMessage to this session (no component handles it here)."""
        with self._messages_lock:
            self._messages.append({"messageType": message_type, "payload": payload,
                                   "scope": scope, "pageId": page_id})

    def receiveDownload(self, filename, data, content_type, page_id):
        """A system.perspective.download to this session (no browser receives it here)."""
        with self._messages_lock:
            self._downloads.append({"filename": filename, "data": data,
                                    "contentType": content_type, "pageId": page_id})

    def downloads(self):
        """Test support: the files sent to this session's browser, oldest first."""
        with self._messages_lock:
            return list(self._downloads)

    def messages(self):
        """Test support: the messages sent to this session, oldest first."""
        with self._messages_lock:
            return list(self._messages)

    def close(self):
        self._registry.close(self)


def _granted_levels(user, roles, levels):
    """Every level the gateway grants: the given ones and all their ancestors."""
    paths = set()
    if user:
        paths.add("Authenticated")
        paths.add("Authenticated/Roles")
        for role in roles:
            paths.add("Authenticated/Roles/" + role)
    for level in levels or ():
        parts = level.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            paths.add("/".join(parts[:i]))
    return paths


def _now_ms():
    from java.lang import System
    return System.currentTimeMillis()


def _wrapper_class(name):
    # Named like Perspective's own wrappers, so that code telling a Perspective script from a
    # gateway script by its `self` argument sees what it would see on a real gateway.
    return type(name, (object,), {"__module__": PERSPECTIVE_SCRIPT_PACKAGE})


ComponentWrapper = _wrapper_class("ComponentModelScriptWrapper$SafetyWrapper")


def _component(session):
    component = ComponentWrapper()
    component.session = session
    component.props = _Bag()
    component.custom = _Bag()
    component.view = _Bag(session=session, custom=_Bag(), params=_Bag())
    return component


class _Call(Callable):
    def __init__(self, registry, session, function, args):
        self.registry = registry
        self.session = session
        self.function = function
        self.args = args

    def call(self):
        self.registry._current.session = self.session
        try:
            return ("ok", self.function(_component(self.session), *self.args))
        except (BaseException, Throwable) as error:
            return ("error", error)
        finally:
            self.registry._current.session = None


class Registry(object):
    """The gateway's open Perspective sessions."""

    def __init__(self, gateway):
        self._gateway = gateway
        self._sessions = {}
        self._lock = threading.Lock()
        self._current = threading.local()
        self._pool = Executors.newCachedThreadPool(threads.factory("gwsim-perspective-worker"))

    # -- test-support API -----------------------------------------------------------------------
    def open(self, user=None, roles=(), levels=(), project=None):
        """Open a session; with `user` it is logged in with `roles` (and custom `levels`)."""
        session_id = UUID.randomUUID().toString()[:8]
        session = Session(self, session_id, user, roles, _granted_levels(user, roles, levels),
                          project or self._gateway.project.name)
        with self._lock:
            self._sessions[session_id] = session
        return session

    def close(self, session):
        with self._lock:
            self._sessions.pop(session.props.id, None)

    def run_script(self, session, function, *args):
        """Run function(self, *args) as a Perspective script of `session`; return its value or
        raise its error. `self` is a component wrapper (see the module docstring)."""
        future = self._pool.submit(_Call(self, session, function, args))
        kind, value = future.get(RUN_TIMEOUT_S, TimeUnit.SECONDS)
        if kind == "error":
            raise value
        return value

    # -- what system.perspective answers ---------------------------------------------------------
    def find(self, session_id):
        with self._lock:
            return self._sessions.get(session_id)

    def current(self):
        return getattr(self._current, "session", None)

    def all(self):
        with self._lock:
            return list(self._sessions.values())
