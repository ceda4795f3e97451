"""Gateway leases and the takeover of a dead gateway's runs.

Each dispatch renews this gateway's lease in ``executors`` (timed by the
database clock). When another gateway's lease has run out, its runs are
taken over: PENDING/RUNNING ones go back to ENQUEUED (any gateway with the
workflow and version claims them, in priority order, inside the claim
transaction), HELD ones (and those whose command handler was running: HOLDING, RESTARTING,
STOPPING, ABORTING) are adopted as they are by a gateway that can run them.
Runs that released their thread while waiting (executor_id NULL) are no
gateway's: any gateway wakes them when due; the dead gateway's released tag
waits are checked by the taker from then on.

Fencing: a run taken over gets a new claim epoch (or leaves the owned
statuses), so the old gateway, should it wake up from a pause, can no longer
record a step, a command, progress or an end state for it: its next write
is refused and its worker stops that run at the next safe point.
"""
from exchange.workflows.core import clock, logs, states
from exchange.workflows.engine import database, identity, kernel, registry
from exchange.workflows.store import executors, runs


def heartbeat(store):
    started = clock.nowMs()
    executors.heartbeat(store, identity.executorId(), kernel.config("applicationVersion"),
                        leaseMs(), kernel.get()["createdMs"].get())
    kernel.get()["leaseRenewedMs"].put(store.dbName, started)


def gateways(dbName):
    """Every gateway that used the database, with its lease (executors.listAll)."""
    return executors.listAll(database.prepare(dbName))


def leaseMs():
    return int(float(kernel.config("leaseSeconds")) * 1000)


def isFresh(dbName, now):
    """True when this gateway renewed its lease on ``dbName`` within the last
    half lease: runs it takes now would be taken over if it died."""
    renewed = kernel.get()["leaseRenewedMs"].get(dbName)
    return renewed is not None and now - renewed < leaseMs() // 2


def versionMatches(theirs):
    """True when a run of application version ``theirs`` may run here."""
    mine = kernel.config("applicationVersion")
    return mine is None or theirs is None or theirs == mine


def takeover(store, submit, deadLetterError):
    """Takes over the runs of gateways whose lease expired; returns how many.

    ``submit(store, row, wfdef)`` starts an adopted HELD run here.
    """
    me = identity.executorId()
    maxAttempts = int(kernel.config("maxRecoveryAttempts"))
    taken = 0
    for dead in executors.expired(store, me):
        left = False
        for row in runs.owned(store, dead):
            now = clock.nowMs()
            if row.recoveryAttempts >= maxAttempts:
                runs.deadLetter(store, row.workflowId, row.claimEpoch, deadLetterError(row), now)
                continue
            # A run whose handler was running is adopted like a held one:
            # released, its open transition would be lost.
            if row.status not in states.ADOPTED:
                taken += runs.release(store, row.workflowId, row.claimEpoch, now)
                continue
            wfdef = registry.get(row.workflowName)
            if wfdef is None or not versionMatches(row.applicationVersion) or kernel.freeWorkers() <= 0:
                left = True
                continue
            adopted = runs.reclaim(store, row.workflowId, me, row.claimEpoch, now)
            if adopted is not None:
                submit(store, adopted, wfdef)
                taken += 1
        # Released runs have no executor, so none of them is in ``owned``:
        # any gateway wakes them. Only their tag checks belong to a gateway
        # (its tag providers): the dead one's are read here from now on.
        runs.moveChecks(store, "TAG", dead, me)
        if not left:
            executors.markDead(store, dead)
        if taken:
            kernel.count("takenOver", taken)
            logs.get("leases").infof(
                "took over %d runs of gateway %s, whose lease expired", taken, dead)
    return taken
