import datetime as dt

import pytest

from boards import clock

D = dt.date


@pytest.mark.parametrize(
    "meeting, deadline",
    [
        # The seed's meeting: Wednesday 14 September 2022; clear days 7, 8, 9, 12, 13 September.
        (D(2022, 9, 14), D(2022, 9, 6)),
        # 19 September 2022 was the Queen's funeral, a bank holiday: the clear days are 16, 20-23 September.
        (D(2022, 9, 26), D(2022, 9, 15)),
        # Across Christmas and New Year: 26 and 27 December 2022 and 2 January 2023 are bank holidays.
        (D(2023, 1, 4), D(2022, 12, 22)),
        (D(2023, 1, 9), D(2022, 12, 29)),
        (D(2024, 1, 3), D(2023, 12, 21)),
        # Across Easter: Good Friday 7 April and Easter Monday 10 April 2023.
        (D(2023, 4, 13), D(2023, 4, 3)),
        (D(2023, 4, 12), D(2023, 3, 31)),
        # Easter 2024: Good Friday 29 March, Easter Monday 1 April.
        (D(2024, 4, 4), D(2024, 3, 25)),
        # The early May bank holiday and the Coronation, 1 and 8 May 2023.
        (D(2023, 5, 10), D(2023, 4, 28)),
    ],
)
def test_it_finds_the_publication_deadline(meeting, deadline):
    assert clock.publication_deadline(meeting) == deadline
    assert clock.is_in_time(deadline, meeting)
    next_working_day = deadline + dt.timedelta(days=1)
    while not clock.is_working_day(next_working_day):
        next_working_day += dt.timedelta(days=1)
    assert not clock.is_in_time(next_working_day, meeting)


def test_it_counts_only_clear_working_days():
    # Publication day and meeting day never count; weekends and bank holidays never count.
    assert clock.clear_working_days_between(D(2022, 9, 6), D(2022, 9, 14)) == 5
    assert clock.clear_working_days_between(D(2022, 12, 23), D(2023, 1, 4)) == 4  # 28, 29, 30 Dec, 3 Jan
    assert clock.clear_working_days_between(D(2023, 4, 6), D(2023, 4, 11)) == 0  # Easter weekend


def test_it_knows_bank_holidays_in_england_and_wales():
    assert not clock.is_working_day(D(2022, 12, 27))  # Christmas Day (observed)
    assert not clock.is_working_day(D(2023, 4, 7))  # Good Friday
    assert not clock.is_working_day(D(2022, 9, 19))  # the Queen's funeral
    assert not clock.is_working_day(D(2023, 8, 28))  # the August bank holiday (not Scotland's)
    assert clock.is_working_day(D(2023, 8, 7))  # Scotland's August holiday is a working day here
    assert not clock.is_working_day(D(2022, 9, 17))  # a Saturday


def test_it_counts_the_report_deadline_in_working_days():
    assert clock.working_days_before(D(2022, 9, 6), 5) == D(2022, 8, 30)
    assert clock.working_days_before(D(2022, 9, 6), 6) == D(2022, 8, 26)  # 29 August 2022 was a bank holiday


def test_it_needs_28_clear_days_on_the_forward_plan():
    assert clock.forward_plan_clear_days(D(2022, 8, 1), D(2022, 8, 30)) == 28
    assert clock.forward_plan_is_in_time(D(2022, 8, 1), D(2022, 8, 30))
    assert not clock.forward_plan_is_in_time(D(2022, 8, 2), D(2022, 8, 30))


@pytest.mark.parametrize(
    ("published", "earliest"),
    [
        (dt.date(2026, 12, 7), dt.date(2026, 12, 15)),  # Monday: Tue 8 to Mon 14 clear, so Tuesday 15
        (dt.date(2026, 12, 4), dt.date(2026, 12, 12)),  # Friday: Mon 7 to Fri 11, so Saturday 12
        (dt.date(2026, 12, 22), dt.date(2027, 1, 1)),  # 23, 24, 29, 30, 31: Christmas and Boxing Day left out
    ],
)
def test_the_earliest_meeting_day_is_the_first_in_time(published, earliest):
    assert clock.earliest_meeting_day(published) == earliest
    assert clock.is_in_time(published, earliest)
    assert not clock.is_in_time(published, earliest - dt.timedelta(days=1))
