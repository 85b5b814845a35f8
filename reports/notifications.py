"""Emails about a report's progress: who hears of each workflow step, sent once the step has committed.

The backend is settings.EMAIL_BACKEND: the console by default, SMTP when configured. A step's
emails are queued with `transaction.on_commit`, so a refused or rolled-back step sends nothing,
and a mail server that is down never undoes a step that happened.
"""

import logging
import re
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import StandIn, User
from reports.models import ReportEvent, SignOff

log = logging.getLogger(__name__)

REFERENCE = re.compile(r"\b[A-Z]{1,5}\.\d+/\d{2}\b")


def queue(event):
    """Send `event`'s emails after the surrounding transaction commits."""
    transaction.on_commit(partial(send_event_emails, event.pk), robust=True)


def _url(name, report):
    return settings.SITE_URL + reverse(name, args=[report.pk])


def _consultees():
    return User.objects.filter(is_active=True, consultee_kinds__is_active=True).distinct()


def _approver(report):
    return [report.report_of.holder] if report.report_of_id and report.report_of.holder_id else []


def _stand_ins(report):
    """Those standing in for the approver today (never the report's own author, who may not approve it)."""
    if not report.report_of_id:
        return []
    stand_ins = StandIn.objects.in_force().filter(post_id=report.report_of_id).exclude(deputy_id=report.author_id)
    return [s.deputy for s in stand_ins.select_related("deputy")]


def _democratic_services(report):
    """The board's clerk, or all of democratic services when the board has none."""
    if report.board_id and report.board.clerk_id:
        return [report.board.clerk]
    return list(User.objects.filter(is_active=True, is_democratic_services=True))


def messages_for(event):
    """What to tell whom about `event`: a list of (recipients, subject, lead sentence, link)."""
    report, actor = event.report, event.by or "The system"
    title = f"“{report.title}”"
    detail, edit, consult = (
        _url("reports:detail", report),
        _url("reports:edit", report),
        _url("reports:consult", report),
    )
    author = [report.author]
    action = event.action
    if action == "submitted":
        return [
            (
                _consultees(),
                "For your sign-off",
                f"{actor} has submitted {title} for sign-off. Please read it, then sign it off or return it "
                "to the author with your comments.",
                consult,
            )
        ]
    if action == "signed_off":
        if event.to_status == report.Status.SIGNED_OFF:
            return [
                (
                    _approver(report) + _stand_ins(report),
                    "For your approval",
                    f"{title} has been signed off by every consultee and waits for your approval.",
                    detail,
                ),
                (
                    author,
                    "Signed off",
                    f"{title} has been signed off by every consultee and goes for approval.",
                    detail,
                ),
            ]
        return [(author, "Signed off", f"{actor} has signed off {title}.", detail)]
    # A stand-in's step is told to the post holder they took it for.
    holder = [event.on_behalf_of] if event.on_behalf_of_id else []
    if action == "returned":
        return [
            (author, "Returned to you", f"{actor} has returned {title} to you with comments.", edit),
            (holder, "Returned in your place", f"{actor} has returned {title} to its author with comments.", detail),
        ]
    if action == "approved":
        return [
            (author, "Approved", f"{actor} has approved {title}.", detail),
            (holder, "Approved in your place", f"{actor} has approved {title}.", detail),
            (
                _democratic_services(report),
                "Approved, ready for an agenda",
                f"{actor} has approved {title}; it can be placed on its meeting's agenda.",
                detail,
            ),
        ]
    if action == "approval_withdrawn":
        return [
            (
                author + _approver(report) + _democratic_services(report),
                "Approval withdrawn",
                f"{actor} has withdrawn the approval of {title}. It is back to signed off.",
                detail,
            )
        ]
    if action == "published":
        return [(author, "Published", f"{title} has been published.", detail)]
    if action == "deferred":
        return [
            (
                author,
                "Deferred",
                f"The meeting {title} was to go to has been cancelled ({event.comment}). It is approved and "
                "waits to be placed on another meeting's agenda.",
                detail,
            )
        ]
    if action == "exemption_changed":
        item = getattr(report, "agenda_item", None)
        if item is None:  # taken off its agenda since
            return []
        part = "Part 2" if item.is_exempt else "Part 1"
        return [
            (
                _democratic_services(report),
                "Exemption changed on an agenda",
                f"{actor} has changed whether {title} is exempt. {event.comment} It is on the agenda of "
                f"{item.meeting}, now in {part}: check the agenda before it is published (its numbering "
                "and the packs follow the report).",
                settings.SITE_URL + reverse("boards:meeting", args=[item.meeting_id]),
            )
        ]
    if action == "released":
        return [
            (
                author + _approver(report) + _democratic_services(report),
                "Released for publication",
                f"{actor} has released {title} for publication: it is no longer exempt, and the public can read "
                "it with its meeting's papers.",
                detail,
            )
        ]
    if action == "correction_opened":
        correction = report.open_correction
        if correction is None:  # abandoned or republished since
            return []
        return [
            (
                author,
                "A correction to make",
                f"{actor} has opened a correction of {title}, published for its meeting. Make the correction in "
                "the editor; everyone reads the report as published until democratic services republish it.",
                _url("reports:edit", correction.draft),
            )
        ]
    if action == "republished":
        # What changed is the event's comment, which the email adds (or withholds, for an exempt report).
        return [(author, "Corrected and republished", f"{actor} has republished {title} with a correction.", detail)]
    if action == "forward_plan_accepted":
        return [(author, "On the Forward Plan", f"{actor} has accepted {title} onto the Forward Plan.", detail)]
    if action == "sign_offs_voided":
        references = REFERENCE.findall(event.comment)
        signers = [s.signed_by for s in SignOff.objects.filter(report=report, reference__in=references) if s.signed_by]
        return [
            (
                signers,
                "Your sign-off was voided",
                f"Your sign-off of {title} was voided, so it will need signing off again if it comes back to you.",
                consult,
            )
        ]
    return []


def send_event_emails(event_id):
    """Send the emails for one event, one message per person (never to the person who acted)."""
    event = ReportEvent.objects.select_related(
        "actor",
        "on_behalf_of",
        "report",
        "report__author",
        "report__board__clerk",
        "report__report_of__holder",
        "report__meeting",
    ).get(pk=event_id)
    # The step's comment is in the lead of these emails already.
    comment_in_lead = event.action in {"exemption_changed"}
    report = event.report
    outgoing = []
    seen = set()
    for recipients, subject, lead, link in messages_for(event):
        for user in recipients:
            if not user.email or not user.is_active or user.pk == event.actor_id or (user.pk, subject) in seen:
                continue
            seen.add((user.pk, subject))
            body = render_to_string(
                "emails/report_step.txt",
                {
                    "recipient": user,
                    "lead": lead,
                    "event": event,
                    # Exempt words stay in the system: the email says only that there is a comment.
                    "comment": "" if comment_in_lead else event.comment,
                    # Read as it is now; a report not yet classified is treated as exempt.
                    "withhold_comment": report.is_exempt is not False,
                    "report": report,
                    "link": link,
                    "council_name": settings.COUNCIL_NAME,
                },
            )
            heading = " ".join(f"{subject}: {report.title}".split())  # a header is one line
            outgoing.append(EmailMessage(heading, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if not outgoing:
        return 0
    try:
        # A mail server that hangs must not hold the request that took the step.
        return get_connection(timeout=settings.EMAIL_TIMEOUT or 10).send_messages(outgoing)
    except OSError:  # smtplib's errors are OSErrors too
        log.exception("Could not send the emails for report %s event %s", report.pk, event.action)
        return 0
