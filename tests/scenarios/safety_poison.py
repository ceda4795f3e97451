"""Poison isolation of the in-memory queue (issue 11, item 2) and its byte
bound (item 8), on the gateway's own timer dispatch:

- bad enqueueInMemory requests are refused at offer time with a specific code;
- rows the database refuses at flush time (offered raw, past the offer-time
  checks) are parked, and the 60 good requests queued behind them all run;
- a request whose connection is gone is parked in memory;
- parked requests are listed, retried once the cause is fixed, discarded;
- a database that refuses every row keeps them queued, and says so;
- the byte bound answers IN_MEMORY_ENQUEUE_REJECTED (reason overflow);
- an id whose INSERT had an unknown outcome never runs twice, even after
  retention deleted its run;
- another database's outage keeps its requests queued while dispatch goes on.

Argument: the planted secret, which must appear in no log line.
"""
from __future__ import print_function

import sys
import time

import exchange.workflows.api.admin as admin
import exchange.workflows.api.parked as parkedApi
import flows
import system
from exchange.workflows.core import clock
from exchange.workflows.engine import burst, database, ids, kernel
from exchange.workflows.store import parked as parkedStore
from exchange.workflows.store import runs
from wfkit import (DB, bad, check, dispatch, finish, ok, sql, started, svc, update, wait_for,
                   wait_status)

SECRET = sys.argv[1]
flows.ensure_tables()
d = database.prepare(DB)
IS_PG = d.dialect.name == "postgresql"
STATUS = flows._table("status")
k = kernel.get()
flushLock = k["flushLock"]


def raw_row(**changes):
    """A row as enqueueInMemory would queue it, then changed past its checks."""
    now = clock.nowMs()
    row = dict(zip(runs.INSERT_COLUMNS, (ids.newWorkflowId(), "t.noop", "ENQUEUED", "default",
                                         None, 0, None, None, '{"x": "%s"}' % SECRET, None,
                                         "poison-test", now, now)))
    row.update(changes)
    return tuple(row[c] for c in runs.INSERT_COLUMNS)


def offer(dbName, row):
    check(burst.offer(dbName, row) >= 1, "raw row accepted by the queue", row[0])
    return row[0]


def effects(wid):
    return int(sql("SELECT COUNT(*) FROM app_effects WHERE workflow_id = ?", [wid])[0][0])


def queued_ids():
    return set(item[1][0] for item in kernel.burstQueue())


def parked_listing():
    return ok(parkedApi.listParked(limit=1000), "PARKED_LISTED")


def parked_by_id():
    data = parked_listing()
    return dict((r["workflowId"], r) for r in data["rows"] + data["inMemory"])


def wait_drained(wids, timeout=60):
    wait_for(lambda: not (set(wids) & queued_ids()), timeout, what="queue to drop %d ids" % len(wids))


def flush_error():
    """A dispatch result whose flush ran and failed (the timer's cycle may
    hold the flush at the moment of one call)."""
    holder = {}

    def look():
        holder["last"] = dispatch()
        return "flushError" in holder["last"]
    wait_for(look, 20, every=0.2, what="a dispatch reporting a flush error")
    return holder.get("last") or {}


def set_trigger(active):
    """A site rule in the database that refuses some rows (a DBA's trigger)."""
    if IS_PG:
        if active:
            update("CREATE OR REPLACE FUNCTION %s_guard() RETURNS trigger AS $$ BEGIN "
                   "IF NEW.created_by = 'refused-by-trigger' THEN RAISE EXCEPTION 'site rule'; "
                   "END IF; RETURN NEW; END $$ LANGUAGE plpgsql" % STATUS)
            update("CREATE TRIGGER poison_guard BEFORE INSERT ON %s FOR EACH ROW EXECUTE "
                   "FUNCTION %s_guard()" % (STATUS, STATUS))
        else:
            update("DROP TRIGGER poison_guard ON %s" % STATUS)
    elif active:
        update("CREATE TRIGGER poison_guard BEFORE INSERT ON %s WHEN NEW.created_by = "
               "'refused-by-trigger' BEGIN SELECT RAISE(ABORT, 'site rule'); END" % STATUS)
    else:
        update("DROP TRIGGER poison_guard")


# -- 1. refused at offer time, with a specific code, queueing nothing ------------------------
depth0 = burst.depth()
deep = {}
for _ in range(150):
    deep = {"d": deep}
bad(svc.enqueueInMemory("t.noop", {"x": 1}, dbName="WorkflowDB"), "UNKNOWN_DATABASE", "dbName typo")
bad(svc.enqueueInMemory("t.noop", {"x": 1}, priority=2 ** 31), "INVALID_ARGUMENTS", "priority")
bad(svc.enqueueInMemory("t.noop", {"x": 1}, user="u" * 201), "INVALID_ARGUMENTS", "long user")
bad(svc.enqueueInMemory("t.noop", {"x": "a" * 1000001}), "INPUTS_TOO_LARGE", "oversize inputs")
bad(svc.enqueueInMemory("t.noop", {"x": deep}), "INPUTS_TOO_LARGE", "too-deep inputs")
check(burst.depth() <= depth0, "refused requests queue nothing", burst.depth(), depth0)

# -- 2. rows refused at flush time are parked; the 60 behind them run -------------------------
set_trigger(True)
dispatch()  # the gateway has a lease from its first cycle on
gateway0 = ok(admin.listGateways(), "GATEWAYS_LISTED")[0]["heartbeatMs"]
parkedBefore = ok(admin.diagnostics())["counters"].get("parkedRequests", 0)
good, kinds = [], {}
flushLock.lock()  # the bad rows and the good ones reach the flush as one batch
try:
    kinds["notNull"] = offer(DB, raw_row(queue_name=None))
    kinds["longUser"] = offer(DB, raw_row(created_by="u" * 300))
    kinds["bigPriority"] = offer(DB, raw_row(priority=2 ** 40))
    kinds["trigger"] = offer(DB, raw_row(created_by="refused-by-trigger"))
    for i in range(30):
        good.append(ok(svc.enqueueInMemory("t.noop", {"x": i}), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"])
    # A connection that existed when the request was queued and is gone now.
    k["knownDatabases"].put("GoneDB", True)
    kinds["gone"] = offer("GoneDB", raw_row())
    for i in range(30, 60):
        good.append(ok(svc.enqueueInMemory("t.noop", {"x": i}), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"])
finally:
    flushLock.unlock()
for wid in good:
    row = wait_status(wid, "SUCCESS", 60)
    check(row is not None and row["status"] == "SUCCESS", "a good request behind the bad ones ran", wid)
wait_drained(kinds.values())
refusedEverywhere = ["notNull", "trigger"] + (["longUser", "bigPriority"] if IS_PG else [])
listed = parked_by_id()
for kind in refusedEverywhere:
    entry = listed.get(kinds[kind])
    check(entry is not None and entry["source"] == "database" and entry["attempts"] == 1,
          "the row refused by the database is parked: " + kind, entry)
if not IS_PG:  # SQLite checks no lengths or ranges: those rows are ordinary runs
    for kind in ("longUser", "bigPriority"):
        check(wait_status(kinds[kind], "SUCCESS", 30)["status"] == "SUCCESS", "SQLite stores " + kind)
gone = listed.get(kinds["gone"])
check(gone is not None and gone["source"] == "memory" and gone["dbName"] == "GoneDB"
      and "no database connection" in gone["reason"], "a request for a gone connection is parked in memory", gone)
check("NOT NULL" in listed[kinds["notNull"]]["reason"] and "queue_name" in listed[kinds["notNull"]]["reason"],
      "the reason names the constraint and the column", listed[kinds["notNull"]]["reason"])
check("trigger" in listed[kinds["trigger"]]["reason"], "a trigger's refusal", listed[kinds["trigger"]]["reason"])
if IS_PG:
    check("longer than its column" in listed[kinds["longUser"]]["reason"], "too long", listed[kinds["longUser"]])
    check("out of its column's range" in listed[kinds["bigPriority"]]["reason"], "range", listed[kinds["bigPriority"]])
for entry in listed.values():
    check(SECRET not in entry["reason"] and "INSERT" not in entry["reason"],
          "a reason carries no SQL and no value", entry["reason"])
check(listed[kinds["notNull"]]["request"]["inputs"] == {"x": SECRET}
      and listed[kinds["notNull"]]["request"]["createdBy"] == "poison-test",
      "the listing shows the request an operator may retry")
counters = ok(admin.diagnostics())["counters"]
check(counters.get("parkedRequests", 0) - parkedBefore == len(refusedEverywhere) + 1,
      "parked requests are counted", counters.get("parkedRequests"), parkedBefore)
last = dispatch()
check("flushError" not in last, "dispatch reports no flush error once the bad rows are parked", last)
check(ok(admin.listGateways(), "GATEWAYS_LISTED")[0]["heartbeatMs"] > gateway0,
      "the gateway kept renewing its lease")

# -- 3. operators retry, discard ----------------------------------------------------------------
bad(parkedApi.retryParked(kinds["notNull"]), "PARKED_REQUEST_INVALID", "a row no table can hold")
ok(parkedApi.discardParked(kinds["notNull"], reason="bad request from line 3"), "PARKED_DISCARDED")
bad(parkedApi.discardParked(kinds["notNull"]), "PARKED_NOT_FOUND", "discarded twice")
check(kinds["notNull"] not in parked_by_id(), "a discarded request is no longer listed")
bad(parkedApi.retryParked(kinds["trigger"]), "PARKED_REQUEST_REFUSED", "cause not fixed yet")
check(parked_by_id()[kinds["trigger"]]["attempts"] == 2, "a refused retry is counted")
set_trigger(False)  # the DBA fixes the cause
data = ok(parkedApi.retryParked(kinds["trigger"]), "PARKED_REQUEST_RETRIED")
check(data and data["status"] == "ENQUEUED" and data["dbName"] == DB, "retried as a queued run", data)
check(wait_status(kinds["trigger"], "SUCCESS", 30)["status"] == "SUCCESS", "the retried request ran")
bad(parkedApi.retryParked(kinds["trigger"]), "PARKED_NOT_FOUND", "retried twice")
bad(parkedApi.retryParked(kinds["gone"]), "UNKNOWN_DATABASE", "its connection is still gone")
ok(parkedApi.discardParked(kinds["gone"]), "PARKED_DISCARDED")
if IS_PG:
    for kind in ("longUser", "bigPriority"):
        bad(parkedApi.retryParked(kinds[kind]), "PARKED_REQUEST_INVALID", kind)
        ok(parkedApi.discardParked(kinds[kind]), "PARKED_DISCARDED")
bad(parkedApi.listParked(limits=5), "INVALID_ARGUMENTS", "unknown keyword")
bad(parkedApi.retryParked(kinds["trigger"], DB, None, "extra"), "INVALID_ARGUMENTS", "extra argument")
bad(parkedApi.discardParked(None), "INVALID_ARGUMENTS", "no id")
check(ok(parkedApi.listParked(dbName=None), "PARKED_LISTED")["total"] == 0, "nothing left parked")

# -- 4. a database refusing every row keeps them queued and says so ---------------------------
set_trigger(True)
flushLock.lock()
try:
    blocked = [offer(DB, raw_row(created_by="refused-by-trigger")) for _ in range(3)]
finally:
    flushLock.unlock()
last = flush_error()
check("stay queued" in last.get("flushError", "") and SECRET not in last.get("flushError", ""),
      "the flush error is reported by dispatch, without values", last)
lone = started("t.noop", {"x": "meanwhile"})
check(wait_status(lone, "SUCCESS", 30)["status"] == "SUCCESS", "claims go on while the flush is stuck")
check(set(blocked) <= queued_ids() and not (set(blocked) & set(parked_by_id())),
      "rows refused for no reason of their own are neither dropped nor parked")
set_trigger(False)
for wid in blocked:
    check(wait_status(wid, "SUCCESS", 30)["status"] == "SUCCESS", "they run once the database accepts them")

# -- 5. the byte bound --------------------------------------------------------------------------
wait_for(lambda: burst.depth() == 0 and burst.heldBytes() == 0, 30, what="an empty queue")
ok(admin.configureRuntime(limits={"inMemoryMaxBytes": 100000}), "RUNTIME_CONFIGURED")
flushLock.lock()
try:
    big = {"x": "b" * 30000}
    accepted = [ok(svc.enqueueInMemory("t.noop", big), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
                for _ in range(3)]
    full = bad(svc.enqueueInMemory("t.noop", big), "IN_MEMORY_ENQUEUE_REJECTED", "over the byte bound")
    check(full["data"]["reason"] == "overflow", "refused as overflow", full["data"])
    ok(svc.enqueueInMemory("t.noop", {"x": "small"}), "IN_MEMORY_ENQUEUE_ACCEPTED")
    check(burst.heldBytes() > 90000, "the queue counts its bytes", burst.heldBytes())
finally:
    flushLock.unlock()
for wid in accepted:
    wait_status(wid, "SUCCESS", 30)
wait_for(lambda: burst.heldBytes() == 0, 30, what="bytes given back by the flush")
ok(svc.enqueueInMemory("t.noop", big), "IN_MEMORY_ENQUEUE_ACCEPTED")
ok(admin.configureRuntime(limits={"inMemoryMaxBytes": 64000000}), "RUNTIME_CONFIGURED")

# -- 6. spent ids: an INSERT whose answer was lost ----------------------------------------------
# The flush's statement committed but the connection failed before it
# answered (DatabaseUnavailable): the rows stay queued, marked in
# flushUnclear with the time the statement was sent. Here the commit is made
# by hand, and the mark backdated, to play the outcomes without an outage.
flushLock.lock()
try:
    spent = [ok(svc.enqueueInMemory("t.steps", {"n": 1}), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
             for _ in range(3)]
    rows = dict((item[1][0], item[1]) for item in kernel.burstQueue() if item[1][0] in spent)
    runs.insert(d, [rows[w] for w in spent])  # committed; the answer "lost"
    long_ago = clock.nowMs() - burst.UNCLEAR_RETRY_MS - 60000
    k["flushUnclear"].put(spent[0], long_ago)       # past the window, run purged below
    k["flushUnclear"].put(spent[1], clock.nowMs())  # within the window
    k["flushUnclear"].put(spent[2], long_ago)       # past the window, run still kept
    for wid in spent:
        check(wait_status(wid, "SUCCESS", 30)["status"] == "SUCCESS", "the committed run ran", wid)
    ok(admin.setRetention(maxAgeDays=0), "RETENTION_SET")
    ok(admin.applyRetention(), "RETENTION_APPLIED")
    check(all(svc.getWorkflow(w)["ok"] for w in spent),
          "retention keeps a run for an hour after it ended, whatever the policy")
    update("UPDATE %s SET finished_ms = finished_ms - 7200000 WHERE workflow_id = ?" % STATUS, [spent[0]])
    ok(admin.applyRetention(), "RETENTION_APPLIED")
    bad(svc.getWorkflow(spent[0]), "WORKFLOW_NOT_FOUND", "retention deleted the old run")
finally:
    flushLock.unlock()
wait_drained(spent)
time.sleep(2.5)  # two more timer cycles: any second run would have been claimed by now
for wid in spent:
    check(effects(wid) == 1, "a spent id never runs twice", wid, effects(wid))
listed = parked_by_id()
check(spent[0] in listed and "outcome" in listed[spent[0]]["reason"],
      "past the window, a row not found is parked for an operator, not inserted", listed.get(spent[0]))
bad(svc.getWorkflow(spent[0]), "WORKFLOW_NOT_FOUND", "the purged run was not inserted again")
check(spent[1] not in listed and spent[2] not in listed, "a row found, or retried in time, is settled")
check(k["flushUnclear"].isEmpty(), "marks are dropped with their rows")
ok(parkedApi.discardParked(spent[0], reason="it ran already"), "PARKED_DISCARDED")
# A parked request whose id has a run is not inserted again.
parkedStore.insert(d, spent[1], burst.requestJson(rows[spent[1]]), "test", "test", clock.nowMs())
data = ok(parkedApi.retryParked(spent[1]), "WORKFLOW_ALREADY_STARTED")
check(data and data["status"] == "SUCCESS" and data["dbName"] == DB and spent[1] not in parked_by_id(),
      "retry of a spent id", data)
check(effects(spent[1]) == 1, "the spent id did not run again")
ok(admin.setRetention(maxAgeDays=None), "RETENTION_SET")

# -- 7. another database's outage: its requests wait, dispatch goes on ------------------------
flushLock.lock()
try:
    before = [ok(svc.enqueueInMemory("t.noop", {"x": i}), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
              for i in range(3)]
    waiting = [ok(svc.enqueueInMemory("t.noop", {"x": i}, dbName="DownDB"),
                  "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"] for i in range(2)]
finally:
    flushLock.unlock()
for wid in before:
    check(wait_status(wid, "SUCCESS", 30)["status"] == "SUCCESS", "requests ahead of the outage ran")
last = flush_error()
check("DownDB" in last.get("flushError", ""), "dispatch reports the other database's outage", last)
check(set(waiting) <= queued_ids(), "the unreachable database's requests stay queued")
lone = started("t.noop", {"x": "during outage"})
check(wait_status(lone, "SUCCESS", 30)["status"] == "SUCCESS", "this database's work goes on")
info = system.db.getConnectionInfo("DownDB")
check(info.getValueAt(0, "Status") == "Faulted", "the gateway shows the connection faulted")
finish(database=d.dialect.name)
