"""Workflows for the scale-out and chaos scenarios."""
import time

import system

from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.engine import identity
from exchange.workflows.steps.sleep import sleep_chunked

DB = "WorkflowsDB"


def ensure_tables():
    for sql in ("CREATE TABLE IF NOT EXISTS scale_effects (workflow_id VARCHAR(64), tag VARCHAR(40), "
                "executor VARCHAR(200), ts BIGINT)",
                "CREATE TABLE IF NOT EXISTS chaos_effects (workflow_id VARCHAR(64), tag VARCHAR(40), "
                "ts BIGINT, PRIMARY KEY (workflow_id, tag))"):
        try:
            system.db.runPrepUpdate(sql, [], DB)
        except BaseException:
            pass  # another gateway created it at the same moment


@step(name="scale.effect")
def effect(tag):
    """Not idempotent on purpose: a second execution shows up as a second row."""
    system.db.runPrepUpdate(
        "INSERT INTO scale_effects (workflow_id, tag, executor, ts) VALUES (?, ?, ?, ?)",
        [getWorkflows().workflowId, tag, identity.executorId(), int(time.time() * 1000)], DB)
    return tag


@workflow(name="scale.chain")
def chain(k=3, pause_ms=100):
    for i in range(k):
        effect("s%d" % i)
        sleep_chunked(total_ms=pause_ms, chunk_ms=50)
    return {"k": k}


@step(name="chaos.effect", options={"retries_allowed": True, "max_attempts": 30,
                                    "interval_seconds": 0.3, "backoff_rate": 1.5})
def chaos_effect(tag):
    """Idempotent, and retried: the database it writes to restarts under it."""
    wid = getWorkflows().workflowId
    if _effect_recorded(wid, tag):
        return tag
    try:
        system.db.runPrepUpdate("INSERT INTO chaos_effects (workflow_id, tag, ts) VALUES (?, ?, ?)",
                                [wid, tag, int(time.time() * 1000)], DB)
    except:  # noqa: E722 - Java errors too
        # The primary key refused a copy of a row written by an attempt whose
        # answer was lost (portable: no ON CONFLICT, which MariaDB lacks).
        if not _effect_recorded(wid, tag):
            raise
    return tag


def _effect_recorded(wid, tag):
    return len(system.db.runPrepQuery("SELECT 1 FROM chaos_effects WHERE workflow_id = ? AND tag = ?",
                                      [wid, tag], DB)) > 0


@workflow(name="chaos.chain")
def chaos_chain(k=3):
    for i in range(k):
        chaos_effect("s%d" % i)
        sleep_chunked(total_ms=100, chunk_ms=50)
    return {"k": k}
