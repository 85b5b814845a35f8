"""Following by email: subscribing, confirming, stopping, and the emails sent about what is published.

Nothing is sent to an address but its confirmation email until it confirms, and at most one
confirmation email an hour, so the form cannot flood someone's mailbox. Every email carries its
subscription's one-click unsubscribe link (RFC 8058). Events are recorded once the step that
published something commits (`record_event`, called by boards/services.py, minutes/services.py and
other apps); the worker emails each to the immediate subscribers it matches (follow/tasks.py), and the
next daily digest lists it for the others (`emails.send_digests`, the `send_follow_digests` command).
"""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from follow import emails
from follow.models import Address, Event, Subscription, new_token
from follow.tasks import send_event_emails_task

log = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = dt.timedelta(hours=1)


class FollowRefused(Exception):
    """The change cannot be made; the message says why in plain words."""


# Subscribing, confirming, stopping ---------------------------------------------------------------


def target_of(kind, *, board=None, ward=None, keyword=""):
    """The one value that names what a subscription follows (unique per address)."""
    if kind == Subscription.Kind.BOARD:
        return f"board:{board.pk}"
    if kind == Subscription.Kind.WARD:
        return f"ward:{ward.pk}"
    return f"keyword:{' '.join(keyword.split()).lower()}"


def follow_subscribe(*, email, things, frequency):
    """Ask to follow each of `things` ((kind, board, ward, keyword) tuples) at `email`.

    A thing the address already follows is left as it is; one it asked for and has not confirmed
    (or stopped) waits for confirmation again. A confirmation email listing everything the address
    has not confirmed yet is sent, unless one was sent in the last hour. Returns whether it was.
    """
    email = email.strip().lower()
    if not things:
        raise FollowRefused("Choose a board, a ward or a keyword to follow.")
    with transaction.atomic():
        Address.objects.get_or_create(email=email)
        address = Address.objects.select_for_update().get(email=email)
        now = timezone.now()
        waiting = False
        for kind, board, ward, keyword in things:
            keyword = " ".join(keyword.split()) if kind == Subscription.Kind.KEYWORD else ""
            target = target_of(kind, board=board, ward=ward, keyword=keyword)
            found = Subscription.objects.select_for_update().filter(address=address, target=target).first()
            if found is None:
                Subscription.objects.create(
                    address=address,
                    kind=kind,
                    board=board,
                    ward=ward,
                    keyword=keyword,
                    target=target,
                    frequency=frequency,
                    created_at=now,
                )
                waiting = True
            elif found.unsubscribed_at is not None:  # asked again after stopping: confirmed afresh
                found.unsubscribed_at = found.confirmed_at = None
                found.token, found.frequency, found.created_at = new_token(), frequency, now
                found.save(update_fields=["unsubscribed_at", "confirmed_at", "token", "frequency", "created_at"])
                waiting = True
            elif found.confirmed_at is None:
                found.frequency = frequency
                found.save(update_fields=["frequency"])
                waiting = True
        if not waiting:
            return False
        if address.confirmation_sent_at and address.confirmation_sent_at > now - CONFIRMATION_INTERVAL:
            log.info("Follow: confirmation to address %s held back (one an hour)", address.pk)
            return False
        address.confirmation_sent_at = now
        address.save(update_fields=["confirmation_sent_at"])
        transaction.on_commit(partial(emails.send_confirmation, address.pk), robust=True)
    return True


def get_subscription(token):
    """The subscription whose links carry `token`, or None."""
    if not token or len(token) > 64:
        return None
    return Subscription.objects.select_related("address", "board", "ward").filter(token=token).first()


def follow_confirm(*, token):
    """Confirm the subscription: from now on it is sent what it follows. Refused once it was stopped."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            raise FollowRefused("This link is not one we sent.")
        if subscription.unsubscribed_at is not None:
            raise FollowRefused("These emails were stopped. To have them again, ask on the Follow page.")
        if subscription.confirmed_at is None:
            subscription.confirmed_at = subscription.digest_sent_until = timezone.now()
            subscription.save(update_fields=["confirmed_at", "digest_sent_until"])
            log.info("Follow: subscription %s confirmed", subscription.pk)
    return get_subscription(token)


def follow_unsubscribe(*, token):
    """Stop the subscription's emails (confirmed or not); stopping twice is no error."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(token=token).first()
        if subscription is None:
            raise FollowRefused("This link is not one we sent.")
        if subscription.unsubscribed_at is None:
            subscription.unsubscribed_at = timezone.now()
            subscription.save(update_fields=["unsubscribed_at"])
            log.info("Follow: subscription %s stopped", subscription.pk)
    return get_subscription(token)


# Events: recorded as things are published, emailed at once or in the daily digest -----------------


def record_event(*, kind, title, url, board=None, words="", wards=(), all_wards=False, meeting=None, supplement=None):
    """Record that something was published, once the caller's transaction commits; the worker then
    emails it to the immediate subscribers it matches.

    `title`, `url` (the public page's path), `words` (what a keyword is matched against) and `wards`
    (Ward objects or ids) must be only what the public page shows: nothing of an exempt report but the
    title the agenda prints. For a `meeting`'s agenda or minutes they are read from the meeting itself.
    """
    fields = {
        "kind": kind,
        "title": title[:300],
        "url": url,
        "board_id": getattr(board, "pk", board),
        "words": words,
        "all_wards": all_wards,
        "meeting_id": getattr(meeting, "pk", meeting),
        "supplement_id": getattr(supplement, "pk", supplement),
    }
    ward_ids = [getattr(ward, "pk", ward) for ward in wards]
    transaction.on_commit(partial(_record_now, fields, ward_ids), robust=True)


def _record_now(fields, ward_ids):
    """Write the event; the worker emails it to the immediate subscribers (none to email: no job)."""
    event = Event.objects.create(**fields)
    if ward_ids:
        event.wards.set(ward_ids)
    if Subscription.objects.active().filter(frequency=Subscription.Frequency.IMMEDIATE).exists():
        send_event_emails_task.enqueue(event.pk)
    return event


# The publishing steps' hooks (boards/services.py, minutes/services.py) ----------------------------


def _when(meeting):
    return f"{meeting.board}, {meeting.date_display}"


def agenda_published(meeting):
    """Record that `meeting`'s agenda was published (call inside the publishing transaction)."""
    record_event(
        kind=Event.Kind.AGENDA,
        title=f"Agenda published: {_when(meeting)}",
        url=meeting.get_absolute_url(),
        board=meeting.board_id,
        meeting=meeting,
    )


def supplement_published(meeting, supplement):
    """Record that a supplementary agenda of `meeting` was published."""
    record_event(
        kind=Event.Kind.SUPPLEMENT,
        title=f"{supplement.title} published: {_when(meeting)}",
        url=meeting.get_absolute_url(),
        board=meeting.board_id,
        meeting=meeting,
        supplement=supplement,
    )


def minutes_published(meeting):
    """Record that `meeting`'s minutes were published as a draft, subject to approval."""
    record_event(
        kind=Event.Kind.MINUTES,
        title=f"Draft minutes published: {_when(meeting)}",
        url=reverse("minutes:minutes", args=[meeting.pk]),
        board=meeting.board_id,
        meeting=meeting,
    )


def minutes_approved(meeting):
    """Record that `meeting`'s minutes were approved as a correct record."""
    record_event(
        kind=Event.Kind.MINUTES_APPROVED,
        title=f"Minutes approved: {_when(meeting)}",
        url=reverse("minutes:minutes", args=[meeting.pk]),
        board=meeting.board_id,
        meeting=meeting,
    )
