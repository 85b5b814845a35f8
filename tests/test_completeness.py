"""The editor's side list and "Check completeness" say the same: a block is ticked exactly when no
field the check finds missing lies inside it on the page. Both read reports.models.TEMPLATE_BLOCKS."""

import lxml.html
import pytest

from reports.models import TEMPLATE_BLOCKS, Appendix, CorePurposeContribution, Implication, Recommendation, Report
from tests.test_workflow import complete_draft

pytestmark = pytest.mark.django_db
NAV = '//nav[@aria-label="Blocks of the report"]'


def side_list_and_check(client, report):
    """(the blocks the side list ticks, the blocks holding a field "Check completeness" lists)."""
    page = lxml.html.fromstring(client.get(f"/reports/{report.pk}/edit/?check=1").content)
    ticked = {a.get("href").removeprefix("#block-") for a in page.xpath(NAV + '//a[@class="done"]')}
    untouched = {a.get("href").removeprefix("#block-") for a in page.xpath(NAV + '//a[@class="todo"]')}
    assert ticked | untouched == {key for key, _, _ in TEMPLATE_BLOCKS}
    holding_missing = set()
    for link in page.xpath('//*[@id="error-summary"]//a'):
        target = page.get_element_by_id(link.get("href").removeprefix("#"))
        block = (
            target
            if target.get("id", "").startswith("block-")
            else next(parent for parent in target.iterancestors() if parent.get("id", "").startswith("block-"))
        )
        holding_missing.add(block.get("id").removeprefix("block-"))
    return ticked, holding_missing


def variants(demo):
    """Reports complete and incomplete in different blocks."""
    complete = complete_draft(demo, subject="Complete")
    no_implications = complete_draft(demo, subject="No implications written")
    Implication.objects.filter(report=no_implications).update(text="")
    no_core_purpose = complete_draft(demo, subject="No core purpose written")
    CorePurposeContribution.objects.filter(report=no_core_purpose).update(text="")
    one_core_purpose = complete_draft(demo, subject="One core purpose of eight written")
    first = CorePurposeContribution.objects.filter(report=one_core_purpose).first()
    CorePurposeContribution.objects.filter(report=one_core_purpose).exclude(pk=first.pk).update(text="")
    no_recommendation = complete_draft(demo, subject="No recommendation")
    Recommendation.objects.filter(report=no_recommendation).delete()
    gaps = complete_draft(demo, subject="Gaps in the header, costs and contact")
    Report.objects.filter(pk=gaps.pk).update(capital_costs="", contact_email="", is_exempt=None)
    failed_appendix = complete_draft(demo, subject="An appendix that failed to convert")
    failed_conversion(failed_appendix)
    converting = complete_draft(demo, subject="An appendix still converting")
    Appendix.objects.create(report=converting, title="Workbook", source_format="xlsx", conversion="converting")
    return [
        demo.draft,
        complete,
        no_implications,
        no_core_purpose,
        one_core_purpose,
        no_recommendation,
        gaps,
        failed_appendix,
        converting,
    ]


def failed_conversion(report):
    return Appendix.objects.create(
        report=report, title="Needs assessment", source_format="docx", conversion="failed", problem="Too slow"
    )


def test_the_side_list_and_the_check_agree(demo, login):
    client = login(demo.officer)
    seen = {}
    for report in variants(demo):
        report = Report.objects.get(pk=report.pk)
        ticked, holding_missing = side_list_and_check(client, report)
        every = {key for key, _, _ in TEMPLATE_BLOCKS}
        assert ticked == every - holding_missing, report.subject
        assert ticked == report.completed_blocks()
        seen[report.subject] = every - ticked
    assert seen["Complete"] == set()
    assert seen["One core purpose of eight written"] == set()
    assert seen["No implications written"] == {"implications"}
    assert seen["No core purpose written"] == {"core-purpose"}
    assert seen["No recommendation"] == {"recommendations"}
    assert seen["Gaps in the header, costs and contact"] == {"header", "costs", "contact"}
    assert seen["An appendix that failed to convert"] == {"appendices"}
    assert seen["An appendix still converting"] == set()  # it will be done in seconds


def test_an_empty_matrix_stops_submission(demo):
    from reports import services

    report = complete_draft(demo, subject="No implications written")
    Implication.objects.filter(report=report).update(text="")
    with pytest.raises(services.TransitionRefused, match="Implications of the Proposals"):
        services.report_submit(report=report, user=demo.officer)


def test_an_appendix_that_failed_to_convert_stops_submission(demo):
    from reports import services

    report = complete_draft(demo, subject="An appendix that failed to convert")
    failed_conversion(report)
    with pytest.raises(services.TransitionRefused, match=r"Appendix A \(Needs assessment\) could not be converted"):
        services.report_submit(report=report, user=demo.officer)
    Appendix.objects.filter(report=report).delete()
    services.report_submit(report=report, user=demo.officer)
    assert Report.objects.get(pk=report.pk).status == Report.Status.CONSULTATION
