"""A command sent the moment a run starts directly on this gateway is taken,
even while recovery looks for orphaned runs at the same time.

Recovery reads the runs this gateway owns and restarts those not executing
here. A run started directly is in the database (one INSERT) a moment
before it is registered as executing; recovery must not take that moment
for an orphan and claim the run again (the first worker, fenced off, would
have dropped the HOLD sent to it). Here a thread runs recovery without
pause while runs are started and held at once."""
from __future__ import print_function

import threading

import flows
from exchange.workflows.engine import database, dispatcher, kernel
from wfkit import check, finish, ok, sql, started, svc, wait_status

flows.ensure_tables()
ROUNDS = 12
store = database.prepare(flows.DB)
stop = threading.Event()
cycles = [0]


def recover_forever():
    while not stop.is_set():
        kernel.flag("recoveryPending", store.dbName, True)
        dispatcher.recover(store)
        cycles[0] += 1


racer = threading.Thread(target=recover_forever, name="recovery-racer")
racer.daemon = True
racer.start()


def direct_starts():
    counter = kernel.get()["stats"].get("directStarts")
    return counter.get() if counter is not None else 0


direct0 = direct_starts()
try:
    wids = []
    for _ in range(ROUNDS):
        wid = started("t.loop", {"n": 400, "sleep_ms": 50})
        ok(svc.sendCommand(wid, "HOLD", reason="held at once"), "COMMAND_SENT")
        wids.append(wid)
        wait_status(wid, ("HELD", "SUCCESS", "ERROR", "STOPPED"), 30)
        ok(svc.sendCommand(wid, "STOP", reason="done"), "COMMAND_SENT")
        wait_status(wid, ("STOPPED", "SUCCESS", "ERROR"), 30)
finally:
    stop.set()
    racer.join(30)

check(direct_starts() - direct0 >= ROUNDS // 2, "most runs started directly (the path under test)",
      direct0, direct_starts())
check(cycles[0] > ROUNDS, "recovery ran throughout", cycles[0])
for wid in wids:
    row = sql("SELECT status, claim_epoch FROM %s WHERE workflow_id = ?" % flows.STATUS_TABLE(),
              [wid])[0]
    check(str(row[0]) == "STOPPED", "held at once, then stopped", wid, row[0])
    check(int(row[1]) == 1, "never claimed a second time", wid, row[1])
held = [c for wid in wids for c in ok(svc.getCommands(wid), "COMMANDS_LISTED")
        if c["cmd"] == "HOLD"]
check(len(held) == ROUNDS and all(c["consumedBy"] == "engine" for c in held),
      "every HOLD taken by the engine", held)
finish(rounds=ROUNDS, recoveryCycles=cycles[0])
