"""Wall-clock milliseconds and interruptible sleeps."""
import time

try:
    from java.lang import System as _System
    from java.lang import Thread as _Thread

    def nowMs():
        return _System.currentTimeMillis()

    def sleepMs(ms):
        if ms > 0:
            _Thread.sleep(int(ms))
except ImportError:
    def nowMs():
        return int(time.time() * 1000)

    def sleepMs(ms):
        if ms > 0:
            time.sleep(ms / 1000.0)
