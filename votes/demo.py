"""The demo's vote: the seed report's item at the meeting of 14 September 2022 (invented, like the
attendance it is counted against: no public source gives it).

Five members were present (four members and Councillor Joan Whitfield substituting for the vice-chair).
Councillor Ian Moncur declared an interest and did not vote (interests/demo.py), so the show of
hands is 3 for, 0 against and 1 abstention. Loaded by `load_demo` after the members and the
declaration; idempotent.
"""

from accounts.models import User
from votes.models import Method, Motion, Outcome
from votes.selectors import recommendations_text


def load(users, meeting):
    """Record the show of hands on the seed report's item, moved and seconded by members present."""
    item = meeting.items.filter(report__isnull=False).select_related("report").first()
    if item is None or Motion.objects.filter(item=item).exists():
        return
    people = User.objects.in_bulk(["cllr.rahman", "cllr.kenyon"], field_name="username")
    if len(people) < 2:
        return  # the councillors are made by members/demo.py; without them there is no one to move it
    Motion.objects.create(
        item=item,
        text=recommendations_text(item),
        mover=people["cllr.rahman"],
        seconder=people["cllr.kenyon"],
        method=Method.SHOW_OF_HANDS,
        votes_for=3,
        votes_against=0,
        abstentions=1,
        outcome=Outcome.CARRIED,
        recorded_by=users["clerk"],
    )
