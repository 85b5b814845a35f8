"""A period with an optional first and last day (a seat on a board), and whether it is in force."""

from django.db.models import Q


def in_force_on(day, through=""):
    """Rows whose `starts_on`..`ends_on` (either open) include `day`; `through` reaches them over a
    relation ("board__memberships__"), inside one filter so both ends are of the same row."""
    return (Q(**{f"{through}starts_on__isnull": True}) | Q(**{f"{through}starts_on__lte": day})) & (
        Q(**{f"{through}ends_on__isnull": True}) | Q(**{f"{through}ends_on__gte": day})
    )
