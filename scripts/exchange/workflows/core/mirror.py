"""The 0.3.6 answer shape: ``data``'s keys copied to the top level of an
envelope, where a key is not already taken (``resp["workflowId"]`` as well as
``resp["data"]["workflowId"]``). One copy, for api.envelope and the
util.response facade."""

__all__ = ["mirrorData"]


def mirrorData(envelope):
    """Copies each key of ``envelope["data"]`` (a dict) to the top level of
    ``envelope`` where that key is free; returns ``envelope``."""
    data = envelope.get("data")
    if isinstance(data, dict):
        for key in data:
            if key not in envelope:
                envelope[key] = data[key]
    return envelope
