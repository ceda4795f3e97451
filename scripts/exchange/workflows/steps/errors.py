"""The failures of the built-in steps.

Inside a workflow, a step that fails for good reaches the workflow as a
``StepError`` whose ``errorType`` is the *class name* below (that name is
also what operators see in ``getWorkflow()['data']['error']['type']`` and in
``getSteps()``). Outside a workflow the step raises these classes directly.
So the names are part of the public contract: do not rename them.

Messages never carry request headers, query-string values, URL passwords or
SQL arguments: they end up in checkpoints and logs.
"""

__all__ = ["StepFailure", "TagReadError", "TagWriteError", "WriteNotConfirmed", "WaitTimeout",
           "HttpStatusError", "HttpTransportError", "SqlError"]


class StepFailure(Exception):
    """Base of every failure raised by the built-in step library."""


class TagReadError(StepFailure):
    """A tag read came back with a quality that is not Good (or the read raised)."""


class TagWriteError(StepFailure):
    """A tag write was refused: its quality is not Good (or the write raised)."""


class WriteNotConfirmed(StepFailure):
    """``tags.write_confirm``: the confirm tag did not show the written value in time."""


class WaitTimeout(StepFailure):
    """``wait.until_tag_equals``: the tag did not reach the expected value in time."""


class HttpStatusError(StepFailure):
    """The server answered, with a status outside 2xx.

    Attributes:
        status: the HTTP status code (int).
    """

    def __init__(self, message, status):
        StepFailure.__init__(self, message)
        self.status = status


class HttpTransportError(StepFailure):
    """No HTTP response at all: connection refused, DNS, TLS, or timeout."""


class SqlError(StepFailure):
    """The database rejected a ``db.query`` / ``db.update`` (or could not be reached)."""
