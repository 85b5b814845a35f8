"""The statutory clock: clear working days before a meeting (Local Government Act 1972, s.100B).

An agenda and its reports must be open to the public for at least five clear working days before
the meeting. "Clear" days leave out the day of publication and the day of the meeting; working days
leave out Saturdays, Sundays and the bank holidays of England and Wales. A key decision must be on
the Forward Plan 28 clear (calendar) days before it is taken.
"""

import datetime as dt
from functools import lru_cache

import holidays

CLEAR_WORKING_DAYS = 5
FORWARD_PLAN_CLEAR_DAYS = 28


@lru_cache(maxsize=64)
def _bank_holidays(year):
    # England and Wales share their bank holidays; the package names the subdivision ENG.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_before(day, count):
    """The working day `count` working days before `day` (`day` itself not counted)."""
    current = day
    remaining = count
    while remaining:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def clear_working_days_between(first, last):
    """How many working days lie strictly between two dates."""
    count = 0
    current = first + dt.timedelta(days=1)
    while current < last:
        if is_working_day(current):
            count += 1
        current += dt.timedelta(days=1)
    return count


def publication_deadline(meeting_day):
    """The last working day an agenda can be published and still give five clear working days.

    The five clear days are the five working days before the meeting; publication must happen
    before the first of them, and the office publishes on working days, so the deadline is the
    working day before that.
    """
    first_clear_day = working_days_before(meeting_day, CLEAR_WORKING_DAYS)
    return working_days_before(first_clear_day, 1)


def is_in_time(published_on, meeting_day):
    """Whether publishing on `published_on` leaves five clear working days before the meeting."""
    return clear_working_days_between(published_on, meeting_day) >= CLEAR_WORKING_DAYS


def earliest_meeting_day(published_on):
    """The first day a meeting can be held when its agenda is published on `published_on`: the day
    after the fifth clear working day (any day of the week: the meeting day itself is not counted)."""
    return working_days_after(published_on, CLEAR_WORKING_DAYS) + dt.timedelta(days=1)


def forward_plan_clear_days(entered_on, decision_day):
    """Clear calendar days between a key decision entering the Forward Plan and its being taken."""
    return (decision_day - entered_on).days - 1


def forward_plan_is_in_time(entered_on, decision_day):
    return forward_plan_clear_days(entered_on, decision_day) >= FORWARD_PLAN_CLEAR_DAYS


def working_days_after(day, count):
    """The working day `count` working days after `day` (`day` itself not counted)."""
    current = day
    remaining = count
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def in_words(day):
    """A date as the council writes it: "Wednesday 14 September 2022"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def bank_holiday(day):
    """The name of the bank holiday on `day` ("Christmas Day"), or "" on any other day."""
    return _bank_holidays(day.year).get(day, "")


PROGRAMME_WEEKS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def programme_dates(*, weekday, week, every, start, end):
    """The dates of a programme of meetings: the `week`th `weekday` (Monday 0; week -1 the last) of
    every `every`th month from the month of `start` to the month of `end`, both included."""
    dates = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        if week == -1:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            last = following - dt.timedelta(days=1)
            dates.append(last - dt.timedelta(days=(last.weekday() - weekday) % 7))
        else:
            first = dt.date(year, month, 1)
            dates.append(first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1)))
        year, month = year + (month - 1 + every) // 12, (month - 1 + every) % 12 + 1
    return dates
