"""ignition-workflows 0.3.6's ``exchange.workflows.api.params``: the same
functions, parameters and return shapes, over api/recipes.py.

0.3.6's callers iterate and index the answers (``for t in listTemplates(...)``,
``getTemplate(...)["schema"]``), so these return what 0.3.6 returned, not
the envelope: lists, dicts, None, and ``{"ok": bool, ...}`` dicts. They never
raise: where 0.3.6 raised ValueError (an empty name) or failed differently,
a list function returns ``[]``, a get function None, and the others
``{"ok": False, "error": "<what>"}`` (``workflowName_required``,
``template_not_found``, ``not_authorized``, ...); each refusal is logged at
WARN (logger exchange.workflows.api.params). ``session=self.session`` is
accepted everywhere (from Perspective it is required, docs/migrating-from-0.3.md).

Differences from 0.3.6 (docs/migrating-from-0.3.md, "Recipes"): a template
is checked against its workflow when saved; a start without a version uses
the newest *active* version; an unknown status is refused
(``invalid_status``); startWithTemplate's answer also has ``code``.
"""
from exchange.workflows.api import recipes
from exchange.workflows.core import logs
from exchange.workflows.core.codec import encode
from exchange.workflows.core.errors import ANY_ERROR

__all__ = ["listTemplates", "getTemplate", "createTemplateVersion", "setTemplateStatus",
           "setTemplateActive", "deleteTemplateVersion", "deleteTemplate", "expandTemplateForUi",
           "getTemplateDropdownOptions", "copyTemplateToWorkflow", "listEnums", "getEnum",
           "createEnumVersion", "setEnumStatus", "deleteEnumVersion", "deleteEnum",
           "computeOverridesData", "resolveInputs", "startWithTemplate", "DEFAULT_DB_NAME",
           "STATUS_ACTIVE", "STATUS_OBSOLETE"]

DEFAULT_DB_NAME = recipes.DEFAULT_DB
STATUS_ACTIVE = "active"
STATUS_OBSOLETE = "obsolete"
# 0.3.6's createdAt text, in the gateway's time zone.
_DATE_FORMAT = "dd-MMM-yy HH:mm:ss (z)"
_LISTED = ("workflowName", "templateName", "templateVersion", "status", "description", "createdBy")


def _refused(function, answer):
    try:
        logs.get("api.params").warn("%s: %s %s" % (function, answer.get("code"),
                                                   answer.get("message")))
    except ANY_ERROR:
        pass


def _error(answer):
    data = answer.get("data")
    if isinstance(data, dict) and data.get("error"):
        return data["error"]
    message = answer.get("message") or ""
    # 0.3.6's "<field>_required" for a missing name.
    for field in ("workflowName", "templateName", "enumName"):
        if message.startswith(field + " "):
            return "%s_required" % field
    return (answer.get("code") or "error").lower()


def _data(function, answer, failure):
    if answer.get("ok"):
        return answer["data"]
    _refused(function, answer)
    return failure


def _outcome(function, answer, *keys):
    """{"ok": True, <keys of data>} or {"ok": False, "error": ...}."""
    if not answer.get("ok"):
        _refused(function, answer)
        return {"ok": False, "error": _error(answer)}
    out = {"ok": True}
    for key in keys:
        out[key] = answer["data"].get(key)
    return out


def _createdAt(epochMs):
    try:
        return system.date.format(system.date.fromMillis(epochMs), _DATE_FORMAT)  # noqa: F821
    except ANY_ERROR:
        return None


def _dated(row):
    row = dict(row)
    row["createdAt"] = _createdAt(row.get("createdAtEpochMs"))
    return row


# -- templates -------------------------------------------------------------------------------
def listTemplates(workflowName, status=STATUS_ACTIVE, latestOnly=True, dbName=DEFAULT_DB_NAME,
                  session=None):
    """[{workflowName, templateName, templateVersion, status, description,
    createdBy, createdAt}]; [] when refused."""
    rows = _data("listTemplates", recipes.listTemplates(workflowName, status, latestOnly, dbName,
                                                        session), [])
    return [dict([(k, r[k]) for k in _LISTED] + [("createdAt", _createdAt(r["createdAtEpochMs"]))])
            for r in rows]


def getTemplate(workflowName, templateName, templateVersion=None, dbName=DEFAULT_DB_NAME,
                activeOnly=True, session=None):
    """{workflowName, templateName, templateVersion, schema, status,
    description, createdBy, createdAtEpochMs, createdAt} or None."""
    found = _data("getTemplate", recipes.getTemplate(workflowName, templateName, templateVersion,
                                                     dbName, activeOnly, session), None)
    return _dated(found) if found else None


def createTemplateVersion(workflowName, templateName, formProps, description=None, createdBy=None,
                          activate=True, dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "templateVersion": n} or {"ok": False, "error": ...}."""
    return _outcome("createTemplateVersion", recipes.createTemplateVersion(
        workflowName, templateName, formProps, description, createdBy, bool(activate), dbName,
        session), "templateVersion")


def setTemplateStatus(workflowName, templateName, templateVersion, status, actor=None,
                      dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "rows", "actor", "status"} or {"ok": False, "error": ...}."""
    return _outcome("setTemplateStatus", recipes.setTemplateStatus(
        workflowName, templateName, templateVersion, status, actor, dbName, session),
        "rows", "actor", "status")


def setTemplateActive(workflowName, templateName, templateVersion, isActive, actor=None,
                      dbName=DEFAULT_DB_NAME, session=None):
    """setTemplateStatus with active (truthy ``isActive``) or obsolete."""
    return _outcome("setTemplateActive", recipes.setTemplateActive(
        workflowName, templateName, templateVersion, bool(isActive), actor, dbName, session),
        "rows", "actor", "status")


def deleteTemplateVersion(workflowName, templateName, templateVersion, actor=None,
                          dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "rows", "actor"} or {"ok": False, "error": ...}."""
    return _outcome("deleteTemplateVersion", recipes.deleteTemplateVersion(
        workflowName, templateName, templateVersion, actor, dbName, session), "rows", "actor")


def deleteTemplate(workflowName, templateName, actor=None, dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "rows", "actor"} or {"ok": False, "error": ...}."""
    return _outcome("deleteTemplate", recipes.deleteTemplate(
        workflowName, templateName, actor, dbName, session), "rows", "actor")


def expandTemplateForUi(templateObj, dbName=DEFAULT_DB_NAME, session=None):
    """A copy of ``templateObj`` with enum options filled in; None for None."""
    if not templateObj:
        return None
    return _data("expandTemplateForUi", recipes.expandTemplateForUi(templateObj, dbName, session),
                 None)


def getTemplateDropdownOptions(workflowName, status=STATUS_ACTIVE, latestOnly=True,
                               dbName=DEFAULT_DB_NAME, session=None):
    """[{label: "<name> v<n>", value: JSON text of the listTemplates row}]."""
    # The value is the row this module lists (0.3.6's keys), as 0.3.6's views decode it.
    return [{"label": "%s v%d" % (t["templateName"], t["templateVersion"]), "value": encode(t)}
            for t in listTemplates(workflowName, status, latestOnly, dbName, session)]


def copyTemplateToWorkflow(sourceWorkflowName, templateName, targetWorkflowName,
                           newTemplateName=None, templateVersion=None, createdBy=None,
                           dbName=DEFAULT_DB_NAME, session=None):
    """createTemplateVersion's answer, or {"ok": False, "error": "template_not_found"}."""
    return _outcome("copyTemplateToWorkflow", recipes.copyTemplateToWorkflow(
        sourceWorkflowName, templateName, targetWorkflowName, newTemplateName, templateVersion,
        createdBy, dbName, session), "templateVersion")


# -- enums -----------------------------------------------------------------------------------
def listEnums(status=STATUS_ACTIVE, latestOnly=True, dbName=DEFAULT_DB_NAME, session=None):
    """[{enumName, enumVersion, status, description, createdBy, createdAtEpochMs, createdAt}]."""
    rows = _data("listEnums", recipes.listEnums(status, latestOnly, dbName, session), [])
    keys = ("enumName", "enumVersion", "status", "description", "createdBy", "createdAtEpochMs")
    return [_dated(dict((k, r[k]) for k in keys)) for r in rows]


def getEnum(enumName, enumVersion=None, dbName=DEFAULT_DB_NAME, activeOnly=True, session=None):
    """{enumName, enumVersion, values, status, description, createdBy,
    createdAtEpochMs, createdAt} or None."""
    found = _data("getEnum", recipes.getEnum(enumName, enumVersion, dbName, activeOnly, session),
                  None)
    return _dated(found) if found else None


def createEnumVersion(enumName, enumValues, description=None, createdBy=None, activate=True,
                      dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "enumVersion": n} or {"ok": False, "error": ...}."""
    return _outcome("createEnumVersion", recipes.createEnumVersion(
        enumName, enumValues, description, createdBy, bool(activate), dbName, session),
        "enumVersion")


def setEnumStatus(enumName, enumVersion, status, actor=None, dbName=DEFAULT_DB_NAME,
                  session=None):
    """{"ok": True, "rows", "actor", "status"} or {"ok": False, "error": ...}."""
    return _outcome("setEnumStatus", recipes.setEnumStatus(
        enumName, enumVersion, status, actor, dbName, session), "rows", "actor", "status")


def deleteEnumVersion(enumName, enumVersion, actor=None, dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "rows", "actor"} or {"ok": False, "error": ...}."""
    return _outcome("deleteEnumVersion", recipes.deleteEnumVersion(
        enumName, enumVersion, actor, dbName, session), "rows", "actor")


def deleteEnum(enumName, actor=None, dbName=DEFAULT_DB_NAME, session=None):
    """{"ok": True, "rows", "actor"} or {"ok": False, "error": ...}."""
    return _outcome("deleteEnum", recipes.deleteEnum(enumName, actor, dbName, session),
                    "rows", "actor")


# -- run helpers -----------------------------------------------------------------------------
def computeOverridesData(baseData, currentData):
    """{key: value} of ``currentData`` that differ from ``baseData``; {} when refused."""
    return _data("computeOverridesData", recipes.computeOverridesData(baseData, currentData), {})


def resolveInputs(workflowName, templateName=None, overridesData=None, templateVersion=None,
                  actor=None, dbName=DEFAULT_DB_NAME, session=None):
    """{"ok", "inputs": {resolved, paramSource} or None, "errors": [...], "warnings": [...]}."""
    answer = recipes.resolveInputs(workflowName, templateName, overridesData, templateVersion,
                                   actor or "admin", dbName, session)
    if not answer.get("ok"):
        _refused("resolveInputs", answer)
        return {"ok": False, "inputs": None, "errors": [_error(answer)], "warnings": []}
    data = answer["data"]
    return {"ok": True, "inputs": data["inputs"], "errors": [], "warnings": data["warnings"]}


def startWithTemplate(workflowName, templateName, overridesData=None, templateVersion=None,
                      actor="admin", queueName="default", partitionKey=None, priority=0,
                      deduplicationId=None, applicationVersion=None, timeoutSeconds=None,
                      dbName=DEFAULT_DB_NAME, session=None):
    """resolveInputs, then start: {"ok", "message", "workflowId" (None when
    not started), "inputs", "code"}; resolveInputs' answer when it fails."""
    answer = recipes.startWithTemplate(workflowName, templateName, overridesData, templateVersion,
                                       actor, queueName, partitionKey, priority, deduplicationId,
                                       applicationVersion, timeoutSeconds, dbName, session)
    data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    if not answer.get("ok") and "inputs" not in data:
        _refused("startWithTemplate", answer)
        return {"ok": False, "inputs": None, "errors": [_error(answer)], "warnings": [],
                "code": answer.get("code"), "message": answer.get("message")}
    if not answer.get("ok"):
        _refused("startWithTemplate", answer)
    return {"ok": bool(answer.get("ok")), "message": answer.get("message"),
            "workflowId": data.get("workflowId") if answer.get("ok") else None,
            "inputs": data.get("inputs"), "code": answer.get("code")}
