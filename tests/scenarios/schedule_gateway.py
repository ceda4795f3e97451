"""A gateway of the three-gateway schedule test (gwsim run mode): argv[1]
is its number; gateway 0 creates an '@every 2s' schedule. The project's
dispatch timer fires the slots."""
from __future__ import print_function

import sys

import exchange.workflows.api.admin as admin
from exchange.workflows.bootstrap import workflow


@workflow(name="sched.tick")
def tick():
    return {"ok": True}


admin.checkSchema()
if sys.argv[1] == "0":
    r = admin.createSchedule("three", "@every 2s", "sched.tick", timezone="UTC")
    assert r["ok"], r
print("READY %s" % sys.argv[1])
sys.stdout.flush()
