"""The gateway of this JVM, for the test-support API (gwsim.reloadProject() etc.)."""

_state = {"gateway": None}


def set_gateway(gateway):
    _state["gateway"] = gateway


def gateway():
    current = _state["gateway"]
    if current is None:
        raise RuntimeError("gwsim: no gateway is running in this JVM")
    return current
