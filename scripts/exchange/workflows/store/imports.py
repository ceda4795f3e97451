"""Writes history brought over from ignition-workflows 0.3.6 into the
engine's tables (engine/importer.py maps the values).

Every insert is ``ON CONFLICT DO NOTHING`` on the table's key, and a run's
rows are written in one transaction after its status row: a run whose id
is already here inserts nothing, so importing twice changes nothing."""

# The status row of an imported run, with the columns a start never fills.
RUN_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
               "priority", "deduplication_id", "application_version", "inputs", "output",
               "error", "timeout_ms", "cmd_seq", "created_by", "created_ms", "updated_ms",
               "started_ms", "finished_ms", "param_source")


def insertRun(store, values, tx):
    """Inserts one run (``values`` in RUN_COLUMNS order); returns 1, or 0
    when its id exists (or an active run holds its deduplication id)."""
    return store.update("INSERT INTO {status} (" + ", ".join(RUN_COLUMNS) + ") VALUES ("
                        + ", ".join(["?"] * len(RUN_COLUMNS)) + ") ON CONFLICT DO NOTHING",
                        list(values), tx)


def _many(store, table, columns, rows, tx):
    """One multi-row INSERT per 100 rows of ``rows`` (tuples in ``columns`` order)."""
    done = 0
    for start in range(0, len(rows), 100):
        chunk = rows[start:start + 100]
        one = "(" + ", ".join(["?"] * len(columns)) + ")"
        args = []
        for row in chunk:
            args.extend(row)
        done += store.update("INSERT INTO " + table + " (" + ", ".join(columns) + ") VALUES "
                             + ", ".join([one] * len(chunk)) + " ON CONFLICT DO NOTHING", args, tx)
    return done


def insertOperations(store, rows, tx):
    """rows: (workflow_id, function_id, function_name, output, error, attempts,
    started_ms, finished_ms)."""
    return _many(store, "{ops}", ("workflow_id", "function_id", "function_name", "output", "error",
                                  "attempts", "started_ms", "finished_ms"), rows, tx)


def insertEvents(store, rows, tx):
    """rows: (workflow_id, event_key, value, updated_ms)."""
    return _many(store, "{events}", ("workflow_id", "event_key", "value", "updated_ms"), rows, tx)


def insertEventHistory(store, rows, tx):
    """rows: (workflow_id, function_id, sub_offset, event_key, value, created_ms)."""
    return _many(store, "{eventHistory}", ("workflow_id", "function_id", "sub_offset", "event_key",
                                           "value", "created_ms"), rows, tx)


def insertStreams(store, rows, tx):
    """rows: (workflow_id, stream_key, stream_offset, sub_offset, value, created_ms)."""
    return _many(store, "{streams}", ("workflow_id", "stream_key", "stream_offset", "sub_offset",
                                      "value", "created_ms"), rows, tx)


def insertMail(store, rows, tx):
    """rows: (workflow_id, seq, topic, payload, sender, reason, created_ms,
    consumed_ms, consumed_by)."""
    return _many(store, "{mail}", ("workflow_id", "seq", "topic", "payload", "sender", "reason",
                                   "created_ms", "consumed_ms", "consumed_by"), rows, tx)


def insertTemplate(store, values):
    """Inserts one template version as it was numbered (workflow_name,
    template_name, template_version, schema_doc, status, description,
    created_by, created_ms, updated_by, updated_ms); returns 1, or 0 when
    that version exists."""
    return store.update(
        "INSERT INTO {templates} (workflow_name, template_name, template_version, schema_doc, "
        "status, description, created_by, created_ms, updated_by, updated_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", list(values))


def insertEnum(store, values):
    """Inserts one enum version as it was numbered (enum_name, enum_version,
    values_doc, status, description, created_by, created_ms, updated_by,
    updated_ms); returns 1, or 0 when that version exists."""
    return store.update(
        "INSERT INTO {enums} (enum_name, enum_version, values_doc, status, description, "
        "created_by, created_ms, updated_by, updated_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", list(values))
