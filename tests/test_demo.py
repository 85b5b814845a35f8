from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from reports import demo as demo_data
from reports.content import report_text
from reports.models import CorePurpose, ImplicationType, Report, Ward
from tests.seedwords import assert_words_in_order, seed_text, seed_words, words


def normalised(text):
    return " ".join(words(text))


def test_it_holds_every_word_of_the_seed_in_order(demo):
    expected = seed_words()
    assert len(expected) > 1000
    assert_words_in_order(expected, report_text(demo.seed))


def test_it_keeps_each_seed_value_in_its_own_field(demo):
    seed = normalised(seed_text())
    report = demo.seed
    for field in [
        "subject",
        "summary",
        "reasons",
        "alternatives",
        "revenue_costs",
        "capital_costs",
        "climate_explanation",
        "external_consultations",
        "implementation_date",
        "contact_officer",
        "contact_phone",
        "contact_email",
        "background_papers",
    ]:
        value = getattr(report, field)
        assert value, field
        assert normalised(value) in seed, field
    assert report.board.name == "Health and Wellbeing Board"
    assert report.meeting.date_display == "Wednesday 14 September 2022"
    assert str(report.report_of) == "Director of Public Health"
    assert report.all_wards and report.portfolio.name == "Health and Wellbeing"
    assert (report.is_key_decision, report.in_forward_plan, report.is_exempt) == (False, False, False)
    assert report.climate_impact == "neutral" and report.climate_training is True
    recommendations = [r.text for r in report.recommendations.all()]
    assert len(recommendations) == 2
    for text in recommendations:
        assert normalised(text) in seed
    for contribution in report.core_purposes.all():
        assert normalised(f"{contribution.purpose.name} {contribution.text}") in seed
    implications = {i.type.name: i.text for i in report.implications.all()}
    assert implications["Equality Implications"] == "There are no equality implications."
    assert [s.heading for s in report.sections.all()] == [
        "Introduction",
        "Impact Report",
        "Key Strategic links",
        "Appreciative Enquiry",
        "The Next Steps for the Liverpool City Region",
        "Conclusion",
    ]
    assert report.status == Report.Status.PUBLISHED  # approved, then its agenda was published
    assert sorted(s.reference for s in report.sign_offs.all()) == ["FD.6932/22", "LD.5132/22"]
    assert "(FD.6932/22)" in report.internal_consultations_text()
    assert "(LD.5132/22)" in report.internal_consultations_text()


def test_it_loads_the_reference_data(demo):
    assert sorted(Ward.objects.values_list("name", flat=True)) == sorted(demo_data.WARDS)
    assert Ward.objects.count() == 22
    assert list(ImplicationType.objects.values_list("name", flat=True)) == demo_data.IMPLICATION_TYPES
    assert list(CorePurpose.objects.values_list("name", flat=True)) == demo_data.CORE_PURPOSES


def test_it_creates_one_user_per_role(demo):
    assert demo.officer.check_password("committee-demo")
    assert demo.officer.is_author
    assert demo.clerk.is_democratic_services
    assert demo.admin.is_superuser
    assert demo.finance.consultee_kinds.get().prefix == "FD"
    assert demo.legal.consultee_kinds.get().prefix == "LD"
    assert demo.director.posts.get().title == "Director of Public Health"
    assert demo.member.memberships.get().board == demo.board
    assert not demo.outsider.reports.exists()
    assert demo.draft.author == demo.officer and demo.draft.status == Report.Status.DRAFT


def test_it_is_idempotent(demo):
    def counts():
        return {m._meta.label: m.objects.count() for m in apps.get_models()}

    before = counts()
    call_command("load_demo", "--force", stdout=StringIO())
    assert counts() == before


def test_every_published_agenda_has_its_packs_queued(demo_executive):
    """The Cabinet's held meeting too: its page and the open data link to its front sheet and pack."""
    from boards.models import AgendaPack, Meeting

    published = Meeting.objects.filter(agenda_published_at__isnull=False)
    assert published.filter(board__slug="cabinet").exists()
    for meeting in published:
        editions = set(AgendaPack.objects.filter(meeting=meeting).values_list("edition", flat=True))
        assert editions == set(AgendaPack.Edition.values), meeting


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert not Report.objects.exists()
    call_command("load_demo", "--force", stdout=StringIO())
    assert Report.objects.exists()


def test_the_meeting_of_14_september_2022_shows_its_decision_and_approved_minutes(demo):
    """The demo's record is complete: decision, and minutes approved at the next meeting, which lock it."""
    from django.test import Client

    from boards.models import Meeting
    from minutes import demo as minutes_demo
    from minutes.models import Minutes

    seed_item = demo.seed.agenda_item
    assert demo.meeting.status == Meeting.Status.MINUTES_APPROVED
    assert seed_item.decision == demo_data.SEED_DECISION
    page = Client().get(f"/meetings/{demo.meeting.pk}/").content.decode()
    assert "RESOLVED: That (1) the contents of the report be noted" in page
    answer = Client().get(f"/api/v1/agenda-items/{seed_item.pk}/").json()
    assert answer["resolutionText"] == demo_data.SEED_DECISION
    minutes = Minutes.objects.get(meeting=demo.meeting)
    assert minutes.is_final and minutes.stamp == "Approved 9 November 2022"
    assert demo.seed.subject in minutes.body
    page = Client().get(f"/meetings/{demo.meeting.pk}/minutes/").content.decode()
    assert "Approved 9 November 2022" in page and "Draft, subject to approval" not in page
    minutes_demo.load(demo.users, demo.meeting)  # once
    assert Minutes.objects.count() == 1
