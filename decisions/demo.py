"""The demo's executive: a Cabinet, its meeting of last week with its decisions recorded (their
notices waiting for democratic services to publish), and the Overview and Scrutiny Committee that
scrutinises it, meeting in a few weeks. The reports, names and figures are invented for the demo.

`load_demo` calls `load(command, users)`; the reports are written and published by the command's own
`load_approved_report` and `mark_published`, the way it writes the Health and Wellbeing Board's.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from boards.models import AgendaItem, Board, Meeting, Membership
from boards.services import ensure_standard_items
from members.models import Councillor, Party
from reports.models import Report, Ward

CABINET = {"slug": "cabinet", "name": "Cabinet", "default_venue": "Cabinet Room, Bootle Town Hall"}
SCRUTINY = {
    "slug": "overview-and-scrutiny",
    "name": "Overview and Scrutiny Committee (Adult Social Care and Health)",
    "default_venue": "Committee Room 1, Bootle Town Hall",
}
# Two councillors who sign in (the demo password) to call a decision in; both sit on the committee.
SCRUTINY_MEMBERS = [
    ("cllr.lloyd", "Conservative", ["Ainsdale"], Membership.Role.CHAIR),
    ("cllr.brennan", "Liberal Democrats", ["Dukes"], Membership.Role.MEMBER),
]
CABINET_MEMBERS = [("member", Membership.Role.MEMBER), ("cllr.rahman", Membership.Role.CHAIR)]


def _report(subject, summary, recommendation, reasons, alternatives, decision, sections):
    return {
        "subject": subject, "is_key_decision": True, "in_forward_plan": True, "is_exempt": False,
        "exempt_paragraphs": [], "summary": summary, "recommendations": [recommendation], "reasons": reasons,
        "alternatives": alternatives, "revenue_costs": "Within the approved budget.", "capital_costs": "None.",
        "implications": {}, "climate_impact": "neutral", "climate_training": True,
        "climate_explanation": "No direct impact on the climate.", "core_purposes": {},
        "external_consultations": "None.", "implementation_date": "When the call-in period ends.",
        "contact_officer": "Eleanor Moulton", "contact_phone": "0345 140 0845",
        "contact_email": "eleanor.moulton@example.sefton.gov.uk", "background_papers": "None.",
        "sections": sections, "decision": decision,
    }  # fmt: skip


REPORTS = [
    _report(
        "Leisure Centres Investment Programme",
        "The report sets out a three-year programme of repairs and energy improvements at the council's "
        "five leisure centres, and asks Cabinet to approve it.",
        "Cabinet is asked to approve the Leisure Centres Investment Programme 2027 to 2030.",
        "The centres' roofs, pools and heating plant are near the end of their lives; repairs now cost less "
        "than emergency closures later.",
        "Closing the two oldest centres was considered and rejected: it would leave two wards without a pool.",
        "RESOLVED: that the Leisure Centres Investment Programme 2027 to 2030 be approved.",
        [("Background", "<ol><li><p>The council runs five leisure centres.</p></li></ol>")],
    ),
    _report(
        "Highways Maintenance Programme 2027 to 2028",
        "The report sets out the roads and footways to be resurfaced in 2027 to 2028 and asks Cabinet to "
        "approve the programme.",
        "Cabinet is asked to approve the Highways Maintenance Programme 2027 to 2028.",
        "The programme follows the condition survey and keeps the network safe within the budget.",
        "Patching only was considered and rejected: it costs more over five years.",
        "RESOLVED: that the Highways Maintenance Programme 2027 to 2028 be approved.",
        [("The programme", "<p>Forty-two roads and eighteen footways are to be resurfaced.</p>")],
    ),
]


def _at(day, hour):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _councillor(username, users, party, wards):
    user = users[username]
    councillor, created = Councillor.objects.get_or_create(
        user=user,
        defaults={
            "party": Party.objects.get(name=party),
            "email": f"{user.last_name.lower()}.cllr@example.sefton.gov.uk",
            "took_office_on": dt.date(2022, 5, 5),
        },
    )
    if created:
        councillor.wards.set(Ward.objects.filter(name__in=wards))
    return user


def load(command, users):
    """The Cabinet, its meeting held last week with two decisions, and the scrutiny committee."""
    clerk = users["clerk"]
    cabinet, _ = Board.objects.get_or_create(
        slug=CABINET["slug"], defaults={"name": CABINET["name"], "default_venue": CABINET["default_venue"],
                                        "clerk": clerk, "is_executive": True},
    )  # fmt: skip
    scrutiny, _ = Board.objects.get_or_create(
        slug=SCRUTINY["slug"], defaults={"name": SCRUTINY["name"], "default_venue": SCRUTINY["default_venue"],
                                         "clerk": clerk},
    )  # fmt: skip
    scrutiny.scrutinises.add(cabinet)
    for username, role in CABINET_MEMBERS:
        user = User.objects.get(username=username)  # councillors made by members/demo.py
        Membership.objects.get_or_create(board=cabinet, user=user, defaults={"role": role})
    for username, party, wards, role in SCRUTINY_MEMBERS:
        user = _councillor(username, users, party, wards)
        Membership.objects.get_or_create(board=scrutiny, user=user, defaults={"role": role})
    if cabinet.meetings.exists():
        return
    today = timezone.localdate()
    held_on = today - dt.timedelta(days=(today.weekday() - 3) % 7 or 7)  # last Thursday
    meeting = Meeting.objects.create(
        board=cabinet, starts_at=_at(held_on, 10), venue=cabinet.default_venue, status=Meeting.Status.HELD,
        agenda_published_at=_at(held_on - dt.timedelta(days=8), 16), agenda_published_by=clerk,
    )  # fmt: skip
    ensure_standard_items(meeting)
    position = meeting.items.count()
    for content in REPORTS:
        command.load_approved_report(users, cabinet, meeting, content)
        report = Report.objects.get(subject=content["subject"], board=cabinet)
        command.mark_published(report, clerk, meeting.agenda_published_at)
        position += 1
        AgendaItem.objects.create(
            meeting=meeting, position=position, kind=AgendaItem.Kind.REPORT, title=report.subject, report=report,
            added_by=clerk, decision=content["decision"],
        )  # fmt: skip
    next_on = today + dt.timedelta(days=21 + (1 - today.weekday()) % 7)  # a Tuesday three weeks on
    coming = Meeting.objects.create(board=scrutiny, starts_at=_at(next_on, 18), venue=scrutiny.default_venue)
    ensure_standard_items(coming)
