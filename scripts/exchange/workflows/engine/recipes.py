"""Recipes: parameter templates and enums (issue 13), the rules behind
api/recipes.py (envelope) and api/params.py (ignition-workflows 0.3.6's names).

A template is a Perspective Form component's props, saved under a workflow
and a template name. Its widgets (``columns.items[].rows.items[].widgets[]``)
are the workflow's parameters: a widget's ``id`` is the parameter's name and
``data[id]`` its default value. A dropdown, radio, checkbox or toggle whose
first option's label (or text) is ``@enum:Name`` or ``@enum:Name:3`` takes
its options from that enum when the template is shown (expandTemplateForUi).

Versions are append-only: saving adds version n+1 (two engineers saving at
once get two versions, never an error); a version is ``active`` or
``obsolete``. A start that names no version uses the newest *active* one.

Checked when a template is saved, so that a bad one never reaches an
operator: the workflow is registered on this gateway, every parameter is
one its function takes (unless it takes ``**kwargs``), every parameter it
requires has a widget, and every enum it names exists.

Errors raise RecipeError (a WorkflowsError with a code for the envelope and
the 0.3.6-style ``error`` text api/params.py returns).
"""
import copy
import json

from exchange.workflows.core import clock, codec
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments, NotSerializable, WorkflowsError
from exchange.workflows.core.validate import isInteger
from exchange.workflows.core.validate import text as _text
from exchange.workflows.engine import database, registry
from exchange.workflows.store import params

ACTIVE, OBSOLETE = "active", "obsolete"
# 0.3.6 accepted "inactive" for obsolete; anything else is refused here
# (0.3.6 silently made it obsolete).
_STATUS_NAMES = {"active": ACTIVE, "obsolete": OBSOLETE, "inactive": OBSOLETE}
ENUM_PREFIX = "@enum:"
# Widget types whose options can come from an enum, and how each spells an option.
ENUM_WIDGETS = ("dropdown", "radio", "checkbox", "toggle")
MAX_DOCUMENT_CHARS = 1000000
MAX_DEPTH = 100
MAX_DESCRIPTION = 2000
# A new version retries when a concurrent save took its number.
INSERT_ATTEMPTS = 10


class RecipeError(WorkflowsError):
    """A refused recipe call: ``code`` for the envelope, ``error`` as 0.3.6
    spelled it (``template_not_found``, ``enum_not_found:Mode``, ...)."""
    code = "INVALID_ARGUMENTS"

    def __init__(self, message, code, error):
        WorkflowsError.__init__(self, message, code)
        self.error = error


# -- pure: documents, Form props, enums ------------------------------------------------------
def document(value, what):
    """Returns ``value`` (JSON text, a dict, Perspective props) as plain
    JSON data. Raises InvalidArguments when it has no JSON form."""
    if isinstance(value, TEXT):
        try:
            return json.loads(value)
        except ValueError:
            raise InvalidArguments("%s is not valid JSON text." % what)
    if not isinstance(value, (dict, list, tuple)):
        try:
            # Perspective's property wrappers (self.props.data) are not plain
            # mappings, and codec would take one for a list of its keys;
            # Ignition's own encoder knows them.
            return json.loads(system.util.jsonEncode(value))  # noqa: F821 - Ignition
        except ANY_ERROR:
            pass  # not on a gateway, or nothing Ignition can encode: try ours
    try:
        return codec.toPlain(value)
    except NotSerializable:
        raise InvalidArguments("%s must be JSON data (a dict or JSON text)." % what)


def mapping(value, what):
    """document() that must be a dict (None is an empty one)."""
    if value is None:
        return {}
    found = document(value, what)
    if not isinstance(found, dict):
        raise InvalidArguments("%s must be an object (a dict), not %s." % (what, type(found).__name__))
    return found


def statusNamed(value):
    """The stored status for ``value`` (active, obsolete; inactive means obsolete)."""
    name = value.strip().lower() if isinstance(value, TEXT) else None
    if name not in _STATUS_NAMES:
        raise RecipeError("status must be 'active' or 'obsolete' ('inactive' is obsolete), not %r."
                          % (value,), "INVALID_ARGUMENTS", "invalid_status")
    return _STATUS_NAMES[name]


def widgets(formProps):
    """The widget dicts of Form props, in layout order."""
    out = []
    columns = formProps.get("columns") if isinstance(formProps, dict) else None
    for column in _items(columns):
        for row in _items(column.get("rows")):
            for widget in row.get("widgets") or ():
                if isinstance(widget, dict):
                    out.append(widget)
    return out


def _items(container):
    items = container.get("items") if isinstance(container, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _widgetId(widget):
    value = widget.get("id")
    return value.strip() if isinstance(value, TEXT) else ""


def _widgetType(widget):
    value = widget.get("type")
    return value.strip() if isinstance(value, TEXT) else ""


def sanitize(formProps, name):
    """A copy of Form props fit to store: the runtime-only ``validation``
    state dropped, ``name`` set (``workflow.template``), ``columns`` and
    ``data`` present, and a ``data`` key (None) for every widget."""
    props = copy.deepcopy(formProps)
    props.pop("validation", None)
    props["name"] = name
    if not isinstance(props.get("columns"), dict):
        props["columns"] = {"items": [], "style": {"classes": ""}}
    if not isinstance(props.get("data"), dict):
        props["data"] = {}
    for widget in widgets(props):
        key = _widgetId(widget)
        if key and key not in props["data"]:
            props["data"][key] = None
    return props


def enumRef(widget):
    """{enumName, enumVersion} when the widget's options come from an enum, else None."""
    kind = _widgetType(widget)
    if kind not in ENUM_WIDGETS:
        return None
    options = (widget.get(kind) or {}).get("options") if isinstance(widget.get(kind), dict) else None
    if not isinstance(options, list) or not options or not isinstance(options[0], dict):
        return None
    label = options[0].get("label")
    if label is None:
        label = options[0].get("text")
    label = label.strip() if isinstance(label, TEXT) else ""
    if not label.startswith(ENUM_PREFIX):
        return None
    parts = label[len(ENUM_PREFIX):].split(":")
    name = parts[0].strip()
    version = None
    if len(parts) > 1 and parts[1].strip().isdigit():
        version = int(parts[1].strip())
    return {"enumName": name, "enumVersion": version} if name else None


def meta(formProps):
    """What a start needs without parsing the layout again: paramKeys (widget
    ids in layout order), widgetTypes, defaultData (the Form's data) and
    enumRefs (widget id -> {enumName, enumVersion})."""
    keys, types, refs = [], {}, {}
    for widget in widgets(formProps):
        key = _widgetId(widget)
        if not key:
            continue
        if key not in types:
            keys.append(key)
            types[key] = _widgetType(widget)
        ref = enumRef(widget)
        if ref:
            refs[key] = ref
    return {"paramKeys": keys, "widgetTypes": types,
            "defaultData": copy.deepcopy(formProps.get("data") or {}), "enumRefs": refs}


def widgetOptions(values, widgetType):
    """An enum's values ({label, value, isDisabled}) as ``widgetType`` spells options."""
    out = []
    for v in values or ():
        if not isinstance(v, dict):
            continue
        label, value = v.get("label", ""), v.get("value", "")
        if widgetType in ("radio", "toggle"):
            out.append({"text": label, "value": value})
        elif widgetType == "checkbox":
            out.append({"text": label, "value": value, "triState": False})
        else:
            out.append({"label": label, "value": value, "isDisabled": bool(v.get("isDisabled", False))})
    return out


def enumValues(values):
    """Validates an enum's values: a list of {label, value, isDisabled}
    (label defaults to the value's text); returns them normalized."""
    values = document(values, "enumValues")
    if not isinstance(values, list) or not values:
        raise InvalidArguments("enumValues must be a non-empty list of {label, value, isDisabled}.")
    out, seen = [], set()
    for v in values:
        if not isinstance(v, dict) or "value" not in v:
            raise InvalidArguments("every enum value must be an object with a 'value' "
                                   "(and a 'label').")
        key = json.dumps(v["value"], sort_keys=True)
        if key in seen:
            raise InvalidArguments("enumValues lists the value %s twice." % key[:100])
        seen.add(key)
        label = v.get("label")
        out.append({"label": label if label is not None else str(v["value"]),
                    "value": v["value"], "isDisabled": bool(v.get("isDisabled", False))})
    return out


def overrides(baseData, currentData):
    """The keys of ``currentData`` whose value differs from ``baseData``'s, with their values."""
    base = baseData or {}
    current = currentData or {}
    return dict((k, current[k]) for k in current if current[k] != base.get(k))


def signatureProblem(wfdef, keys):
    """Why a template with parameters ``keys`` cannot start ``wfdef``
    (RecipeError), or None."""
    if wfdef.argNames is not None:
        unknown = [k for k in keys if k not in wfdef.argNames]
        if unknown:
            return RecipeError(
                "Workflow %s takes no parameter %s (it takes: %s): rename the widget id or remove "
                "the widget." % (wfdef.name, ", ".join(unknown),
                                 ", ".join(sorted(wfdef.argNames)) or "nothing"),
                "TEMPLATE_INVALID", "param_not_in_workflow:%s" % unknown[0])
    missing = [a for a in wfdef.requiredArgs if a not in keys]
    if missing:
        return RecipeError("Workflow %s requires %s, which the template has no widget for."
                           % (wfdef.name, ", ".join(missing)), "TEMPLATE_INVALID",
                           "required_param_missing:%s" % missing[0])
    return None


def paramSource(templateName, version, overrideKeys, actor):
    """What a run records about the template it started from (0.3.6's shape)."""
    return {"template": {"name": templateName, "version": int(version)},
            "overrides": sorted(overrideKeys), "actor": actor}


# -- checks of arguments ---------------------------------------------------------------------
def name(what, value):
    if value is None or (isinstance(value, TEXT) and not value.strip()):
        raise RecipeError("%s is required." % what, "INVALID_ARGUMENTS", "%s_required" % what)
    return _text(what, value, 200, True)


def version(what, value, required=False):
    """A version number (an integer, or digits as text from a view), or None."""
    if value is None and not required:
        return None
    if isinstance(value, TEXT) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value == int(value):
        value = int(value)
    if not isInteger(value) or not 1 <= value <= 2147483647:
        raise InvalidArguments("%s must be a version number (1, 2, ...)%s." % (
            what, "" if required else " or None"))
    return int(value)


def _encoded(value, what):
    try:
        return codec.encodeLimited(value, MAX_DOCUMENT_CHARS, MAX_DEPTH, what)
    except NotSerializable as e:
        raise InvalidArguments("%s cannot be stored: %s" % (what, e))


# -- templates -------------------------------------------------------------------------------
def _template(row, withSchema):
    out = {"workflowName": row["workflowName"], "templateName": row["templateName"],
           "templateVersion": row["templateVersion"], "status": row["status"],
           "description": row["description"], "createdBy": row["createdBy"],
           "createdAtEpochMs": row["createdMs"], "updatedBy": row["updatedBy"],
           "updatedAtEpochMs": row["updatedMs"]}
    if withSchema:
        out["schema"] = codec.decode(row["schemaDoc"])
    return out


def listTemplates(dbName, workflowName, status, latestOnly):
    """Template versions of a workflow, by name, newest first; ``status``
    None lists every status."""
    wanted = statusNamed(status) if status is not None else None
    rows = params.listTemplates(database.prepare(dbName), name("workflowName", workflowName),
                                wanted, bool(latestOnly))
    return [_template(r, False) for r in rows]


def getTemplate(dbName, workflowName, templateName, templateVersion=None, activeOnly=True):
    """One version with its schema {formProps, meta}, or None. Without a
    version: the newest (active when ``activeOnly``)."""
    wanted = version("templateVersion", templateVersion)
    row = params.getTemplate(database.prepare(dbName), name("workflowName", workflowName),
                             name("templateName", templateName), wanted,
                             ACTIVE if wanted is None and activeOnly else None)
    return _template(row, True) if row else None


def createTemplateVersion(dbName, workflowName, templateName, formProps, description, createdBy,
                          activate):
    """Saves Form props as the next version; returns it (getTemplate's shape).

    Raises:
        RecipeError: WORKFLOW_NOT_REGISTERED; TEMPLATE_INVALID (a parameter
            the workflow does not take, a required one missing, an unknown
            enum); INVALID_ARGUMENTS.
    """
    workflowName = name("workflowName", workflowName)
    templateName = name("templateName", templateName)
    props = mapping(formProps, "formProps")
    _text("description", description, MAX_DESCRIPTION)
    if activate is not None and not isinstance(activate, bool):
        raise InvalidArguments("activate must be True or False.")
    wfdef = registry.get(workflowName)
    if wfdef is None:
        raise RecipeError("Workflow %r is not registered on this gateway: a template is checked "
                          "against its parameters when saved." % workflowName,
                          "WORKFLOW_NOT_REGISTERED", "workflow_not_registered")
    props = sanitize(props, "%s.%s" % (workflowName, templateName))
    found = meta(props)
    problem = signatureProblem(wfdef, found["paramKeys"])
    if problem:
        raise problem
    store = database.prepare(dbName)
    for ref in found["enumRefs"].values():
        if _enumRow(store, ref["enumName"], ref["enumVersion"], True) is None:
            raise RecipeError("The template uses enum %s%s, which does not exist%s." % (
                ref["enumName"], "" if ref["enumVersion"] is None else " v%d" % ref["enumVersion"],
                "" if ref["enumVersion"] is not None else " as an active version"),
                "TEMPLATE_INVALID", "enum_not_found:%s" % ref["enumName"])
    doc = _encoded({"formProps": props, "meta": found}, "formProps")
    status = OBSOLETE if activate is False else ACTIVE
    for _ in range(INSERT_ATTEMPTS):
        number = params.insertTemplate(store, workflowName, templateName, doc, status, description,
                                       createdBy, clock.nowMs())
        if number is not None:
            return getTemplate(dbName, workflowName, templateName, number, False)
    raise WorkflowsError("Could not add a version of %s/%s: other saves kept taking the number; "
                         "try again." % (workflowName, templateName))


def setTemplateStatus(dbName, workflowName, templateName, templateVersion, status, actor):
    """Returns {rows, status} (rows 0: no such version)."""
    wanted = statusNamed(status)
    rows = params.setTemplateStatus(database.prepare(dbName), name("workflowName", workflowName),
                                    name("templateName", templateName),
                                    version("templateVersion", templateVersion, True), wanted,
                                    actor, clock.nowMs())
    return {"rows": rows, "status": wanted}


def deleteTemplate(dbName, workflowName, templateName, templateVersion=None, every=False):
    """Deletes one version, or all of them with ``every``; returns how many."""
    wanted = None if every else version("templateVersion", templateVersion, True)
    return params.deleteTemplates(database.prepare(dbName), name("workflowName", workflowName),
                                  name("templateName", templateName), wanted)


# -- enums -----------------------------------------------------------------------------------
def _enum(row, withValues):
    out = {"enumName": row["enumName"], "enumVersion": row["enumVersion"], "status": row["status"],
           "description": row["description"], "createdBy": row["createdBy"],
           "createdAtEpochMs": row["createdMs"], "updatedBy": row["updatedBy"],
           "updatedAtEpochMs": row["updatedMs"]}
    if withValues:
        out["values"] = codec.decode(row["valuesDoc"]) or []
    return out


def _enumRow(store, enumName, enumVersion, activeOnly):
    return params.getEnum(store, enumName, enumVersion,
                          ACTIVE if enumVersion is None and activeOnly else None)


def listEnums(dbName, status, latestOnly):
    wanted = statusNamed(status) if status is not None else None
    return [_enum(r, False) for r in params.listEnums(database.prepare(dbName), wanted,
                                                      bool(latestOnly))]


def getEnum(dbName, enumName, enumVersion=None, activeOnly=True):
    """One version with its values, or None. Without a version: the newest
    (active when ``activeOnly``)."""
    row = _enumRow(database.prepare(dbName), name("enumName", enumName),
                   version("enumVersion", enumVersion), activeOnly)
    return _enum(row, True) if row else None


def createEnumVersion(dbName, enumName, values, description, createdBy, activate):
    """Saves the next version of an enum; returns it (getEnum's shape)."""
    enumName = name("enumName", enumName)
    doc = _encoded(enumValues(values), "enumValues")
    _text("description", description, MAX_DESCRIPTION)
    if activate is not None and not isinstance(activate, bool):
        raise InvalidArguments("activate must be True or False.")
    store = database.prepare(dbName)
    status = OBSOLETE if activate is False else ACTIVE
    for _ in range(INSERT_ATTEMPTS):
        number = params.insertEnum(store, enumName, doc, status, description, createdBy,
                                   clock.nowMs())
        if number is not None:
            return getEnum(dbName, enumName, number, False)
    raise WorkflowsError("Could not add a version of enum %s: other saves kept taking the "
                         "number; try again." % enumName)


def setEnumStatus(dbName, enumName, enumVersion, status, actor):
    wanted = statusNamed(status)
    rows = params.setEnumStatus(database.prepare(dbName), name("enumName", enumName),
                                version("enumVersion", enumVersion, True), wanted, actor,
                                clock.nowMs())
    return {"rows": rows, "status": wanted}


def deleteEnum(dbName, enumName, enumVersion=None, every=False):
    wanted = None if every else version("enumVersion", enumVersion, True)
    return params.deleteEnums(database.prepare(dbName), name("enumName", enumName), wanted)


# -- using a template ------------------------------------------------------------------------
def expand(dbName, template):
    """A copy of ``template`` (getTemplate's shape) whose enum-backed widgets
    list the enum's options, with meta.enumVersions {enumName: version used}."""
    out = mapping(template, "templateObj")
    schema = out.get("schema") if isinstance(out.get("schema"), dict) else {}
    found = schema.get("meta") if isinstance(schema.get("meta"), dict) else {}
    refs = found.get("enumRefs") or {}
    if not refs:
        return out
    store = database.prepare(dbName)
    cache, used = {}, {}
    for widget in widgets(schema.get("formProps") or {}):
        ref = refs.get(_widgetId(widget))
        if not isinstance(ref, dict) or not ref.get("enumName"):
            continue
        key = (ref["enumName"], ref.get("enumVersion"))
        if key not in cache:
            row = _enumRow(store, key[0], key[1], True)
            cache[key] = _enum(row, True) if row else None
            used[key[0]] = cache[key]["enumVersion"] if cache[key] else None
        kind = _widgetType(widget)
        if isinstance(widget.get(kind), dict):
            widget[kind]["options"] = widgetOptions(cache[key]["values"] if cache[key] else [], kind)
    found["enumVersions"] = used
    return out


def resolve(dbName, workflowName, templateName, overridesData, templateVersion, actor):
    """The inputs a start with a template gets: the template's defaults with
    ``overridesData`` applied.

    Returns:
        {"inputs": {"resolved", "paramSource"}, "warnings": [...]}; a value
        of an enum-backed parameter that is not among the enum's values is a
        warning ``value_not_in_enum:<key>`` (0.3.6 never checked them).
    Raises:
        RecipeError: TEMPLATE_NOT_FOUND; OVERRIDE_NOT_IN_TEMPLATE.
    """
    workflowName = name("workflowName", workflowName)
    given = mapping(overridesData, "overridesData")
    if templateName is None or (isinstance(templateName, TEXT) and not templateName.strip()):
        return {"inputs": {"resolved": given, "paramSource": None}, "warnings": []}
    template = getTemplate(dbName, workflowName, name("templateName", templateName),
                           templateVersion, True)
    if template is None:
        raise RecipeError("No %s template %s/%s%s." % (
            "active" if templateVersion is None else "", workflowName, templateName,
            "" if templateVersion is None else " v%s" % templateVersion),
            "TEMPLATE_NOT_FOUND", "template_not_found")
    found = template["schema"].get("meta") or {}
    keys = found.get("paramKeys") or []
    for key in sorted(given):
        if key not in keys:
            raise RecipeError("%s is not a parameter of template %s v%d (it has: %s)." % (
                key, templateName, template["templateVersion"], ", ".join(keys) or "none"),
                "OVERRIDE_NOT_IN_TEMPLATE", "override_key_not_in_template:%s" % key)
    resolved = copy.deepcopy(found.get("defaultData") or {})
    resolved.update(given)
    for key in keys:
        resolved.setdefault(key, None)
    return {"inputs": {"resolved": resolved,
                       "paramSource": paramSource(templateName, template["templateVersion"],
                                                  given.keys(), actor)},
            "warnings": _enumWarnings(dbName, found.get("enumRefs") or {}, resolved)}


def _enumWarnings(dbName, refs, resolved):
    warnings = []
    store = database.prepare(dbName) if refs else None
    for key in sorted(refs):
        value = resolved.get(key)
        if value is None:
            continue
        row = _enumRow(store, refs[key].get("enumName"), refs[key].get("enumVersion"), True)
        allowed = [v.get("value") for v in (codec.decode(row["valuesDoc"]) if row else [])
                   if isinstance(v, dict)]
        chosen = value if isinstance(value, list) else [value]
        if any(v not in allowed for v in chosen):
            warnings.append("value_not_in_enum:%s" % key)
    return warnings
