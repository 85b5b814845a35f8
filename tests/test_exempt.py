"""Exemption is read from the report at the moment anything is rendered, on every route.

The fault these tests hold down: a report placed in Part 1, then withdrawn, made exempt and
approved again was published in full in the public pack, because the agenda item kept the
exemption it was placed with. An agenda item for a report now has no exemption of its own.
"""

import pytest
from django.test import Client
from django.utils import timezone

from boards import services as agenda
from boards.models import AgendaItem, AgendaPack
from boards.tasks import build_pack_now
from reports import services
from reports.models import Report
from tests.appendices import stored_appendix
from tests.test_leaks import answer_text
from tests.test_packs import text_pdf
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT
from tests.test_workflow import edit

pytestmark = pytest.mark.django_db

SECRET = "qzxreclass4417"


@pytest.fixture
def upcoming(demo):
    return demo.board.meetings.filter(starts_at__gt=timezone.now()).get()


def make_exempt_again(demo, report, paragraphs=("3",)):
    """Withdraw the approval, mark the report exempt with confidential words, and approve it again."""
    services.report_withdraw_approval(report=report, user=demo.director, reason="It names the bidders.")
    edit(
        report,
        demo.officer,
        is_exempt="True",
        exempt_paragraphs=list(paragraphs),
        summary=f"The bidders' prices {SECRET}",
        reasons=f"Reasons {SECRET}",
    )
    stored_appendix(report, f"Bids {SECRET}", text_pdf(f"Bid prices {SECRET}"))
    services.report_sign_off(report=report, user=demo.finance)
    services.report_sign_off(report=report, user=demo.legal)
    services.report_approve(report=report, user=demo.director)
    report.refresh_from_db()
    return report


def test_it_keeps_a_report_made_exempt_after_placing_out_of_the_public_pack(
    client, login, demo, upcoming, django_capture_on_commit_callbacks
):
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        make_exempt_again(demo, public)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_publish(meeting=upcoming, user=demo.clerk)
    for pack in upcoming.packs.all():
        build_pack_now(pack.pk)

    for url in [f"/meetings/{upcoming.pk}/pack.pdf", f"/meetings/{upcoming.pk}/agenda.pdf"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in answer_text(response), url
    pack = answer_text(client.get(f"/meetings/{upcoming.pk}/pack.pdf"))
    assert "not for publication by virtue of paragraph 3" in " ".join(pack.split())
    members = login(demo.member).get(f"/meetings/{upcoming.pk}/members-pack.pdf")
    assert SECRET in answer_text(members)  # the board's members read it all
    page = Client().get(f"/meetings/{upcoming.pk}/").content.decode()
    assert f"/papers/{public.pk}/" not in page and "Not for publication by virtue of paragraph 3 of Part 1" in page
    assert Client().get(f"/papers/{public.pk}/").status_code == 404


def test_it_moves_a_placed_report_made_exempt_to_part_2_and_tells_the_clerk(
    login, demo, upcoming, django_capture_on_commit_callbacks, mailoutbox
):
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    assert [i.part for _, i in agenda.numbered_items(upcoming) if i.report_id == public.pk] == [1]
    with django_capture_on_commit_callbacks(execute=True):
        make_exempt_again(demo, public)

    item = AgendaItem.objects.get(report=public)
    assert item.part == 2 and item.exempt_paragraphs == [3]
    assert [i.report_id for _, i in agenda.numbered_items(upcoming)][-1] == public.pk  # numbered after Part 1
    told = [m for m in mailoutbox if demo.clerk.email in m.to and "exempt" in m.subject.lower()]
    assert len(told) == 1 and PUBLIC_SUBJECT in told[0].subject and SECRET not in told[0].body
    assert f"/meetings/{upcoming.pk}/" in told[0].body
    page = login(demo.clerk).get(f"/meetings/{upcoming.pk}/").content.decode()
    assert PUBLIC_SUBJECT in page.split("Part 2: exempt items", 1)[1]
    assert "changed after it was placed" in page


def test_it_moves_an_exempt_report_made_public_back_to_part_1(login, demo, upcoming):
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=exempt, user=demo.clerk)
    assert AgendaItem.objects.get(report=exempt).part == 2
    services.report_withdraw_approval(report=exempt, user=demo.director, reason="The contract is public now.")
    edit(exempt, demo.officer, is_exempt="False", exempt_paragraphs=[])
    item = AgendaItem.objects.get(report=exempt)
    assert item.part == 1 and item.exempt_paragraphs == []
    page = login(demo.clerk).get(f"/meetings/{upcoming.pk}/").content.decode()
    assert "Part 2: exempt items" not in page and "now not exempt" in page


# Stored artefacts made while a report was public ---------------------------------------------


@pytest.fixture
def published_public(demo, upcoming, django_capture_on_commit_callbacks):
    """The upcoming agenda published with the public report, its packs built, and a visitor's page cached."""
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.agenda_publish(meeting=upcoming, user=demo.clerk)
    for pack in upcoming.packs.all():
        build_pack_now(pack.pk)
    public.refresh_from_db()
    return public


def made_exempt_by_any_route(report):
    """The report becomes exempt without any service knowing (a data fix, an admin action yet to come)."""
    Report.objects.filter(pk=report.pk).update(is_exempt=True, exempt_paragraphs=[3])


def test_it_never_serves_a_public_pack_built_while_a_report_was_public(client, login, demo, upcoming, published_public):
    url = f"/meetings/{upcoming.pk}/pack.pdf"
    assert client.get(url).status_code == 200
    made_exempt_by_any_route(published_public)
    response = client.get(url)
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    page = Client().get(f"/meetings/{upcoming.pk}/").content.decode()
    assert f'href="/meetings/{upcoming.pk}/pack.pdf' not in page  # not offered either
    assert login(demo.member).get(f"/meetings/{upcoming.pk}/members-pack.pdf").status_code == 200
    # Once it is built again, the pack carries the notice in its place and is served.
    build_pack_now(AgendaPack.objects.get(meeting=upcoming, edition="public").pk)
    text = " ".join(answer_text(client.get(url)).split())
    assert "not for publication by virtue of paragraph 3" in text and published_public.summary[:40] not in text


def test_it_never_serves_a_pack_whose_report_became_exempt_while_it_was_built(
    client, demo, upcoming, published_public, monkeypatch
):
    from boards import packs

    render_reports = packs.render_reports

    def render_then_reclassify(reports):
        rendered = render_reports(reports)
        made_exempt_by_any_route(published_public)  # while the build is joining the pack
        return rendered

    monkeypatch.setattr(packs, "render_reports", render_then_reclassify)
    pack = AgendaPack.objects.get(meeting=upcoming, edition="public")
    AgendaPack.objects.filter(pk=pack.pk).update(content_key="")  # stale: build it again
    build_pack_now(pack.pk)
    assert client.get(f"/meetings/{upcoming.pk}/pack.pdf").status_code == 503
    pack.refresh_from_db()
    assert pack.reports_in_full == [published_public.pk]  # the file holds it, so it is not served


def test_it_shows_visitors_the_agenda_as_the_reports_are_now(client, upcoming, published_public):
    url = f"/meetings/{upcoming.pk}/"
    assert f"/papers/{published_public.pk}/" in client.get(url).content.decode()  # cached now
    report = Report.objects.get(pk=published_public.pk)
    report.is_exempt, report.exempt_paragraphs = True, [3]
    report.save()
    page = client.get(url).content.decode()
    assert f"/papers/{published_public.pk}/" not in page
    assert PUBLIC_SUBJECT in page.split("Part 2: exempt items", 1)[1]


def test_it_never_serves_a_stored_report_pdf_made_while_the_report_was_public(demo, login):
    from reports import pdf

    report = demo.seed
    pdf.store_report_pdf(report)
    assert pdf.stored_report_pdf(report) is not None
    made_exempt_by_any_route(report)
    report = Report.objects.get(pk=report.pk)
    assert pdf.stored_report_pdf(report) is None  # rendered again, with its banner
    response = login(demo.member).get(f"/reports/{report.pk}/pdf/")
    assert "NOT FOR PUBLICATION by virtue of paragraph 3" in " ".join(answer_text(response).split())


# Publishing refuses while an item and its report disagree -------------------------------------


def test_it_refuses_to_publish_an_exempt_report_that_names_no_paragraph(login, demo, upcoming):
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    make_exempt_again(demo, public, paragraphs=())
    assert public.is_exempt and public.exempt_paragraphs == []
    response = login(demo.clerk).post(f"/meetings/{upcoming.pk}/agenda/publish/", follow=True)
    assert "Not met: Every Part 2 item names its paragraph of Schedule 12A." in response.content.decode()
    upcoming.refresh_from_db()
    assert not upcoming.is_published


def test_it_refuses_to_publish_a_report_now_meant_for_another_meeting(demo, upcoming):
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    services.report_withdraw_approval(report=public, user=demo.director, reason="Wrong meeting.")
    later = demo.board.meetings.create(starts_at=upcoming.starts_at + timezone.timedelta(days=28))
    edit(public, demo.officer, meeting=str(later.pk))
    for user in [demo.finance, demo.legal]:
        services.report_sign_off(report=public, user=user)
    services.report_approve(report=public, user=demo.director)
    with pytest.raises(agenda.AgendaRefused, match="a report to this board for this meeting"):
        agenda.agenda_publish(meeting=upcoming, user=demo.clerk)


def test_it_treats_a_report_not_yet_classified_as_exempt(demo, upcoming):
    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    Report.objects.filter(pk=public.pk).update(is_exempt=None)
    item = AgendaItem.objects.get(report=public)
    assert item.part == 2
    failed = [message for passed, message in agenda.publication_checks(upcoming) if not passed]
    assert "Every report on the agenda says whether it is exempt." in failed


def test_an_item_for_a_report_cannot_hold_an_exemption_of_its_own(demo, upcoming):
    from django.core.exceptions import ValidationError

    public = Report.objects.get(subject=PUBLIC_SUBJECT)
    item = agenda.agenda_add_report(meeting=upcoming, report=public, user=demo.clerk)
    item.own_is_exempt, item.own_exempt_paragraph = True, 3
    with pytest.raises(ValidationError, match="takes its exemption from the report"):
        item.full_clean()


def test_a_deferred_item_keeps_its_reports_exemption_on_the_cancelled_agenda(demo, upcoming):
    exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
    agenda.agenda_add_report(meeting=upcoming, report=exempt, user=demo.clerk)
    agenda.meeting_cancel(meeting=upcoming, user=demo.clerk)
    item = upcoming.items.get(title=EXEMPT_SUBJECT)
    assert item.report_id is None and item.part == 2 and item.exempt_paragraphs == [3]


# Migrations: existing rows stay right ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migrations_drop_report_items_copies_and_keep_what_was_public_right():
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("boards", "0006_council_branding"), ("reports", "0006_figure")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    author = old.get_model("accounts", "User").objects.create(username="author")
    board = old.get_model("boards", "Board").objects.create(name="A Board", slug="a-board")
    meeting = old.get_model("boards", "Meeting").objects.create(
        board=board, starts_at=timezone.now() + dt.timedelta(days=30), agenda_published_at=timezone.now()
    )
    OldReport, OldItem = old.get_model("reports", "Report"), old.get_model("boards", "AgendaItem")  # noqa: N806
    entered = timezone.localdate() - dt.timedelta(days=40)
    plan = {"is_key_decision": True, "in_forward_plan": True, "forward_plan_date": entered}
    public = OldReport.objects.create(author=author, board=board, status="published", is_exempt=False, **plan)
    made_exempt = OldReport.objects.create(author=author, board=board, status="approved", is_exempt=True)
    made_exempt.exempt_paragraphs = [1, 3]
    made_exempt.save()
    draft = OldReport.objects.create(author=author, board=board, status="draft", is_exempt=False, **plan)
    OldItem.objects.create(meeting=meeting, position=4, kind="report", title="Public", report=public)
    # The fault: placed while public, made exempt since; the item kept its old copy.
    OldItem.objects.create(meeting=meeting, position=5, kind="report", title="Exempt now", report=made_exempt)
    OldItem.objects.create(
        meeting=meeting, position=6, kind="other", title="Staffing", is_exempt=True, exempt_paragraph=4
    )
    old.get_model("boards", "AgendaPack").objects.create(meeting=meeting, edition="public", file="packs/old.pdf")

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    items = {item.title: item for item in AgendaItem.objects.filter(meeting_id=meeting.pk)}
    assert (items["Public"].part, items["Exempt now"].part, items["Staffing"].part) == (1, 2, 2)
    assert items["Exempt now"].exempt_paragraphs == [1, 3] and items["Staffing"].exempt_paragraphs == [4]
    assert not AgendaItem.objects.filter(report__isnull=False, own_is_exempt=True).exists()
    pack = AgendaPack.objects.get(meeting_id=meeting.pk, edition="public")
    assert sorted(pack.reports_in_full) == sorted([public.pk, made_exempt.pk])  # in Part 1 when it was built
    assert pack.holds_exempt_text()  # so it is not served until built again
    assert Report.objects.get(pk=public.pk).forward_plan_accepted_on == entered  # was public: stays
    assert Report.objects.get(pk=draft.pk).forward_plan_accepted_on is None  # waits for the clerk
