"""The pieces of enqueueInMemory's hot path on real Jython: workflow ids made
by many threads at once, the JSON encoder's shortcuts, and the envelope."""
from __future__ import print_function

import json
import uuid

import exchange.workflows.api.service as svc
import flows
from exchange.workflows.core import codec
from exchange.workflows.engine import ids
from exchange.workflows.core.errors import NotSerializable
from java.lang import Runnable, System, Thread
from java.math import BigDecimal
from java.util import ArrayList, Date, HashMap
from java.util.concurrent import CountDownLatch
from wfkit import bad, check, finish, ok

flows.ensure_tables()

# -- ids: unique and in creation order on every thread, across 8 threads ----------------------


class MakeIds(Runnable):
    def __init__(self, n, latch):
        self.n, self.latch, self.made = n, latch, []

    def run(self):
        getattr(self.latch, "await")()  # `await` is a keyword in Python 3
        for _ in range(self.n):
            self.made.append(ids.newWorkflowId())


latch = CountDownLatch(1)
makers = [MakeIds(3000, latch) for _ in range(8)]
threads = [Thread(m) for m in makers]
for t in threads:
    t.start()
latch.countDown()
for t in threads:
    t.join()
everything = [w for m in makers for w in m.made]
check(len(set(everything)) == len(everything), "ids are unique across threads",
      len(everything) - len(set(everything)))
check(all(m.made == sorted(m.made) for m in makers), "each thread's ids sort in creation order")
for w in everything[:200] + everything[-200:]:
    u = uuid.UUID(w)
    check(type(w) is str and w == str(u) and u.version == 7 and u.variant == uuid.RFC_4122,
          "id is a lowercase UUIDv7 string", w)
first = uuid.UUID(min(everything)).int >> 80
check(abs(first - System.currentTimeMillis()) < 60000, "an id starts with the current epoch ms", first)

# -- codec: the same text as json.dumps; unserialisable values still refused ------------------


def dumps(value):
    return json.dumps(value, default=codec._fromJava, separators=(",", ":"))


javaMap = HashMap()
javaMap.put("a", 1)
javaList = ArrayList()
javaList.add("x")
table = [
    {},
    {"k": 3},
    {"i": 7, "big": 2 ** 70, "neg": -5, "f": 1.5, "tiny": 1e-300, "t": True, "n": None},
    {"nan": float("nan"), "inf": float("inf"), "minf": float("-inf")},
    {"s": "plain", "u": u"caf\u00e9 \u2603 \U0001F600", "esc": "quote\" back\\ nl\n tab\t \x01"},
    {u"cl\u00e9": "key with accent"},
    {"nested": {"a": [1, 2.5, None, {"b": u"\u00e9"}]}, "list": [], "tuple": (1, 2)},
    {"date": Date(0), "dec": BigDecimal("12.50"), "map": javaMap, "jlist": javaList},
    [1, {"a": 2}],
    "text",
    3,
]
for value in table:
    check(codec.encode(value) == dumps(value), "encode matches json.dumps", repr(value),
          codec.encode(value), dumps(value))


class Opaque(object):
    pass


loop = {}
loop["self"] = loop
for value in ({"x": Opaque()}, {"x": [Opaque()]}, loop, [loop]):
    try:
        codec.encode(value)
        check(False, "encode refuses an unserialisable value", repr(value)[:60])
    except NotSerializable:
        pass

# -- enqueueInMemory: INPUTS_NOT_JSON at once; the envelope keeps its shape -------------------

bad(svc.enqueueInMemory("t.noop", {"resolved": {"x": Opaque()}}), "INPUTS_NOT_JSON")
r = svc.enqueueInMemory("t.noop", {"x": u"\u00e9"}, queueName="hotpath")
data = ok(r, "IN_MEMORY_ENQUEUE_ACCEPTED")
# 0.3.6's shape: data keys are mirrored at the top level, meta names the queue.
check(sorted(r) == sorted(["code", "data", "message", "meta", "ok"] + list(r["data"])), "envelope keys",
      sorted(r))
check(sorted(r["meta"]) == ["dbName", "durationMs", "queueName", "tsMs"], "meta keys", sorted(r["meta"]))
check(data and data["durable"] is False and data["depth"] >= 1, "accepted in memory", data)
check(r["meta"]["dbName"] == "WorkflowsDB" and r["meta"]["durationMs"] >= 0, "meta values", r["meta"])
finish()
