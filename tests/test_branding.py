"""The council's branding (name, logo with its alternative text, address, democratic services contact),
set by an administrator in the admin and printed on reports and front sheets; and the front sheet."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from boards import services
from boards.models import Council, Membership
from boards.packs import build_pack
from reports import pdf
from reports.models import Report
from reports.tasks import store_report_pdf_now
from reports.views import report_queryset
from tests.pdfinspect import structure

pytestmark = pytest.mark.django_db


def png(width=240, height=80):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 75, 107)).save(buffer, "PNG")
    return buffer.getvalue()


def text_of(data):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def admin_url(council=None):
    council = council or Council.objects.get()
    return f"/admin/boards/council/{council.pk}/change/"


def form(**fields):
    data = {
        "name": "",
        "address": "",
        "logo_alt": "",
        "democratic_services_name": "Democratic Services",
        "democratic_services_phone": "",
        "democratic_services_email": "",
    }
    data.update(fields)
    return data


def test_it_prints_council_name_from_the_setting_until_an_administrator_sets_one(demo, settings):
    settings.COUNCIL_NAME = "Borough of Testshire"
    assert "Borough of Testshire" in text_of(pdf.render_report_pdf(report_queryset().get(pk=demo.draft.pk)))
    council = Council.objects.get()
    council.name = "Metropolitan Borough of Sefton"
    council.save()
    text = text_of(pdf.render_report_pdf(report_queryset().get(pk=demo.draft.pk)))
    assert "Metropolitan Borough of Sefton" in text and "Borough of Testshire" not in text


def test_it_makes_a_stored_pdf_again_when_the_branding_changes(demo, login):
    client = login(demo.member)
    store_report_pdf_now(demo.seed.pk)  # the background job an approval queues
    demo.seed.refresh_from_db()
    stored = demo.seed.pdf_file.name
    Council.objects.update(name="Sefton Metropolitan Borough Council")
    response = client.get(f"/reports/{demo.seed.pk}/pdf/")
    assert "Sefton Metropolitan Borough Council" in text_of(response.content)
    store_report_pdf_now(demo.seed.pk)
    demo.seed.refresh_from_db()
    assert demo.seed.pdf_file.name != stored


def test_it_prints_the_logo_an_administrator_uploads_with_its_alternative_text(demo, login):
    client = login(demo.admin)
    logo = SimpleUploadedFile("crest.png", png(), content_type="image/png")
    response = client.post(admin_url(), form(logo=logo, logo_alt="The council's crest"))
    assert response.status_code == 302, response.content.decode()[:2000]
    council = Council.objects.get()
    assert council.logo.name.startswith("council/")

    report_figures = [e for e in structure(pdf.render_report_pdf(demo.seed)).elements if e.type == "/Figure"]
    assert [f.alt for f in report_figures] == ["The council's crest"]
    front = build_pack(demo.meeting, "front").pdf
    front_figures = [e for e in structure(front).elements if e.type == "/Figure"]
    assert [f.alt for f in front_figures] == ["The council's crest"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"<html>not an image</html>", "must be a PNG or JPEG image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "could not be read as an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1), "it can be at most 1 MB"),
        (png(4100, 10), "at most 4000 pixels on a side"),
    ],
)
def test_it_refuses_a_logo_that_is_not_a_sensible_image_beside_the_field(demo, login, upload, message):
    client = login(demo.admin)
    logo = SimpleUploadedFile("logo.png", upload, content_type="image/png")
    response = client.post(admin_url(), form(name="Typed name kept", logo=logo, logo_alt="Crest"))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "Typed name kept" in page
    assert not Council.objects.get().logo


def test_it_asks_for_the_logos_alternative_text(demo, login):
    client = login(demo.admin)
    logo = SimpleUploadedFile("crest.png", png(), content_type="image/png")
    response = client.post(admin_url(), form(logo=logo))
    assert response.status_code == 200
    assert "Say what the logo shows" in response.content.decode()
    assert not Council.objects.get().logo


def test_it_keeps_one_branding_row(demo, login):
    assert login(demo.admin).get("/admin/boards/council/add/").status_code == 403


def test_it_refuses_the_branding_to_the_outsider_and_the_anonymous(demo, client, login):
    url = admin_url()
    assert client.get(url).status_code == 302  # to the admin's sign-in
    response = login(demo.outsider).get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert login(demo.clerk).post(url, form(name="Hijacked")).status_code == 302
    assert Council.objects.get().name == ""


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    meeting = demo.board.meetings.filter(starts_at__gt=timezone.now()).get()
    for subject in ["Better Care Fund Plan 2025 to 2027", "Sexual Health Services: Contract Award"]:
        services.agenda_add_report(meeting=meeting, report=Report.objects.get(subject=subject), user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=False):
        services.agenda_publish(meeting=meeting, user=demo.clerk)
    meeting.refresh_from_db()
    return meeting


def test_it_prints_the_front_sheet_a_council_publishes(demo, published):
    meeting = published
    board = meeting.board
    from accounts.models import User

    def member(username, first, last, role, **dates):
        user = User.objects.create(username=username, first_name=first, last_name=last)
        Membership.objects.create(board=board, user=user, role=role, **dates)

    day = meeting.date
    member("chair", "Councillor Ann", "Zephyr", Membership.Role.CHAIR)
    member("vice", "Councillor Bob", "Young", Membership.Role.VICE_CHAIR)
    member("sub", "Councillor Cat", "Able", Membership.Role.SUBSTITUTE)
    member("gone", "Councillor Dan", "Left", Membership.Role.MEMBER, ends_on=day.replace(year=day.year - 1))
    member("later", "Councillor Eve", "Later", Membership.Role.MEMBER, starts_on=day.replace(year=day.year + 1))
    Council.objects.update(address="Bootle Town Hall, Oriel Road")

    public = text_of(build_pack(meeting, "public").pdf)
    assert public.startswith("Public Document Pack")
    members = text_of(build_pack(meeting, "members").pdf)
    assert "Public Document Pack" not in members
    for text in [public, members]:
        assert "Sefton Council" in text and "Health and Wellbeing Board" in text
        assert f"Date {meeting.date_display}" in text and f"Time {meeting.time_display}" in text
        assert "Venue Committee Room, Bootle Town Hall" in text
        order = [text.index(name) for name in ["Ann Zephyr Chair", "Bob Young Vice-Chair", "Ian Moncur Member",
                                               "Cat Able Substitute"]]  # fmt: skip
        assert order == sorted(order)
        assert "Dan Left" not in text and "Eve Later" not in text  # not members on the meeting's date
        assert "Comments and queries to Claire Kershaw, Democratic Services Officer" in text
        assert "Bootle Town Hall, Oriel Road" in text
        published_on = timezone.localdate(meeting.agenda_published_at)
        assert f"Date of publication: {published_on:%A} {published_on.day} {published_on:%B %Y}" in text
        assert "Exclusion of the press and public" in text and "Section 100(A)" in text


def test_it_attaches_the_appendices_to_a_drafts_pdf_as_to_the_approved_one(demo, login):
    from tests.appendices import stored_appendix
    from tests.test_pdf_layout import EDGE_TO_EDGE, pdf_bytes

    for report in [demo.draft, demo.seed]:
        stored_appendix(report, "Site plans", pdf_bytes(EDGE_TO_EDGE[:2]))
        response = login(demo.officer).get(f"/reports/{report.pk}/pdf/")
        assert response.status_code == 200
        data = b"".join(response.streaming_content) if response.streaming else response.content
        reader = PdfReader(io.BytesIO(data))
        labels = list(reader.page_labels)
        assert labels[-2:] == ["A-1", "A-2"]
        text = text_of(data)
        assert "Corner text at the very edge" in text and "Appendix A, page 2 of 2" in text
