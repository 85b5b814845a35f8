"""The public site and the members' area: meetings, report pages and PDFs, the Forward Plan."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from boards import services
from boards.models import AgendaPack, Board, Meeting, Membership
from boards.tasks import build_pack_now
from reports.models import Report

pytestmark = pytest.mark.django_db

PUBLIC_SUBJECT = "Better Care Fund Plan 2025 to 2027"
EXEMPT_SUBJECT = "Sexual Health Services: Contract Award"


def upcoming_meeting(demo):
    return demo.board.meetings.filter(starts_at__gt=timezone.now()).get()


def publish_upcoming(demo, capture):
    """Place both waiting reports on the upcoming meeting's agenda and publish it (as tests/test_packs.py)."""
    meeting = upcoming_meeting(demo)
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    services.agenda_add_report(meeting=meeting, report=public, user=demo.clerk)
    services.agenda_add_report(meeting=meeting, report=exempt, user=demo.clerk)
    with capture(execute=True):
        services.agenda_publish(meeting=meeting, user=demo.clerk)
    public.refresh_from_db()
    exempt.refresh_from_db()
    return meeting, public, exempt


def build_packs(meeting):
    for edition in AgendaPack.Edition.values:
        pack, _ = AgendaPack.objects.get_or_create(meeting=meeting, edition=edition)
        build_pack_now(pack.pk)


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def other_board_member(name="planner"):
    """A member of another board (the Planning Committee), with a meeting of their own."""
    board, _ = Board.objects.get_or_create(name="Planning Committee", slug="planning-committee")
    user = User.objects.create_user(name, first_name="Councillor Paula", last_name="Planner")
    Membership.objects.create(board=board, user=user)
    day = timezone.localdate() + timezone.timedelta(days=20)
    Meeting.objects.create(board=board, starts_at=timezone.now() + timezone.timedelta(days=20), venue="Town Hall")
    assert day
    return board, user


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    return publish_upcoming(demo, django_capture_on_commit_callbacks)


# Done when: an anonymous visitor finds the 14 September 2022 meeting from the home page, reads the
# seed report as HTML and downloads its PDF and the public pack; `member` downloads the members' pack.


def test_it_leads_a_visitor_from_the_home_page_to_the_seed_report_and_the_packs(client, login, demo):
    build_packs(demo.meeting)
    home = client.get("/", follow=True)
    assert home.redirect_chain == [("/public/", 302)]
    meeting_url = f"/meetings/{demo.meeting.pk}/"
    assert f'href="{meeting_url}"' in home.content.decode()

    page = client.get(meeting_url).content.decode()
    assert "Wednesday 14 September 2022" in page
    paper, paper_pdf = f"/papers/{demo.seed.pk}/", f"/papers/{demo.seed.pk}/pdf/"
    # The "Download" links ask for an attachment (?download=1); the PDF's own address opens in the browser.
    for url in [paper, f"{paper_pdf}?download=1", f"/meetings/{demo.meeting.pk}/pack.pdf?download=1"] + [
        f"/meetings/{demo.meeting.pk}/agenda.pdf?download=1"
    ]:
        assert f'href="{url}"' in page, url
    assert "members-pack.pdf" not in page

    html = client.get(paper).content.decode()
    assert "<h1" in html and "Cities Inequalities Project" in html
    assert "Health Foundation-funded Cities Health Inequalities Project" in html
    assert "FD.6932/22" in html and "LD.5132/22" in html  # the printed internal consultations
    assert "1.1" in html  # numbered paragraphs

    response = client.get(paper_pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Cities Inequalities Project" in pdf_text(body(response))

    pack = client.get(f"/meetings/{demo.meeting.pk}/pack.pdf")
    assert pack.status_code == 200
    assert "Cities Inequalities Project" in pdf_text(body(pack))

    member = login(demo.member)
    home = member.get("/").content.decode()
    assert f'href="/meetings/{demo.meeting.pk}/members-pack.pdf"' in home
    pack = member.get(f"/meetings/{demo.meeting.pk}/members-pack.pdf")
    assert pack.status_code == 200
    assert "Cities Inequalities Project" in pdf_text(body(pack))


def test_it_sends_anonymous_visitors_to_the_public_home_and_signed_in_people_to_my_work(client, login, demo):
    assert client.get("/")["Location"] == "/public/"
    html = client.get("/public/").content.decode()
    assert 'for="home-search"' in html and "Forward Plan" in html
    assert login(demo.officer).get("/").templates[0].name == "reports/home.html"


# Reports in public: published, not exempt, on a published agenda ---------------------------------


def test_it_shows_nothing_of_an_agenda_before_it_is_published(client, login, demo):
    meeting = upcoming_meeting(demo)
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    services.agenda_add_report(meeting=meeting, report=public, user=demo.clerk)
    assert client.get(f"/papers/{public.pk}/").status_code == 404
    assert client.get(f"/papers/{public.pk}/pdf/").status_code == 404
    assert client.get(f"/reports/{public.pk}/")["Location"].startswith("/accounts/login/")
    assert PUBLIC_SUBJECT not in client.get("/calendar/").content.decode()
    assert PUBLIC_SUBJECT not in client.get("/search/?q=Better+Care+Fund").content.decode()
    assert login(demo.outsider).get(f"/papers/{public.pk}/").status_code == 404


def test_it_publishes_the_public_report_and_keeps_the_exempt_one_private(client, login, published):
    meeting, public, exempt = published
    assert client.get(f"/papers/{public.pk}/").status_code == 200
    assert client.get(f"/papers/{exempt.pk}/").status_code == 404
    assert client.get(f"/papers/{exempt.pk}/pdf/").status_code == 404
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/papers/{public.pk}/"' in page
    assert f"/papers/{exempt.pk}/" not in page and f"/reports/{exempt.pk}/" not in page
    assert EXEMPT_SUBJECT in page and "paragraph 3" in page  # named by title and paragraph only
    assert exempt.summary not in page


def test_it_sends_anonymous_visitors_from_a_public_reports_inside_address_to_its_public_page(client, login, demo):
    assert client.get(f"/reports/{demo.seed.pk}/")["Location"] == f"/papers/{demo.seed.pk}/"
    assert client.get(f"/reports/{demo.seed.pk}/pdf/")["Location"] == f"/papers/{demo.seed.pk}/pdf/"
    assert client.get(f"/reports/{demo.draft.pk}/")["Location"].startswith("/accounts/login/")
    assert client.get("/reports/999999/")["Location"].startswith("/accounts/login/")
    # Signed in, the inside address stays the inside view, where get_report_for decides.
    assert login(demo.outsider).get(f"/reports/{demo.seed.pk}/").status_code == 404
    assert login(demo.outsider).get(f"/papers/{demo.seed.pk}/").status_code == 200
    search = login(demo.outsider).get("/search/?q=inequalities").content.decode()
    assert f'href="/papers/{demo.seed.pk}/"' in search
    assert login(demo.member).get(f"/reports/{demo.seed.pk}/").status_code == 200


def test_it_refuses_unknown_reports_and_wrong_methods(client, demo):
    for url in ["/papers/999999/", "/papers/999999/pdf/", f"/papers/{demo.draft.pk}/", "/papers/99999999999999999999/"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/papers/{demo.seed.pk}/").status_code == 405
    assert client.post("/forward-plan/").status_code == 405


def test_it_serves_a_public_reports_appendix(client, published):
    from tests.appendices import stored_appendix
    from tests.test_packs import text_pdf

    meeting, public, exempt = published
    appendix = stored_appendix(public, "Scheme list", text_pdf("The scheme list"))
    page = client.get(f"/papers/{public.pk}/").content.decode()
    url = f"/papers/{public.pk}/appendices/{appendix.pk}/"
    assert f'href="{url}"' in page
    assert pdf_text(body(client.get(url))).startswith("The scheme list")
    assert client.get(f"/papers/{exempt.pk}/appendices/{appendix.pk}/").status_code == 404


# The meetings calendar ---------------------------------------------------------------------------


def test_it_lists_meetings_by_month_and_board(client, demo):
    board, _ = other_board_member()
    html = client.get("/calendar/?month=2022-09").content.decode()
    assert "September 2022" in html and f'href="/meetings/{demo.meeting.pk}/"' in html
    html = client.get("/calendar/").content.decode()
    assert "Coming up" in html and "Planning Committee" in html and "Wednesday 14 September 2022" in html
    html = client.get(f"/calendar/?board={board.slug}").content.decode()
    assert "Wednesday 14 September 2022" not in html
    html = client.get(f"/calendar/?board={demo.board.slug}&month=2022-09").content.decode()
    assert "Wednesday 14 September 2022" in html and "Next month" in html


@pytest.mark.parametrize(
    "query",
    ["month=2022-13", "month=September", "month=0000-01", "month=" + "9" * 500, "board=no-such-board", "board=%00"],
)
def test_it_says_what_is_wrong_with_a_calendar_filter(client, demo, query):
    response = client.get(f"/calendar/?{query}")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


# The Forward Plan --------------------------------------------------------------------------------


def test_it_gives_notice_of_key_decisions_without_naming_an_exempt_one_before_its_agenda(client, demo):
    html = client.get("/forward-plan/").content.decode()
    meeting = upcoming_meeting(demo)
    assert PUBLIC_SUBJECT in html
    assert "Health and Wellbeing Board" in html  # the decision maker
    assert meeting.date.strftime("%A %-d %B %Y") in html  # the planned date
    entered = Report.objects.get(subject=PUBLIC_SUBJECT).forward_plan_date
    assert entered.strftime("%-d %B %Y") in html
    assert "Taken in private?" in html and "Paragraph 3 of Part 1 of Schedule 12A" in html
    assert "Sexual Health" not in html  # not named until its agenda is published
    assert "Cities Inequalities Project" not in html  # not a key decision


def test_it_names_an_exempt_key_decision_by_its_agenda_title_once_published(client, published):
    _, _, exempt = published
    html = client.get("/forward-plan/").content.decode()
    assert EXEMPT_SUBJECT in html and exempt.summary not in html


def test_it_offers_the_forward_plan_as_a_pdf(client, demo):
    response = client.get("/forward-plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert PUBLIC_SUBJECT in text and "Forward Plan" in text and "Sexual Health" not in text
    again = client.get("/forward-plan.pdf")
    assert again["ETag"] == response["ETag"]  # stored by content, not rendered again


def test_it_moves_a_decision_on_the_plan_when_its_report_moves(client, demo):
    report = Report.objects.get(subject=PUBLIC_SUBJECT)
    later = Meeting.objects.create(board=demo.board, starts_at=timezone.now() + timezone.timedelta(days=90))
    report.meeting = later
    report.save()
    assert later.date.strftime("%A %-d %B %Y") in client.get("/forward-plan/").content.decode()


# The members' area -------------------------------------------------------------------------------


def test_it_shows_a_member_their_boards_meetings_and_packs(login, published, demo):
    meeting, _, _ = published
    build_packs(meeting)
    html = login(demo.member).get("/").content.decode()
    assert "My boards" in html and "Health and Wellbeing Board" in html
    assert f'href="/meetings/{meeting.pk}/members-pack.pdf"' in html
    assert login(demo.member).get(f"/meetings/{meeting.pk}/members-pack.pdf").status_code == 200


def test_it_shows_a_member_of_another_board_only_their_own(login, published, demo):
    meeting, _, exempt = published
    build_packs(meeting)
    _, planner = other_board_member()
    client = login(planner)
    html = client.get("/").content.decode()
    assert "Planning Committee" in html and "Health and Wellbeing Board" not in html
    assert client.get(f"/meetings/{meeting.pk}/members-pack.pdf").status_code == 404
    assert client.get(f"/reports/{exempt.pk}/").status_code == 404


def test_it_shows_no_member_panel_to_officers(login, demo):
    assert "My boards" not in login(demo.officer).get("/").content.decode()


def test_it_links_a_members_exempt_item_to_the_report(login, published, demo):
    meeting, _, exempt = published
    assert f'href="/reports/{exempt.pk}/"' in login(demo.member).get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/reports/{exempt.pk}/" not in login(demo.outsider).get(f"/meetings/{meeting.pk}/").content.decode()


# Bad input: a clear 400 or 404, never a 500 ------------------------------------------------------

BAD_URLS = [
    "/calendar/?page=abc",
    "/calendar/?page=-1",
    "/calendar/?page=99999999999999999999",
    "/calendar/?month=2022-02-30",
    "/search/?q=" + "x" * 10000,
    "/search/?q=%00",
    "/search/?q=a&date_from=2022-02-30",
    "/search/?q=a&date_from=yesterday&date_to=%00",
    "/search/?q=a&page=abc",
    "/search/?q=a&page=999",
    "/search/?q=a&board=%27%3B+DROP+TABLE+reports_report%3B--",
    "/papers/0/",
    "/papers/999999999999999999999999/pdf/",
    "/meetings/999999/",
    "/feeds/boards/no-such-board/meetings.ics",
    "/feeds/boards/no-such-board/agendas.rss",
    "/api/v1/meetings/?page=abc",
    "/api/v1/meetings/?page=9999",
    "/api/v1/meetings/?organization=%00",
    "/api/v1/papers/999999/",
    "/api/v1/agenda-items/0/",
    "/api/v1/bodies/2/",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_it_answers_bad_input_with_400_or_404(client, demo, url):
    response = client.get(url)
    assert response.status_code in {200, 400, 404}, (url, response.status_code)
    if response.status_code == 200:
        assert "search" in url or "page=" in url  # an empty result or the nearest page
