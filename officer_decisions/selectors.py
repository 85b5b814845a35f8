"""Reads of officer decisions: the public register, the review queue, an officer's own."""

from officer_decisions.models import OfficerDecision


def public_register(*, q="", date_from=None, date_to=None):
    """Published decisions, newest first, filtered by words in the title and the decision's date."""
    decisions = OfficerDecision.objects.published().select_related("officer")
    if q:
        for word in q.split():
            decisions = decisions.filter(title__icontains=word)
    if date_from:
        decisions = decisions.filter(decided_on__gte=date_from)
    if date_to:
        decisions = decisions.filter(decided_on__lte=date_to)
    return decisions.order_by("-decided_on", "-published_at", "-pk")


def latest_published(limit=30):
    """The most recently published decisions, for the feeds."""
    return OfficerDecision.objects.published().select_related("officer").order_by("-published_at", "-pk")[:limit]


def waiting_for_review():
    """Submitted decisions, oldest first, with their wards (for democratic services' queue)."""
    return (
        OfficerDecision.objects.filter(status=OfficerDecision.Status.SUBMITTED)
        .select_related("officer")
        .prefetch_related("wards")
        .order_by("submitted_at", "pk")
    )


def recently_published(limit=20):
    """The decisions published last, newest first."""
    return OfficerDecision.objects.published().select_related("officer").order_by("-published_at", "-pk")[:limit]


def recorded_by(user):
    """An officer's own decisions, newest first."""
    return OfficerDecision.objects.filter(officer=user).order_by("-created_at", "-pk")
