"""Reads of the register and of declarations that several apps need (the meeting page, the public site)."""

from django.db.models import Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from boards.models import Membership
from interests.models import Declaration, RegisterChange, RegisterEntry

UPDATES = [RegisterChange.Action.ADD, RegisterChange.Action.EDIT, RegisterChange.Action.REMOVE]


def registered_members():
    """The members whose register is published: everyone on a board now, with their current entries,
    the date their register last changed, the date it was last accepted or reviewed, and the day they
    took office (`took_office_on`)."""
    from accounts.models import User

    accepted = Q(register_changes__status=RegisterChange.Status.ACCEPTED)
    return (
        User.objects.filter(pk__in=Membership.objects.current().values("user_id"))
        .annotate(
            register_updated_at=Max(
                "register_changes__decided_at", filter=accepted & Q(register_changes__action__in=UPDATES)
            ),
            register_reviewed_at=Max("register_changes__decided_at", filter=accepted),
            # When they took office, from which the register is due in 28 days: the councillor's own
            # date, else the start of their first seat. The seat is a subquery, not a second join
            # beside the changes' (which would multiply the rows); the councillor is at most one row.
            took_office_on=Coalesce(
                "councillor__took_office_on",
                Subquery(
                    Membership.objects.filter(user=OuterRef("pk"), starts_on__isnull=False)
                    .order_by("starts_on")
                    .values("starts_on")[:1]
                ),
            ),
        )
        .prefetch_related(
            Prefetch(
                "register_entries",
                queryset=RegisterEntry.objects.current().order_by("category", "pk"),
                to_attr="current_entries",
            )
        )
        .order_by("last_name", "first_name")
    )


def declarations_by_item(meeting):
    """The meeting's declarations, grouped by agenda item id (one query)."""
    grouped = {}
    for declaration in Declaration.objects.filter(item__meeting=meeting).select_related("member", "entry"):
        grouped.setdefault(declaration.item_id, []).append(declaration)
    return grouped
