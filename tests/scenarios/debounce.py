"""Debounced requests (issue 15 item 4): 500 requests of one key within a
second start one run with the last inputs; requests from three threads (the
tag-event pool) share one run id; debounceMaxMs bounds the wait of a key
that never goes quiet; keys are independent; start() debounces too (audited like
any start: for sessions, not for gateway scripts); a gateway shutdown releases what waits instead of losing it."""
from __future__ import print_function

import threading
import time

import exchange.workflows.api.admin as admin
import flows
from exchange.workflows.engine import debounce
from wfkit import bad, check, finish, ok, sql, svc, wait_for

flows.ensure_tables()
STATUS = flows.STATUS_TABLE()


def runs_with_id(wid):
    return sql("SELECT status FROM %s WHERE workflow_id = ?" % STATUS, [wid])


def output(wid, timeout=60):
    def done():
        w = svc.getWorkflow(wid)["data"]
        return w if w and w["status"] == "SUCCESS" else None
    return wait_for(done, timeout, what="%s to succeed" % wid)["output"]


def noop_runs():
    return int(sql("SELECT COUNT(*) FROM %s WHERE workflow_name = 't.noop'" % STATUS)[0][0])


# -- 500 requests in about a second: one run, the last inputs
before = noop_runs()
ids = set()
started = time.time()
for i in range(500):
    r = svc.enqueueInMemory("t.noop", {"x": i}, debounceKey="tank1/level", debounceMs=700)
    ids.add(ok(r, "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"])
    time.sleep(0.002)
last = r["data"]
check(len(ids) == 1, "every request of the group is told the same run id", ids)
check(last["debounced"] is True and last["collapsed"] == 500 and last["durable"] is False,
      "the answer says it was debounced", last)
check(runs_with_id(last["workflowId"]) == [] or time.time() - started > 0.7,
      "nothing is queued while the key chatters")
check(output(last["workflowId"]) == {"x": 499}, "the run has the last inputs")
time.sleep(1.5)
check(noop_runs() - before == 1, "500 requests started one run", noop_runs() - before)

# -- three tag-event threads at once: still one run, one id
answers = []


def chatter(offset):
    for i in range(100):
        answers.append(svc.enqueueInMemory("t.noop", {"x": offset + i}, debounceKey="pump7",
                                           debounceMs=800))


threads = [threading.Thread(target=chatter, args=(1000 * t,)) for t in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
check(all(a["ok"] for a in answers) and len(answers) == 300, "300 requests accepted")
pump = set(a["data"]["workflowId"] for a in answers)
check(len(pump) == 1, "three threads, one run id", pump)
result = output(list(pump)[0])
check(result["x"] % 1000 == 99, "the run has the inputs of one thread's last request", result)

# -- a key that never goes quiet still starts a run every debounceMaxMs
chatty = set()
end = time.time() + 3.2
while time.time() < end:
    r = svc.enqueueInMemory("t.noop", {"x": 1}, debounceKey="chatty", debounceMs=500,
                            debounceMaxMs=1000)
    chatty.add(ok(r, "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"])
    time.sleep(0.05)
check(2 <= len(chatty) <= 5, "a chattering key starts a run at least every debounceMaxMs "
      "(and the dispatch period)", len(chatty))
for wid in chatty:
    output(wid)

# -- keys are independent; start() debounces too
a = ok(svc.enqueueInMemory("t.noop", {"x": "a"}, debounceKey="k-a", debounceMs=300))
b = ok(svc.start("t.noop", {"x": "b"}, debounceKey="k-b", debounceMs=300), "WORKFLOW_DEBOUNCED")
check(a["workflowId"] != b["workflowId"], "two keys, two runs")
check(output(a["workflowId"]) == {"x": "a"} and output(b["workflowId"]) == {"x": "b"},
      "each key's run")

# -- refusals
IA = "INVALID_ARGUMENTS"
bad(svc.enqueueInMemory("t.noop", {}, debounceMs=100), IA)
bad(svc.enqueueInMemory("t.noop", {}, debounceKey="k"), IA)
bad(svc.enqueueInMemory("t.noop", {}, debounceKey="k", debounceMs=0), IA)
bad(svc.enqueueInMemory("t.noop", {}, debounceKey="k", debounceMs=500, debounceMaxMs=100), IA)
bad(svc.start("t.noop", {}, debounceKey="", debounceMs=100), IA)

# -- a shutdown releases the waiting groups: durable before the JVM goes
r = ok(svc.enqueueInMemory("t.noop", {"x": "late"}, debounceKey="at-stop", debounceMs=600000))
check(debounce.pending() >= 1, "the group waits (a ten-minute window)")
ok(admin.shutdown(), "STOPPED_CLEANLY")
check(len(runs_with_id(r["workflowId"])) == 1, "shutdown made the waiting request durable")
check(output(r["workflowId"]) == {"x": "late"}, "and it runs")
finish()
