"""Child workflows and parallel branches (issue 15 items 1 and 2).

argv: (none) the main checks; "crash-start" starts a parent whose three
children run in parallel and prints READY once they all run; "crash-check
PARENT" (the same gateway name, after a SIGKILL) checks that the parent
joined them and that nothing was started twice."""
from __future__ import print_function

import json
import sys
import time

import exchange.workflows.api.admin as admin
import flows
import system
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.core.errors import ChildFailed, ChildTimedOut
from exchange.workflows.steps.sleep import sleep_chunked
from wfkit import check, finish, ok, sql, started, svc, wait_for, wait_status

flows.ensure_tables()
STATUS = flows.STATUS_TABLE()
DB = flows.DB


@step(name="c.mark")
def mark(tag):
    """One row per execution (not idempotent on purpose)."""
    system.db.runPrepUpdate("INSERT INTO app_effects (workflow_id, tag, n, ts) VALUES (?, ?, ?, ?)",
                            [getWorkflows().workflowId, tag, 0, int(time.time() * 1000)], DB)
    return tag


@workflow(name="c.leaf")
def leaf(n=0, fail=False, sleep_ms=0):
    mark("leaf-start")
    if sleep_ms:
        sleep_chunked(total_ms=sleep_ms, chunk_ms=100)
    if fail:
        raise RuntimeError("leaf %d failed on purpose" % n)
    mark("leaf-end")
    return {"n": n}


@workflow(name="c.three")
def three():
    """Three children, the middle one failing; the parent handles it."""
    rt = getWorkflows()
    ids = [rt.startChild("c.leaf", {"n": i, "fail": i == 1}) for i in range(3)]
    results = []
    for cid in ids:
        try:
            results.append(rt.awaitChild(cid))
        except ChildFailed as e:
            results.append({"failed": e.status, "child": e.childId})
    try:
        rt.awaitAll(ids)
        allRaised = None
    except ChildFailed as e:
        allRaised = e.childId
    first = rt.awaitAny(ids[:1])
    return {"ids": ids, "results": results, "allRaised": allRaised, "first": first}


@workflow(name="c.branches")
def branches(k=4, sleep_ms=1200):
    """k parallel branches in a queue limited to two at once, joined."""
    rt = getWorkflows()
    ids = [rt.startChild("c.leaf", {"n": i, "sleep_ms": sleep_ms}, queueName="branches")
           for i in range(k)]
    outputs = rt.awaitAll(ids)
    mark("joined")
    return {"ids": ids, "outputs": outputs}


@workflow(name="c.long")
def long_parent(own=True):
    rt = getWorkflows()
    kept = rt.startChild("c.leaf", {"n": 1, "sleep_ms": 60000})
    free = rt.startChild("c.leaf", {"n": 2, "sleep_ms": 60000}, propagate=False)
    try:
        rt.awaitChild(kept, timeoutSeconds=1)
        timedOut = False
    except ChildTimedOut:
        timedOut = True
    mark("timeout-%s" % timedOut)
    rt.awaitAll([kept, free])
    return {"unreachable": True}


def effects(wid, tag):
    return int(sql("SELECT COUNT(*) FROM app_effects WHERE workflow_id = ? AND tag = ?",
                   [wid, tag])[0][0])


def children_of(parent):
    return [(str(r[0]), str(r[1])) for r in sql(
        "SELECT workflow_id, status FROM %s WHERE parent_id = ? ORDER BY workflow_id" % STATUS,
        [parent])]


mode = sys.argv[1] if len(sys.argv) > 1 else "main"
if mode == "crash-start":
    ok(admin.configureQueue("branches", concurrency=3), "QUEUE_CONFIGURED")
    parent = started("c.branches", {"k": 3, "sleep_ms": 4000})
    wait_for(lambda: len([c for c in children_of(parent) if c[1] == "RUNNING"]) == 3, 60,
             what="three children running")
    print("READY " + json.dumps({"parent": parent}))
    sys.stdout.flush()
    time.sleep(600)  # killed by the test
elif mode == "crash-check":
    parent = json.loads(sys.argv[2])["parent"]
    row = wait_status(parent, ("SUCCESS", "ERROR"), 120)
    check(row["status"] == "SUCCESS", "the parent joined its children after the crash", row)
    kids = children_of(parent)
    check(len(kids) == 3 and all(s == "SUCCESS" for _, s in kids),
          "three children, each started once, all SUCCESS", kids)
    check(row["output"]["outputs"] == [{"n": 0}, {"n": 1}, {"n": 2}], "outputs in order",
          row["output"])
    check(effects(parent, "joined") == 1, "the parent joined once")
    for wid, _ in kids:
        check(effects(wid, "leaf-end") == 1, "each child finished its work once", wid)
    finish()
else:
    # -- three children, one failing, handled by the parent
    parent = started("c.three")
    row = wait_status(parent, ("SUCCESS", "ERROR"), 60)
    check(row["status"] == "SUCCESS", "the parent handled its failed child", row)
    out = row["output"]
    ids = out["ids"]
    check(out["results"][0] == {"n": 0} and out["results"][2] == {"n": 2}, "children's outputs",
          out)
    check(out["results"][1] == {"failed": "ERROR", "child": ids[1]}, "ChildFailed names the child "
          "and its status", out)
    check(out["allRaised"] == ids[1] and out["first"] == {"childId": ids[0], "output": {"n": 0}},
          "awaitAll raises for the failed one; awaitAny returns the first", out)
    check(ids == ["%s.c%d" % (parent, i) for i in range(3)], "child ids are made of the parent's",
          ids)
    shown = ok(svc.getWorkflow(parent))
    check([c["workflowId"] for c in shown["children"]] == ids, "getWorkflow lists the children",
          shown["children"])
    check(ok(svc.getWorkflow(ids[0]))["parentId"] == parent, "and a child its parent")
    check(ok(svc.getWorkflow(ids[1]))["error"]["message"].endswith("failed on purpose"),
          "the failed child keeps its own error")

    # -- parallel branches bounded by the queue's concurrency, joined
    ok(admin.configureQueue("branches", concurrency=2), "QUEUE_CONFIGURED")
    parent = started("c.branches", {"k": 4, "sleep_ms": 1200})
    row = wait_status(parent, ("SUCCESS", "ERROR"), 90)
    check(row["status"] == "SUCCESS" and row["output"]["outputs"] == [{"n": i} for i in range(4)],
          "four branches joined in order", row)
    # When each branch did its work (its own steps' times: a run's startedMs
    # is read before its claim waits for the queue's lock, so the rows'
    # times may overlap by a few ms where the work cannot).
    spans = []
    for cid in row["output"]["ids"]:
        times = dict((str(r[0]), int(r[1])) for r in sql(
            "SELECT tag, ts FROM app_effects WHERE workflow_id = ?", [cid]))
        spans.append((times["leaf-start"], times["leaf-end"]))
    most = max(len([s for s in spans if s[0] <= t <= s[1]]) for t, _ in spans)
    check(most <= 2, "at most two branches at once (the queue's concurrency)", spans)
    check(most == 2, "branches did run in parallel", spans)

    # -- a timeout, then STOP of the parent reaches the child that takes its commands
    parent = started("c.long")
    wait_for(lambda: effects(parent, "timeout-True") == 1, 30, what="the awaitChild timeout")
    kept, free = [c for c, _ in children_of(parent)]
    sent = ok(svc.sendCommand(parent, "STOP", reason="line stop"), "COMMAND_SENT")
    check(sent.get("children") == 1, "STOP passed on to one child", sent)
    check(wait_status(parent, ("STOPPED", "SUCCESS", "ERROR"), 30)["status"] == "STOPPED",
          "the parent stopped")
    check(wait_status(kept, ("STOPPED", "SUCCESS", "ERROR"), 30)["status"] == "STOPPED",
          "its child stopped with it")
    check(ok(svc.getWorkflow(free))["status"] in ("RUNNING", "ENQUEUED"),
          "a child started with propagate=False goes on")
    ok(svc.cancel(free, reason="done"), "CANCEL_REQUESTED")

    # -- cancel of a parent reaches its children
    parent = started("c.long")
    wait_for(lambda: effects(parent, "timeout-True") == 1, 30, what="the awaitChild timeout")
    kept, free = [c for c, _ in children_of(parent)]
    ok(svc.cancel(parent, reason="batch scrapped"), "CANCEL_REQUESTED")
    check(wait_status(kept, ("CANCELLED", "SUCCESS", "ERROR"), 30)["status"] == "CANCELLED",
          "cancel reached the child")
    ok(svc.cancel(free, reason="done"), "CANCEL_REQUESTED")
    finish()
