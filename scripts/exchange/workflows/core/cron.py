"""Schedule expressions: standard 5-field cron, a few ``@`` names, and
``@every`` intervals. Pure logic on wall-clock fields; time zones are
core/zones.py's job.

Cron fields (minute hour day-of-month month day-of-week) take ``*``, a
number, a range ``a-b``, a step ``*/s``, ``a-b/s`` or ``a/s`` (from a to the
field's end), and comma lists of these; months and days of the week may be
written as names (JAN..DEC, SUN..SAT, any case); day-of-week 7 is Sunday too.
When both day-of-month and day-of-week are restricted, a day matching
either fires (what every cron does: "the 1st and every Monday").

``@yearly``/``@annually``, ``@monthly``, ``@weekly``, ``@daily``/``@midnight``
and ``@hourly`` stand for their usual cron lines. ``@every 2s`` (also ``m``,
``h``; from 1 s to 24 h) fires at whole multiples of the interval since the
epoch, the same instants on every gateway whatever its time zone: the
sub-minute clock that cron cannot express (a test that wants a run every
two seconds, a fast polling procedure).
"""
import datetime
import re
from collections import namedtuple

from exchange.workflows.core.errors import InvalidArguments

# kind "cron": minutes..weekdays are frozensets; domStar/dowStar say whether
# the field was unrestricted (the day rule above). kind "every": everyMs.
Spec = namedtuple("Spec", "kind text minutes hours days months weekdays domStar dowStar everyMs")

MAX_EXPRESSION_CHARS = 200
# A spec that matches nothing within this many years never fires (Feb 30).
SEARCH_YEARS = 8
EVERY_RANGE_MS = (1000, 24 * 3600 * 1000)

_NAMES = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = dict((name, i + 1) for i, name in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()))
_DAYS = dict((name, i) for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split()))
# (name, low, high, names)
_FIELDS = (("minute", 0, 59, None), ("hour", 0, 23, None), ("day-of-month", 1, 31, None),
           ("month", 1, 12, _MONTHS), ("day-of-week", 0, 7, _DAYS))
_EVERY = re.compile(r"^@every\s+(\d+)\s*([smh])$", re.IGNORECASE)
_UNIT_MS = {"s": 1000, "m": 60000, "h": 3600000}


def parse(expression):
    """Returns the Spec of ``expression``.

    Raises:
        InvalidArguments: the message names the field and what is wrong.
    """
    if not isinstance(expression, (type(u""), str)) or not expression.strip():
        raise InvalidArguments("cron must be a non-empty string such as '*/15 * * * *', "
                               "'@daily' or '@every 30s'.")
    text = " ".join(expression.split())
    if len(text) > MAX_EXPRESSION_CHARS:
        raise InvalidArguments("cron must be at most %d characters." % MAX_EXPRESSION_CHARS)
    every = _EVERY.match(text)
    if every:
        ms = int(every.group(1)) * _UNIT_MS[every.group(2).lower()]
        if not EVERY_RANGE_MS[0] <= ms <= EVERY_RANGE_MS[1]:
            raise InvalidArguments("@every takes an interval from 1s to 24h; got %r." % text)
        return Spec("every", text, None, None, None, None, None, True, True, ms)
    line = _NAMES.get(text.lower(), text)
    if line.startswith("@"):
        raise InvalidArguments("Unknown schedule name %r; known: %s, @every <n>s|m|h."
                               % (text, ", ".join(sorted(_NAMES))))
    parts = line.split(" ")
    if len(parts) != 5:
        raise InvalidArguments("cron must have 5 fields (minute hour day-of-month month "
                               "day-of-week); %r has %d." % (text, len(parts)))
    sets = [_field(part, *spec) for part, spec in zip(parts, _FIELDS)]
    weekdays = frozenset(d % 7 for d in sets[4])  # 7 is Sunday as well as 0
    spec = Spec("cron", text, sets[0], sets[1], sets[2], sets[3], weekdays,
                parts[2] == "*", parts[4] == "*", None)
    if nextLocal(spec, datetime.datetime(2000, 1, 1)) is None:
        raise InvalidArguments("cron %r matches no date (e.g. the 30th of February)." % text)
    return spec


def _field(part, name, low, high, names):
    values = set()
    for item in part.split(","):
        values.update(_item(item, name, low, high, names))
    return frozenset(values)


def _item(item, name, low, high, names):
    step = 1
    if "/" in item:
        item, stepText = item.split("/", 1)
        step = _number(stepText, name, 1, high - low + 1 if high > low else 1, None)
    if item == "*":
        start, end = low, high
    elif "-" in item:
        a, b = item.split("-", 1)
        start, end = _number(a, name, low, high, names), _number(b, name, low, high, names)
        if start > end:
            raise InvalidArguments("cron %s range %s goes backwards." % (name, item))
    else:
        start = _number(item, name, low, high, names)
        end = high if step > 1 else start
    return range(start, end + 1, step)


def _number(text, name, low, high, names):
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise InvalidArguments("cron %s field: %r is not a number%s." % (
            name, text, " or a name" if names else ""))
    value = int(text)
    if not low <= value <= high:
        raise InvalidArguments("cron %s field: %d is outside %d-%d." % (name, value, low, high))
    return value


def _dayMatches(spec, day):
    dom = day.day in spec.days
    dow = ((day.weekday() + 1) % 7) in spec.weekdays  # Python: Monday 0; cron: Sunday 0
    if spec.domStar or spec.dowStar:
        return dom and dow
    return dom or dow


def nextLocal(spec, after):
    """The first wall-clock minute (a naive datetime, seconds zero) later
    than ``after`` that ``spec`` (kind "cron") matches; None if none within
    SEARCH_YEARS. Skips whole months, days and hours that cannot match, so a
    yearly spec costs a few dozen steps, not half a million minutes."""
    t = after.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    limit = after.year + SEARCH_YEARS
    while t.year <= limit:
        if t.month not in spec.months:
            t = _firstOfNextMonth(t)
        elif not _dayMatches(spec, t):
            t = (t + datetime.timedelta(days=1)).replace(hour=0, minute=0)
        elif t.hour not in spec.hours:
            t = (t + datetime.timedelta(hours=1)).replace(minute=0)
        elif t.minute not in spec.minutes:
            t += datetime.timedelta(minutes=1)
        else:
            return t
    return None


def _firstOfNextMonth(t):
    if t.month == 12:
        return datetime.datetime(t.year + 1, 1, 1)
    return datetime.datetime(t.year, t.month + 1, 1)
