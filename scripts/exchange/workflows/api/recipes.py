"""Recipes: parameter templates and enums, ``exchange.workflows.api.recipes``.
Same envelope as the service API; ``api.params`` offers the same functions
with ignition-workflows 0.3.6's names and return shapes.

A template is a Perspective Form's props saved for one workflow; its widgets
are the workflow's parameters and its data their defaults; an enum is a
versioned list of options that templates' dropdowns (radios, checkboxes,
toggles) refer to as ``@enum:Name`` (engine/recipes.py). Versions are added,
never edited; a start without a version uses the newest active one.

Authorization (api/access.py): reading and resolving need the policy's
"read" right; saving, setting a status and deleting need "recipes" (by
default the roles Engineer and Administrator) and are audited; ``startWithTemplate`` starts through ``service.start`` ("start",
per workflow, audited there). Pass ``session=self.session`` from Perspective.
"""
from exchange.workflows.api import access, service
from exchange.workflows.api.envelope import guarded
from exchange.workflows.core import validate
from exchange.workflows.core.codec import TEXT, encode
from exchange.workflows.engine import recipes
from exchange.workflows.engine.recipes import RecipeError

__all__ = ["listTemplates", "getTemplate", "createTemplateVersion", "setTemplateStatus",
           "setTemplateActive", "deleteTemplateVersion", "deleteTemplate",
           "getTemplateDropdownOptions", "copyTemplateToWorkflow", "expandTemplateForUi",
           "listEnums", "getEnum", "createEnumVersion", "setEnumStatus", "deleteEnumVersion",
           "deleteEnum", "computeOverridesData", "resolveInputs", "startWithTemplate",
           "DEFAULT_DB"]

DEFAULT_DB = validate.DEFAULT_DB
_db = validate.dbNameOrDefault
_checkDb = validate.dbNameText


def _guarded(run, dbName, function, args, kwargs):
    """guarded() where a refused recipe call answers ok False with
    data {"error": <0.3.6's error text>} for api.params."""
    def answer():
        try:
            return run()
        except RecipeError as e:
            return e.code, str(e), {"error": e.error}, False
    return guarded(answer, dbName, function, args, kwargs)


def _reader(session, dbName):
    _checkDb(dbName)
    who = access.caller(session)
    access.require(who, "read", dbName)
    return who


def _editor(session, dbName, target):
    _checkDb(dbName)
    who = access.caller(session)
    access.require(who, "recipes", dbName, target=target)
    return who


def _by(who, label):
    """Who a version or status change records: a session's user; a gateway
    script may name someone (0.3.6's createdBy/actor)."""
    if who.source == access.GATEWAY_SOURCE and isinstance(label, TEXT) and label.strip():
        return label.strip()[:200]
    return access.actor(who)


def _templateTarget(workflowName, templateName, version=None):
    text = "template %s/%s" % (workflowName, templateName)
    return (text + (" v%s" % version if version is not None else ""))[:200]


# -- templates -------------------------------------------------------------------------------
def listTemplates(workflowName=None, status="active", latestOnly=True, dbName=DEFAULT_DB,
                  session=None, *args, **kwargs):
    """Returns TEMPLATES_LISTED with [{workflowName, templateName,
    templateVersion, status, description, createdBy, createdAtEpochMs,
    updatedBy, updatedAtEpochMs}] by template name, newest version first;
    ``latestOnly``: the newest version (of ``status``) of each name;
    ``status`` None: every status."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = recipes.listTemplates(dbName, workflowName, status, latestOnly)
        return "TEMPLATES_LISTED", "%d template versions." % len(rows), rows
    return _guarded(run, dbName, "listTemplates", args, kwargs)


def getTemplate(workflowName=None, templateName=None, templateVersion=None, dbName=DEFAULT_DB,
                activeOnly=True, session=None, *args, **kwargs):
    """Returns TEMPLATE_FOUND with listTemplates' keys and ``schema``
    {formProps, meta: {paramKeys, widgetTypes, defaultData, enumRefs}};
    without a version the newest (active when ``activeOnly``);
    TEMPLATE_NOT_FOUND (ok False)."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        found = recipes.getTemplate(dbName, workflowName, templateName, templateVersion,
                                    activeOnly is not False)
        if found is None:
            raise RecipeError("No such template version.", "TEMPLATE_NOT_FOUND",
                              "template_not_found")
        return "TEMPLATE_FOUND", "Template %s v%d." % (templateName, found["templateVersion"]), found
    return _guarded(run, dbName, "getTemplate", args, kwargs)


def createTemplateVersion(workflowName=None, templateName=None, formProps=None, description=None,
                          createdBy=None, activate=True, dbName=DEFAULT_DB, session=None,
                          *args, **kwargs):
    """Saves Perspective Form props (a dict or JSON text) as the next
    version of a workflow's template, after checking it against the
    workflow's parameters and the enums it names. Policy "recipes"; audited.

    Returns:
        TEMPLATE_VERSION_CREATED with the new version (getTemplate's data);
        WORKFLOW_NOT_REGISTERED; TEMPLATE_INVALID (data.error
        ``param_not_in_workflow:<id>``, ``required_param_missing:<name>``,
        ``enum_not_found:<Name>``); INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        who = _editor(session, dbName, _templateTarget(workflowName, templateName))
        made = recipes.createTemplateVersion(dbName, workflowName, templateName, formProps,
                                             description, _by(who, createdBy), activate)
        access.audit(who, "recipes", dbName, "TEMPLATE_VERSION_CREATED", target=_templateTarget(
            made["workflowName"], made["templateName"], made["templateVersion"]),
            detail={"status": made["status"]})
        return "TEMPLATE_VERSION_CREATED", "Saved %s v%d." % (
            made["templateName"], made["templateVersion"]), made
    return _guarded(run, dbName, "createTemplateVersion", args, kwargs)


def _setTemplate(function, workflowName, templateName, templateVersion, status, actor, dbName,
                 session, args, kwargs):
    dbName = _db(dbName)

    def run():
        target = _templateTarget(workflowName, templateName, templateVersion)
        who = _editor(session, dbName, target)
        by = _by(who, actor)
        data = recipes.setTemplateStatus(dbName, workflowName, templateName, templateVersion,
                                         status, by)
        data["actor"] = by
        access.audit(who, "recipes", dbName, "TEMPLATE_STATUS_SET", target=target,
                     detail={"status": data["status"], "rows": data["rows"]})
        return "TEMPLATE_STATUS_SET", ("Version set %s." % data["status"] if data["rows"]
                                       else "No such version: nothing changed."), data
    return _guarded(run, dbName, function, args, kwargs)


def setTemplateStatus(workflowName=None, templateName=None, templateVersion=None, status=None,
                      actor=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Sets one version ``active`` or ``obsolete`` (``inactive`` is
    obsolete). Policy "recipes"; audited.

    Returns:
        TEMPLATE_STATUS_SET with data {rows (0: no such version), status,
        actor}; INVALID_ARGUMENTS (data.error ``invalid_status`` for another
        status); NOT_AUTHORIZED; DATABASE_*.
    """
    return _setTemplate("setTemplateStatus", workflowName, templateName, templateVersion, status,
                        actor, dbName, session, args, kwargs)


def setTemplateActive(workflowName=None, templateName=None, templateVersion=None, isActive=None,
                      actor=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """setTemplateStatus with ``isActive`` True (active) or False (obsolete)."""
    if isinstance(isActive, bool):
        status = recipes.ACTIVE if isActive else recipes.OBSOLETE
    else:
        status = isActive  # refused as a status: isActive must be True or False
    return _setTemplate("setTemplateActive", workflowName, templateName, templateVersion, status,
                        actor, dbName, session, args, kwargs)


def _deleteTemplate(function, workflowName, templateName, templateVersion, every, actor, dbName,
                    session, args, kwargs):
    dbName = _db(dbName)

    def run():
        target = _templateTarget(workflowName, templateName, None if every else templateVersion)
        who = _editor(session, dbName, target)
        rows = recipes.deleteTemplate(dbName, workflowName, templateName, templateVersion, every)
        access.audit(who, "recipes", dbName, "TEMPLATE_DELETED", target=target, detail={"rows": rows})
        return "TEMPLATE_DELETED", "%d versions deleted." % rows, {"rows": rows,
                                                                   "actor": _by(who, actor)}
    return _guarded(run, dbName, function, args, kwargs)


def deleteTemplateVersion(workflowName=None, templateName=None, templateVersion=None, actor=None,
                          dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Deletes one version for good (runs keep their paramSource). Policy
    "recipes"; audited. Returns TEMPLATE_DELETED with data {rows, actor}."""
    return _deleteTemplate("deleteTemplateVersion", workflowName, templateName, templateVersion,
                           False, actor, dbName, session, args, kwargs)


def deleteTemplate(workflowName=None, templateName=None, actor=None, dbName=DEFAULT_DB,
                   session=None, *args, **kwargs):
    """Deletes every version of a template. Policy "recipes"; audited.
    Returns TEMPLATE_DELETED with data {rows, actor}."""
    return _deleteTemplate("deleteTemplate", workflowName, templateName, None, True, actor,
                           dbName, session, args, kwargs)


def getTemplateDropdownOptions(workflowName=None, status="active", latestOnly=True,
                               dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns TEMPLATE_OPTIONS_OK with data {options: [{label: "<name> v<n>",
    value: JSON text of the listTemplates row}], count}, for a dropdown."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = recipes.listTemplates(dbName, workflowName, status, latestOnly)
        options = [{"label": "%s v%d" % (r["templateName"], r["templateVersion"]),
                    "value": encode(r)} for r in rows]
        return "TEMPLATE_OPTIONS_OK", "%d templates." % len(options), {
            "options": options, "count": len(options)}
    return _guarded(run, dbName, "getTemplateDropdownOptions", args, kwargs)


def copyTemplateToWorkflow(sourceWorkflowName=None, templateName=None, targetWorkflowName=None,
                           newTemplateName=None, templateVersion=None, createdBy=None,
                           dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Saves a version of one workflow's template (the newest of any status,
    or ``templateVersion``) as the next version of ``newTemplateName``
    (default: the same name) under ``targetWorkflowName``, checked against
    that workflow. Policy "recipes"; audited.

    Returns:
        TEMPLATE_VERSION_CREATED (createTemplateVersion's data);
        TEMPLATE_NOT_FOUND; and createTemplateVersion's other codes.
    """
    dbName = _db(dbName)

    def run():
        newName = newTemplateName or templateName
        who = _editor(session, dbName, _templateTarget(targetWorkflowName, newName))
        source = recipes.getTemplate(dbName, sourceWorkflowName, templateName, templateVersion,
                                     False)
        if source is None:
            raise RecipeError("No such template to copy.", "TEMPLATE_NOT_FOUND",
                              "template_not_found")
        made = recipes.createTemplateVersion(
            dbName, targetWorkflowName, newName, source["schema"].get("formProps") or {},
            "Copied from %s.%s v%d" % (sourceWorkflowName, templateName,
                                       source["templateVersion"]),
            _by(who, createdBy), True)
        access.audit(who, "recipes", dbName, "TEMPLATE_VERSION_CREATED", target=_templateTarget(
            made["workflowName"], made["templateName"], made["templateVersion"]),
            detail={"copiedFrom": _templateTarget(sourceWorkflowName, templateName,
                                                  source["templateVersion"])})
        return "TEMPLATE_VERSION_CREATED", "Copied as %s v%d." % (
            made["templateName"], made["templateVersion"]), made
    return _guarded(run, dbName, "copyTemplateToWorkflow", args, kwargs)


def expandTemplateForUi(templateObj=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns TEMPLATE_EXPANDED with a copy of a template (getTemplate's
    data) whose enum-backed widgets list the enum's options (dropdown
    {label, value, isDisabled}; radio and toggle {text, value}; checkbox
    {text, value, triState}) and schema.meta.enumVersions; TEMPLATE_NOT_FOUND
    (ok False) for None."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        if not templateObj:
            raise RecipeError("templateObj is empty (getTemplate found nothing?).",
                              "TEMPLATE_NOT_FOUND", "template_not_found")
        return "TEMPLATE_EXPANDED", "Enum options filled in.", recipes.expand(dbName, templateObj)
    return _guarded(run, dbName, "expandTemplateForUi", args, kwargs)


# -- enums -----------------------------------------------------------------------------------
def listEnums(status="active", latestOnly=True, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns ENUMS_LISTED with [{enumName, enumVersion, status, description,
    createdBy, createdAtEpochMs, updatedBy, updatedAtEpochMs}]; ``status``
    None: every status."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = recipes.listEnums(dbName, status, latestOnly)
        return "ENUMS_LISTED", "%d enum versions." % len(rows), rows
    return _guarded(run, dbName, "listEnums", args, kwargs)


def getEnum(enumName=None, enumVersion=None, dbName=DEFAULT_DB, activeOnly=True, session=None,
            *args, **kwargs):
    """Returns ENUM_FOUND with listEnums' keys and ``values`` [{label, value,
    isDisabled}]; without a version the newest (active when ``activeOnly``);
    ENUM_NOT_FOUND (ok False)."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        found = recipes.getEnum(dbName, enumName, enumVersion, activeOnly is not False)
        if found is None:
            raise RecipeError("No such enum version.", "ENUM_NOT_FOUND", "enum_not_found")
        return "ENUM_FOUND", "Enum %s v%d." % (enumName, found["enumVersion"]), found
    return _guarded(run, dbName, "getEnum", args, kwargs)


def createEnumVersion(enumName=None, enumValues=None, description=None, createdBy=None,
                      activate=True, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Saves the next version of an enum: ``enumValues`` is a list of
    {label, value, isDisabled}. Policy "recipes"; audited.

    Returns:
        ENUM_VERSION_CREATED with the new version (getEnum's data);
        INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        who = _editor(session, dbName, "enum %s" % (enumName,))
        made = recipes.createEnumVersion(dbName, enumName, enumValues, description,
                                         _by(who, createdBy), activate)
        access.audit(who, "recipes", dbName, "ENUM_VERSION_CREATED",
                     target=("enum %s v%d" % (made["enumName"], made["enumVersion"]))[:200],
                     detail={"status": made["status"], "values": len(made["values"])})
        return "ENUM_VERSION_CREATED", "Saved %s v%d." % (made["enumName"], made["enumVersion"]), made
    return _guarded(run, dbName, "createEnumVersion", args, kwargs)


def setEnumStatus(enumName=None, enumVersion=None, status=None, actor=None, dbName=DEFAULT_DB,
                  session=None, *args, **kwargs):
    """Sets one enum version ``active`` or ``obsolete``. Policy "recipes";
    audited. Returns ENUM_STATUS_SET with data {rows, status, actor}."""
    dbName = _db(dbName)

    def run():
        target = ("enum %s v%s" % (enumName, enumVersion))[:200]
        who = _editor(session, dbName, target)
        by = _by(who, actor)
        data = recipes.setEnumStatus(dbName, enumName, enumVersion, status, by)
        data["actor"] = by
        access.audit(who, "recipes", dbName, "ENUM_STATUS_SET", target=target,
                     detail={"status": data["status"], "rows": data["rows"]})
        return "ENUM_STATUS_SET", ("Version set %s." % data["status"] if data["rows"]
                                   else "No such version: nothing changed."), data
    return _guarded(run, dbName, "setEnumStatus", args, kwargs)


def _deleteEnum(function, enumName, enumVersion, every, actor, dbName, session, args, kwargs):
    dbName = _db(dbName)

    def run():
        target = ("enum %s%s" % (enumName, "" if every else " v%s" % enumVersion))[:200]
        who = _editor(session, dbName, target)
        rows = recipes.deleteEnum(dbName, enumName, enumVersion, every)
        access.audit(who, "recipes", dbName, "ENUM_DELETED", target=target, detail={"rows": rows})
        return "ENUM_DELETED", "%d versions deleted." % rows, {"rows": rows,
                                                               "actor": _by(who, actor)}
    return _guarded(run, dbName, function, args, kwargs)


def deleteEnumVersion(enumName=None, enumVersion=None, actor=None, dbName=DEFAULT_DB,
                      session=None, *args, **kwargs):
    """Deletes one enum version for good. Policy "recipes"; audited. Returns
    ENUM_DELETED with data {rows, actor}."""
    return _deleteEnum("deleteEnumVersion", enumName, enumVersion, False, actor, dbName, session,
                       args, kwargs)


def deleteEnum(enumName=None, actor=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Deletes every version of an enum. Policy "recipes"; audited. Returns
    ENUM_DELETED with data {rows, actor}."""
    return _deleteEnum("deleteEnum", enumName, None, True, actor, dbName, session, args, kwargs)


# -- starting with a template ----------------------------------------------------------------
def computeOverridesData(baseData=None, currentData=None, session=None, *args, **kwargs):
    """Returns OVERRIDES_COMPUTED with {key: value} of ``currentData`` (a
    Form's data) that differ from ``baseData`` (the template's defaultData)."""
    def run():
        found = recipes.overrides(recipes.mapping(baseData, "baseData"),
                                  recipes.mapping(currentData, "currentData"))
        return "OVERRIDES_COMPUTED", "%d values differ." % len(found), found
    return _guarded(run, None, "computeOverridesData", args, kwargs)


def resolveInputs(workflowName=None, templateName=None, overridesData=None, templateVersion=None,
                  actor=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """The inputs a start with a template gets: the template's defaults
    (the newest active version, or ``templateVersion``, obsolete ones
    included) with ``overridesData`` applied; without a template,
    ``overridesData`` itself.

    Returns:
        INPUTS_RESOLVED with data {inputs: {resolved, paramSource: {template:
        {name, version}, overrides: [keys], actor}}, warnings:
        ["value_not_in_enum:<key>"]}; TEMPLATE_NOT_FOUND; OVERRIDE_NOT_IN_TEMPLATE
        (data.error ``override_key_not_in_template:<key>``); INVALID_ARGUMENTS;
        NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        who = _reader(session, dbName)
        data = recipes.resolve(dbName, workflowName, templateName, overridesData, templateVersion,
                               _by(who, actor))
        return "INPUTS_RESOLVED", "%d inputs." % len(data["inputs"]["resolved"]), data
    return _guarded(run, dbName, "resolveInputs", args, kwargs)


def startWithTemplate(workflowName=None, templateName=None, overridesData=None,
                      templateVersion=None, actor=None, queueName="default", partitionKey=None,
                      priority=0, deduplicationId=None, applicationVersion=None,
                      timeoutSeconds=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """resolveInputs, then service.start with the resolved inputs; the run
    records its paramSource (getWorkflow shows it). Needs "read" and the
    workflow's "start" right; the start is audited.

    Returns:
        service.start's code (WORKFLOW_ENQUEUED, ...) with its data and
        {inputs, warnings}; resolveInputs' failure codes.
    """
    dbName = _db(dbName)

    def run():
        who = _reader(session, dbName)
        resolved = recipes.resolve(dbName, workflowName, templateName, overridesData,
                                   templateVersion, _by(who, actor))
        started = service.start(workflowName, resolved["inputs"], queueName, partitionKey,
                                priority, deduplicationId, applicationVersion, timeoutSeconds,
                                dbName=dbName, session=session)
        data = dict(started["data"] or {})
        data.update(resolved)
        return started["code"], started["message"], data, started["ok"]
    return _guarded(run, dbName, "startWithTemplate", args, kwargs)
