"""The open data API: read-only JSON of boards, meetings, agenda items and public reports.

Shaped after OParl 1.1 (https://oparl.org), the standard for council meeting data: a System
names the one Body (the council), whose Organizations (boards) hold Meetings with AgendaItems;
public reports are Papers whose PDFs are Files; councillors are Persons with their Memberships
of boards, meetings name the Persons who attended (`participant`) and, once published, the minutes
(`resultsProtocol`). Every object's `id` is its own URL, lists are paginated with OParl's
`pagination` and `links`. What is not public is not here: agenda items only of published agendas,
exempt items by title and paragraph only (never their motion, result or decision), Papers only for
reports `public_reports()` allows, Persons only for councillors. See /open-data/ for the documentation.
"""

from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from boards.models import AgendaItem, Board, Meeting, Membership
from boards.public_cache import cached_public_page
from boards.selectors import item_numbers, number_items, numbered_agendas
from config.numbers import whole_number
from members.models import Attendance, Councillor
from public import queries
from reports.models import SCHEDULE_12A_PARAGRAPHS, appendix_letter, exempt_grounds

OPARL = "https://schema.oparl.org/1.1/"
PER_PAGE = 50
BODY_ID = 1  # the one council this site serves
VENDOR = "committee:"  # OParl's prefix for properties of our own (OParl has no party)
ROLES = {
    Membership.Role.CHAIR: "Chair",
    Membership.Role.VICE_CHAIR: "Vice-Chair",
    Membership.Role.MEMBER: "Member",
    Membership.Role.SUBSTITUTE: "Substitute",
}


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def api_view(view):
    """GET only; JSON out; errors as JSON with their status, never an HTML page or a 500 for bad input."""

    @require_safe
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            data = view(request, *args, **kwargs)
            status = 200
        except ApiError as error:
            data, status = {"error": error.message, "status": error.status}, error.status
        except Http404:
            data, status = {"error": "There is no such object.", "status": 404}, 404
        response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapped


class Urls:
    """Absolute URLs for the objects of one request."""

    def __init__(self, request):
        self.request = request

    def __call__(self, name, *args, query=""):
        return self.request.build_absolute_uri(reverse(name, args=args)) + query


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def _paginate(request, queryset, serialise, list_name, *, query="", prepare=None):
    """One page of `queryset` as OParl's list; `prepare(objects)`, if given, reads what the page's
    objects need in bulk before each is serialised."""
    number = whole_number(request.GET.get("page", "1"))
    if not number:
        raise ApiError(400, "The page must be a whole number, 1 or more.")
    paginator = Paginator(queryset, PER_PAGE)
    if number > paginator.num_pages:
        raise ApiError(404, f"There is no page {number}; the last page is {paginator.num_pages}.")
    page = paginator.page(number)
    url = Urls(request)
    objects = list(page.object_list)
    if prepare:
        prepare(objects)

    def link(n):
        return url(list_name, query=f"?page={n}{query}")

    links = {"first": link(1), "last": link(paginator.num_pages)}
    if page.has_previous():
        links["prev"] = link(page.previous_page_number())
    if page.has_next():
        links["next"] = link(page.next_page_number())
    return {
        "data": [serialise(url, obj) for obj in objects],
        "pagination": {
            "totalElements": paginator.count,
            "elementsPerPage": PER_PAGE,
            "currentPage": number,
            "totalPages": paginator.num_pages,
        },
        "links": links,
    }


# Objects -----------------------------------------------------------------------------------------


def system_object(url):
    return {
        "id": url("api:system"),
        "type": OPARL + "System",
        "oparlVersion": OPARL,
        "name": f"{settings.COUNCIL_NAME}: committee reports",
        "body": url("api:bodies"),
        "website": url("public:home"),
        "product": "Committee reports",
        "web": url("public:open_data"),
    }


def body_object(url):
    return {
        "id": url("api:body", BODY_ID),
        "type": OPARL + "Body",
        "system": url("api:system"),
        "name": settings.COUNCIL_NAME,
        "website": url("public:home"),
        "organization": url("api:organizations"),
        "meeting": url("api:meetings"),
        "paper": url("api:papers"),
        "agendaItem": url("api:agenda_items"),
        "person": url("api:persons"),
        "legislativeTerm": [],
        "web": url("public:home"),
    }


def organization_object(url, board):
    return {
        "id": url("api:organization", board.pk),
        "type": OPARL + "Organization",
        "body": url("api:body", BODY_ID),
        "name": board.name,
        "shortName": board.slug,
        "organizationType": "committee",
        "classification": "Board or committee",
        "meeting": url("api:meetings", query=f"?organization={board.pk}"),
        "membership": [url("api:membership", seat.pk) for seat in board.api_memberships],
        "location": {"type": OPARL + "Location", "description": board.default_venue} if board.default_venue else None,
        "web": url("boards:detail", board.slug),
    }


def _motion(item):
    """The item's motion, read with the item (select_related), or None."""
    try:
        return item.motion
    except AgendaItem.motion.RelatedObjectDoesNotExist:
        return None


def _is_councillor(user):
    """Whether `user` is a councillor (read with the user by select_related): only they are Persons."""
    try:
        return user.councillor is not None
    except user.__class__.councillor.RelatedObjectDoesNotExist:
        return False


def person_object(url, councillor):
    user = councillor.user
    data = {
        "id": url("api:person", user.pk),
        "type": OPARL + "Person",
        "body": url("api:body", BODY_ID),
        "name": councillor.name,
        "familyName": user.last_name,
        # The council may keep the title in the first name ("Councillor Ian"): OParl wants it apart.
        "givenName": user.first_name.removeprefix("Councillor ").strip(),
        "formOfAddress": "Councillor",
        VENDOR + "party": councillor.party.name if councillor.party_id else None,
        "membership": [url("api:membership", seat.pk) for seat in user.api_memberships],
        "web": url("members:councillor", user.pk),
    }
    # Only what the council publishes: no address at all when it publishes none.
    if councillor.email:
        data["email"] = [councillor.email]
    if councillor.phone:
        data["phone"] = [councillor.phone]
    return data


def membership_object(url, seat):
    return {
        "id": url("api:membership", seat.pk),
        "type": OPARL + "Membership",
        "person": url("api:person", seat.user_id),
        "organization": url("api:organization", seat.board_id),
        "role": ROLES.get(seat.role, seat.get_role_display()),
        "votingRight": seat.role != Membership.Role.SUBSTITUTE,
        "startDate": seat.starts_on.isoformat() if seat.starts_on else None,
        "endDate": seat.ends_on.isoformat() if seat.ends_on else None,
    }


def _participants(url, meeting):
    """The Persons present, substitutes attending included, once attendance is recorded (else None)."""
    rows = meeting.api_attendances
    if not rows:
        return None
    people = []
    for row in rows:
        if row.status == Attendance.Status.PRESENT:
            people.append(row.member)
        elif row.status == Attendance.Status.SUBSTITUTED and row.substitute is not None:
            people.append(row.substitute)
    people = sorted((p for p in people if _is_councillor(p)), key=lambda p: (p.last_name, p.first_name, p.pk))
    return [url("api:person", person.pk) for person in people]


def file_object(*, name, file_name, access_url):
    return {
        "type": OPARL + "File",
        "name": name,
        "fileName": file_name,
        "mimeType": "application/pdf",
        "accessUrl": access_url,
        "downloadUrl": access_url,
    }


def agenda_item_object(url, number, item, public_pks, board_id):
    data = {
        "id": url("api:agenda_item", item.pk),
        "type": OPARL + "AgendaItem",
        "meeting": url("api:meeting", item.meeting_id),
        "number": str(number),
        "order": number,
        "name": item.title,
        "public": not item.is_exempt,
    }
    if item.is_exempt:  # read from the item's report now
        paragraphs = item.exempt_paragraphs
        data["exemptParagraph"] = paragraphs[0] if paragraphs else None
        data["exemptReason"] = f"Not for publication {exempt_grounds(paragraphs)}" + "".join(
            f". Paragraph {p}: {SCHEDULE_12A_PARAGRAPHS.get(p, '')}" for p in paragraphs
        )
        return data
    if item.description:
        data["description"] = item.description
    if item.decision:
        data["resolutionText"] = item.decision
    motion = _motion(item)
    if motion is not None:
        data["result"] = motion.get_outcome_display()
    if item.report_id and item.report_id in public_pks:
        data["consultation"] = {
            "type": OPARL + "Consultation",
            "paper": url("api:paper", item.report_id),
            "meeting": url("api:meeting", item.meeting_id),
            "agendaItem": url("api:agenda_item", item.pk),
            "organization": [url("api:organization", board_id)],
        }
        data["auxiliaryFile"] = [
            file_object(
                name=f"Report: {item.title}",
                file_name=f"{slugify(item.title)[:80] or 'report'}.pdf",
                access_url=url("public:paper_pdf", item.report_id),
            )
        ]
    return data


def meeting_object(url, meeting, *, public_pks):
    published = meeting.is_published and meeting.status != Meeting.Status.CANCELLED
    data = {
        "id": url("api:meeting", meeting.pk),
        "type": OPARL + "Meeting",
        "name": f"{meeting.board}, {meeting.date_display}",
        "meetingState": meeting.get_status_display(),
        "cancelled": meeting.status == Meeting.Status.CANCELLED,
        "start": _iso(meeting.starts_at),
        "location": {"type": OPARL + "Location", "description": meeting.venue or meeting.board.default_venue},
        "organization": [url("api:organization", meeting.board_id)],
        "agendaPublished": _iso(meeting.agenda_published_at) if published else None,
        "web": url("boards:meeting", meeting.pk),
    }
    if published:
        data["invitation"] = file_object(
            name=f"Agenda: {meeting.board}, {meeting.date_display}",
            file_name=f"{meeting.board.slug}-{meeting.date:%Y-%m-%d}-agenda.pdf",
            access_url=url("boards:agenda_pdf", meeting.pk),
        )
        data["auxiliaryFile"] = [
            file_object(
                name=f"Agenda pack: {meeting.board}, {meeting.date_display}",
                file_name=f"{meeting.board.slug}-{meeting.date:%Y-%m-%d}-agenda-pack.pdf",
                access_url=url("boards:public_pack", meeting.pk),
            )
        ]
        data["agendaItem"] = [
            agenda_item_object(url, number, item, public_pks, meeting.board_id)
            for number, item in number_items(meeting.items.all())  # Part 1, then Part 2, as the reports say now
        ]
    else:
        data["agendaItem"] = []
    participants = _participants(url, meeting)
    if participants is not None:
        data["participant"] = participants
    minutes = _public_minutes(meeting)
    if minutes is not None:
        data["resultsProtocol"] = file_object(
            name=f"Minutes ({minutes.stamp}): {meeting.board}, {meeting.date_display}",
            file_name=f"{meeting.board.slug}-{meeting.date:%Y-%m-%d}-minutes.pdf",
            access_url=url("minutes:pdf", meeting.pk),
        )
    return data


def _public_minutes(meeting):
    """The meeting's minutes if published or approved (read with the meeting), else None."""
    try:
        minutes = meeting.minutes
    except Meeting.minutes.RelatedObjectDoesNotExist:
        return None
    return minutes if minutes is not None and minutes.is_public else None


def paper_object(url, report):
    item = report.agenda_item
    appendices = list(report.appendices.all())
    return {
        "id": url("api:paper", report.pk),
        "type": OPARL + "Paper",
        "body": url("api:body", BODY_ID),
        "name": report.subject,
        "reference": f"R{report.pk}",
        "date": item.meeting.date.isoformat(),
        "paperType": "Committee report",
        "summary": report.summary,
        "reportOf": str(report.report_of) if report.report_of_id else None,
        "keyDecision": bool(report.is_key_decision),
        "mainFile": file_object(
            name=report.subject,
            file_name=f"{slugify(report.subject)[:80] or 'report'}.pdf",
            access_url=url("public:paper_pdf", report.pk),
        ),
        "auxiliaryFile": [
            file_object(
                name=f"Appendix {appendix_letter(i)}: {a.title}",
                file_name=f"{slugify(report.subject)[:60] or 'report'}-appendix-{appendix_letter(i).lower()}.pdf",
                access_url=url("public:paper_appendix", report.pk, a.pk),
            )
            for i, a in enumerate(appendices)
        ],
        "consultation": [
            {
                "type": OPARL + "Consultation",
                "agendaItem": url("api:agenda_item", item.pk),
                "meeting": url("api:meeting", item.meeting_id),
                "organization": [url("api:organization", item.meeting.board_id)],
            }
        ],
        "web": url("public:paper", report.pk),
    }


# Views -------------------------------------------------------------------------------------------


def _public_pks():
    return set(queries.public_reports().values_list("pk", flat=True))


@cached_public_page()
@api_view
def system(request):
    return system_object(Urls(request))


@cached_public_page()
@api_view
def bodies(request):
    url = Urls(request)
    return {
        "data": [body_object(url)],
        "pagination": {"totalElements": 1, "elementsPerPage": PER_PAGE, "currentPage": 1, "totalPages": 1},
        "links": {"first": url("api:bodies"), "last": url("api:bodies")},
    }


@cached_public_page()
@api_view
def body(request, pk):
    if pk != BODY_ID:
        raise Http404
    return body_object(Urls(request))


def _public_memberships():
    """Seats on active boards held by councillors: the Memberships the API shows."""
    return Membership.objects.filter(board__is_active=True, user__councillor__isnull=False)


def _boards():
    seats = Prefetch("memberships", queryset=_public_memberships().order_by("pk"), to_attr="api_memberships")
    return Board.objects.filter(is_active=True).prefetch_related(seats)


@cached_public_page()
@api_view
def organizations(request):
    boards = _boards().order_by("name", "pk")
    return _paginate(request, boards, organization_object, "api:organizations")


@cached_public_page()
@api_view
def organization(request, pk):
    board = _boards().filter(pk=pk).first()
    if board is None:
        raise Http404
    return organization_object(Urls(request), board)


def _meetings():
    items = AgendaItem.objects.issued().select_related("report", "motion")
    attendances = Attendance.objects.select_related("member__councillor", "substitute__councillor").order_by("pk")
    return Meeting.objects.select_related("board", "minutes").prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch("attendances", queryset=attendances, to_attr="api_attendances"),
    )


@cached_public_page()
@api_view
def meetings(request):
    meetings = _meetings().order_by("-starts_at", "pk")
    query = ""
    raw = request.GET.get("organization")
    if raw is not None:
        board_id = whole_number(raw)
        if board_id is None:
            raise ApiError(400, "organization must be the number of a board.")
        meetings = meetings.filter(board_id=board_id)
        query = f"&organization={board_id}"
    public_pks = _public_pks()
    return _paginate(
        request,
        meetings,
        lambda url, m: meeting_object(url, m, public_pks=public_pks),
        "api:meetings",
        query=query,
    )


@cached_public_page()
@api_view
def meeting(request, pk):
    found = _meetings().filter(pk=pk).first()
    if found is None:
        raise Http404
    return meeting_object(Urls(request), found, public_pks=_public_pks())


def _numbered(item):
    """An item's number on its agenda (Part 1 first, then Part 2)."""
    return item_numbers(item.meeting)[item.pk]


@cached_public_page()
@api_view
def agenda_items(request):
    items = (
        queries.public_items()
        .select_related("meeting", "meeting__board", "report", "motion")
        .order_by("-meeting__starts_at", "position", "pk")
    )
    public_pks = _public_pks()
    numbers = {}

    def number(page_items):
        """Each item's number on its agenda, for all the page's meetings in one query."""
        meetings = {item.meeting_id: item.meeting for item in page_items}.values()
        for numbered in numbered_agendas(meetings).values():
            numbers.update({item.pk: n for n, item in numbered})

    def serialise(url, item):
        return agenda_item_object(url, numbers[item.pk], item, public_pks, item.meeting.board_id)

    return _paginate(request, items, serialise, "api:agenda_items", prepare=number)


@cached_public_page()
@api_view
def agenda_item(request, pk):
    item = queries.public_items().select_related("meeting", "meeting__board", "report", "motion").filter(pk=pk).first()
    if item is None:
        raise Http404
    return agenda_item_object(Urls(request), _numbered(item), item, _public_pks(), item.meeting.board_id)


@cached_public_page()
@api_view
def papers(request):
    reports = queries.public_report_queryset().order_by("-agenda_item__meeting__starts_at", "-pk")
    return _paginate(request, reports, paper_object, "api:papers")


@cached_public_page()
@api_view
def paper(request, pk):
    return paper_object(Urls(request), queries.get_public_report(pk))


def _councillors():
    seats = Prefetch("user__memberships", queryset=_public_memberships().order_by("pk"), to_attr="api_memberships")
    return Councillor.objects.select_related("user", "party").prefetch_related(seats)


@cached_public_page()
@api_view
def persons(request):
    councillors = _councillors().order_by("user__last_name", "user__first_name", "pk")
    return _paginate(request, councillors, person_object, "api:persons")


@cached_public_page()
@api_view
def person(request, pk):
    """A councillor, by their user's number (as their public page /councillors/<pk>/ is)."""
    councillor = _councillors().filter(user_id=pk).first()
    if councillor is None:
        raise Http404
    return person_object(Urls(request), councillor)


@cached_public_page()
@api_view
def memberships(request):
    seats = _public_memberships().order_by("pk")
    return _paginate(request, seats, membership_object, "api:memberships")


@cached_public_page()
@api_view
def membership(request, pk):
    seat = _public_memberships().filter(pk=pk).first()
    if seat is None:
        raise Http404
    return membership_object(Urls(request), seat)
