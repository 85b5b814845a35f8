"""The open data API: read-only JSON of boards, meetings, agenda items and public reports.

Shaped after OParl 1.1 (https://oparl.org), the standard for council meeting data: a System
names the one Body (the council), whose Organizations (boards) hold Meetings with AgendaItems;
public reports are Papers whose PDFs are Files; councillors are Persons with their Memberships
of boards, meetings name the Persons who attended (`participant`) and, once published, the minutes
(`resultsProtocol`). Every object's `id` is its own URL, lists are paginated with OParl's
`pagination` and `links`. What is not public is not here: agenda items only of published agendas,
exempt items by title and paragraph only (never their motion, result or decision), Papers only for
reports `public_reports()` allows, Persons only for councillors. Two types of our own, which OParl
lacks, carry decisions: DecisionNotice (the executive's notices) and OfficerDecision (the register of
officer decisions), linked from the Body; an exempt one prints what its public page shows and no more.
See /open-data/ for the documentation.

Files, Locations and Consultations are printed inside the objects they belong to, each with an `id`
that answers at its own URL (/files/<key>/ and so on). Every object has `created` and `modified`,
every list takes OParl's `created_since`, `created_until`, `modified_since` and `modified_until`,
and an object that stops being public answers at its URL with `deleted: true` (public/harvest.py).
Nulls and empty lists are left out; properties of our own carry the `committee:` prefix.
"""

from functools import wraps
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import CharField, Prefetch
from django.db.models.functions import Cast
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt

from boards.models import AgendaItem, Board, Meeting, Membership
from boards.public_cache import cached_public_page
from boards.selectors import item_numbers, number_items, numbered_agendas
from config.numbers import whole_number
from config.paths import Addresses
from decisions.models import Notice
from members.models import Attendance, Councillor
from officer_decisions.models import OfficerDecision
from public import harvest, queries
from public.models import ApiRecord
from reports.models import SCHEDULE_12A_PARAGRAPHS, Appendix, appendix_letter, exempt_grounds

OPARL = "https://schema.oparl.org/1.1/"
PER_PAGE = 50
BODY_ID = 1  # the one council this site serves
VENDOR = "committee:"  # OParl's prefix for properties of our own
ROLES = {
    Membership.Role.CHAIR: "Chair",
    Membership.Role.VICE_CHAIR: "Vice-Chair",
    Membership.Role.MEMBER: "Member",
    Membership.Role.SUBSTITUTE: "Substitute",
}
REQUIRED_EVEN_EMPTY = {"legislativeTerm", "data"}  # Body: OParl requires it (this council names no terms); a list page
TIME_FILTERS = {
    "created_since": "created__gte",
    "created_until": "created__lte",
    "modified_since": "modified__gte",
    "modified_until": "modified__lte",
}


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def clean(data):
    """`data` without nulls and empty lists, at any depth (OParl: leave out what has no value)."""
    if isinstance(data, dict):
        return {k: clean(v) for k, v in data.items() if v is not None and (v != [] or k in REQUIRED_EVEN_EMPTY)}
    if isinstance(data, list):
        return [clean(v) for v in data]
    return data


SAFE_METHODS = ("GET", "HEAD")


def error_object(status, message):
    """OParl's error object (its chapter on exception handling): `type`, a `message` for people and `debug`."""
    return {"type": OPARL + "Error", "message": message, "debug": f"HTTP {status} {HTTPStatus(status).phrase}"}


def _json(data, status):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def api_view(view):
    """GET and HEAD; JSON out, every object with its `created` and `modified`; an object no longer
    public as OParl's deleted object; errors as OParl's error object with their status, never an HTML
    page or a 500.

    Exempt from the CSRF check: no answer here changes anything, and a client's POST (which carries no
    token) is to learn that only GET and HEAD are answered (405, as JSON), not that a token is missing.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            response = _json(error_object(405, "Only GET and HEAD are answered here."), 405)
            response["Allow"] = ", ".join(SAFE_METHODS)
            return response
        try:
            harvest.bring_up_to_date(every_object)
            data, status = harvest.add_times(clean(view(request, *args, **kwargs))), 200
        except ApiError as error:
            data, status = error_object(error.status, error.message), error.status
        except Http404:
            data, status = _deleted(request)
        response = _json(data, status)
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapped


def _deleted(request):
    """A deleted object's remains at its URL (200), or a 404 for an address that never held one."""
    url = request.build_absolute_uri(request.path)
    kind, key = harvest.address(url)
    record = harvest.deleted_record(kind, key) if key else None
    if record is None:
        return error_object(404, NO_SUCH_OBJECT), 404
    return harvest.tombstone(url, record), 200


NO_SUCH_OBJECT = "There is no such object."


@api_view
def not_found(request, rest):
    """Any other address under the API: OParl's error object, not the site's HTML page."""
    raise Http404


class Urls(Addresses):
    """Absolute URLs for the objects of one request, on the host it was made to."""

    def __init__(self, request):
        super().__init__(origin=request.build_absolute_uri("/").removesuffix("/"))


def _iso(value):
    """A moment as OParl writes it: 2026-12-03T08:37:13+00:00, UK time, whole seconds."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def _time_filters(request):
    """OParl's date filters of a list, as lookups on ApiRecord, and as a query string for its links."""
    lookups, given = {}, {}
    for name, lookup in TIME_FILTERS.items():
        raw = request.GET.get(name)
        if raw is None:
            continue
        # An unencoded "+" of the offset arrives as a space: read it as the "+" it was.
        text = raw.strip().replace(" ", "+")
        try:
            value = parse_datetime(text) if "T" in text.upper() else None  # a date and a time, as OParl asks
        except ValueError:
            value = None
        if value is None:
            raise ApiError(400, f"{name} must be a date and time, such as 2026-01-31T09:00:00+00:00.")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)  # without an offset: UK time
        lookups[lookup], given[name] = value, text
    return lookups, ("&" + urlencode(given) if given else "")


def _page_number(request):
    number = whole_number(request.GET.get("page", "1"))
    if not number:
        raise ApiError(400, "The page must be a whole number, 1 or more.")
    return number


def _paginate(
    request, queryset, serialise, list_name, *, query="", prepare=None, kind=None, detail=None, key="pk", keys=None
):
    """One page of `queryset` as OParl's list; `prepare(objects)`, if given, reads what the page's
    objects need in bulk before each is serialised.

    With a date filter the list is of the objects created or modified in that time, deleted ones
    included (their remains), oldest change first, so an aggregator can harvest what changed. A list
    narrowed by more than the date (one board's meetings) gives `keys`, the keys of every object it
    may hold, deleted ones too, so that its pages hold only those and count only those.
    """
    lookups, filter_query = _time_filters(request)
    query += filter_query
    number = _page_number(request)
    url = Urls(request)
    if lookups:
        records = ApiRecord.objects.filter(kind=kind, **lookups).order_by("modified", "pk")
        if keys is not None:
            records = records.filter(key__in=keys)
        paginator = Paginator(records, PER_PAGE)
    else:
        paginator = Paginator(queryset, PER_PAGE)
    if number > paginator.num_pages:
        raise ApiError(404, f"There is no page {number}; the last page is {paginator.num_pages}.")
    page = paginator.page(number)
    if lookups:
        data = _records_page(url, list(page.object_list), queryset, serialise, prepare, detail, key)
    else:
        objects = list(page.object_list)
        if prepare:
            prepare(objects)
        data = [serialise(url, obj) for obj in objects]

    def link(n):
        return url(list_name, query=f"?page={n}{query}")

    links = {"first": link(1), "last": link(paginator.num_pages), "self": link(number)}
    if page.has_previous():
        links["prev"] = link(page.previous_page_number())
    if page.has_next():
        links["next"] = link(page.next_page_number())
    return {
        "data": data,
        "pagination": {
            "totalElements": paginator.count,
            "elementsPerPage": PER_PAGE,
            "currentPage": number,
            "totalPages": paginator.num_pages,
        },
        "links": links,
    }


def _records_page(url, records, queryset, serialise, prepare, detail, key):
    """The objects of a page of ApiRecords, in its order: the live ones printed, the deleted ones' remains.

    An object public now but outside `queryset` (another board's meeting) is left out."""
    live = {str(getattr(obj, key)): obj for obj in queryset.filter(**{f"{key}__in": [r.key for r in records]})}
    if prepare:
        prepare(list(live.values()))
    data = []
    for record in records:
        if record.deleted:
            data.append(harvest.tombstone(url(detail, record.key), record))
        elif record.key in live:
            data.append(serialise(url, live[record.key]))
    return data


# Objects -----------------------------------------------------------------------------------------


def system_object(url):
    return {
        "id": url("api:system"),
        "type": OPARL + "System",
        "oparlVersion": OPARL,
        "name": f"{settings.COUNCIL_NAME}: committee reports",
        "body": url("api:bodies"),
        "license": settings.OPEN_DATA_LICENCE,
        "website": url("public:home"),
        "product": settings.OPEN_DATA_PRODUCT_URL or url("public:open_data"),
        "web": url("public:open_data"),
    }


def body_object(url):
    return {
        "id": url("api:body", BODY_ID),
        "type": OPARL + "Body",
        "system": url("api:system"),
        "name": settings.COUNCIL_NAME,
        "license": settings.OPEN_DATA_LICENCE,
        "website": url("public:home"),
        "organization": url("api:organizations"),
        "meeting": url("api:meetings"),
        "paper": url("api:papers"),
        "agendaItem": url("api:agenda_items"),
        "person": url("api:persons"),
        "membership": url("api:memberships"),
        "legislativeTerm": [],
        VENDOR + "decisionNotices": url("api:decision_notices"),
        VENDOR + "officerDecisions": url("api:officer_decisions"),
        "web": url("public:home"),
    }


def location_object(url, key, description):
    """A place, as its words: the council keeps venues as text."""
    if not description:
        return None
    return {"id": url("api:location", key), "type": OPARL + "Location", "description": description}


def organization_object(url, board):
    data = {
        "id": url("api:organization", board.pk),
        "type": OPARL + "Organization",
        "body": url("api:body", BODY_ID),
        "name": board.name,
        "shortName": board.slug,
        "organizationType": "committee",
        "classification": "Board or committee",
        "meeting": url("api:meetings", query=f"?organization={board.pk}"),
        "membership": [url("api:membership", seat.pk) for seat in board.api_memberships],
        "location": location_object(url, f"board-{board.pk}", board.default_venue),
        "web": url("boards:detail", board.slug),
    }
    if not board.is_active:
        data[VENDOR + "active"] = False  # it meets no more; its meetings still name it
    return data


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
        "membership": [membership_object(url, seat) for seat in user.api_memberships],  # OParl prints them inside
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


def file_object(url, key, *, name, file_name, access_url, meeting=None, paper=None, agenda_item=None):
    """A PDF: `accessUrl` opens it in the browser, `downloadUrl` saves it (Content-Disposition: attachment)."""
    return {
        "id": url("api:file", key),
        "type": OPARL + "File",
        "name": name,
        "fileName": file_name,
        "mimeType": "application/pdf",
        "accessUrl": access_url,
        "downloadUrl": access_url + "?download=1",
        "meeting": [meeting] if meeting else None,
        "paper": [paper] if paper else None,
        "agendaItem": [agenda_item] if agenda_item else None,
    }


def report_file(url, report, item):
    """A public report's PDF: the same File inside its Paper and inside its AgendaItem."""
    return file_object(
        url,
        f"paper-{report.pk}",
        name=report.subject,
        file_name=f"{slugify(report.subject)[:80] or 'report'}.pdf",
        access_url=url("public:paper_pdf", report.pk),
        paper=url("api:paper", report.pk),
        agenda_item=url("api:agenda_item", item.pk),
    )


def consultation_object(url, item, board_id):
    """The consideration of a public report at its agenda item."""
    return {
        "id": url("api:consultation", item.pk),
        "type": OPARL + "Consultation",
        "paper": url("api:paper", item.report_id),
        "agendaItem": url("api:agenda_item", item.pk),
        "meeting": url("api:meeting", item.meeting_id),
        "organization": [url("api:organization", board_id)],
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
        data[VENDOR + "exemptParagraph"] = paragraphs[0] if paragraphs else None
        data[VENDOR + "exemptReason"] = f"Not for publication {exempt_grounds(paragraphs)}" + "".join(
            f". Paragraph {p}: {SCHEDULE_12A_PARAGRAPHS.get(p, '')}" for p in paragraphs
        )
        return data
    if item.description:
        data[VENDOR + "description"] = item.description
    if item.decision:
        data["resolutionText"] = item.decision
    notice = getattr(item, "notice", None)  # read with the item (select_related)
    if notice is not None:  # an executive decision's notice, on the site
        data[VENDOR + "decisionNotice"] = url("decisions:notice", notice.pk)
    motion = _motion(item)
    if motion is not None:
        data["result"] = motion.outcome_display  # "Lost on the Chair's casting vote" where it was
    if item.report_id and item.report_id in public_pks:
        data["consultation"] = url("api:consultation", item.pk)
        data["auxiliaryFile"] = [report_file(url, item.report, item)]
    return data


def meeting_object(url, meeting, *, public_pks):
    published = meeting.is_published and meeting.status != Meeting.Status.CANCELLED
    name = f"{meeting.board}, {meeting.date_display}"
    dated = f"{meeting.board.slug}-{meeting.date:%Y-%m-%d}"
    meeting_url = url("api:meeting", meeting.pk)
    data = {
        "id": meeting_url,
        "type": OPARL + "Meeting",
        "name": name,
        "meetingState": meeting.get_status_display(),
        "cancelled": meeting.status == Meeting.Status.CANCELLED,
        "start": _iso(meeting.starts_at),
        "location": location_object(url, f"meeting-{meeting.pk}", meeting.venue or meeting.board.default_venue),
        "organization": [url("api:organization", meeting.board_id)],
        VENDOR + "agendaPublished": _iso(meeting.agenda_published_at) if published else None,
        VENDOR + "special": True if meeting.is_special else None,  # convened for particular business
        "web": url("boards:meeting", meeting.pk),
    }
    if published:
        data["invitation"] = file_object(
            url, f"agenda-{meeting.pk}", name=f"Agenda: {name}", file_name=f"{dated}-agenda.pdf",
            access_url=url("boards:agenda_pdf", meeting.pk), meeting=meeting_url,
        )  # fmt: skip
        data["auxiliaryFile"] = [
            file_object(
                url,
                f"pack-{meeting.pk}",
                name=f"Agenda pack: {name}",
                file_name=f"{dated}-agenda-pack.pdf",
                access_url=url("boards:public_pack", meeting.pk),
                meeting=meeting_url,
            )  # fmt: skip
        ]
        data["agendaItem"] = [
            agenda_item_object(url, number, item, public_pks, meeting.board_id)
            for number, item in number_items(meeting.items.all())  # Part 1, then Part 2, as the reports say now
        ]
    data["participant"] = _participants(url, meeting)
    minutes = _public_minutes(meeting)
    if minutes is not None:
        data["resultsProtocol"] = file_object(
            url, f"minutes-{meeting.pk}", name=f"Minutes ({minutes.stamp}): {name}", file_name=f"{dated}-minutes.pdf",
            access_url=url("minutes:pdf", meeting.pk), meeting=meeting_url,
        )  # fmt: skip
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
    paper_url = url("api:paper", report.pk)
    stem = slugify(report.subject)[:60] or "report"
    return {
        "id": paper_url,
        "type": OPARL + "Paper",
        "body": url("api:body", BODY_ID),
        "name": report.subject,
        "reference": f"R{report.pk}",
        "date": item.meeting.date.isoformat(),
        "paperType": "Committee report",
        VENDOR + "summary": report.summary,
        VENDOR + "reportOf": str(report.report_of) if report.report_of_id else None,
        VENDOR + "keyDecision": bool(report.is_key_decision),
        "mainFile": report_file(url, report, item),
        "auxiliaryFile": [
            file_object(
                url,
                f"appendix-{a.pk}",
                name=f"Appendix {appendix_letter(i)}: {a.title}",
                file_name=f"{stem}-appendix-{appendix_letter(i).lower()}.pdf",
                access_url=url("public:paper_appendix", report.pk, a.pk),
                paper=paper_url,
            )  # fmt: skip
            for i, a in enumerate(report.appendices.all())
        ],
        "consultation": [consultation_object(url, item, item.meeting.board_id)],
        "web": url("public:paper", report.pk),
    }


def officer_decision_object(url, decision):
    """A published officer decision (a type of our own); an exempt one as its public page shows it: its
    title, date, maker and the paragraph of Schedule 12A, nothing more."""
    data = {
        "id": url("api:officer_decision", decision.pk),
        "type": harvest.type_url("OfficerDecision"),
        "body": url("api:body", BODY_ID),
        "name": decision.title,
        "date": decision.decided_on.isoformat(),
        "decisionMaker": str(decision.officer),
        "post": decision.officer_title,
        "published": _iso(decision.published_at),
        "public": not decision.is_exempt,
        "web": url("officer_decisions:detail", decision.pk),
    }
    if decision.is_exempt:  # read from the record now
        data["exemptParagraph"] = decision.exempt_paragraph
        data["exemptReason"] = decision.exempt_reason
        return data
    data.update(
        {
            "decision": decision.decision,
            "delegatedPower": decision.delegated_power,
            "reasons": decision.reasons,
            "alternativesRejected": decision.alternatives or None,
            "conflictOfInterest": decision.conflict_of_interest or None,
            "dispensation": decision.dispensation or None,
            "ward": [ward.name for ward in decision.wards.all()],  # prefetched
            "backgroundPaper": list(decision.background_papers),
        }
    )
    return data


def decision_notice_object(url, notice, *, public_pks, public_items):
    """An executive decision's notice (a type of our own), as its public page shows it: an exempt
    decision by its title, dates and call-in status only."""
    item, meeting = notice.item, notice.item.meeting
    data = {
        "id": url("api:decision_notice", notice.pk),
        "type": harvest.type_url("DecisionNotice"),
        "body": url("api:body", BODY_ID),
        "name": notice.title,
        "reference": notice.reference,
        "organization": url("api:organization", meeting.board_id),
        "meeting": url("api:meeting", meeting.pk),
        "agendaItem": url("api:agenda_item", item.pk) if item.pk in public_items else None,
        "date": meeting.date.isoformat(),
        "published": _iso(notice.published_at),
        "version": notice.version,
        "state": notice.state_display,
        "urgent": notice.is_urgent,
        "callInCloses": _iso(notice.call_in_closes_at),
        "effectiveFrom": notice.effective_on.isoformat() if notice.effective_on else None,
        "public": not notice.is_exempt,
        "web": url("decisions:notice", notice.pk),
    }
    call_in = getattr(notice, "call_in", None)  # read with the notice (select_related)
    if call_in is not None and call_in.completed_at:
        data["calledIn"] = _iso(call_in.completed_at)
        if notice.scrutiny_item_id:
            data["scrutinyMeeting"] = url("api:meeting", notice.scrutiny_item.meeting_id)
    if notice.outcome:
        data["outcome"] = notice.get_outcome_display()
        data["outcomeRecorded"] = _iso(notice.outcome_recorded_at)
    if notice.is_exempt:  # read from the item's report now
        data["exemptReason"] = f"Not for publication {item.exempt_grounds}"
        return data
    data.update(
        {
            "decision": notice.decision,
            "reasons": notice.reasons,
            "alternativesRejected": notice.alternatives,
            "conflicts": notice.conflicts or None,
            "urgencyReason": notice.urgency_reason or None,
            "outcomeNote": notice.outcome_note or None,
            "paper": url("api:paper", item.report_id) if item.report_id in public_pks else None,
            "correction": [
                {"version": v.version, "replaced": _iso(v.corrected_at), "note": v.correction}
                for v in notice.versions.all()  # prefetched
            ],
        }
    )
    return data


def every_object(url):
    """Every object the API prints, as it prints it (public/harvest.py compares them); the embedded
    Files, Locations, Consultations and AgendaItems come inside their Meetings, Papers and Organizations."""
    yield clean(system_object(url))
    yield clean(body_object(url))
    for board in _boards().order_by("pk"):
        yield clean(organization_object(url, board))
    public_pks = _public_pks()
    for meeting in _meetings().order_by("pk").iterator(chunk_size=200):
        yield clean(meeting_object(url, meeting, public_pks=public_pks))
    for report in _papers().order_by("pk").iterator(chunk_size=500):
        yield clean(paper_object(url, report))
    for councillor in _councillors().order_by("pk"):
        yield clean(person_object(url, councillor))
    for seat in _public_memberships().order_by("pk"):
        yield clean(membership_object(url, seat))
    for decision in _officer_decisions().order_by("pk").iterator(chunk_size=500):
        yield clean(officer_decision_object(url, decision))
    public_items = _notice_items()
    for notice in _notices().order_by("pk").iterator(chunk_size=500):
        yield clean(decision_notice_object(url, notice, public_pks=public_pks, public_items=public_items))


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
    lookups, _ = _time_filters(request)
    url = Urls(request)
    listed = [body_object(url)]
    if lookups and not ApiRecord.objects.filter(kind="bodies", key=str(BODY_ID), **lookups).exists():
        listed = []
    return {
        "data": listed,
        "pagination": {"totalElements": len(listed), "elementsPerPage": PER_PAGE, "currentPage": 1, "totalPages": 1},
        "links": {"first": url("api:bodies"), "last": url("api:bodies"), "self": url("api:bodies")},
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
    """Every board: an inactive one too, as its past meetings name it."""
    seats = Prefetch("memberships", queryset=_public_memberships().order_by("pk"), to_attr="api_memberships")
    return Board.objects.prefetch_related(seats)


@cached_public_page()
@api_view
def organizations(request):
    boards = _boards().order_by("-is_active", "name", "pk")
    return _paginate(
        request, boards, organization_object, "api:organizations", kind="organizations", detail="api:organization"
    )


@cached_public_page()
@api_view
def organization(request, pk):
    board = _boards().filter(pk=pk).first()
    if board is None:
        raise Http404
    return organization_object(Urls(request), board)


def _meetings():
    items = AgendaItem.objects.issued().select_related("report", "motion", "notice")
    attendances = Attendance.objects.select_related("member__councillor", "substitute__councillor").order_by("pk")
    return Meeting.objects.select_related("board", "minutes").prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch("attendances", queryset=attendances, to_attr="api_attendances"),
    )


@cached_public_page()
@api_view
def meetings(request):
    meetings = _meetings().order_by("-starts_at", "pk")
    query, keys = "", None
    raw = request.GET.get("organization")
    if raw is not None:
        board_id = whole_number(raw)
        if board_id is None:
            raise ApiError(400, "organization must be the number of a board.")
        meetings = meetings.filter(board_id=board_id)
        query = f"&organization={board_id}"
        # The board's meetings, cancelled ones too: the keys of its records, live or deleted.
        keys = Meeting.objects.filter(board_id=board_id).annotate(key=Cast("pk", CharField())).values("key")
    public_pks = _public_pks()
    return _paginate(
        request,
        meetings,
        lambda url, m: meeting_object(url, m, public_pks=public_pks),
        "api:meetings",
        query=query,
        kind="meetings",
        detail="api:meeting",
        keys=keys,
    )


def _meeting(pk):
    found = _meetings().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@cached_public_page()
@api_view
def meeting(request, pk):
    return meeting_object(Urls(request), _meeting(pk), public_pks=_public_pks())


def _numbered(item):
    """An item's number on its agenda (Part 1 first, then Part 2)."""
    return item_numbers(item.meeting)[item.pk]


def _items():
    return queries.public_items().select_related("meeting", "meeting__board", "report", "motion", "notice")


@cached_public_page()
@api_view
def agenda_items(request):
    items = _items().order_by("-meeting__starts_at", "position", "pk")
    public_pks = _public_pks()
    numbers = {}

    def number(page_items):
        """Each item's number on its agenda, for all the page's meetings in one query."""
        meetings = {item.meeting_id: item.meeting for item in page_items}.values()
        for numbered in numbered_agendas(meetings).values():
            numbers.update({item.pk: n for n, item in numbered})

    def serialise(url, item):
        return agenda_item_object(url, numbers[item.pk], item, public_pks, item.meeting.board_id)

    return _paginate(
        request, items, serialise, "api:agenda_items", prepare=number, kind="agenda-items", detail="api:agenda_item"
    )


@cached_public_page()
@api_view
def agenda_item(request, pk):
    item = _items().filter(pk=pk).first()
    if item is None:
        raise Http404
    return agenda_item_object(Urls(request), _numbered(item), item, _public_pks(), item.meeting.board_id)


def _papers():
    """Public reports with what their Paper prints (not their text: the API lists, the PDF reads)."""
    return (
        queries.public_reports()
        .select_related("agenda_item__meeting__board", "report_of")
        .prefetch_related("appendices")
    )


def _paper(pk):
    report = _papers().filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


@cached_public_page()
@api_view
def papers(request):
    reports = _papers().order_by("-agenda_item__meeting__starts_at", "-pk")
    return _paginate(request, reports, paper_object, "api:papers", kind="papers", detail="api:paper")


@cached_public_page()
@api_view
def paper(request, pk):
    return paper_object(Urls(request), _paper(pk))


def _councillors():
    seats = Prefetch("user__memberships", queryset=_public_memberships().order_by("pk"), to_attr="api_memberships")
    return Councillor.objects.select_related("user", "party").prefetch_related(seats)


@cached_public_page()
@api_view
def persons(request):
    councillors = _councillors().order_by("user__last_name", "user__first_name", "pk")
    return _paginate(
        request, councillors, person_object, "api:persons", kind="persons", detail="api:person", key="user_id"
    )


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
    return _paginate(request, seats, membership_object, "api:memberships", kind="memberships", detail="api:membership")


@cached_public_page()
@api_view
def membership(request, pk):
    seat = _public_memberships().filter(pk=pk).first()
    if seat is None:
        raise Http404
    return membership_object(Urls(request), seat)


# Objects printed inside others, each at its own URL ----------------------------------------------


def _inside(data, url):
    """The object `url` printed inside `data`, or 404."""
    for obj in harvest.objects_in(clean(data)):
        if obj["id"] == url:
            return obj
    raise Http404


def _keyed(key, kinds):
    """("paper", 12) from "paper-12", if its kind is one of `kinds`; else 404."""
    kind, _, number = key.rpartition("-")
    pk = whole_number(number)
    if kind not in kinds or pk is None:
        raise Http404
    return kind, pk


@cached_public_page()
@api_view
def file(request, key):
    """A File by its key: paper-<report>, appendix-<appendix>, agenda-, pack- or minutes-<meeting>."""
    url = Urls(request)
    kind, pk = _keyed(key, {"paper", "appendix", "agenda", "pack", "minutes"})
    if kind == "paper":
        parent = paper_object(url, _paper(pk))
    elif kind == "appendix":
        report_id = Appendix.objects.filter(pk=pk).values_list("report_id", flat=True).first()
        parent = paper_object(url, _paper(report_id))
    else:
        parent = meeting_object(url, _meeting(pk), public_pks=_public_pks())
    return _inside(parent, url("api:file", key))


@cached_public_page()
@api_view
def location(request, key):
    """A Location by its key: meeting-<meeting> (where it meets) or board-<board> (where it usually meets)."""
    url = Urls(request)
    kind, pk = _keyed(key, {"meeting", "board"})
    if kind == "meeting":
        parent = meeting_object(url, _meeting(pk), public_pks=_public_pks())
    else:
        board = _boards().filter(pk=pk).first()
        if board is None:
            raise Http404
        parent = organization_object(url, board)
    return _inside(parent, url("api:location", key))


@cached_public_page()
@api_view
def consultation(request, pk):
    """A Consultation, by its agenda item: the item's public report considered there."""
    url = Urls(request)
    report_id = _items().filter(pk=pk).values_list("report_id", flat=True).first()
    return _inside(paper_object(url, _paper(report_id)), url("api:consultation", pk))


# Decisions: officer decisions and the executive's decision notices (types of our own) ----------


def _officer_decisions():
    """Officer decisions on the public register, with their wards."""
    return OfficerDecision.objects.published().select_related("officer").prefetch_related("wards")


@cached_public_page()
@api_view
def officer_decisions(request):
    decisions = _officer_decisions().order_by("-decided_on", "-published_at", "-pk")
    return _paginate(
        request, decisions, officer_decision_object, "api:officer_decisions",
        kind="officer-decisions", detail="api:officer_decision",
    )  # fmt: skip


@cached_public_page()
@api_view
def officer_decision(request, pk):
    decision = _officer_decisions().filter(pk=pk).first()
    if decision is None:
        raise Http404
    return officer_decision_object(Urls(request), decision)


def _notices():
    """Every published notice with what it prints, its call-in and corrections read with it."""
    return Notice.objects.select_related("item__meeting", "item__report", "call_in", "scrutiny_item").prefetch_related(
        "versions"
    )


def _notice_items():
    """The agenda items with a notice that the API prints (those of published agendas)."""
    return set(queries.public_items().filter(notice__isnull=False).values_list("pk", flat=True))


@cached_public_page()
@api_view
def decision_notices(request):
    notices = _notices().order_by("-published_at", "-pk")
    public_pks, public_items = _public_pks(), _notice_items()
    return _paginate(
        request,
        notices,
        lambda url, n: decision_notice_object(url, n, public_pks=public_pks, public_items=public_items),
        "api:decision_notices",
        kind="decision-notices",
        detail="api:decision_notice",
    )


@cached_public_page()
@api_view
def decision_notice(request, pk):
    notice = _notices().filter(pk=pk).first()
    if notice is None:
        raise Http404
    return decision_notice_object(Urls(request), notice, public_pks=_public_pks(), public_items=_notice_items())
