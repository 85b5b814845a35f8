"""The reader as an installable web app that works offline (issue 20): its service worker and manifest,
what a device may keep of a meeting (offline.json) and which kept meetings a device must drop.

The device keeps a meeting's papers in Cache Storage, one cache per user and meeting
(`reader-<user pk>-meeting-<meeting pk>`, static/reader/offline.js), filled from the list made here for
the signed-in user by the reader's own gate: an exempt paper is listed only for someone the reader shows
it to. The service worker (static/reader/sw.js) answers from those caches only when the network fails.
"""

import json

from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from boards.models import AgendaItem, Council, Meeting
from reader.selectors import get_meeting_to_read, readable_meetings
from reports.models import Appendix, Report

SCOPE = "/reader/"
# The council's colour (static/css/app.css, --council): the app's title bar when installed.
THEME_COLOUR = "#004b6b"
# How many kept meetings one check may ask about, and how many exempt addresses each may name.
MAX_CHECKED = 100
MAX_EXEMPT_URLS = 500

SESSION_ENDED = "Your session has ended: sign in again to keep papers on this device."
MINUTES_APPROVED = "The minutes of this meeting are approved: its papers are no longer kept for reading offline."


@require_safe
def service_worker(request):
    """The service worker, from /reader/ so that it may control the reader's pages. The same for
    everyone (it holds no data); the browser checks it for a new version on every visit."""
    with open(finders.find("reader/sw.js"), encoding="utf-8") as handle:
        source = handle.read()
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request):
    """The web app manifest: the reader installed as an app of its own. Public, as browsers fetch it
    without cookies; it names nothing but the council."""
    council = Council.current().display_name
    icons = [
        {"src": static(f"reader/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {"src": static("reader/icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
    )
    data = {
        "name": f"{council}: members' papers",
        "short_name": "Papers",
        "description": "The papers of the meetings you sit on, with your private notes, offline too.",
        "id": SCOPE,
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "lang": "en-GB",
        "dir": "ltr",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = HttpResponse(json.dumps(data, indent=1), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def _refused(message, status):
    return JsonResponse({"error": message}, status=status)


def _item_urls(meeting_pk, item_pk, report):
    """The reader's addresses of one agenda item: its fragment, and its report's PDFs when it has one."""
    urls = [reverse("reader:item", args=[meeting_pk, item_pk])]
    if report is not None:
        urls.append(reverse("reader:report_pdf", args=[meeting_pk, item_pk]))
        urls.extend(
            reverse("reader:appendix_pdf", args=[meeting_pk, item_pk, appendix.pk])
            for appendix in report.appendices.all()
            if appendix.file and appendix.is_disarmed  # served once it is a PDF rebuilt by the current rules
        )
    return urls


def _papers(user, meeting_pks):
    """[(url, exempt)]: each item of these meetings' issued agendas that `user` may open, with its report's
    PDFs, in a fixed number of queries. The reader's own rule (`reader.selectors.reader_items`): every item
    of the issued agenda, a report's only when `user` may see the report, its exemption read from the report
    now; tests/test_reader_offline.py holds the two to the same answer."""
    items = list(
        AgendaItem.objects.issued()
        .filter(meeting__in=meeting_pks)
        .select_related("report")
        .prefetch_related(Prefetch("report__appendices", Appendix.objects.order_by("position", "pk")))
        .order_by("meeting", "position", "pk")
    )
    visible = set(
        Report.objects.visible_to(user)
        .filter(pk__in=[item.report_id for item in items if item.report_id])
        .values_list("pk", flat=True)
    )
    papers = []
    for item in items:
        if item.report_id and item.report_id not in visible:
            continue  # the agenda names it; nothing of it reaches this person, so nothing of it is kept
        report = item.report if item.report_id else None
        papers.extend((url, item.is_exempt) for url in _item_urls(item.meeting_id, item.pk, report))
    return papers


def offline_urls(user, meeting):
    """[(url, exempt)]: what a device keeps of the meeting for `user`: the reader's page of it, each item
    `user` may open with its PDFs, and their notes. An exempt paper is listed only for someone the reader
    shows it to."""
    return [
        (reverse("reader:meeting", args=[meeting.pk]), False),
        *_papers(user, [meeting.pk]),
        (f"{reverse('reader:api_notes')}?meeting={meeting.pk}", False),
    ]


def exempt_urls_readable(user, meeting_pks):
    """Every exempt address of these meetings that `offline_urls` lists for `user`."""
    return {url for url, exempt in _papers(user, meeting_pks) if exempt}


@require_safe
def offline_list(request, meeting_pk):
    """What this device should keep of a meeting for the signed-in person, as JSON:
    {"meeting": pk, "title": ..., "starts_at": ..., "exempt": bool, "urls": [{"url": ..., "exempt": bool}]}."""
    if not request.user.is_authenticated:
        return _refused(SESSION_ENDED, 403)
    meeting = get_meeting_to_read(request.user, meeting_pk)
    if meeting.status == Meeting.Status.MINUTES_APPROVED:
        return _refused(MINUTES_APPROVED, 409)
    urls = offline_urls(request.user, meeting)
    return JsonResponse(
        {
            "meeting": meeting.pk,
            "title": str(meeting),
            "starts_at": meeting.starts_at.isoformat(),
            "exempt": any(exempt for _, exempt in urls),
            "urls": [{"url": url, "exempt": exempt} for url, exempt in urls],
        }
    )


class BadCheck(ValueError):
    """A check the server cannot read: answered 400 with what is wrong."""


def _kept_from(request):
    """{meeting pk: set of exempt addresses kept} from the device: POST {"meetings": [{"meeting": pk,
    "exempt": [url, ...]}]} or GET ?meeting=pk&meeting=pk (the meetings alone)."""
    if request.method in ("GET", "HEAD"):
        raw = request.GET.getlist("meeting")
        entries = [{"meeting": value} for value in raw]
    else:
        if request.content_type != "application/json":
            raise BadCheck("The check is sent as JSON (Content-Type: application/json).")
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadCheck("The check is not JSON.") from None
        entries = body.get("meetings") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise BadCheck('The check needs "meetings": a list of the meetings kept on this device.')
    if len(entries) > MAX_CHECKED:
        raise BadCheck(f"At most {MAX_CHECKED} meetings can be checked at once.")
    kept = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise BadCheck('Each kept meeting is {"meeting": <id>, "exempt": [<address>, ...]}.')
        try:
            pk = int(entry.get("meeting"))
        except (TypeError, ValueError):
            raise BadCheck("A meeting is named by its number.") from None
        exempt = entry.get("exempt", [])
        if not isinstance(exempt, list) or len(exempt) > MAX_EXEMPT_URLS or not all(isinstance(u, str) for u in exempt):
            raise BadCheck(f'"exempt" is a list of at most {MAX_EXEMPT_URLS} addresses.')
        kept.setdefault(pk, set()).update(exempt)
    return kept


@require_http_methods(["GET", "HEAD", "POST"])
def offline_check(request):
    """Which of the meetings kept on this device it must drop, as JSON {"drop": [pk, ...], "reasons":
    {pk: why}}: those the signed-in person may no longer read (their seat on the board ended), those
    whose minutes are approved, and those holding an exempt paper no longer listed for them."""
    if not request.user.is_authenticated:
        return _refused(SESSION_ENDED, 403)
    try:
        kept = _kept_from(request)
    except BadCheck as exc:
        return _refused(str(exc), 400)
    readable = {m.pk: m for m in readable_meetings(request.user).filter(pk__in=kept)}
    holding_exempt = [pk for pk, urls in kept.items() if urls and pk in readable]
    exempt_readable = exempt_urls_readable(request.user, holding_exempt) if holding_exempt else set()
    drop, reasons = [], {}
    for pk, exempt_kept in kept.items():
        meeting = readable.get(pk)
        if meeting is None:
            reason = "You can no longer read this meeting's papers."
        elif meeting.status == Meeting.Status.MINUTES_APPROVED:
            reason = MINUTES_APPROVED
        elif not exempt_kept <= exempt_readable:
            reason = "Some of the exempt papers kept on this device are no longer yours to read."
        else:
            continue
        drop.append(pk)
        reasons[str(pk)] = reason
    return JsonResponse({"drop": drop, "reasons": reasons})
