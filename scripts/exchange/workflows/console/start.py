"""The console's Start page: checks what an operator typed before
``service.start`` is called (the gateway validates again), and the recipe
start: a template chosen for the workflow shows its parameters as a
Perspective Form (enum parameters as dropdowns, filled in by
``api.recipes.expandTemplateForUi``), started with
``api.recipes.startWithTemplate``. Pure functions over what the views
pass in: the views make the API calls."""
import json

from exchange.workflows.console.format import (envelopeText, field, jsonObject, number, options,
                                              text, unwrap)
from exchange.workflows.core.validate import INTS

__all__ = ["NO_TEMPLATE", "parseInputs", "startRequest", "templateOptions", "templateChoice",
           "recipeForm", "recipeStartRequest"]

# The template dropdown's value for a start without a template.
NO_TEMPLATE = ""
_EMPTY_FORM = {"items": []}


def parseInputs(raw):
    """Validates the start form's JSON inputs before submit.

    Returns:
        {"ok": True, "message": "", "inputs": dict} for a JSON object (empty
        text means {}); {"ok": False, "message": why, "inputs": None} otherwise.
    """
    raw = text(raw)
    if raw is None:
        return {"ok": True, "message": "", "inputs": {}}
    try:
        value = json.loads(raw)
    except ValueError as e:
        return {"ok": False, "message": "Inputs are not valid JSON: %s" % e, "inputs": None}
    if not isinstance(value, dict):
        return {"ok": False, "message": "Inputs must be a JSON object such as {\"batch\": \"B1\"}, "
                "not %s." % type(value).__name__, "inputs": None}
    return {"ok": True, "message": "", "inputs": value}


def _options(get):
    """(message, {queueName, partitionKey, priority, timeoutSeconds}) of the
    start form's options; the message is "" when they are valid."""
    try:
        priority = number(get("priority"), int) or 0
    except ValueError:
        return "Priority must be a whole number.", None
    try:
        timeout = number(get("timeoutSeconds"), float)
    except ValueError:
        return "Timeout must be a number of seconds.", None
    if timeout is not None and timeout <= 0:
        timeout = None
    return "", {"queueName": text(get("queueName")) or "default",
                "partitionKey": text(get("partitionKey")), "priority": priority,
                "timeoutSeconds": timeout}


def startRequest(form):
    """Checks the start form and returns ``service.start`` keyword arguments.

    Args:
        form: dict-like with workflowName, inputs (JSON text), queueName,
            partitionKey, priority, timeoutSeconds.
    Returns:
        {"ok", "message", "args"}; ``args`` is None when the form is invalid.
    """
    def get(key):
        return field(form, key)
    name = text(get("workflowName"))
    if name is None:
        return {"ok": False, "message": "Choose a workflow.", "args": None}
    parsed = parseInputs(get("inputs"))
    if not parsed["ok"]:
        return {"ok": False, "message": parsed["message"], "args": None}
    problem, args = _options(get)
    if problem:
        return {"ok": False, "message": problem, "args": None}
    args.update({"workflowName": name, "inputs": parsed["inputs"]})
    return {"ok": True, "message": "", "args": args}


# -- starting with a template ----------------------------------------------------------------
def templateOptions(envelope):
    """The template dropdown's options from ``api.recipes.getTemplateDropdownOptions``:
    first a start without a template (value NO_TEMPLATE), then "<name> v<n>"
    of each template, whose value templateChoice() reads."""
    return [{"label": "No template (inputs as JSON)", "value": NO_TEMPLATE}] + options(envelope)


def templateChoice(value):
    """{templateName, templateVersion} of a template dropdown value, or None
    for NO_TEMPLATE (or a value that names no template)."""
    row = jsonObject(value)
    if row is None or text(row.get("templateName")) is None:
        return None
    version = row.get("templateVersion")
    return {"templateName": row["templateName"],
            "templateVersion": version if isinstance(version, INTS) and version > 0 else None}


def recipeForm(envelope):
    """What the Start view shows for a chosen template.

    Args:
        envelope: ``api.recipes.expandTemplateForUi``'s answer (or
            ``getTemplate``'s when that failed); None when no template is chosen.
    Returns:
        {active, ok, message, templateName, templateVersion, description,
        name, columns, data, baseData}: ``columns`` and ``data`` are the
        Form component's props (enum parameters as dropdowns with the
        enum's options), ``baseData`` the template's values, against which
        the operator's changes are counted. ``active`` False: no template.
    """
    out = {"active": False, "ok": True, "message": "", "templateName": None,
           "templateVersion": None, "description": "", "name": "", "columns": _EMPTY_FORM,
           "data": {}, "baseData": {}}
    if envelope is None:
        return out
    out["active"] = True
    template = envelope.get("data") if envelope.get("ok") else None
    schema = field(template, "schema") if isinstance(template, dict) else None
    props = field(schema, "formProps") if isinstance(schema, dict) else None
    if not isinstance(props, dict):
        out.update({"ok": False, "message": envelopeText(envelope) if not envelope.get("ok")
                    else "The template has no form to show; an engineer can save it again."})
        return out
    meta = field(schema, "meta") or {}
    columns = props.get("columns")
    out.update({"templateName": template.get("templateName"),
                "templateVersion": template.get("templateVersion"),
                "description": template.get("description") or "",
                "name": props.get("name") or "",
                "columns": columns if isinstance(columns, dict) else _EMPTY_FORM,
                "data": dict(props.get("data") or {}),
                "baseData": dict(meta.get("defaultData") or props.get("data") or {}),
                "message": "Template %s v%s: change the values to start with, then Start." % (
                    template.get("templateName"), template.get("templateVersion"))})
    return out


def recipeStartRequest(form):
    """Checks a start with a template; returns ``api.recipes.startWithTemplate``
    arguments.

    Args:
        form: dict-like with workflowName, recipe (recipeForm's answer),
            overrides (``api.recipes.computeOverridesData``'s answer for the
            template's baseData and the Form's data), queueName,
            partitionKey, priority, timeoutSeconds.
    Returns:
        {"ok", "message", "args"}; args {workflowName, templateName,
        templateVersion, overridesData, queueName, partitionKey, priority,
        timeoutSeconds}, None when the form is invalid.
    """
    def get(key):
        return field(form, key)
    name = text(get("workflowName"))
    recipe = get("recipe")
    template = text(field(recipe, "templateName"))
    if name is None:
        return {"ok": False, "message": "Choose a workflow.", "args": None}
    if template is None or not unwrap(field(recipe, "ok")):
        return {"ok": False, "message": "Choose a template that shows its form.", "args": None}
    changed = get("overrides")
    if not unwrap(field(changed, "ok")):
        return {"ok": False, "message": "The form's values cannot be read: %s"
                % envelopeText(changed), "args": None}
    problem, args = _options(get)
    if problem:
        return {"ok": False, "message": problem, "args": None}
    version = unwrap(field(recipe, "templateVersion"))
    args.update({"workflowName": name, "templateName": template,
                 "templateVersion": int(version) if version is not None else None,
                 "overridesData": dict(field(changed, "data") or {})})
    return {"ok": True, "message": "", "args": args}
