"""The demo's minutes of the meeting of 14 September 2022: drafted from its record, published as a
draft, and approved at the board's following meeting (invented for the demo: that meeting, of 9
November 2022, is not in the demo's data, so the approval names no meeting here)."""

import datetime as dt

from django.utils import timezone

from boards.models import Meeting
from minutes.drafting import draft_minutes
from minutes.models import Minutes
from reports.html import sanitize_html

PUBLISHED_ON = dt.datetime(2022, 9, 23, 12)
APPROVED_ON = dt.datetime(2022, 11, 9, 15)


def load(users, meeting):
    """The meeting's minutes, approved, and the meeting recorded as having its minutes approved (once)."""
    if Minutes.objects.filter(meeting=meeting).exists():
        return
    body, exempt_body = draft_minutes(meeting)
    Minutes.objects.create(
        meeting=meeting, body=sanitize_html(body), exempt_body=sanitize_html(exempt_body),
        status=Minutes.Status.APPROVED, drafted_at=timezone.make_aware(PUBLISHED_ON) - dt.timedelta(days=2),
        updated_by=users["clerk"], published_at=timezone.make_aware(PUBLISHED_ON),
        approved_at=timezone.make_aware(APPROVED_ON),
    )  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.HELD).update(status=Meeting.Status.MINUTES_APPROVED)
