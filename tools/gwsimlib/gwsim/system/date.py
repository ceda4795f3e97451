"""system.date: java.util.Date arithmetic and formatting, as Ignition's functions do it.

Dates are java.util.Date in the JVM's default time zone; format/parse patterns are
java.text.SimpleDateFormat patterns (Ignition's default "yyyy-MM-dd HH:mm:ss").
"""
from java.text import SimpleDateFormat
from java.util import Calendar, Date, TimeZone

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


def addWeeks(date, value):
    return _add(date, Calendar.WEEK_OF_YEAR, value)


def addMonths(date, value):
    return _add(date, Calendar.MONTH, value)


def addYears(date, value):
    return _add(date, Calendar.YEAR, value)


def hoursBetween(date1, date2):
    return _between(date1, date2, 3600000)


def _calendar_between(date1, date2, field):
    """Whole calendar units (days, weeks, months, years) from date1 to date2, truncated toward
    zero; counted on the calendar, so a daylight-saving change does not lose a day."""
    sign = 1
    if date2.before(date1):
        date1, date2, sign = date2, date1, -1
    count = 0
    step = 1
    while not _add(date1, field, count + step).after(date2):  # gallop, then halve
        count += step
        step *= 2
    while step > 1:
        step //= 2
        if not _add(date1, field, count + step).after(date2):
            count += step
    return sign * count


def daysBetween(date1, date2):
    return _calendar_between(date1, date2, Calendar.DAY_OF_YEAR)


def weeksBetween(date1, date2):
    return _calendar_between(date1, date2, Calendar.WEEK_OF_YEAR)


def monthsBetween(date1, date2):
    return _calendar_between(date1, date2, Calendar.MONTH)


def yearsBetween(date1, date2):
    return _calendar_between(date1, date2, Calendar.YEAR)


def _field(date, field):
    calendar = Calendar.getInstance()
    calendar.setTime(date)
    return calendar.get(field)


def getYear(date):
    return _field(date, Calendar.YEAR)


def getMonth(date):
    """0-based (January is 0), as in Ignition and java.util.Calendar."""
    return _field(date, Calendar.MONTH)


def getQuarter(date):
    return _field(date, Calendar.MONTH) // 3 + 1


def getDayOfMonth(date):
    return _field(date, Calendar.DAY_OF_MONTH)


def getDayOfWeek(date):
    """Sunday is 1, Saturday is 7."""
    return _field(date, Calendar.DAY_OF_WEEK)


def getDayOfYear(date):
    return _field(date, Calendar.DAY_OF_YEAR)


def getHour12(date):
    """12-hour clock: noon and midnight are 0."""
    return _field(date, Calendar.HOUR)


def getHour24(date):
    return _field(date, Calendar.HOUR_OF_DAY)


def getMinute(date):
    return _field(date, Calendar.MINUTE)


def getSecond(date):
    return _field(date, Calendar.SECOND)


def getMillis(date):
    return _field(date, Calendar.MILLISECOND)


def getAMorPM(date):
    """0 before noon, 1 after."""
    return _field(date, Calendar.AM_PM)


def midnight(date):
    calendar = Calendar.getInstance()
    calendar.setTime(date)
    for field in (Calendar.HOUR_OF_DAY, Calendar.MINUTE, Calendar.SECOND, Calendar.MILLISECOND):
        calendar.set(field, 0)
    return calendar.getTime()


def setTime(date, hour, minute, second):
    calendar = Calendar.getInstance()
    calendar.setTime(date)
    calendar.set(Calendar.HOUR_OF_DAY, int(hour))
    calendar.set(Calendar.MINUTE, int(minute))
    calendar.set(Calendar.SECOND, int(second))
    return calendar.getTime()


def getTimezone():
    return TimeZone.getDefault().getID()


def getTimezoneOffset(date=None):
    """The offset from UTC in hours at date (default now), daylight saving included."""
    return TimeZone.getDefault().getOffset((date or Date()).getTime()) / 3600000.0


def getTimezoneRawOffset():
    """The offset from UTC in hours, without daylight saving."""
    return TimeZone.getDefault().getRawOffset() / 3600000.0


def isDaylightTime(date=None):
    return bool(TimeZone.getDefault().inDaylightTime(date or Date()))


CONSTANTS = dict(
    [(name, getattr(Calendar, name)) for name in (
        "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
        "OCTOBER", "NOVEMBER", "DECEMBER", "SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY",
        "FRIDAY", "SATURDAY")])


def exports(gateway):
    names = ("now", "toMillis", "fromMillis", "addMillis", "addSeconds", "addMinutes", "addHours",
             "addDays", "addWeeks", "addMonths", "addYears", "isBefore", "isAfter", "isBetween",
             "millisBetween", "secondsBetween", "minutesBetween", "hoursBetween", "daysBetween",
             "weeksBetween", "monthsBetween", "yearsBetween", "format", "parse", "getDate",
             "getYear", "getMonth", "getQuarter", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
             "getHour12", "getHour24", "getMinute", "getSecond", "getMillis", "getAMorPM", "midnight",
             "setTime", "getTimezone", "getTimezoneOffset", "getTimezoneRawOffset", "isDaylightTime")
    module = globals()
    exported = dict((name, module[name]) for name in names)
    exported.update(CONSTANTS)
    return exported
