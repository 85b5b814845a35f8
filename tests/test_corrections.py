"""Correcting a published report before its meeting, and republishing it as a new edition (a prerequisite
of issue 20): democratic services open a correction, its author edits it in the ordinary editor while
everyone else reads the report as published, and democratic services republish it saying what changed
(the report's edition, its page, its PDF, the API and the packs follow) or abandon it."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from boards.models import AgendaPack, Meeting
from public.queries import forward_plan, forward_plan_pending
from reports import services
from reports.forms import Row
from reports.models import Appendix, Correction, Recommendation, Report, ReportEvent, Section
from tests.appendices import stored_appendix
from tests.images import stored_figure
from tests.test_packs import text_pdf
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, body, build_packs, pdf_text, publish_upcoming

pytestmark = pytest.mark.django_db

OLD_PARAGRAPH = "Each area must agree a plan, approved by its Health and Wellbeing Board."
NEW_PARAGRAPH = "Each area must agree a plan for two years, approved by its Health and Wellbeing Board."
WHAT_CHANGED = "Paragraph 1.2: the plan covers two years."


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """The upcoming meeting's agenda published with the public and the exempt demo reports, its packs built."""
    meeting, public, exempt = publish_upcoming(demo, django_capture_on_commit_callbacks)
    build_packs(meeting)
    return SimpleNamespace(meeting=meeting, public=public, exempt=exempt)


def fresh(report):
    return Report.objects.get(pk=report.pk)


def section_rows(report):
    return [Row(s.pk, {"heading": s.heading, "body": s.body}) for s in fresh(report).sections.all()]


def save_sections(report, user, rows):
    """Save the body's sections through the editor's service, as the editor posts them."""
    report = fresh(report)
    return services.report_save_draft(
        report=report, fields={}, recommendations=None, sections=rows, user=user, expected_version=report.version
    )[0]


def correct_paragraph(copy, user):
    """Change paragraph 1.2 of the Better Care Fund report's correction."""
    rows = section_rows(copy)
    assert OLD_PARAGRAPH in rows[0].values["body"]
    rows[0].values["body"] = rows[0].values["body"].replace(OLD_PARAGRAPH, NEW_PARAGRAPH)
    return save_sections(copy, user, rows)


def add_appendix(report, title):
    return stored_appendix(report, title, text_pdf(title))


def published_state(report):
    """Everything the public, the members and the packs read of a report, to prove it did not change."""
    report = fresh(report)
    fields = {f.attname: getattr(report, f.attname) for f in Report._meta.concrete_fields}
    return {
        "fields": fields,
        "wards": sorted(report.wards.values_list("pk", flat=True)),
        "sections": list(Section.objects.filter(report=report).values_list("pk", "position", "heading", "body")),
        "recommendations": list(Recommendation.objects.filter(report=report).values_list("pk", "position", "text")),
        "appendices": list(Appendix.objects.filter(report=report).values_list("pk", "position", "title", "file")),
        "history": report.history.count(),
        "sections_history": Section.history.filter(report_id=report.pk).count(),
    }


def test_it_corrects_a_published_report_and_republishes_it_as_a_new_edition(
    client, login, demo, published, django_capture_on_commit_callbacks
):
    report = published.public
    before = published_state(report)
    page_before = client.get(f"/papers/{report.pk}/").content.decode()
    pdf_before = pdf_text(body(client.get(f"/papers/{report.pk}/pdf/")))
    assert OLD_PARAGRAPH in page_before and OLD_PARAGRAPH in pdf_before

    with django_capture_on_commit_callbacks(execute=True):
        correction = services.report_open_correction(report=report, user=demo.clerk)
    copy = correction.draft
    [told] = [m for m in mail.outbox if "A correction to make" in m.subject]
    assert told.to == [report.author.email] and f"/reports/{copy.pk}/edit/" in told.body
    assert (copy.status, copy.author, copy.meeting, copy.subject) == (
        Report.Status.CORRECTION, report.author, report.meeting, report.subject,
    )  # fmt: skip
    assert [(s.heading, s.body) for s in copy.sections.all()] == [(s[2], s[3]) for s in before["sections"]]
    assert list(copy.recommendations.values_list("text", flat=True)) == [r[2] for r in before["recommendations"]]
    # The author corrects paragraph 1.2; everyone else reads the report as published meanwhile.
    correct_paragraph(copy, demo.officer)
    assert published_state(report) == before
    assert client.get(f"/papers/{report.pk}/").content.decode() == page_before
    assert NEW_PARAGRAPH not in pdf_text(body(client.get(f"/papers/{report.pk}/pdf/")))
    packs_before = {p.edition: (p.revision, p.content_key) for p in published.meeting.packs.all()}

    with django_capture_on_commit_callbacks(execute=True):
        services.report_republish(report=report, user=demo.clerk, what_changed=WHAT_CHANGED)
    after = fresh(report)
    assert (after.edition, after.version, after.status) == (2, before["fields"]["version"] + 1, Report.Status.PUBLISHED)
    # Its sections keep their rows: a member's note on one stays tied to it.
    assert [s[0] for s in published_state(after)["sections"]] == [s[0] for s in before["sections"]]
    assert NEW_PARAGRAPH in after.sections.first().body and OLD_PARAGRAPH not in after.sections.first().body
    assert after.sections.last().body == before["sections"][-1][3]
    assert not Report.objects.filter(pk=copy.pk).exists()
    correction.refresh_from_db()
    assert (correction.status, correction.edition, correction.what_changed) == ("republished", 2, WHAT_CHANGED)
    [told] = [m for m in mail.outbox if "Corrected and republished" in m.subject]
    assert told.to == [report.author.email] and WHAT_CHANGED in told.body
    event = ReportEvent.objects.filter(report=report).latest("pk")
    assert (event.action, event.actor, event.comment) == ("republished", demo.clerk, f"Edition 2: {WHAT_CHANGED}")
    # The public page and PDF show the corrected edition and say so.
    note = f"Corrected edition 2, {timezone.localdate():%-d %B %Y}: {WHAT_CHANGED}"
    page = client.get(f"/papers/{report.pk}/").content.decode()
    assert NEW_PARAGRAPH in page and OLD_PARAGRAPH not in page and note in page
    pdf = pdf_text(body(client.get(f"/papers/{report.pk}/pdf/")))
    assert NEW_PARAGRAPH in pdf and note in pdf
    # The meeting's packs that print the report are a new edition noting what changed.
    for pack in AgendaPack.objects.filter(meeting=published.meeting, supplement=None):
        revision, key = packs_before[pack.edition]
        if pack.edition == AgendaPack.Edition.FRONT_SHEET:
            continue  # prints the item's title only, which did not change
        assert pack.revision == revision + 1, pack.edition
        assert pack.revisions[-1][1:] == [revision + 1, f"“{PUBLIC_SUBJECT}” was corrected (edition 2): {WHAT_CHANGED}"]
    # The members' reader says so too, above the report, wherever it prints it.
    item = published.meeting.items.get(report=report)
    login(demo.member)
    reader = f"/reader/meetings/{published.meeting.pk}/items/{item.pk}/"
    page = client.get(reader).content.decode()
    assert NEW_PARAGRAPH in page and f'<p class="edition-note">{note}</p>' in page


def test_it_shows_the_correction_in_the_api_and_search(client, demo, published, django_capture_on_commit_callbacks):
    report = published.public
    paper = client.get(f"/api/v1/papers/{report.pk}/").json()
    correction = services.report_open_correction(report=report, user=demo.clerk)
    services.report_save_draft(
        report=correction.draft, fields={"summary": "A corrected summary of the fund."}, recommendations=None,
        sections=None, user=demo.officer, expected_version=1,
    )  # fmt: skip
    assert client.get(f"/api/v1/papers/{report.pk}/").json() == paper
    assert f"/papers/{report.pk}/" not in client.get("/search/?q=corrected+summary").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_republish(report=report, user=demo.clerk, what_changed="The summary says more.")
    corrected = client.get(f"/api/v1/papers/{report.pk}/").json()
    assert corrected["committee:summary"] == "A corrected summary of the fund."
    assert f"/papers/{report.pk}/" in client.get("/search/?q=corrected+summary").content.decode()


def test_it_keeps_kept_sections_pks_adds_new_ones_and_removes_removed_ones(demo, published):
    report = published.public
    first, second = fresh(report).sections.all()
    copy = services.report_open_correction(report=report, user=demo.clerk).draft
    rows = section_rows(copy)
    # The sections swapped, the first renamed, a new one between them; then the second removed.
    rows[0].values["heading"] = "Introduction and purpose"
    new = Row(None, {"heading": "Funding", "body": "<ol><li><p>The fund is pooled.</p></li></ol>"})
    save_sections(copy, demo.officer, [rows[1], new, rows[0]])
    services.report_republish(report=report, user=demo.clerk, what_changed="Sections reordered; Funding added.")
    sections = list(fresh(report).sections.all())
    assert [(s.heading, s.position) for s in sections] == [
        (second.heading, 1), ("Funding", 2), ("Introduction and purpose", 3),
    ]  # fmt: skip
    assert (sections[0].pk, sections[2].pk) == (second.pk, first.pk) and sections[1].pk not in {first.pk, second.pk}
    copy = services.report_open_correction(report=report, user=demo.clerk).draft
    save_sections(copy, demo.officer, section_rows(copy)[1:])
    services.report_republish(report=report, user=demo.clerk, what_changed="The old section 1 removed.")
    assert [s.pk for s in fresh(report).sections.all()] == [sections[1].pk, first.pk]
    assert fresh(report).edition == 3
    assert [c.edition_note.split(": ", 1)[1] for c in fresh(report).edition_notes] == [
        "Sections reordered; Funding added.", "The old section 1 removed.",
    ]  # fmt: skip


def test_it_carries_appendices_and_figures_through_a_correction(demo, published):
    report = published.public
    kept, dropped = add_appendix(report, "Kept appendix"), add_appendix(report, "Dropped appendix")
    figure = stored_figure(report)
    rows = section_rows(report)
    image = f'<figure><img src="/reports/{report.pk}/figures/{figure.pk}/" alt="A chart"></figure>'
    Section.objects.filter(pk=rows[0].pk).update(body=rows[0].values["body"] + image)
    copy = services.report_open_correction(report=report, user=demo.clerk).draft
    # The copy shows the figure as its own (the allow-list keeps a report's own figures only).
    copy_figure = copy.figures.get()
    assert f"/reports/{copy.pk}/figures/{copy_figure.pk}/" in copy.sections.first().body
    added = add_appendix(copy, "Added appendix")
    services.appendix_remove(appendix=copy.appendices.get(title="Dropped appendix"), user=demo.officer)
    services.report_republish(report=report, user=demo.clerk, what_changed="Appendix B replaced.")
    assert list(fresh(report).appendices.values_list("pk", "title")) == [
        (kept.pk, "Kept appendix"), (added.pk, "Added appendix"),
    ]  # fmt: skip
    assert not Appendix.objects.filter(pk=dropped.pk).exists()
    assert image in fresh(report).sections.first().body
    assert list(fresh(report).figures.values_list("pk", flat=True)) == [figure.pk]


def test_it_abandons_a_correction_leaving_the_report_exactly_as_published(demo, published):
    report = published.public
    before = published_state(report)
    copy = services.report_open_correction(report=report, user=demo.clerk).draft
    correct_paragraph(copy, demo.officer)
    services.report_abandon_correction(report=report, user=demo.clerk)
    assert published_state(report) == before
    assert not Report.objects.filter(pk=copy.pk).exists()
    assert list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))[-2:] == [
        "correction_opened", "correction_abandoned",
    ]  # fmt: skip
    assert Correction.objects.get(report=report).status == "abandoned"


def test_it_goes_through_any_sequence_of_open_edit_abandon_and_republish(demo, published):
    """A state machine walked by hand: open, edit, abandon, open again, a second open refused, republish,
    a republish or abandon with nothing open refused, open and republish again."""
    report = published.public
    steps = []

    def expect_refused(call, says):
        with pytest.raises(services.TransitionRefused, match=says):
            call()
        steps.append(f"refused: {says}")

    correction = services.report_open_correction(report=report, user=demo.clerk)
    correct_paragraph(correction.draft, demo.officer)
    services.report_abandon_correction(report=report, user=demo.clerk)
    expect_refused(lambda: services.report_abandon_correction(report=report, user=demo.clerk), "No correction")
    expect_refused(lambda: services.report_republish(report=report, user=demo.clerk, what_changed="x"), "No correction")
    correction = services.report_open_correction(report=report, user=demo.clerk)
    assert OLD_PARAGRAPH in correction.draft.sections.first().body  # the abandoned edit is gone
    expect_refused(lambda: services.report_open_correction(report=report, user=demo.clerk), "open already")
    expect_refused(
        lambda: services.report_republish(report=report, user=demo.clerk, what_changed="Nothing."),
        "same as the published report",
    )
    correct_paragraph(correction.draft, demo.clerk)  # democratic services may edit it too
    services.report_republish(report=report, user=demo.clerk, what_changed=WHAT_CHANGED)
    correction = services.report_open_correction(report=report, user=demo.clerk)
    services.report_save_draft(
        report=correction.draft, fields={"reasons": "The national conditions require it."}, recommendations=None,
        sections=None, user=demo.officer, expected_version=1,
    )  # fmt: skip
    services.report_republish(report=report, user=demo.clerk, what_changed="The reasons are shorter.")
    report = fresh(report)
    assert (report.edition, report.reasons) == (3, "The national conditions require it.")
    assert NEW_PARAGRAPH in report.sections.first().body
    assert list(report.corrections.values_list("status", "edition")) == [
        ("abandoned", None), ("republished", 2), ("republished", 3),
    ]  # fmt: skip
    assert len(steps) == 4


def test_it_refuses_to_correct_what_it_may_not(demo, published):
    report = published.public
    # Not democratic services.
    for user in [demo.officer, demo.director, demo.member, demo.outsider]:
        with pytest.raises(services.TransitionRefused, match="Only democratic services"):
            services.report_open_correction(report=report, user=user)
    # Not published: an approved report, a draft.
    approved = Report.objects.filter(status=Report.Status.APPROVED).first() or demo.draft
    for other in [approved, demo.draft]:
        with pytest.raises(services.TransitionRefused, match="not published"):
            services.report_open_correction(report=other, user=demo.clerk)
    # A meeting held: the seed report on 14 September 2022.
    with pytest.raises(services.TransitionRefused, match="has taken place"):
        services.report_open_correction(report=demo.seed, user=demo.clerk)
    assert not Correction.objects.exists()
    # Republishing and abandoning are democratic services' too; what changed is required.
    services.report_open_correction(report=report, user=demo.clerk)
    for user in [demo.officer, demo.member]:
        with pytest.raises(services.TransitionRefused, match="Only democratic services"):
            services.report_republish(report=report, user=user, what_changed=WHAT_CHANGED)
        with pytest.raises(services.TransitionRefused, match="Only democratic services"):
            services.report_abandon_correction(report=report, user=user)
    for empty in ["", "   \n "]:
        with pytest.raises(services.TransitionRefused, match="Say what the correction changed"):
            services.report_republish(report=report, user=demo.clerk, what_changed=empty)
    with pytest.raises(services.TransitionRefused, match="Keep what changed to 1,000 characters"):
        services.report_republish(report=report, user=demo.clerk, what_changed="x" * 1001)
    # Once the meeting has begun, the open correction can no longer be republished (only abandoned).
    Meeting.objects.filter(pk=published.meeting.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(services.TransitionRefused, match="has taken place"):
        services.report_republish(report=fresh(report), user=demo.clerk, what_changed=WHAT_CHANGED)
    services.report_abandon_correction(report=report, user=demo.clerk)
    assert fresh(report).edition == 1


def test_it_refuses_a_release_while_a_correction_is_open(demo, published):
    exempt = published.exempt
    services.report_open_correction(report=exempt, user=demo.clerk)
    with pytest.raises(services.TransitionRefused, match="A correction of .* is open"):
        services.report_release(report=exempt, user=demo.clerk, reason="The contract was awarded.")
    assert fresh(exempt).is_exempt is True


def test_it_keeps_the_correction_from_everyone_but_its_author_and_democratic_services(login, client, demo, published):
    copy = services.report_open_correction(report=published.exempt, user=demo.clerk).draft
    assert copy.author == demo.officer
    for user in [demo.officer, demo.clerk]:
        assert login(user).get(f"/reports/{copy.pk}/edit/").status_code == 200
    for user in [demo.finance, demo.legal, demo.director, demo.member, demo.outsider]:
        assert login(user).get(f"/reports/{copy.pk}/").status_code == 404, user
        assert login(user).get(f"/reports/{copy.pk}/edit/").status_code == 404, user
        assert copy.pk not in Report.objects.visible_to(user).values_list("pk", flat=True)
    # Nor is it a Forward Plan entry of its own (the report it corrects is), for democratic services to accept.
    assert copy.pk not in [r.pk for r in forward_plan_pending(demo.clerk)]
    assert copy.pk not in [entry.report_id for entry in forward_plan()]
    client.logout()
    assert client.get(f"/papers/{copy.pk}/").status_code == 404
    assert client.get(f"/reports/{copy.pk}/pdf/").status_code in {302, 404}


# Through the pages ----------------------------------------------------------------------------------


def test_it_walks_the_story_through_the_pages(login, demo, published, django_capture_on_commit_callbacks):
    report = published.public
    clerk = login(demo.clerk)
    page = clerk.get(f"/reports/{report.pk}/").content.decode()
    assert "Correct this report" in page and "Republish the correction" not in page
    assert "Correct this report" not in login(demo.officer).get(f"/reports/{report.pk}/").content.decode()
    clerk = login(demo.clerk)
    answer = clerk.post(f"/reports/{report.pk}/correction/")
    copy = Correction.objects.get(report=report).draft
    assert answer.status_code == 302 and answer["Location"] == f"/reports/{copy.pk}/edit/"
    editor = clerk.get(answer["Location"]).content.decode()
    assert "You are correcting" in editor
    page = clerk.get(f"/reports/{report.pk}/").content.decode()
    assert "Republish the correction" in page and "Abandon the correction" in page
    assert "Correct this report" not in page
    # The author finds it on My work and edits it in the editor.
    officer = login(demo.officer)
    home = officer.get("/").content.decode()
    assert "Corrections of published reports" in home and f"/reports/{copy.pk}/edit/" in home
    page = officer.get(f"/reports/{report.pk}/").content.decode()
    assert f"/reports/{copy.pk}/edit/" in page and "Republish the correction" not in page
    # The published report's own editor address leads to the correction's.
    assert officer.get(f"/reports/{report.pk}/edit/")["Location"] == f"/reports/{copy.pk}/edit/"
    correct_paragraph(copy, demo.officer)
    # An empty what-changed: the page again, the message beside the field, nothing republished.
    clerk = login(demo.clerk)
    answer = clerk.post(f"/reports/{report.pk}/correction/republish/", {"what_changed": "  "})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="what-changed-error"' in html and "Say what the correction changed" in html
    assert 'aria-describedby="what-changed-hint what-changed-error"' in html
    assert fresh(report).edition == 1
    with django_capture_on_commit_callbacks(execute=True):
        answer = clerk.post(f"/reports/{report.pk}/correction/republish/", {"what_changed": WHAT_CHANGED})
    assert answer.status_code == 302 and answer["Location"] == f"/reports/{report.pk}/"
    page = clerk.get(f"/reports/{report.pk}/").content.decode()
    assert f"Corrected edition 2, {timezone.localdate():%-d %B %Y}: {WHAT_CHANGED}" in page
    assert NEW_PARAGRAPH in page and "Correct this report" in page
    assert "Corrections of published reports" not in login(demo.officer).get("/").content.decode()
    # Opened again and abandoned through the page.
    clerk = login(demo.clerk)
    clerk.post(f"/reports/{report.pk}/correction/")
    answer = clerk.post(f"/reports/{report.pk}/correction/abandon/")
    assert answer.status_code == 302
    assert Correction.objects.filter(report=report, status="open").count() == 0


def test_it_refuses_the_buttons_to_everyone_but_democratic_services(client, login, demo, published):
    report = published.public
    for url in ["correction/", "correction/republish/", "correction/abandon/"]:
        client.logout()
        assert client.get(f"/reports/{report.pk}/{url}").status_code == 302  # to sign in
        assert client.post(f"/reports/{report.pk}/{url}").status_code == 302
        assert "/accounts/login/" in client.post(f"/reports/{report.pk}/{url}")["Location"]
        for user in [demo.officer, demo.member, demo.outsider, demo.director]:
            assert login(user).post(f"/reports/{report.pk}/{url}", {"what_changed": "x"}).status_code == 404
        assert login(demo.clerk).get(f"/reports/{report.pk}/{url}").status_code == 405
    assert not Correction.objects.exists()


def test_it_says_why_a_correction_cannot_be_opened(login, demo):
    clerk = login(demo.clerk)
    answer = clerk.post(f"/reports/{demo.seed.pk}/correction/", follow=True)
    assert "has taken place" in answer.content.decode()
    assert "Correct this report" not in clerk.get(f"/reports/{demo.seed.pk}/").content.decode()
    answer = clerk.post(f"/reports/{demo.seed.pk}/correction/republish/", {"what_changed": "Something."})
    assert answer.status_code == 409 and "has taken place" in answer.content.decode()
    assert not Correction.objects.exists()


def test_it_keeps_the_exempt_rules_while_correcting_an_exempt_report(
    client, demo, published, django_capture_on_commit_callbacks
):
    exempt = published.exempt
    assert exempt.subject == EXEMPT_SUBJECT
    copy = services.report_open_correction(report=exempt, user=demo.clerk).draft
    assert copy.is_exempt is True and copy.exempt_paragraphs == exempt.exempt_paragraphs
    services.report_save_draft(
        report=copy, fields={"summary": "A corrected exempt summary."}, recommendations=None, sections=None,
        user=demo.officer, expected_version=1,
    )  # fmt: skip
    assert client.get(f"/papers/{copy.pk}/").status_code == 404
    packs = {p.edition: p.revision for p in published.meeting.packs.filter(supplement=None)}
    secret = "The bidder's price is now 1.2 million."
    with django_capture_on_commit_callbacks(execute=True):
        services.report_republish(report=exempt, user=demo.clerk, what_changed=secret)
    assert client.get(f"/papers/{exempt.pk}/").status_code == 404
    after = {p.edition: p for p in published.meeting.packs.filter(supplement=None)}
    # Only the members' pack prints the exempt report: only it is a new edition, and its note does not
    # carry what changed (a public pack changed at the same time would print it too).
    assert after[AgendaPack.Edition.MEMBERS].revision == packs[AgendaPack.Edition.MEMBERS] + 1
    assert after[AgendaPack.Edition.PUBLIC].revision == packs[AgendaPack.Edition.PUBLIC]
    title = exempt.agenda_item.title
    assert after[AgendaPack.Edition.MEMBERS].revisions[-1][2] == f"“{title}” was corrected (edition 2)."
    # Its author is told, without the words.
    [told] = [m for m in mail.outbox if "Corrected and republished" in m.subject]
    assert secret not in told.body


def test_it_rebuilds_an_appendix_the_report_and_its_correction_share_once_for_both(demo, published):
    """An appendix stored before the upload's rebuild existed, rebuilt while a correction is open: the
    copy's row shares the rebuilt file (the old one is deleted), and republishing keeps the report's row."""
    from tests.test_appendix_disarm import hostile_pdf, plant

    report = published.public
    old = plant(report, hostile_pdf("JavaScript on a bookmark"), "Old upload", page_count=1)
    copy = services.report_open_correction(report=report, user=demo.clerk).draft
    shared = copy.appendices.get()
    assert shared.file.name == old.file.name
    for appendix in (old, shared):
        services.appendix_disarm(appendix=appendix)
    old.refresh_from_db()
    shared.refresh_from_db()
    assert old.is_disarmed and shared.is_disarmed and shared.file.name == old.file.name
    assert old.file.storage.exists(old.file.name)
    services.report_save_draft(
        report=copy, fields={"summary": "Corrected."}, recommendations=None, sections=None, user=demo.officer,
        expected_version=copy.version,
    )  # fmt: skip
    services.report_republish(report=report, user=demo.clerk, what_changed="The summary.")
    assert list(fresh(report).appendices.values_list("pk", "file")) == [(old.pk, old.file.name)]
