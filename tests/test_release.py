"""Exempt papers released on a date (issue 16): the review date and condition, democratic services'
list of papers due, and the release that makes an exempt report public through its meeting's papers."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from boards.models import Meeting
from boards.public_cache import public_stamp
from reports import services
from reports.forms import ReportForm
from reports.models import Report, ReportEvent
from tests.editor import complete_report_data
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, body, build_packs, pdf_text, publish_upcoming

pytestmark = pytest.mark.django_db

# Words only the exempt demo report holds (its summary), to find in the public pack once it is released.
EXEMPT_WORDS = "bidders' commercial information"


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting's agenda published with the public and the exempt demo reports on it."""
    return publish_upcoming(demo, django_capture_on_commit_callbacks)


def review_on(report, day):
    Report.objects.filter(pk=report.pk).update(release_review_on=day)


def released_events(report):
    return ReportEvent.objects.filter(report=report, action="released")


def test_it_carries_the_demo_exempt_reports_review_date_and_condition(demo):
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    assert exempt.release_review_on == timezone.localdate()
    assert exempt.release_condition == "After the contract is awarded and the standstill period has ended."
    assert Report.objects.get(subject=PUBLIC_SUBJECT).release_review_on is None


def test_it_says_in_the_completeness_check_that_an_exempt_report_needs_a_review_date_and_condition(demo):
    report = Report.objects.get(subject=EXEMPT_SUBJECT)
    missing = dict(report.missing_items())
    assert "id_release_review_on" not in missing and "id_release_condition" not in missing
    report.release_review_on, report.release_condition = None, "  "
    missing = dict(report.missing_items())
    assert missing["id_release_review_on"] == "Enter the date the exempt report is to be reviewed for release"
    assert missing["id_release_condition"].startswith("Say on what condition the exempt report can be published")
    report.is_exempt = False
    assert "id_release_review_on" not in dict(report.missing_items())


def test_it_asks_the_editor_for_them_and_drops_them_when_the_report_is_not_exempt(demo):
    data = complete_report_data(demo.board, demo.meeting, is_exempt="True", exempt_paragraphs=["3"])
    form = ReportForm(data, instance=Report())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["release_review_on"] == dt.date(2022, 10, 1)
    assert form.cleaned_data["release_condition"] == "After the contract is awarded."
    form = ReportForm(complete_report_data(demo.board, demo.meeting), instance=Report())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["release_review_on"] is None and form.cleaned_data["release_condition"] == ""
    form = ReportForm(complete_report_data(demo.board, demo.meeting, release_review_on="31/02/2023"), instance=Report())
    assert form.errors["release_review_on"] == ["Enter a real date, like 14/09/2022"]


def test_it_shows_the_fields_in_the_editor(login, demo):
    page = login(demo.officer).get(f"/reports/{demo.draft.pk}/edit/").content.decode()
    assert 'for="id_release_review_on"' in page and 'for="id_release_condition"' in page


def test_it_lists_exempt_papers_on_published_agendas_due_first(login, demo, published):
    meeting, public, exempt = published
    page = login(demo.clerk).get("/reports/exempt/")
    assert page.status_code == 200
    html = page.content.decode()
    due, later = html.split('id="h-later"')
    assert EXEMPT_SUBJECT in due and "After the contract is awarded" in due
    assert f'href="/reports/{exempt.pk}/release/"' in due
    assert PUBLIC_SUBJECT not in html  # public papers are not reviewed
    review_on(exempt, timezone.localdate() + dt.timedelta(days=30))
    due, later = login(demo.clerk).get("/reports/exempt/").content.decode().split('id="h-later"')
    assert EXEMPT_SUBJECT not in due and EXEMPT_SUBJECT in later
    assert "No exempt paper is due for review today." in due


def test_it_links_the_report_page_to_its_release_page_for_democratic_services(login, demo, published):
    _, _, exempt = published
    link = f'href="/reports/{exempt.pk}/release/"'
    assert link in login(demo.clerk).get(f"/reports/{exempt.pk}/").content.decode()
    assert link not in login(demo.officer).get(f"/reports/{exempt.pk}/").content.decode()


def test_it_tells_democratic_services_on_my_work_how_many_are_due(login, demo, published):
    home = login(demo.clerk).get("/").content.decode()
    assert "1 exempt paper on published agendas is due for review for release" in home
    assert "exempt paper" not in login(demo.officer).get("/").content.decode()


def test_it_lists_no_paper_whose_agenda_is_not_published(login, demo):
    # The demo's exempt report is approved and waits for its agenda: not reviewed for release yet.
    html = login(demo.clerk).get("/reports/exempt/").content.decode()
    assert EXEMPT_SUBJECT not in html


def test_it_refuses_a_release_before_the_review_date_without_a_reason(login, demo, published):
    meeting, _, exempt = published
    review_on(exempt, timezone.localdate() + dt.timedelta(days=3))
    version = Meeting.objects.get(pk=meeting.pk).agenda_version
    stamp = public_stamp()
    response = login(demo.clerk).post(f"/reports/{exempt.pk}/release/", {"reason": "   "})
    assert response.status_code == 409
    html = response.content.decode()
    assert "There is a problem" in html
    expected = timezone.localdate() + dt.timedelta(days=3)
    assert f"released before its review date of {expected.day} {expected:%B %Y}: a reason is required" in html
    exempt.refresh_from_db()
    assert exempt.is_exempt is True and exempt.exempt_paragraphs == [3]
    assert not released_events(exempt).exists()
    assert Meeting.objects.get(pk=meeting.pk).agenda_version == version
    assert public_stamp() == stamp


def test_it_keeps_the_reason_typed_when_it_is_too_long(login, demo, published):
    _, _, exempt = published
    response = login(demo.clerk).post(f"/reports/{exempt.pk}/release/", {"reason": "x" * 20_001})
    assert response.status_code == 400
    assert "x" * 20_001 in response.content.decode()
    assert not released_events(exempt).exists()


def test_it_releases_a_paper_on_its_review_date_into_the_public_pack(
    client, login, demo, published, django_capture_on_commit_callbacks
):
    meeting, _, exempt = published
    build_packs(meeting)
    assert client.get(f"/papers/{exempt.pk}/").status_code == 404
    assert f"/papers/{exempt.pk}/" not in client.get("/search/?q=procurement+bidders").content.decode()
    pack = client.get(f"/meetings/{meeting.pk}/pack.pdf")
    assert EXEMPT_WORDS not in pdf_text(body(pack))
    stamp = public_stamp()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(demo.clerk).post(f"/reports/{exempt.pk}/release/", {"reason": ""})
    assert response.status_code == 302 and response["Location"] == "/reports/exempt/"
    exempt.refresh_from_db()
    assert exempt.is_exempt is False and exempt.status == Report.Status.PUBLISHED
    assert public_stamp() != stamp  # the public lists' caches and the open data follow

    client.logout()
    paper = client.get(f"/papers/{exempt.pk}/")
    assert paper.status_code == 200
    assert f"It was released for publication on {timezone.localdate().day} " in paper.content.decode()
    assert client.get(f"/papers/{exempt.pk}/pdf/").status_code == 200
    assert f"/api/v1/papers/{exempt.pk}/" in client.get("/api/v1/papers/").content.decode()
    assert client.get(f"/meetings/{meeting.pk}/").content.decode().count(f'href="/papers/{exempt.pk}/"') >= 1
    assert f'href="/papers/{exempt.pk}/"' in client.get("/search/?q=procurement+bidders").content.decode()

    build_packs(meeting)
    assert EXEMPT_WORDS in pdf_text(body(client.get(f"/meetings/{meeting.pk}/pack.pdf")))

    history = login(demo.clerk).get(f"/reports/{exempt.pk}/history/").content.decode()
    assert "Released for publication" in history
    event = released_events(exempt).get()
    assert event.actor == demo.clerk
    assert event.comment.startswith("Was exempt under paragraph 3 of Schedule 12A. Review date ")
    assert [m.subject for m in mail.outbox if demo.officer.email in m.to] == [
        f"Released for publication: {EXEMPT_SUBJECT}"
    ]


def test_it_releases_before_the_review_date_with_a_reason_recorded(login, demo, published):
    _, _, exempt = published
    review_on(exempt, timezone.localdate() + dt.timedelta(days=10))
    response = login(demo.clerk).post(f"/reports/{exempt.pk}/release/", {"reason": "The contract was signed early."})
    assert response.status_code == 302
    exempt.refresh_from_db()
    assert exempt.is_exempt is False
    assert released_events(exempt).get().comment.endswith("Reason: The contract was signed early.")
    assert "The contract was signed early." in login(demo.clerk).get(f"/reports/{exempt.pk}/history/").content.decode()


def test_it_refuses_a_second_release_of_the_same_paper(login, demo, published):
    """A double-clicked button, or two clerks at once: the second finds the report public (its row is locked
    while the first releases it) and changes nothing."""
    _, _, exempt = published
    clerk = login(demo.clerk)
    assert clerk.post(f"/reports/{exempt.pk}/release/", {"reason": ""}).status_code == 302
    response = clerk.post(f"/reports/{exempt.pk}/release/", {"reason": ""})
    assert response.status_code == 302 and response["Location"] == f"/reports/{exempt.pk}/"
    assert released_events(exempt).count() == 1


def test_it_refuses_to_release_a_public_report_or_one_whose_agenda_is_not_published(demo, published):
    _, public, exempt = published
    with pytest.raises(services.TransitionRefused, match="is not exempt"):
        services.report_release(report=public, user=demo.clerk, reason="Why not")
    waiting = Report.objects.create(author=demo.officer, subject="Waiting", is_exempt=True, exempt_paragraphs=[1])
    with pytest.raises(services.TransitionRefused, match="not on a published agenda"):
        services.report_release(report=waiting, user=demo.clerk, reason="Why not")
    with pytest.raises(services.TransitionRefused, match="Only democratic services"):
        services.report_release(report=exempt, user=demo.director, reason="Why not")
    exempt.refresh_from_db()
    assert exempt.is_exempt is True and not ReportEvent.objects.filter(action="released").exists()


def test_it_lets_democratic_services_change_the_review_date_and_condition(login, demo, published):
    _, _, exempt = published
    clerk = login(demo.clerk)
    response = clerk.post(
        f"/reports/{exempt.pk}/release/terms/",
        {"release_review_on": "31/02/2031", "release_condition": "Once the award is announced"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a real date, like 14/09/2022" in html and "Once the award is announced" in html
    exempt.refresh_from_db()
    assert exempt.release_review_on == timezone.localdate()

    response = clerk.post(
        f"/reports/{exempt.pk}/release/terms/",
        {"release_review_on": "2031-03-01", "release_condition": "Once the award is announced"},
    )
    assert response.status_code == 302
    exempt.refresh_from_db()
    assert exempt.release_review_on == dt.date(2031, 3, 1)
    assert exempt.release_condition == "Once the award is announced"
    assert ReportEvent.objects.filter(report=exempt, action="release_terms_changed").count() == 1
    assert "1 March 2031" in clerk.get(f"/reports/{exempt.pk}/release/").content.decode()


def test_it_leaves_a_drafts_review_date_and_condition_to_the_editor(login, demo):
    draft = Report.objects.create(author=demo.officer, subject="Drafting", is_exempt=True, exempt_paragraphs=[1])
    response = login(demo.clerk).post(
        f"/reports/{draft.pk}/release/terms/", {"release_review_on": "2031-03-01", "release_condition": "Later"}
    )
    assert response.status_code == 409
    assert "change its review date and condition in the editor" in response.content.decode()
    draft.refresh_from_db()
    assert draft.release_review_on is None and draft.release_condition == ""


def test_it_sends_democratic_services_back_from_releasing_a_public_report(login, demo, published):
    _, public, _ = published
    response = login(demo.clerk).get(f"/reports/{public.pk}/release/")
    assert response.status_code == 302 and response["Location"] == f"/reports/{public.pk}/"


@pytest.mark.parametrize(
    "url, answers",
    [
        ("/reports/exempt/", {"get": 404, "post": 405}),
        ("/reports/{pk}/release/", {"get": 404, "post": 404}),
        ("/reports/{pk}/release/terms/", {"get": 405, "post": 404}),
    ],
    ids=["list", "release", "terms"],
)
@pytest.mark.parametrize("who", [None, "outsider", "officer", "member", "director"])
def test_it_refuses_everyone_but_democratic_services(client, login, demo, published, url, answers, who):
    _, _, exempt = published
    url = url.format(pk=exempt.pk)
    if who:
        login(demo.users[who])
    for method, status in answers.items():
        response = getattr(client, method)(url, {"reason": "Let it out", "release_review_on": "2030-01-01"})
        if who is None:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == status, (method, response.status_code)
    exempt.refresh_from_db()
    assert exempt.is_exempt is True and exempt.release_review_on == timezone.localdate()
    assert not ReportEvent.objects.filter(action__in=["released", "release_terms_changed"]).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_releasing_at_once_release_once(demo, django_capture_on_commit_callbacks):
    """Threads with their own PostgreSQL connections, released together: the row lock lets one release
    and refuses the other, round after round."""
    from django.db import connection

    from tests.test_concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks under real concurrency")
    _, _, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    for _ in range(10):
        Report.objects.filter(pk=exempt.pk).update(is_exempt=True, exempt_paragraphs=[3])
        ReportEvent.objects.filter(report=exempt, action="released").delete()
        results = run_together(
            *[lambda: services.report_release(report=exempt, user=demo.clerk, reason="") for _ in range(2)]
        )
        assert sorted(outcome for outcome, _ in results) == ["ok", "refused"]
        assert "is not exempt: it is public already" in str(next(v for o, v in results if o == "refused"))
        assert released_events(exempt).count() == 1
