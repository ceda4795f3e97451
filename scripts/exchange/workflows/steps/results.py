"""Result styles of the built-in steps: ours, or the one 0.3.6 workflows expect.

``native`` (the default): a failure raises a typed error (docs/steps.md,
"Error types at a glance"); results use our keys (``rowsAffected``,
``{"columns", "rows"}``, ``sleptMs``).

``upstream``: the shapes of ignition-workflows 0.3.6, whose workflows
check ``result["ok"]`` instead of catching: a failure the step can describe
(quality not Good, a wait or confirmation that timed out, a status outside
2xx, an SQL error in ``db.update``) is *returned* as
``{"ok": False, ..., "error": {"type", "message"}}``, with the same type
and message the native style would raise. Keys are upstream's
(``rows_affected``, ``write_quality``, ``slept_ms``...), ``db.query``
returns a list of row dicts, and every dict result carries ``ok``.

A call chooses its style with ``resultStyle="upstream"``; otherwise the
style of the workflow being run applies: the style its module set with
``setModuleStyle(__name__, "upstream")``, else the workflow's registration
profile: "upstream" for workflows registered through upstream's decorator
path (``exchange.workflows.engine.runtime.workflow``), "native" for
``bootstrap.workflow``. Outside a
workflow (Script Console, tag events) only the per-call choice applies.

The style is decided when the step runs and its result is recorded already
shaped (a returned failure is recorded as the step's *output*), so a replay
after a crash returns the same shape whatever the settings are by then.
"""
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments, toRecord
from exchange.workflows.engine import registry
from exchange.workflows.engine.registry import NATIVE, PROFILES, UPSTREAM
from exchange.workflows.engine.context import current

__all__ = ["NATIVE", "UPSTREAM", "STYLES", "setModuleStyle", "moduleStyle", "checkStyle",
           "styleOf", "deliver"]

# The same names as the registration profiles (NATIVE, UPSTREAM, imported
# above): a workflow's profile is its default style.
STYLES = PROFILES

# Module name -> style. Re-filled when a project save re-executes the
# user's modules, whose top-level setModuleStyle() call runs again.
_moduleStyles = {}


def setModuleStyle(moduleName, style):
    """Sets the result style of the workflows defined in a module.

    Call it at the top of the module: ``results.setModuleStyle(__name__, "upstream")``.
    Every built-in step that those workflows' runs call (also inside your
    own steps, wherever they are defined) then uses that style unless the
    call passes ``resultStyle``.

    Args:
        moduleName: the module's ``__name__``.
        style: "native" or "upstream"; None removes the setting.

    Raises:
        InvalidArguments: moduleName empty or style unknown.
    """
    if not isinstance(moduleName, TEXT) or not moduleName:
        raise InvalidArguments("setModuleStyle needs the module's __name__")
    if style is None:
        _moduleStyles.pop(moduleName, None)
        return
    _moduleStyles[moduleName] = checkStyle(style)


def moduleStyle(moduleName):
    """Returns the style set for ``moduleName``, or None."""
    return _moduleStyles.get(moduleName)


def checkStyle(style):
    """Returns ``style`` if it is a known style name; raises InvalidArguments."""
    if style not in STYLES:
        raise InvalidArguments("resultStyle must be %s, got %r" % (" or ".join(
            repr(s) for s in STYLES), style))
    return style


def styleOf(resultStyle=None):
    """Returns the style a step call uses (see the module docstring)."""
    if resultStyle is not None:
        return checkStyle(resultStyle)
    ctx = current()
    if ctx is None:
        return NATIVE
    wdef = registry.get(ctx.workflowName)
    if wdef is None:
        return NATIVE
    chosen = _moduleStyles.get(wdef.module)
    if chosen is not None:
        return chosen
    # "upstream" for workflows registered through upstream's decorator path (engine/runtime.py).
    return wdef.profile


def deliver(style, failure, native, upstream=None):
    """Ends a step in ``style``.

    Args:
        style: NATIVE or UPSTREAM.
        failure: the StepFailure describing what went wrong, or None.
        native: the native result (unused when ``failure`` is given).
        upstream: the upstream-style fields; None: the same as ``native``.

    Returns:
        dict: native: ``native``; upstream: the fields with ``ok`` and, on
        failure, ``error`` ({"type", "message"}, as a raised error records).

    Raises:
        StepFailure: ``failure``, in the native style.
    """
    if style != UPSTREAM:
        if failure is not None:
            raise failure
        return native
    out = dict(native if upstream is None else upstream)
    out["ok"] = failure is None
    if failure is not None:
        out["error"] = toRecord(failure, withTrace=False)
    return out
