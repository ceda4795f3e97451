"""Reads ignition-workflows 0.3.6's tables, for admin.importUpstream
(engine/importer.py). Only SELECTs: nothing here writes to them.

0.3.6 keeps its tables in the schema ``workflows`` (SQLite, in tests: the
prefix ``workflows_``), with its own column names, UUID-typed run ids and
JSON kept as text in ``*_json`` columns. A ``Source`` names the connection
and the schema; table names are built by the dialect's identifier check,
so a schema name given by a caller never reaches SQL unchecked.

Run ids are read as text (``CAST(... AS VARCHAR(64))``) and compared as
UUIDs: on PostgreSQL a text parameter is cast to UUID, so that the lookups
by run id use 0.3.6's own indexes.
"""
from collections import namedtuple

from exchange.workflows.store import db, dialects, layout
from exchange.workflows.store.rows import toDicts

# dbName: the connection; dialect: its Dialect with the tables in ``schema``.
Source = namedtuple("Source", "dbName dialect schema")

# 0.3.6's run row under the names the importer uses.
RUN_COLUMNS = ("workflowId", "workflowName", "status", "queueName", "partitionKey", "priority",
               "deduplicationId", "applicationVersion", "inputsJson", "resultJson", "errorJson",
               "createdMs", "updatedMs", "startedMs", "finishedMs")
_RUN_SELECT = (
    "SELECT CAST(workflow_id AS VARCHAR(64)), workflow_name, status, queue_name, partition_key, "
    "priority, deduplication_id, application_version, inputs_json, result_json, error_json, "
    "created_at_epoch_ms, updated_at_epoch_ms, started_at_epoch_ms, completed_at_epoch_ms "
    "FROM %(workflow_status)s ")

# A run-id parameter compared with a UUID column. SQLite keeps ids as text.
_RUN_ID = {"postgresql": "CAST(? AS UUID)"}

_TABLES = ("workflow_status", "operation_outputs", "notifications", "workflow_events",
           "workflow_events_history", "streams", "param_templates", "param_enums",
           "retention_config")


def source(dbName, dialect, schema):
    """The Source of 0.3.6's tables in ``schema`` of ``dbName``.

    Raises:
        ValueError: ``schema`` is not a plain identifier.
    """
    found = dialects.layout(dialect.name, schema)
    found.table("workflow_status")  # checks the identifier now, not at the first read
    return Source(dbName, found, schema)


def present(src):
    """True when ``src`` holds 0.3.6's run table (a ``workflow_status`` with
    ``inputs_json``, a column the engine's table never had)."""
    return "inputs_json" in layout.columns(src.dbName, src.dialect, src.schema, "workflow_status")


def _sql(src, text):
    names = dict((t, src.dialect.table(t)) for t in _TABLES)
    names["runId"] = _RUN_ID.get(src.dialect.name, "?")
    return text % names


def _query(src, text, args=()):
    return db.query(src.dbName, _sql(src, text), list(args))


def counts(src):
    """{status: number of runs} of 0.3.6's run table."""
    ds = _query(src, "SELECT status, COUNT(*) FROM %(workflow_status)s GROUP BY status")
    return dict((str(r[0]), int(r[1])) for r in ds)


def runsAfter(src, afterMs, afterId, limit):
    """Up to ``limit`` runs after (afterMs, afterId) in (created time, id)
    order, oldest first, as dicts keyed by RUN_COLUMNS; (None, "") starts
    at the first."""
    if afterMs is None:
        ds = _query(src, _RUN_SELECT + "ORDER BY created_at_epoch_ms, 1 LIMIT ?", [limit])
    else:
        ds = _query(src, _RUN_SELECT + "WHERE created_at_epoch_ms > ? OR (created_at_epoch_ms = ? "
                    "AND CAST(workflow_id AS VARCHAR(64)) > ?) ORDER BY created_at_epoch_ms, 1 "
                    "LIMIT ?", [afterMs, afterMs, afterId, limit])
    return toDicts(ds, RUN_COLUMNS)


def steps(src, workflowId):
    """The run's step rows in call order: [{callSeq, stepName, status,
    outputJson, errorJson, startedMs, finishedMs, attempts}]."""
    ds = _query(src, "SELECT call_seq, step_name, status, output_json, error_json, "
                "started_at_epoch_ms, completed_at_epoch_ms, attempts FROM %(operation_outputs)s "
                "WHERE workflow_id = %(runId)s ORDER BY call_seq", [workflowId])
    return toDicts(ds, ("call_seq", "step_name", "status", "output_json", "error_json",
                        "started_ms", "finished_ms", "attempts"))


def notifications(src, workflowId):
    """Messages sent to the run that it never received (0.3.6 deleted the
    received ones), oldest first: [{topic, messageJson, createdMs}]."""
    ds = _query(src, "SELECT topic, message_json, created_at_epoch_ms FROM %(notifications)s "
                "WHERE destination_uuid = %(runId)s ORDER BY created_at_epoch_ms, "
                "notification_id", [workflowId])
    return toDicts(ds, ("topic", "message_json", "created_ms"))


def events(src, workflowId):
    """The run's latest event values: [{key, valueJson, updatedMs}]."""
    ds = _query(src, "SELECT key, value_json, updated_at_epoch_ms FROM %(workflow_events)s "
                "WHERE workflow_id = %(runId)s ORDER BY key", [workflowId])
    return toDicts(ds, ("key", "value_json", "updated_ms"))


def eventHistory(src, workflowId):
    """Every event value the run set, in the order it set them:
    [{key, valueJson, createdMs}]."""
    ds = _query(src, "SELECT key, value_json, created_at_epoch_ms FROM "
                "%(workflow_events_history)s WHERE workflow_id = %(runId)s "
                "ORDER BY created_at_epoch_ms, event_id", [workflowId])
    return toDicts(ds, ("key", "value_json", "created_ms"))


def streams(src, workflowId):
    """The run's stream values: [{key, offset, valueJson, createdMs}] by key and offset."""
    ds = _query(src, "SELECT key, \"offset\", value_json, created_at_epoch_ms FROM %(streams)s "
                "WHERE workflow_id = %(runId)s ORDER BY key, \"offset\"", [workflowId])
    return toDicts(ds, ("key", "offset", "value_json", "created_ms"))


def templates(src):
    """Every parameter template version: [{workflowName, templateName,
    templateVersion, schemaJson, status, description, createdBy, createdMs}]."""
    ds = _query(src, "SELECT workflow_name, template_name, template_version, schema_json, status, "
                "description, created_by, created_at_epoch_ms FROM %(param_templates)s "
                "ORDER BY workflow_name, template_name, template_version")
    return toDicts(ds, ("workflow_name", "template_name", "template_version", "schema_json",
                        "status", "description", "created_by", "created_ms"))


def enums(src):
    """Every enum version: [{enumName, enumVersion, valuesJson, status,
    description, createdBy, createdMs}]."""
    ds = _query(src, "SELECT enum_name, enum_version, values_json, status, description, "
                "created_by, created_at_epoch_ms FROM %(param_enums)s "
                "ORDER BY enum_name, enum_version")
    return toDicts(ds, ("enum_name", "enum_version", "values_json", "status", "description",
                        "created_by", "created_ms"))


def retention(src):
    """0.3.6's retention settings {timeThresholdHours, rowsThreshold,
    globalTimeoutHours}, or None when it has none."""
    ds = _query(src, "SELECT time_threshold_hours, rows_threshold, global_timeout_hours "
                "FROM %(retention_config)s ORDER BY id LIMIT 1")
    rows = toDicts(ds, ("time_threshold_hours", "rows_threshold", "global_timeout_hours"))
    return rows[0] if rows else None
