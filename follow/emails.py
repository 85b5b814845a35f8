"""The follow emails: the confirmation, one email per event, the daily digest.

Every email goes to one subscription's address and carries its one-click unsubscribe link, in the
body and in the `List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 8058). What an email
says about an event is read when it is written (follow/selectors.py): only what the public pages show.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from follow.models import Event, Subscription
from follow.selectors import event_content, matches

log = logging.getLogger(__name__)


def _site(path):
    return settings.SITE_URL + path


def unsubscribe_url(subscription):
    return _site(reverse("follow:unsubscribe", args=[subscription.token]))


def confirm_url(subscription):
    return _site(reverse("follow:confirm", args=[subscription.token]))


def _send(messages, what):
    """Send `messages`; a mail server that is down is logged, never raised into the step that sent them."""
    if not messages:
        return 0
    try:
        return get_connection(timeout=settings.EMAIL_TIMEOUT or 10).send_messages(messages)
    except OSError:  # smtplib's errors are OSErrors too
        log.exception("Could not send the follow emails: %s", what)
        return 0


def _message(subscription, subject, template, context):
    """One email to `subscription`'s address, with its one-click unsubscribe link in body and headers."""
    stop = unsubscribe_url(subscription)
    body = render_to_string(
        template,
        {**context, "subscription": subscription, "unsubscribe_url": stop, "council_name": settings.COUNCIL_NAME},
    )
    return EmailMessage(
        " ".join(subject.split()),  # a header is one line
        body,
        settings.DEFAULT_FROM_EMAIL,
        [subscription.address.email],
        headers={"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_confirmation(address_id):
    """Email the address a link to confirm each subscription it asked for and has not confirmed."""
    pending = list(
        Subscription.objects.filter(address_id=address_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        .select_related("address", "board", "ward")
        .order_by("pk")
    )
    if not pending:
        return 0
    links = [(subscription, confirm_url(subscription), unsubscribe_url(subscription)) for subscription in pending]
    message = _message(
        pending[0],
        f"Confirm that you want emails from {settings.COUNCIL_NAME}",
        "emails/follow_confirm.txt",
        {"links": links},
    )
    return _send([message], f"confirmation to address {address_id}")


def _candidates(event, content, frequency):
    """Active subscriptions of `frequency` that may follow `event`: its board's, its wards', every keyword."""
    wards = Q(kind=Subscription.Kind.WARD) & (Q() if content.all_wards else Q(ward_id__in=content.ward_ids))
    return (
        Subscription.objects.active()
        .filter(frequency=frequency)
        .filter(Q(kind=Subscription.Kind.BOARD, board_id=event.board_id) | wards | Q(kind=Subscription.Kind.KEYWORD))
        .select_related("address", "board", "ward")
        .order_by("address_id", "pk")
    )


def send_event_emails(event_id):
    """Email `event` to each confirmed immediate subscriber it matches, once per address (a no-op once sent)."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id, sent_at__isnull=True).first()
        if event is None:
            return 0
        event.sent_at = timezone.now()
        event.save(update_fields=["sent_at"])
    event = Event.objects.select_related("board", "meeting__board").get(pk=event_id)
    content = event_content(event)
    messages, told = [], set()
    for subscription in _candidates(event, content, Subscription.Frequency.IMMEDIATE):
        if subscription.address_id in told or subscription.confirmed_at > event.at:
            continue
        if matches(subscription, event, content):
            told.add(subscription.address_id)
            context = {"event": event, "lines": content.lines, "event_url": _site(event.url)}
            messages.append(_message(subscription, event.title, "emails/follow_event.txt", context))
    return _send(messages, f"event {event_id}")


def send_digests(*, now=None):
    """Send each confirmed daily subscription one email listing the events it matches since its last
    digest (none when nothing matched). Returns how many emails were sent."""
    now = now or timezone.now()
    subscriptions = list(
        Subscription.objects.active()
        .filter(frequency=Subscription.Frequency.DAILY)
        .select_related("address", "board", "ward")
        .order_by("pk")
    )
    if not subscriptions:
        return 0
    since = min(s.digest_sent_until or s.confirmed_at for s in subscriptions)
    events = list(Event.objects.filter(at__gte=since, at__lt=now).select_related("board", "meeting__board"))
    contents = {event.pk: event_content(event) for event in events}
    sent = 0
    for subscription in subscriptions:
        start = subscription.digest_sent_until or subscription.confirmed_at
        listed = [
            (event, contents[event.pk].lines, _site(event.url))
            for event in events
            if start <= event.at and matches(subscription, event, contents[event.pk])
        ]
        if listed:
            today = timezone.localdate(now)
            day = f"{today.day} {today:%B %Y}"
            message = _message(
                subscription,
                f"{settings.COUNCIL_NAME}: {len(listed)} new for {subscription.description}, {day}",
                "emails/follow_digest.txt",
                {"listed": listed},
            )
            if not _send([message], f"digest for subscription {subscription.pk}"):
                continue  # tried again with the next digest
            sent += 1
        Subscription.objects.filter(pk=subscription.pk).update(digest_sent_until=now)
    return sent
