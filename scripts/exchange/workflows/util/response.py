"""Envelope helpers for site scripts that build answers in the shape of this
project's API, as ignition-workflows 0.3.6's ``util.response`` did:

    from exchange.workflows.util import response
    return response.makeOk("BATCH_OK", "Batch recorded", {"batch": "B-17"}, startedMs=t0)

gives ``{"ok": True, "code": "BATCH_OK", "message": "Batch recorded",
"data": {"batch": "B-17"}, "meta": {"tsMs": ..., "durationMs": ...},
"batch": "B-17"}``: each ``data`` key is also copied to the top level
(unless it would replace ok, code, message, data or meta), so 0.3.6-era
callers that read ``result["batch"]`` keep working.
"""
from exchange.workflows.core import clock
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.mirror import mirrorData

__all__ = ["makeOk", "makeErr", "mirrorData"]  # mirrorData: re-exported from core.mirror


def makeOk(code, message, data=None, meta=None, startedMs=None):
    """A success envelope.

    Args:
        code: stable code for callers to branch on ("OK" when empty).
        message: short text for people ("OK" when empty).
        data: a dict of results; anything else becomes ``{}``.
        meta: extra meta keys, kept as given.
        startedMs: epoch ms the work started: adds ``meta.durationMs``.

    Returns:
        dict: ``{ok: True, code, message, data, meta}`` plus data's keys.
    """
    return _envelope(True, code or "OK", message or "OK", data, meta, startedMs)


def makeErr(code, message, data=None, meta=None, startedMs=None):
    """An error envelope: as ``makeOk`` with ``ok`` False, and "ERROR" /
    "Error" for an empty code / message."""
    return _envelope(False, code or "ERROR", message or "Error", data, meta, startedMs)


def _envelope(ok, code, message, data, meta, startedMs):
    now = clock.nowMs()
    out = dict(meta) if isinstance(meta, dict) else {}
    out["tsMs"] = now
    if startedMs is not None:
        try:
            out["durationMs"] = max(0, int(now - int(startedMs)))
        except (TypeError, ValueError):
            pass  # not a time: no duration rather than a failed answer
    return mirrorData({"ok": ok, "code": _text(code), "message": _text(message),
                       "data": data if isinstance(data, dict) else {}, "meta": out})


def _text(value):
    # unicode stays unicode: str() of a non-ASCII message fails in Jython.
    return value if isinstance(value, TEXT) else str(value)
