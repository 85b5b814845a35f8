"""The meeting record on the boards app's pages, without boards' views knowing of this app."""

from django import template

from members import selectors

register = template.Library()


@register.simple_tag
def attendance_for(meeting):
    """The meeting's attendance as recorded (members.selectors.AttendanceRecord)."""
    return selectors.attendance_record(meeting)


@register.simple_tag
def apologies_for(meeting):
    """The apologies sent for the meeting and not withdrawn."""
    return selectors.standing_apologies(meeting)
