"""The console's Start page: checks what an operator typed before
``service.start`` is called (the gateway validates again)."""
import json

from exchange.workflows.console.format import field, number, text

__all__ = ["parseInputs", "startRequest"]


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
    try:
        priority = number(get("priority"), int) or 0
    except ValueError:
        return {"ok": False, "message": "Priority must be a whole number.", "args": None}
    try:
        timeout = number(get("timeoutSeconds"), float)
    except ValueError:
        return {"ok": False, "message": "Timeout must be a number of seconds.", "args": None}
    if timeout is not None and timeout <= 0:
        timeout = None
    return {"ok": True, "message": "", "args": {
        "workflowName": name, "inputs": parsed["inputs"],
        "queueName": text(get("queueName")) or "default",
        "partitionKey": text(get("partitionKey")), "priority": priority,
        "timeoutSeconds": timeout}}
