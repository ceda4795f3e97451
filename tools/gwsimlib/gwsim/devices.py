"""Simulated field devices on memory tags, for scenarios.

    handle = gwsim.devices.follow("[default]Valve/Cmd", "[default]Valve/Open", 500)
        the target follows each write of the source after 500 ms (a slow actuator);
        transform(value) may map the value first. handle.cancel() stops following.
    handle = gwsim.devices.stuck("[default]Valve/Open")
        writes to the tag report Good but its value never changes (a jammed device);
        handle.release() makes it writable again.
"""
from java.util.concurrent import Executors, TimeUnit

from gwsim import runtime, threads

_scheduler = Executors.newSingleThreadScheduledExecutor(threads.factory("gwsim-devices"))


class Handle(object):
    def __init__(self, undo):
        self._undo = undo

    def cancel(self):
        self._undo()

    release = cancel


def _node(store, path):
    node = store.find(path)[0]
    if node is None or node.tag_type != "AtomicTag":
        raise ValueError("gwsim.devices: no tag at %s" % path)
    return node


def follow(sourcePath, targetPath, delayMs, transform=None):
    """After each write of sourcePath, write it (or transform(value)) to targetPath, delayMs later."""
    store = runtime.gateway().tags
    source = _node(store, sourcePath)
    _node(store, targetPath)

    def on_write(node, value):
        if node is source:
            target_value = transform(value) if transform else value
            task = threads.Task(store.write, "gwsim.devices", "follow %s" % targetPath, (targetPath, target_value))
            _scheduler.schedule(task, long(delayMs), TimeUnit.MILLISECONDS)

    store.add_listener(on_write)
    return Handle(lambda: store.remove_listener(on_write))


def stuck(path):
    """Writes to path report Good but never change its value, until release()."""
    store = runtime.gateway().tags
    with store.lock:
        node = _node(store, path)
        node.stuck = True

    def release():
        with store.lock:
            node.stuck = False
    return Handle(release)
