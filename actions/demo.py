"""The demo's actions arising from the Health and Wellbeing Board's decision of 14 September 2022 on the
Cities Inequalities Project (invented for the demo: no public source gives them): one done, one overdue,
one in progress, recorded by `clerk` and reported on by their owners through the services."""

import datetime as dt

from django.utils import timezone

from actions import services
from actions.models import Action

DONE = (
    "Send the report's findings to the Board's partners (Sefton CVS, the NHS Sefton Place team and "
    "Merseyside Police) and ask each for its comments."
)
OVERDUE = (
    "Bring further information on the project's next phase, with its costs and who would pay them, back to "
    "a future meeting of the Board."
)
IN_PROGRESS = "Agree with the partners which neighbourhoods the project works in first."


def load(users, meeting):
    """Record the demo's three actions on the seed item's decision (once)."""
    if Action.objects.exists():
        return
    item = meeting.items.exclude(decision="").filter(report__isnull=False).first()
    if item is None:
        return
    clerk, officer, director = users["clerk"], users["officer"], users["director"]
    today = timezone.localdate()

    def record(description, owner, due_on):
        return services.action_create(item=item, user=clerk, description=description, owner=owner, due_on=due_on)

    done = record(DONE, officer, dt.date(2022, 10, 31))
    services.action_update(
        action=done, user=officer, status=Action.Status.IN_PROGRESS, note="Sent to all three partners."
    )
    services.action_update(
        action=done, user=officer, status=Action.Status.DONE, note="Comments received from all three partners."
    )
    record(OVERDUE, director, today - dt.timedelta(days=21))
    in_progress = record(IN_PROGRESS, officer, today + dt.timedelta(days=42))
    services.action_update(
        action=in_progress,
        user=officer,
        status=Action.Status.IN_PROGRESS,
        note="Netherton and Linacre proposed; waiting for the NHS Place team's view.",
    )
