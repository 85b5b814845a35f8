"""Reads of the register and of declarations that several apps need (the meeting page, the public site)."""

from django.db.models import Max, Min, Prefetch, Q

from boards.models import Membership
from interests.models import Declaration, RegisterChange, RegisterEntry

UPDATES = [RegisterChange.Action.ADD, RegisterChange.Action.EDIT, RegisterChange.Action.REMOVE]


def registered_members():
    """The members whose register is published: everyone on a board now, with their current entries,
    the date their register last changed and the date it was last accepted or reviewed."""
    from accounts.models import User

    accepted = Q(register_changes__status=RegisterChange.Status.ACCEPTED)
    return (
        User.objects.filter(pk__in=Membership.objects.current().values("user_id"))
        .annotate(
            register_updated_at=Max(
                "register_changes__decided_at", filter=accepted & Q(register_changes__action__in=UPDATES)
            ),
            register_reviewed_at=Max("register_changes__decided_at", filter=accepted),
            first_seat_on=Min("memberships__starts_on"),
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
