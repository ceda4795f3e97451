"""ignition-workflows 0.3.6's ``exchange.workflows.settings``, kept at the
same path so its users' imports work (docs/migrating-from-0.3.md).

Read-only: the values describe this engine's defaults, and assigning one
changes nothing (0.3.6 read them at import time too). Change behaviour with
the arguments of the API calls or ``admin.configureRuntime(...)``.

Differences from 0.3.6: ``FAST_FLUSH_MAX_ITEMS`` is this engine's dispatch
default (1000, not 200); ``WORKFLOW_TERMINAL_STATUSES`` also holds STOPPED
and DEAD_LETTER, which 0.3.6 did not have; ``getLogPrefix()`` is
``exchange.workflows``, the prefix of every logger of this engine, whatever
the project's name (0.3.6: ``exchange.<project>.workflows``).
FAST_FLUSH_FAILURE_MAX_RETRIES and FAST_DEAD_LETTER_MAX_SIZE have no
equivalent: in-memory requests that cannot be written are parked in the
database, not kept in memory (admin.listParked).
"""
from exchange.workflows.api.service import DEFAULT_QUEUE
from exchange.workflows.core import states
from exchange.workflows.core.validate import DEFAULT_DB
from exchange.workflows.engine import kernel

__all__ = ["DBNAME_DEFAULT", "QUEUE_DEFAULT", "KERNEL_KEY", "MAX_CLAIM_DEFAULT",
           "FAST_FLUSH_MAX_ITEMS", "FAST_FLUSH_MAX_MS", "FAST_QUEUE_MAX_SIZE",
           "FAST_FLUSH_FAILURE_MAX_RETRIES", "FAST_DEAD_LETTER_MAX_SIZE", "STATUS_ENQUEUED",
           "STATUS_PENDING", "STATUS_RUNNING", "STATUS_CANCELLED", "STATUS_SUCCESS",
           "STATUS_ERROR", "WORKFLOW_TERMINAL_STATUSES", "STEP_STATUS_STARTED", "getLogPrefix",
           "getLoggerName", "resolveDbName", "resolveQueueName"]

DBNAME_DEFAULT = DEFAULT_DB
QUEUE_DEFAULT = DEFAULT_QUEUE
KERNEL_KEY = kernel.KEY
MAX_CLAIM_DEFAULT = 10
FAST_FLUSH_MAX_ITEMS = 1000
FAST_FLUSH_MAX_MS = 25
FAST_QUEUE_MAX_SIZE = kernel.DEFAULTS["inMemoryCapacity"]
FAST_FLUSH_FAILURE_MAX_RETRIES = 3
FAST_DEAD_LETTER_MAX_SIZE = 1000

STATUS_ENQUEUED = states.ENQUEUED
STATUS_PENDING = states.PENDING
STATUS_RUNNING = states.RUNNING
STATUS_CANCELLED = states.CANCELLED
STATUS_SUCCESS = states.SUCCESS
STATUS_ERROR = states.ERROR
WORKFLOW_TERMINAL_STATUSES = states.FINISHED
# 0.3.6 marked a step row STARTED while it ran; this engine records a step
# only when it has finished, so nothing carries this status here.
STEP_STATUS_STARTED = "STARTED"

_LOG_PREFIX = "exchange.workflows"


def getLogPrefix():
    """The prefix of this engine's logger names: ``exchange.workflows``."""
    return _LOG_PREFIX


def getLoggerName(component):
    """``exchange.workflows.<component>`` (dots at its ends dropped); the
    prefix alone for an empty component."""
    name = str(component or "").strip(".")
    return "%s.%s" % (_LOG_PREFIX, name) if name else _LOG_PREFIX


def resolveDbName(dbName=None):
    """``dbName``, or DBNAME_DEFAULT when it is empty or None."""
    return dbName or DBNAME_DEFAULT


def resolveQueueName(queueName=None):
    """``queueName``, or QUEUE_DEFAULT when it is empty or None."""
    return queueName or QUEUE_DEFAULT
