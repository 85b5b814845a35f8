"""The demo's register of interests and a declaration (invented for the demo: no public source gives them).

Lewis Dwyer (`legal`) is the monitoring officer. Councillor Ian Moncur (`member`) has two entries,
one of them sensitive, accepted when the demo council was made; he declared an interest in the
seed report at the meeting of 14 September 2022.
"""

import datetime as dt

from django.utils import timezone

from interests.models import Category, Declaration, RegisterChange, RegisterEntry, Whose

ENTRIES = [
    {
        "category": Category.EMPLOYMENT,
        "description": "Trustee (unpaid) of Sefton Carers Centre",
        "whose": Whose.MEMBER,
        "is_sensitive": False,
        "starts_on": dt.date(2019, 4, 1),
    },
    {
        "category": Category.LAND,
        "description": "A house in Bootle held jointly with his partner",
        "whose": Whose.PARTNER,
        "is_sensitive": True,
        "starts_on": dt.date(2015, 6, 1),
    },
]

DECLARATION = {
    "kind": Declaration.Kind.OTHER_REGISTRABLE,
    "nature": "Trustee of Sefton Carers Centre, which may take part in the project",
    "conduct": Declaration.Conduct.DID_NOT_VOTE,
}


def load(users, meeting):
    """Make `legal` the monitoring officer, give `member` his register and the seed item its declaration."""
    legal, member, clerk = users["legal"], users["member"], users["clerk"]
    if not legal.is_monitoring_officer:
        legal.is_monitoring_officer = True
        legal.save(update_fields=["is_monitoring_officer"])
    accepted_at = timezone.make_aware(dt.datetime(2022, 5, 20, 12))
    first = None
    if not member.register_entries.exists():
        for fields in ENTRIES:
            entry = RegisterEntry.objects.create(
                member=member, registered_at=accepted_at, updated_at=accepted_at, **fields
            )
            RegisterChange.objects.create(
                member=member, entry=entry, action=RegisterChange.Action.ADD, status=RegisterChange.Status.ACCEPTED,
                proposed_at=accepted_at - dt.timedelta(days=5), decided_at=accepted_at, decided_by=legal, **fields,
            )  # fmt: skip
            first = first or entry
    item = meeting.items.filter(report__isnull=False).first()
    if item is not None and not item.declarations.exists():
        first = first or member.register_entries.order_by("pk").first()
        Declaration.objects.create(
            item=item, member=member, entry=first, recorded_by=clerk,
            recorded_at=meeting.starts_at, **DECLARATION,
        )  # fmt: skip
