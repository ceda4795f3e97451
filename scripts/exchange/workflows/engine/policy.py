"""The authorization policy: which Ignition roles and security levels may
take which action. Pure logic (no database, no ``system``), unit-tested on
CPython; api/access.py applies it, api/security.py stores and edits it.

A policy is a JSON object::

    {"actions": {"read":    {"roles": [], "levels": ["Authenticated"], "clients": false},
                 "start":   {"roles": ["Operator", "Administrator"]},
                 ...},
     "startRules": [{"workflows": "mysite.cip_*", "roles": ["Supervisor"]}]}

- Every action of ACTIONS has a rule. A rule grants the action to a
  Perspective session that has ANY of its ``roles`` (checked by Ignition as
  the security level ``Authenticated/Roles/<role>``) or ANY of its
  ``levels`` (security level paths such as ``Authenticated`` or
  ``Operators/Line1``; the special level ``Public`` means every session,
  anonymous ones included). ``clients: true`` also lets requests from
  Vision clients and the Designer (the ``workflows`` message handler) take
  the action: they carry no identity the gateway can check, so this is off
  by default.
- ``startRules`` refine "start" per workflow: the first rule whose
  ``workflows`` glob (``*``, ``?``, ``[seq]``; case-sensitive) matches the
  workflow name decides; a workflow no rule matches uses the "start" rule.
- Gateway scripts (no session) are trusted code and are not subject to the
  policy.
"""
import fnmatch

from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments

# read: every get/list function; start: start a run (per workflow name);
# hold: HOLD, RESUME, RESTART; stop: STOP, ABORT, cancel; operate: other commands and
# topics (operator responses); admin: maintenance, retention, queue and
# runtime settings, the policy, parked requests, dispatch from a session,
# importing 0.3.6's history; audit: read the audit trail; recipes: save,
# set the status of and delete parameter templates and enums (engineers
# edit recipes without administering the engine).
ACTIONS = ("read", "start", "hold", "stop", "operate", "admin", "audit", "recipes")
PUBLIC = "Public"
ROLE_PATH = "Authenticated/Roles/"
MAX_RULES = 200
MAX_NAMES = 50
MAX_NAME_LENGTH = 200

_RULE_KEYS = ("roles", "levels", "clients")
_TOP_KEYS = ("actions", "startRules")
_OPERATORS = ["Operator", "Administrator"]
_ENGINEERS = ["Engineer", "Administrator"]
# A stored policy from before an action existed gives it the rule of the
# action that used to decide it, so an upgrade changes nobody's rights.
_INHERITED = {"recipes": "admin"}

DEFAULT = {
    "actions": {
        "read": {"roles": [], "levels": ["Authenticated"], "clients": False},
        "start": {"roles": list(_OPERATORS), "levels": [], "clients": False},
        "hold": {"roles": list(_OPERATORS), "levels": [], "clients": False},
        "stop": {"roles": list(_OPERATORS), "levels": [], "clients": False},
        "operate": {"roles": list(_OPERATORS), "levels": [], "clients": False},
        "admin": {"roles": ["Administrator"], "levels": [], "clients": False},
        "audit": {"roles": ["Administrator"], "levels": [], "clients": False},
        "recipes": {"roles": list(_ENGINEERS), "levels": [], "clients": False},
    },
    "startRules": [],
}

# Grants nothing to sessions or clients: used when the stored policy cannot
# be read back (a hand-edited row). Gateway scripts can still repair it.
DENY_ALL = {
    "actions": dict((a, {"roles": [], "levels": [], "clients": False}) for a in ACTIONS),
    "startRules": [],
}


class Rule(object):
    """Who may take one action: roles, security levels, and whether clients may."""
    __slots__ = ("roles", "levels", "clients", "workflows")

    def __init__(self, roles, levels, clients, workflows=None):
        self.roles = tuple(roles)
        self.levels = tuple(levels)
        self.clients = bool(clients)
        self.workflows = workflows

    def paths(self):
        """The security level paths that grant this rule, for isAuthorized."""
        return [ROLE_PATH + r for r in self.roles] + [lv for lv in self.levels if lv != PUBLIC]

    def isPublic(self):
        return PUBLIC in self.levels

    def describe(self):
        """One line for a refusal message: who the rule grants the action to."""
        parts = []
        if self.roles:
            parts.append("role %s" % " or ".join(self.roles))
        levels = [lv for lv in self.levels if lv != PUBLIC]
        if levels:
            parts.append("security level %s" % " or ".join(levels))
        if self.isPublic():
            parts = ["every session"]
        return ", or ".join(parts) if parts else "nobody"


def _names(where, value, kind):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise InvalidArguments("%s must be a list of %s names." % (where, kind))
    if len(value) > MAX_NAMES:
        raise InvalidArguments("%s lists more than %d %ss." % (where, MAX_NAMES, kind))
    out = []
    for item in value:
        if not isinstance(item, TEXT) or not item.strip() or len(item) > MAX_NAME_LENGTH:
            raise InvalidArguments("%s must hold non-empty %s names of at most %d characters."
                                   % (where, kind, MAX_NAME_LENGTH))
        item = item.strip()
        if kind == "role" and "/" in item:
            raise InvalidArguments("%s: role %r contains '/'; put security level paths in "
                                   "'levels'." % (where, item))
        if kind == "level" and (item.startswith("/") or item.endswith("/") or "//" in item
                                or (item.startswith(PUBLIC + "/"))):
            raise InvalidArguments("%s: %r is not a security level path such as "
                                   "'Authenticated/Roles/Operator' (Public is never part of a "
                                   "path)." % (where, item))
        if item not in out:
            out.append(item)
    return out


def _rule(where, value, extra=()):
    if not isinstance(value, dict):
        raise InvalidArguments("%s must be an object with roles, levels and clients." % where)
    unknown = sorted(str(k) for k in value if k not in _RULE_KEYS + tuple(extra))
    if unknown:
        raise InvalidArguments("%s has unknown key(s) %s; a rule has %s." % (
            where, ", ".join(unknown), ", ".join(_RULE_KEYS + tuple(extra))))
    clients = value.get("clients", False)
    if not isinstance(clients, bool):
        raise InvalidArguments("%s.clients must be true or false." % where)
    return {"roles": _names(where + ".roles", value.get("roles"), "role"),
            "levels": _names(where + ".levels", value.get("levels"), "level"),
            "clients": clients}


def normalize(document, fillMissing=False):
    """Validates a policy document; returns it in canonical form.

    Args:
        document: the policy (a dict, e.g. decoded from JSON).
        fillMissing: give an action the document does not list its default
            rule (for a policy stored by an older version; "recipes" takes
            the document's "admin" rule, which decided recipes before);
            otherwise a missing action is refused, so that nothing is implied.
    Raises:
        InvalidArguments: naming the first problem (unknown keys or actions,
            wrong types, bad names, a missing action).
    """
    if not isinstance(document, dict):
        raise InvalidArguments("The policy must be an object with 'actions' (and optionally "
                               "'startRules').")
    unknown = sorted(str(k) for k in document if k not in _TOP_KEYS)
    if unknown:
        raise InvalidArguments("The policy has unknown key(s) %s; it has %s." % (
            ", ".join(unknown), ", ".join(_TOP_KEYS)))
    actions = document.get("actions")
    if not isinstance(actions, dict):
        raise InvalidArguments("policy.actions must be an object mapping each action to a rule.")
    bad = sorted(str(k) for k in actions if k not in ACTIONS)
    if bad:
        raise InvalidArguments("policy.actions has unknown action(s) %s; the actions are %s." % (
            ", ".join(bad), ", ".join(ACTIONS)))
    missing = [a for a in ACTIONS if a not in actions]
    if missing and not fillMissing:
        raise InvalidArguments("policy.actions must list every action; missing: %s." %
                               ", ".join(missing))
    out = {"actions": {}, "startRules": []}
    for action in ACTIONS:
        if action in actions:
            out["actions"][action] = _rule("policy.actions.%s" % action, actions[action])
        elif _INHERITED.get(action) in actions:
            out["actions"][action] = _rule("policy.actions.%s" % _INHERITED[action],
                                           actions[_INHERITED[action]])
        else:
            default = DEFAULT["actions"][action]
            out["actions"][action] = {"roles": list(default["roles"]),
                                      "levels": list(default["levels"]),
                                      "clients": default["clients"]}
    rules = document.get("startRules") or []
    if not isinstance(rules, (list, tuple)) or len(rules) > MAX_RULES:
        raise InvalidArguments("policy.startRules must be a list of at most %d rules." % MAX_RULES)
    for i, rule in enumerate(rules):
        where = "policy.startRules[%d]" % i
        checked = _rule(where, rule, ("workflows",))
        pattern = rule.get("workflows")
        if not isinstance(pattern, TEXT) or not pattern.strip() or len(pattern) > MAX_NAME_LENGTH:
            raise InvalidArguments("%s.workflows must be a workflow name or glob pattern such as "
                                   "'mysite.cip_*'." % where)
        checked["workflows"] = pattern.strip()
        out["startRules"].append(checked)
    return out


def rule(policy, action, workflowName=None):
    """Returns the Rule that decides ``action`` (for "start", the first
    startRule matching ``workflowName``, else the "start" rule)."""
    if action not in ACTIONS:
        raise ValueError("unknown action %r" % (action,))
    if action == "start" and isinstance(workflowName, TEXT):
        for r in policy["startRules"]:
            if fnmatch.fnmatchcase(workflowName, r["workflows"]):
                return Rule(r["roles"], r["levels"], r["clients"], r["workflows"])
    r = policy["actions"][action]
    return Rule(r["roles"], r["levels"], r["clients"])


def rolesNamed(policy):
    """Every role the policy names, in a stable order (the roles an audit
    record reports, as Ignition confirmed them for the session)."""
    seen = []
    for action in ACTIONS:
        for role in policy["actions"][action]["roles"]:
            if role not in seen:
                seen.append(role)
    for r in policy["startRules"]:
        for role in r["roles"]:
            if role not in seen:
                seen.append(role)
    return seen
