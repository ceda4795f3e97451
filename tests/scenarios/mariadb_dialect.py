"""What the MariaDB dialect does differently, checked on a real server
(issue 14): session settings given back after each engine transaction, a
lock wait that gives up after the dialect's 2 s, the generated-column unique
indexes that stand for PostgreSQL's partial ones, ON CONFLICT DO NOTHING
stood in for (multi-row too), the migration lock released."""
from __future__ import print_function

import system

import exchange.workflows.api.admin as admin
import flows
from exchange.workflows.core import clock
from exchange.workflows.engine import database
from exchange.workflows.store import claims, db, runs
from wfkit import DB, check, finish, ok, sql, started, update, wait_status

flows.ensure_tables()
store = database.prepare(DB)
check(store.dialect.name == "mariadb", "the connection is detected as MariaDB", store.dialect.name)
schema = ok(admin.checkSchema(), "SCHEMA_OK")
check(schema["version"] == schema["latest"] and schema["schemaName"] == "workflows",
      "tables at the latest version, named workflows_*", schema)
check(sql("SELECT IS_USED_LOCK(CONCAT('wf_migrate_', MD5(DATABASE())))")[0][0] is None,
      "the migration lock was released")
defaults = [int(v) for v in sql("SELECT @@GLOBAL.innodb_lock_wait_timeout, "
                                "@@GLOBAL.idle_transaction_timeout")[0]]

# The engine's transactions set the lock wait and idle timeouts for their
# session and give the server's defaults back before the connection returns.
wid = started("t.noop", {"x": 1})
wait_status(wid, "SUCCESS", 30)
with store.transaction() as tx:
    inside = [int(v) for v in db.query(DB, "SELECT @@SESSION.innodb_lock_wait_timeout, "
                                           "@@SESSION.idle_transaction_timeout", (), tx)[0]]
check(inside == [2, 10], "an engine transaction waits 2 s for a lock, 10 s idle", inside)
for _ in range(4):
    after = [int(v) for v in sql("SELECT @@SESSION.innodb_lock_wait_timeout, "
                                 "@@SESSION.idle_transaction_timeout")[0]]
    check(after == defaults, "the pooled connection has the server's defaults again", after,
          defaults)


def row(workflowId, status="ENQUEUED", queue="mq", partition=None, dedup=None):
    now = clock.nowMs()
    return (workflowId, "t.never", status, queue, partition, 0, dedup, None, "{}", None, "test",
            now, now)


# ON CONFLICT DO NOTHING: a repeated id or an active deduplication id is
# skipped and not counted, also inside a multi-row insert.
check(runs.insert(store, [row("m-1", dedup="d1"), row("m-2")]) == 2, "two new rows inserted")
check(runs.insert(store, [row("m-1"), row("m-3"), row("m-4", dedup="d1")]) == 1,
      "a multi-row insert counts only its new rows")
check(sorted(r[0] for r in sql("SELECT workflow_id FROM workflows_workflow_status "
                               "WHERE queue_name = 'mq'")) == ["m-1", "m-2", "m-3"],
      "the refused rows were skipped, the others kept")
runs.endUnclaimed(store, "m-1", "CANCELLED", None, clock.nowMs())
check(runs.insert(store, [row("m-5", dedup="d1")]) == 1,
      "a deduplication id is free again once its run ended")

# One owned run per partition key: a generated column holds the key only
# while the run is owned, under a unique index.
check(runs.insert(store, [row("p-1", partition="pk"), row("p-2", partition="pk")]) == 2,
      "queued runs may share a partition key")
with store.transaction() as tx:
    db.update(DB, "UPDATE workflows_workflow_status SET status = 'RUNNING' "
                  "WHERE workflow_id = 'p-1'", (), tx)
refused = None
try:
    with store.transaction() as tx:
        db.update(DB, "UPDATE workflows_workflow_status SET status = 'RUNNING' "
                      "WHERE workflow_id = 'p-2'", (), tx)
except db.UniqueViolation as e:
    refused = e
check(refused is not None, "a second owned run of the partition is refused by the database")

# A claimer that cannot get the queue's row lock (held here by a frozen
# transaction) gives up when the wait times out (MariaDB's "Lock wait
# timeout exceeded", after the 2 s checked above) and tries again later.
# (The timer's dispatch may have made the queue's row already, claiming for
# "other queues with waiting rows".)
update("INSERT INTO workflows_queues (queue_name) VALUES ('mq') "
       "ON DUPLICATE KEY UPDATE queue_name = queue_name")
holder = system.db.beginTransaction(DB, system.db.READ_COMMITTED, 60000)
try:
    system.db.runPrepQuery("SELECT queue_name FROM workflows_queues WHERE queue_name = 'mq' "
                           "FOR UPDATE", [], DB, holder)
    blocked = claims.claim(store, "mq", "other-gateway/x", ["t.never"], None, 5, clock.nowMs())
finally:
    system.db.rollbackTransaction(holder)
    system.db.closeTransaction(holder)
check(list(blocked.runs) == [] and blocked.more, "a claim behind a held lock comes back empty, "
      "to be tried again", blocked)
claimed = claims.claim(store, "mq", "other-gateway/x", ["t.never"], None, 5, clock.nowMs())
check(sorted(r.workflowId for r in claimed.runs) == ["m-2", "m-3", "m-5"],
      "then the claim takes the queued runs (p-2's partition is busy)",
      [r.workflowId for r in claimed.runs])
check(all(r.claimEpoch == 1 for r in claimed.runs), "with their new epoch (UPDATE ... RETURNING)")
for r in claimed.runs:
    runs.cancel(store, r.workflowId, None, clock.nowMs())
runs.cancel(store, "p-1", None, clock.nowMs())
runs.cancel(store, "p-2", None, clock.nowMs())

# Claimers of two queues do not wait for each other's rows. The claim's
# UPDATE ... RETURNING stand-in finds the chosen rows by primary key: read
# along the status index (which MariaDB picks when few rows wait), "status =
# 'ENQUEUED' AND workflow_id IN (...)" locked the waiting rows of every
# queue, so a claim stalled behind another queue's claimer, or deadlocked
# with it (the bench smoke run's claims that came back empty).
check(runs.insert(store, [row("qa-%02d" % i, queue="qa") for i in range(30)]
                  + [row("qb-%02d" % i, queue="qb") for i in range(10)]) == 40,
      "30 runs wait in queue qa, 10 in qb")
holder = system.db.beginTransaction(DB, system.db.READ_COMMITTED, 60000)
try:
    # Another gateway's claim of qb holds its rows.
    system.db.runPrepQuery("SELECT workflow_id FROM workflows_workflow_status WHERE queue_name = "
                           "'qb' AND status = 'ENQUEUED' FOR UPDATE", [], DB, holder)
    t0 = clock.nowMs()
    beside = claims.claim(store, "qa", "other-gateway/x", ["t.never"], None, 10, clock.nowMs())
    waited = clock.nowMs() - t0
finally:
    system.db.rollbackTransaction(holder)
    system.db.closeTransaction(holder)
check(len(beside.runs) == 10, "a claim of qa takes its 10 rows while qb's are locked (a claim "
      "that waited for them would give up after 2 s and come back empty)",
      [r.workflowId for r in beside.runs], "waited %d ms" % waited)
for wid in ["qa-%02d" % i for i in range(30)] + ["qb-%02d" % i for i in range(10)]:
    runs.cancel(store, wid, None, clock.nowMs())
finish()
