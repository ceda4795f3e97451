"""system.date: java.util.Date arithmetic and formatting, as Ignition's functions do it.

Dates are java.util.Date in the JVM's default time zone; format/parse patterns are
java.text.SimpleDateFormat patterns (Ignition's default "yyyy-MM-dd HH:mm:ss").
"""
from java.text import SimpleDateFormat
from java.util import Calendar, Date

DEFAULT_FORMAT = "yyyy-MM-dd HH:mm:ss"


def now():
    return Date()


def toMillis(date):
    return date.getTime()


def fromMillis(millis):
    return Date(long(millis))


def _add(date, field, amount):
    calendar = Calendar.getInstance()
    calendar.setTime(date)
    calendar.add(field, int(amount))
    return calendar.getTime()


def addMillis(date, value):
    return Date(date.getTime() + long(value))


def addSeconds(date, value):
    return Date(date.getTime() + long(value) * 1000)


def addMinutes(date, value):
    return Date(date.getTime() + long(value) * 60000)


def addHours(date, value):
    return Date(date.getTime() + long(value) * 3600000)


def addDays(date, value):
    return _add(date, Calendar.DAY_OF_MONTH, value)  # calendar days, DST-aware like Ignition


def isBefore(date1, date2):
    return date1.before(date2)


def isAfter(date1, date2):
    return date1.after(date2)


def isBetween(target_date, start_date, end_date):
    return not target_date.before(start_date) and not target_date.after(end_date)


def millisBetween(date1, date2):
    return date2.getTime() - date1.getTime()


def _between(date1, date2, unit_ms):
    # Java long division truncates toward zero; Python's // floors, which differs for negatives.
    delta = date2.getTime() - date1.getTime()
    whole = abs(delta) // unit_ms
    return int(whole if delta >= 0 else -whole)


def secondsBetween(date1, date2):
    return _between(date1, date2, 1000)


def minutesBetween(date1, date2):
    return _between(date1, date2, 60000)


def format(date, format=DEFAULT_FORMAT):
    return SimpleDateFormat(format).format(date)


def parse(dateString, formatString=DEFAULT_FORMAT, locale=None):
    """Parse text into a java.util.Date; a bad string raises java.text.ParseException."""
    return SimpleDateFormat(formatString).parse(dateString)


def getDate(year, month, day):
    """Midnight of year/month/day; month is 0-based, as in Ignition (and java.util.Calendar)."""
    calendar = Calendar.getInstance()
    calendar.clear()
    calendar.set(int(year), int(month), int(day))
    return calendar.getTime()


def exports(gateway):
    names = ("now", "toMillis", "fromMillis", "addMillis", "addSeconds", "addMinutes", "addHours",
             "addDays", "isBefore", "isAfter", "isBetween", "millisBetween", "secondsBetween",
             "minutesBetween", "format", "parse", "getDate")
    module = globals()
    return dict((name, module[name]) for name in names)
