"""Runs in the simulated gateway started by tools/demo: starts demo workflows,
sends them operator commands, and prints a console of their progress."""
from __future__ import print_function

import threading
import time

import exchange.workflows.api.service as svc
from exchange.workflows import apps

PAUSE = 0.5
DEMO_MODULE = "exchange.workflows.demo"


def start(name, inputs, **kw):
    r = svc.start(name, inputs, **kw)
    print("start %-26s -> %s %s" % (name, r["code"], (r["data"] or {}).get("workflowId", r["message"])))
    return r["data"]["workflowId"] if r["ok"] else None


def line(wid):
    row = svc.getWorkflow(wid)["data"]
    progress = (row["progress"] or {}).get("message") or ""
    return "  %s  %-26s %-9s %s" % (wid[:13], row["workflowName"], row["status"], progress)


def console(ids):
    done = ("SUCCESS", "ERROR", "CANCELLED", "STOPPED", "DEAD_LETTER")
    while True:
        rows = [svc.getWorkflow(w)["data"] for w in ids]
        print(time.strftime("%H:%M:%S") + "  " + ", ".join(
            "%s=%d" % (s, sum(1 for r in rows if r["status"] == s))
            for s in sorted(set(r["status"] for r in rows))))
        for w in ids:
            print(line(w))
        if all(r["status"] in done for r in rows):
            print("All demo workflows finished. The gateway keeps running (timer dispatch every "
                  "1 s); press Ctrl-C to stop it.")
            return
        time.sleep(2)


# The shipped project registers no demo workflow (apps.MODULES is empty):
# this demo gateway registers them itself.
loaded = apps.loadReport([DEMO_MODULE])
if DEMO_MODULE not in loaded["loaded"]:
    raise SystemExit("could not register the demo workflows: %s" % loaded["failed"])
print("exchange.workflows demo: registered workflows:",
      ", ".join(o["value"] for o in svc.listWorkflows()["data"]["options"]))
ids = [
    start("demo.one_minute_progress", {"resolved": {"chunk_sec": 1, "total_sec": 12}}),
    start("demo.one_minute_progress", {"resolved": {"chunk_sec": 2, "total_sec": 16}},
          partitionKey="line-1/filler-a"),
    start("demo.one_minute_progress", {"resolved": {"chunk_sec": 2, "total_sec": 8}},
          partitionKey="line-1/filler-a"),
    start("demo.small", {"resolved": {"duration_s": 6}}),
]
ack = svc.enqueueInMemory("demo.small", {"resolved": {"duration_s": 3}})
print("enqueueInMemory demo.small       -> %s %s" % (ack["code"], ack["data"]["workflowId"]))
ids.append(ack["data"]["workflowId"])


def operator():
    time.sleep(3)
    print(">> HOLD  %s: %s" % (ids[0][:13], svc.sendCommand(ids[0], "HOLD", reason="demo hold",
                                                           user="demo")["code"]))
    time.sleep(4)
    print(">> RESUME %s: %s" % (ids[0][:13], svc.sendCommand(ids[0], "RESUME", reason="demo resume",
                                                            user="demo")["code"]))


threading.Thread(target=operator).start()
time.sleep(1.5)  # the timer flushes the in-memory request
console(ids)
