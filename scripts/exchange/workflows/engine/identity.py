"""Who this gateway is, as written into the rows it claims."""
from exchange.workflows.engine import kernel
from exchange.workflows.core.errors import ANY_ERROR

_NAME_TAG = "[System]Gateway/SystemName"


def executorId():
    """Returns ``<gateway system name>/<project name>``, cached for the JVM."""
    ref = kernel.get()["identity"]
    value = ref.get()
    if value is None:
        try:
            gateway = system.tag.readBlocking([_NAME_TAG])[0].value
        except ANY_ERROR:
            gateway = None
        try:
            project = system.util.getProjectName()
        except ANY_ERROR:
            project = None
        value = "%s/%s" % (gateway or "gateway", project or "project")
        ref.compareAndSet(None, value)
        value = ref.get()
    return value
