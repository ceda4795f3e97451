"""Wall-clock time in a named time zone (IANA names such as
``America/Chicago``, or ``UTC``), for schedules.

Two rules decide what a wall-clock slot means on the days the clocks change
(docs/schedules.md): a local time skipped when clocks go forward is taken
as the instant the clock jumps (02:30 on a spring-forward night fires at the
jump, 03:00 new time), and a local time that happens twice when clocks go
back is taken once, at its first occurrence.

On a gateway (Jython) the JVM's java.time answers, with the JVM's zone
rules; under CPython (unit tests) zoneinfo does, with the system's.
"""
import datetime

from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments

try:
    from java.time import Instant, LocalDateTime, ZoneId, ZonedDateTime
    _JAVA = True
except ImportError:
    from zoneinfo import ZoneInfo
    _JAVA = False

_EPOCH = datetime.datetime(1970, 1, 1)


def check(name):
    """Returns ``name`` if it is a zone this gateway knows, else raises
    InvalidArguments."""
    if not isinstance(name, (type(u""), str)) or not name.strip() or len(name) > 64:
        raise InvalidArguments("timezone must be an IANA zone name such as 'America/Chicago' "
                               "or 'UTC'.")
    try:
        _zone(name)
    except ANY_ERROR:  # java.time.DateTimeException, or zoneinfo's errors
        raise InvalidArguments("Unknown timezone %r; use an IANA name such as "
                               "'America/Chicago' or 'UTC'." % (name,))
    return name


def _zone(name):
    if _JAVA:
        return ZoneId.of(name)
    return ZoneInfo(name)


def toLocal(ms, name):
    """The wall-clock time (naive datetime, whole seconds) at epoch ms ``ms``."""
    if _JAVA:
        t = Instant.ofEpochMilli(int(ms)).atZone(ZoneId.of(name)).toLocalDateTime()
        return datetime.datetime(t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                                 t.getHour(), t.getMinute(), t.getSecond())
    aware = datetime.datetime.fromtimestamp(int(ms) // 1000, ZoneInfo(name))
    return aware.replace(tzinfo=None)


def fromLocal(local, name):
    """Epoch ms of the wall-clock time ``local`` (naive datetime) in zone
    ``name``: its first occurrence when it happens twice, the instant of the
    jump when it is skipped."""
    if _JAVA:
        zone = ZoneId.of(name)
        ldt = LocalDateTime.of(local.year, local.month, local.day, local.hour, local.minute,
                               local.second)
        rules = zone.getRules()
        if rules.getValidOffsets(ldt).isEmpty():
            return rules.getTransition(ldt).getInstant().toEpochMilli()
        # ofLocal with no preferred offset takes the earlier one (the first occurrence).
        return ZonedDateTime.ofLocal(ldt, zone, None).toInstant().toEpochMilli()
    zone = ZoneInfo(name)
    first = int(local.replace(tzinfo=zone, fold=0).timestamp())
    if toLocal(first * 1000, name) == local:
        return first * 1000
    # Skipped: fold=0 and fold=1 read it with the offsets before and after
    # the jump; the jump is the first second between them shown later than it.
    low, high = sorted((first, int(local.replace(tzinfo=zone, fold=1).timestamp())))
    while low < high:
        mid = (low + high) // 2
        if toLocal(mid * 1000, name) > local:
            high = mid
        else:
            low = mid + 1
    return low * 1000
