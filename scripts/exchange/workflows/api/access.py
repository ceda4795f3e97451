"""Who is calling, and may they: identity from Ignition, the policy, the audit trail.

Used by api/service.py, api/admin.py, api/security.py and api/gateway.py:

    who = access.caller(session)          # never raises
    access.require(who, "stop", dbName, workflowId=wid, target="cancel")
    ...do it...
    access.audit(who, "stop", dbName, "CANCEL_REQUESTED", workflowId=wid, target="cancel")

Three kinds of caller:

- **perspective**: a script passed ``session=self.session``. Only the
  session's id is taken from the object (``session.props.id``); everything
  else comes from the gateway: whether the session may act is asked of
  Ignition with ``system.perspective.isAuthorized(False, levels, sessionId)``
  (the security levels Ignition granted the session at login, roles as
  ``Authenticated/Roles/<role>``), and the user name of an audit record comes
  from ``system.perspective.getSessionInfo()``. Session props such as
  ``props.auth.user.roles`` are not read: custom and client-writable props
  are whatever the browser says.
- **gateway**: no session, from a gateway script (timer, tag event, message
  handler code, startup, the Script Console). Trusted code: the policy does
  not apply, and nothing here touches the database for it, so a tag-change
  start stays in microseconds. Gateway starts are not audited; gateway
  commands, cancels and administration are (they are rare).
- **client**: a request from a Vision client or the Designer through the
  ``workflows`` message handler (api/gateway.py). It carries no identity the
  gateway can check, so it may do only what the policy's ``clients`` flags
  allow (nothing by default). A user name it claims is recorded as
  ``claimedUser`` in the audit detail, never as its identity.

A Perspective script that forgets ``session=`` must not get the gateway's
rights. Perspective runs every script (component and view events, bindings'
transforms, property change scripts, message handlers, custom methods,
session and page events) as a function whose ``self``, ``session`` or
``page`` argument is one of Perspective's script wrappers, Java objects in
the package ``com.inductiveautomation.perspective``. ``caller(None)`` looks
for such an argument in the frames that led to the call and, if it finds
one, refuses with NOT_AUTHORIZED ("pass session=self.session"). Work a
Perspective script hands to another thread (``system.util.invokeAsynchronous``)
has no such frame and acts as the gateway: pass the session along.
"""
import sys

from exchange.workflows.core import clock, codec, logs, states, validate
from exchange.workflows.engine import auditing, control, ids, settings
from exchange.workflows.engine import policy as policies
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import ANY_ERROR, WorkflowsError, describe

__all__ = ["ACTIONS", "PERSPECTIVE", "GATEWAY_SOURCE", "CLIENT", "POLICY_KEY", "POLICY_TTL_MS",
           "NotAuthorized", "Caller", "GATEWAY", "caller", "clientCaller", "commandAction",
           "commandsFor", "require",
           "audit", "allowed", "actor", "grants", "currentPolicy", "forgetPolicy", "loadPolicy",
           "fromPerspectiveScript", "auditRetention", "purgeAudit", "DEFAULT_DB",
           "AUDIT_RETENTION_KEY", "AUDIT_PURGE_PERIOD_MS", "AUDIT_PURGE_BATCH", "NO_SESSION",
           "NOT_A_SESSION"]

ACTIONS = policies.ACTIONS
DEFAULT_DB = validate.DEFAULT_DB
POLICY_KEY = "policy"
AUDIT_RETENTION_KEY = "auditRetention"
# How long a gateway trusts its copy of the policy: an edit made through
# another gateway applies here within this time (the editing gateway drops
# its copy at once).
POLICY_TTL_MS = 5000
# Audit retention runs at most this often per database and gateway, in
# batches of AUDIT_PURGE_BATCH rows.
AUDIT_PURGE_PERIOD_MS = 3600000
AUDIT_PURGE_BATCH = 1000

# Which policy action each operator command needs (docs/control.md): HOLD,
# RESUME and RESTART (RESUME's other name) pause and continue; STOP and
# ABORT end the run. Anything else (RESET, site commands, other topics) is
# an operator response to a workflow that asks for it: "operate".
_COMMAND_ACTIONS = {"HOLD": "hold", "RESUME": "hold", "RESTART": "hold", "STOP": "stop",
                    "ABORT": "stop"}

PERSPECTIVE, GATEWAY_SOURCE, CLIENT = "perspective", "gateway", "client"
_PERSPECTIVE_TYPES = "com.inductiveautomation.perspective."
_SCRIPT_ARGUMENTS = ("self", "session", "page")
_OWN_MODULES = "exchange.workflows."
_MAX_FRAMES = 200

NO_SESSION = ("This call comes from a Perspective script but passes no session: pass "
              "session=self.session. A Perspective script never acts as the gateway.")
NOT_A_SESSION = ("session must be the Perspective session of the calling script "
                 "(session=self.session).")

_cache = {}
_lastPurge = {}
# Databases whose stored policy is invalid and was logged as such (once per
# gateway and code version, until a valid one is read).
_badPolicy = set()


def _logger():
    return logs.get("audit")


class NotAuthorized(WorkflowsError):
    code = "NOT_AUTHORIZED"


class Caller(object):
    """The identity a call acts under. Build it with ``caller()``.

    Attributes:
        source: "perspective", "gateway" or "client".
        sessionId: the Perspective session's id, else None.
        user: the session's user name as Ignition reports it (None when the
            session is anonymous; None for the gateway and clients).
        roles: the roles the policy names that Ignition confirmed for the
            session (empty for the gateway and clients).
        refusal: why every action is refused (a bad ``session`` argument, a
            Perspective script without one), else None.
        claimedUser: the user name a client request claimed (unverified).
    """
    __slots__ = ("source", "sessionId", "refusal", "claimedUser", "_user", "_roles", "_grants",
                 "_policy", "_errors")

    def __init__(self, source, sessionId=None, refusal=None, claimedUser=None):
        self.source = source
        self.sessionId = sessionId
        self.refusal = refusal
        self.claimedUser = claimedUser
        self._user = None
        self._roles = None
        self._grants = {}
        self._policy = None
        self._errors = []

    @property
    def user(self):
        if self.source != PERSPECTIVE or self.refusal or not self.sessionId:
            return None
        if self._user is None:
            self._user = _sessionUser(self) or ""
        return self._user or None

    @property
    def roles(self):
        if self.source != PERSPECTIVE or self.refusal or not self.sessionId:
            return ()
        if self._roles is None:
            policy = self._policy or currentPolicy(DEFAULT_DB)
            self._roles = tuple(r for r in policies.rolesNamed(policy)
                                if _authorized(self, [policies.ROLE_PATH + r]))
        return self._roles


GATEWAY = Caller(GATEWAY_SOURCE)


def caller(session=None):
    """Returns the Caller for ``session``; never raises.

    Args:
        session: ``self.session`` in a Perspective script; None in a gateway
            script; the value of clientCaller() in the message handler.
    Returns:
        A Caller. A bad ``session`` (not a Perspective session, a forged
        Caller) or a Perspective script without one gives a Caller whose
        every action is refused with NOT_AUTHORIZED.
    """
    if session is None:
        if fromPerspectiveScript():
            return Caller(PERSPECTIVE, refusal=NO_SESSION)
        return GATEWAY
    if isinstance(session, Caller):
        # Only the message handler builds Callers for others, and only client
        # ones: a script cannot claim the gateway's rights with a Caller.
        if session.source == CLIENT and not session.refusal:
            return session
        return Caller(PERSPECTIVE, refusal=NOT_A_SESSION)
    sessionId = _sessionId(session)
    if sessionId is None:
        return Caller(PERSPECTIVE, refusal=NOT_A_SESSION)
    return Caller(PERSPECTIVE, sessionId)


def clientCaller(claimedUser=None):
    """The Caller of a request from a Vision client or the Designer."""
    claimed = claimedUser if isinstance(claimedUser, TEXT) and claimedUser.strip() else None
    return Caller(CLIENT, claimedUser=claimed.strip()[:200] if claimed else None)


def actor(who):
    """Returns the text recorded as who did something (createdBy, a command's
    sender, maintenance's updatedBy): the session user, "anonymous" for an
    anonymous session, else "gateway" or "client"."""
    if who.source == PERSPECTIVE:
        return who.user or "anonymous"
    return who.source


# Whether a code object has an argument a Perspective script has, per code
# object: Jython builds co_varnames anew on every read, which made this walk
# a sixth of enqueueInMemory's CPU (docs/benchmarks.md). Code objects are
# fixed per function; a project save re-executes this module, which starts
# the cache over, and the bound keeps a site that generates code in check.
_SCRIPT_CODES = {}
_SCRIPT_CODES_MAX = 4096


def _mayBeScript(code):
    known = _SCRIPT_CODES.get(code)
    if known is None:
        names = code.co_varnames
        known = "self" in names or "session" in names or "page" in names
        if len(_SCRIPT_CODES) >= _SCRIPT_CODES_MAX:
            _SCRIPT_CODES.clear()
        _SCRIPT_CODES[code] = known
    return known


def fromPerspectiveScript():
    """True when a Perspective script is on this thread's stack (see the
    module docstring)."""
    try:
        frame = sys._getframe(1)
    except ANY_ERROR:
        return False
    depth = 0
    while frame is not None and depth < _MAX_FRAMES:
        # Cheap tests first: most frames have none of these arguments, and
        # the engine's own frames are never Perspective's.
        if _mayBeScript(frame.f_code):
            module = frame.f_globals.get("__name__") or ""
            if not module.startswith(_OWN_MODULES):
                local = frame.f_locals
                for name in _SCRIPT_ARGUMENTS:
                    value = local.get(name)
                    if value is not None and _PERSPECTIVE_TYPES in str(type(value)):
                        return True
        frame = frame.f_back
        depth += 1
    return False


def commandAction(cmd, topic=states.COMMAND_TOPIC):
    """The policy action needed to send ``cmd`` (any case) on ``topic``."""
    if topic != states.COMMAND_TOPIC or not isinstance(cmd, TEXT):
        return "operate"
    return _COMMAND_ACTIONS.get(cmd.strip().upper(), "operate")


def commandsFor(status):
    """The commands that do something for a run in ``status`` now or once
    its handler ends (engine/control.py), for a console's buttons: HOLD,
    RESUME, STOP, ABORT, RESET; () for a finished run."""
    return control.effectiveCommands(status)


def require(who, action, dbName, workflowName=None, workflowId=None, reason=None, target=None):
    """Returns None if ``who`` may take ``action``; otherwise audits the
    refusal (reads are not audited) and raises NotAuthorized.

    Args:
        who: from caller().
        action: one of ACTIONS.
        dbName: the database whose policy applies (None: the default one).
        workflowName: for "start", selects the policy's startRules.
        workflowId, reason, target: recorded with a refusal (target names
            what was attempted, e.g. "STOP", "cancel", "setMaintenance").
    Raises:
        NotAuthorized (code NOT_AUTHORIZED); DatabaseUnavailable /
        DatabaseError when the policy cannot be read.
    """
    if action not in ACTIONS:
        raise ValueError("unknown action %r" % (action,))
    if who.source == GATEWAY_SOURCE:
        return None
    if who.refusal:
        _refuse(who, action, dbName, who.refusal, workflowName, workflowId, reason, target, None)
    policy = currentPolicy(dbName)
    who._policy = policy
    rule = policies.rule(policy, action, workflowName)
    if who.source == CLIENT:
        if rule.clients:
            return None
        _refuse(who, action, dbName, "Not authorized: the policy does not let Vision clients or "
                "the Designer %s (their requests carry no identity the gateway can check). An "
                "administrator can allow it: policy.actions.%s.clients = true." % (
                    _verb(action, workflowName), action),
                workflowName, workflowId, reason, target, rule)
    if grants(who, rule):
        return None
    _refuse(who, action, dbName, _refusal(who, action, workflowName, rule), workflowName,
            workflowId, reason, target, rule)


def allowed(who, dbName, workflowName=None):
    """Returns {action: bool}: what ``who`` may do (for "start", the
    workflow ``workflowName`` if given). Never audits."""
    if who.source == GATEWAY_SOURCE:
        return dict((a, True) for a in ACTIONS)
    if who.refusal:
        return dict((a, False) for a in ACTIONS)
    policy = currentPolicy(dbName)
    who._policy = policy
    out = {}
    for action in ACTIONS:
        rule = policies.rule(policy, action, workflowName)
        out[action] = rule.clients if who.source == CLIENT else grants(who, rule)
    return out


def audit(who, action, dbName, code, workflowId=None, target=None, reason=None, detail=None):
    """Appends an allowed action's record to the audit trail and logs it at
    INFO (logger exchange.workflows.audit); never raises.

    Reads and gateway starts are not recorded (the latter are the tag-change
    hot path). A failure to write is logged at WARN with the whole record.

    Args:
        who: the Caller; action: the policy action; dbName: where to write
        (None: the default database); code: the result code; workflowId:
        the run concerned; target: what was done (the workflow name of a
        start, "HOLD", "cancel", "setMaintenance", "policy", ...); reason:
        the operator's reason; detail: a small dict of extra facts (never
        input values).
    """
    if action == "read" or (action == "start" and who.source == GATEWAY_SOURCE):
        return
    _write(who, action, dbName, True, code, workflowId, target, reason, detail)


# -- the policy ------------------------------------------------------------------------------
def currentPolicy(dbName):
    """Returns the policy of ``dbName`` (None: the default database), from
    this gateway's copy when it is younger than POLICY_TTL_MS."""
    key = dbName or DEFAULT_DB
    now = clock.nowMs()
    hit = _cache.get(key)
    if hit is not None and now - hit[1] < POLICY_TTL_MS:
        return hit[0]
    policy = loadPolicy(key)
    _cache[key] = (policy, now)
    return policy


def forgetPolicy(dbName):
    """Drops this gateway's copy (after an edit)."""
    _cache.pop(dbName or DEFAULT_DB, None)


def loadPolicy(dbName):
    """Reads the stored policy; the default one when none is stored; one that
    grants nothing (and an error in the log) when the stored one is invalid."""
    found = settings.read(dbName, POLICY_KEY)
    if not found:
        _badPolicy.discard(dbName)
        return policies.normalize(policies.DEFAULT)
    try:
        policy = policies.normalize(codec.decode(found[0]), fillMissing=True)
        _badPolicy.discard(dbName)
        return policy
    except ANY_ERROR as e:
        if dbName in _badPolicy:
            return policies.normalize(policies.DENY_ALL)
        _badPolicy.add(dbName)
        logs.get("access").error(
            "The authorization policy stored in database '%s' is invalid (%s): every "
                        "session and client request is refused until an administrator saves a valid one "
            "(exchange.workflows.api.security.setPolicy from a gateway script)."
            % (dbName, describe(e)))
        return policies.normalize(policies.DENY_ALL)


# -- Perspective identity --------------------------------------------------------------------
def _plain(value):
    if hasattr(value, "getQuality") and hasattr(value, "getValue"):
        return value.getValue()
    return value


def _sessionId(session):
    try:
        value = _plain(session.props.id)
    except ANY_ERROR:
        return None
    if isinstance(value, TEXT) and value.strip() and len(value) <= 200:
        return value
    return None


def _authorized(who, paths):
    """Asks Ignition whether the session has any of the security levels
    ``paths``; remembered for the rest of this call."""
    key = tuple(paths)
    known = who._grants.get(key)
    if known is None:
        try:
            known = bool(system.perspective.isAuthorized(False, list(paths), who.sessionId))
        except ANY_ERROR as e:
            # A closed or unknown session: nothing is granted.
            who._errors.append(describe(e)[:200])
            known = False
        who._grants[key] = known
    return known


def grants(who, rule):
    """True if the Perspective session of ``who`` satisfies ``rule``
    (a policy Rule) as Ignition sees it."""
    if rule.isPublic():
        return True
    paths = rule.paths()
    return bool(paths) and _authorized(who, paths)


def _field(info, key):
    try:
        return _plain(info[key])
    except ANY_ERROR:
        return getattr(info, key, None)


def _sessionUser(who):
    """The session's user name from the gateway's session list, or None
    when the session is anonymous or not listed."""
    if not _authorized(who, ["Authenticated"]):
        return None
    try:
        for info in system.perspective.getSessionInfo():
            if _field(info, "id") == who.sessionId:
                name = _field(info, "username")
                return name if isinstance(name, TEXT) and name.strip() else None
    except ANY_ERROR as e:
        who._errors.append(describe(e)[:200])
    return None


def _verb(action, workflowName):
    return {"read": "read workflow data",
            "start": "start %s" % (workflowName if isinstance(workflowName, TEXT) else "runs"),
            "hold": "hold or resume runs", "stop": "stop or cancel runs",
            "operate": "send operator commands or responses", "admin": "administer the engine",
            "audit": "read the audit trail",
            "recipes": "edit parameter templates and enums"}[action]


def _refusal(who, action, workflowName, rule):
    name = who.user
    whom = "user '%s'" % name if name else "this anonymous session"
    text = "Not authorized: %s may not %s; the policy grants it to %s." % (
        whom, _verb(action, workflowName), rule.describe())
    if who._errors:
        text += " (Ignition: %s)" % who._errors[0]
    return text


def _refuse(who, action, dbName, message, workflowName, workflowId, reason, target, rule):
    if action != "read":
        detail = {}
        if rule is not None and rule.workflows:
            detail["startRule"] = rule.workflows
        _write(who, action, dbName, False, NotAuthorized.code, workflowId,
               target or (workflowName if isinstance(workflowName, TEXT) else None), reason,
               detail, message)
    raise NotAuthorized(message)


# -- the audit trail -------------------------------------------------------------------------
def _text(value, limit):
    if value is None:
        return None
    if not isinstance(value, TEXT):
        value = str(value)
    return value[:limit]


def _write(who, action, dbName, allowedFlag, code, workflowId, target, reason, detail,
           message=None):
    dbName = dbName if isinstance(dbName, TEXT) and dbName else DEFAULT_DB
    extra = dict(detail or {})
    if who.claimedUser:
        extra["claimedUser"] = who.claimedUser
    if who.refusal:
        extra["refusal"] = who.refusal
    elif message:
        extra["message"] = message
    record = auditing.Record(
        audit_id=ids.newWorkflowId(), at_ms=clock.nowMs(), user_name=None, roles=None,
        source=who.source, session_id=who.sessionId, action=action,
        target=_text(target, 200), workflow_id=_text(workflowId, 64), allowed=allowedFlag,
        code=_text(code, 60), reason=_text(reason, 2000), detail=None)
    try:
        record.user_name = who.user
        if who.source == PERSPECTIVE and not who.refusal:
            if who._policy is None:
                who._policy = currentPolicy(dbName)
            record.roles = ",".join(who.roles)
        record.detail = codec.encode(extra) if extra else None
    except ANY_ERROR as e:
        extra["identityError"] = describe(e)[:200]
        record.detail = codec.encode(extra)
    line = _line(record)
    try:
        auditing.append(dbName, record)
        _logger().info(line)
        _purgeIfDue(dbName, record.at_ms)
    except ANY_ERROR as e:
        try:
            _logger().warn("Could not write the audit record (%s): %s" % (describe(e)[:300], line))
        except ANY_ERROR:
            pass


def _line(record):
    parts = ["%s %s" % ("ALLOWED" if record.allowed else "REFUSED", record.action)]
    if record.target:
        parts.append(record.target)
    if record.workflow_id:
        parts.append("run %s" % record.workflow_id)
    who = record.user_name or ("anonymous" if record.source == PERSPECTIVE else record.source)
    parts.append("by %s" % who)
    if record.roles:
        parts.append("[%s]" % record.roles)
    parts.append("via %s%s" % (record.source, " session %s" % record.session_id
                               if record.session_id else ""))
    text = " ".join(parts) + ": %s" % record.code
    if record.reason:
        text += " (reason: %s)" % record.reason[:200]
    return text


def auditRetention(dbName):
    """Returns the audit trail's retention policy {maxAgeDays} (None = keep)."""
    found = settings.read(dbName, AUDIT_RETENTION_KEY)
    value = codec.decode(found[0]) if found else None
    days = value.get("maxAgeDays") if isinstance(value, dict) else None
    return {"maxAgeDays": days}


def purgeAudit(dbName, nowMs):
    """Deletes one batch of audit records older than the audit retention;
    returns how many (0 when the trail is kept for ever)."""
    days = auditRetention(dbName)["maxAgeDays"]
    if days is None:
        return 0
    return auditing.deleteOlderThan(dbName, nowMs - int(float(days) * 86400000),
                                 AUDIT_PURGE_BATCH)


def _purgeIfDue(dbName, nowMs):
    # Audit retention rides on audit writes, at most once an hour per
    # database: no timer of its own, and a quiet plant has nothing to purge.
    last = _lastPurge.get(dbName)
    if last is not None and nowMs - last < AUDIT_PURGE_PERIOD_MS:
        return
    _lastPurge[dbName] = nowMs
    deleted = purgeAudit(dbName, nowMs)
    if deleted:
        _logger().info("Audit retention deleted %d records from database '%s'." % (deleted, dbName))
