"""The console's Recipes page: an engineer's editors for parameter
templates (a workflow's Perspective Form props, as JSON) and enums (lists
of {label, value, isDisabled}). Every save adds a version; a version is set
active or obsolete, never edited (docs/service-api.md, "Recipes").

Pure functions over what the views pass in (the views call
``api.recipes``, which checks again and needs the policy's "recipes" right).
"""
import json

from exchange.workflows.console.format import (envelopeText, field, jsonObject, prettyJson, text,
                                              unwrap)
from exchange.workflows.core.validate import INTS

__all__ = ["TEMPLATE", "ENUM", "versionOptions", "versionChoice", "editorModel", "saveRequest",
           "statusRequest"]

TEMPLATE = "template"
ENUM = "enum"
_NAME = {TEMPLATE: "templateName", ENUM: "enumName"}
_VERSION = {TEMPLATE: "templateVersion", ENUM: "enumVersion"}


def versionOptions(envelope, kind):
    """Dropdown options, one per version, from ``api.recipes.listTemplates``
    or ``listEnums`` (status None, latestOnly False): label "<name> v<n>
    (<status>)", value the choice versionChoice() reads; [] on failure."""
    if not envelope or not envelope.get("ok"):
        return []
    out = []
    for row in envelope.get("data") or []:
        name, version = row.get(_NAME[kind]), row.get(_VERSION[kind])
        out.append({"label": "%s v%s (%s)" % (name, version, row.get("status")),
                    "value": json.dumps({"name": name, "version": version})})
    return out


def versionChoice(value):
    """{name, version} of a versionOptions value, or None."""
    found = jsonObject(value)
    if found is None or text(found.get("name")) is None \
            or not isinstance(found.get("version"), INTS):
        return None
    return {"name": found["name"], "version": found["version"]}


def editorModel(envelope, kind):
    """What the editor shows for one loaded version: {ok, message, name,
    version, status, description, text}; ``text`` is the template's Form
    props or the enum's values as indented JSON, to edit and save as the
    next version. From ``api.recipes.getTemplate``/``getEnum``."""
    if not envelope or not envelope.get("ok"):
        return {"ok": False, "message": envelopeText(envelope) if envelope else "", "name": "",
                "version": None, "status": "", "description": "", "text": ""}
    row = envelope.get("data") or {}
    if kind == TEMPLATE:
        document = (row.get("schema") or {}).get("formProps") or {}
    else:
        document = row.get("values") or []
    return {"ok": True, "message": "Loaded %s v%s (%s): edit and save as a new version." % (
                row.get(_NAME[kind]), row.get(_VERSION[kind]), row.get("status")),
            "name": row.get(_NAME[kind]) or "", "version": row.get(_VERSION[kind]),
            "status": row.get("status") or "", "description": row.get("description") or "",
            "text": prettyJson(document)}


def saveRequest(form, kind):
    """Checks the editor before saving; returns {"ok", "message", "args"}.

    Args:
        form: dict-like with name, text (JSON), description, and for a
            template workflowName.
        kind: TEMPLATE or ENUM.
    Returns:
        args for ``api.recipes.createTemplateVersion`` (workflowName,
        templateName, formProps, description) or ``createEnumVersion``
        (enumName, enumValues, description); None when invalid.
    """
    name = text(field(form, "name"))
    if name is None:
        return {"ok": False, "message": "Give the %s a name." % kind, "args": None}
    raw = text(field(form, "text"))
    try:
        document = json.loads(raw) if raw is not None else None
    except ValueError as e:
        return {"ok": False, "message": "The %s is not valid JSON: %s" % (kind, e), "args": None}
    description = text(field(form, "description"))
    if kind == TEMPLATE:
        workflowName = text(field(form, "workflowName"))
        if workflowName is None:
            return {"ok": False, "message": "Choose a workflow.", "args": None}
        if not isinstance(document, dict):
            return {"ok": False, "message": "A template is the Form component's props: a JSON "
                    "object with columns and data.", "args": None}
        return {"ok": True, "message": "", "args": {
            "workflowName": workflowName, "templateName": name, "formProps": document,
            "description": description}}
    if not isinstance(document, list) or not document:
        return {"ok": False, "message": "An enum is a JSON list such as [{\"label\": \"Tank 1\", "
                "\"value\": \"T1\"}].", "args": None}
    return {"ok": True, "message": "", "args": {"enumName": name, "enumValues": document,
                                                "description": description}}


def statusRequest(choice, active):
    """{"ok", "message", "args": {name, version, status}} to set the chosen
    version (versionChoice's value) active or obsolete."""
    found = versionChoice(unwrap(choice))
    if found is None:
        return {"ok": False, "message": "Choose a version first.", "args": None}
    return {"ok": True, "message": "", "args": {
        "name": found["name"], "version": found["version"],
        "status": "active" if active else "obsolete"}}
