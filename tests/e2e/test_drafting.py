"""Journey 1: an officer drafts a whole report in the browser; journey 5: two editors at once."""

import re

import pytest
from pypdf import PdfReader

from reports.models import Report

BLOCKS = {
    "Subject": "Tobacco Control Strategy 2025 to 2030",
    "Summary": "The report presents a new strategy to reduce smoking in Sefton.",
    "Reasons for the Recommendation(s)": "Smoking remains the largest preventable cause of ill health.",
    "Alternative Options Considered and Rejected (including any Risk Implications)": "Doing nothing was rejected.",
    "(A) Revenue Costs": "Met from the Public Health Grant.",
    "(B) Capital Costs": "There are no capital costs.",
    "Resource Implications (Financial, IT, Staffing and Assets)": "None beyond the grant.",
    "Legal Implications": "None.",
    "Equality Implications": "The strategy targets groups with the highest smoking rates.",
    "Explanation": "The strategy has no direct impact on the climate.",
    "Protect the most vulnerable": "Smoking harms the most vulnerable most.",
    "(B) External Consultations": "Residents were consulted in the summer.",
    "Implementation Date for the Decision": "Immediately following the Board meeting.",
    "Contact Officer": "Eleanor Moulton",
    "Telephone Number": "07779162882",
    "Email Address": "eleanor.moulton@sefton.gov.uk",
    "Background Papers": "Smokefree 2030 https://www.gov.uk/",
}


def appendix_pdf():
    from weasyprint import HTML

    return HTML(string="<html lang='en'><title>x</title><body><p>Strategy action plan</p></body></html>").write_pdf()


def fill_report(page, keyboard_only=False):
    """Fill every block of the template, as an officer would."""

    def fill(label, value):
        field = page.get_by_role("textbox", name=label, exact=True)
        if keyboard_only:
            field.focus()
            page.keyboard.type(value)
        else:
            field.fill(value)

    def choose(group, option):
        radio = page.get_by_role("group", name=group).get_by_label(option, exact=True)
        if keyboard_only:
            radio.focus()
            page.keyboard.press("Space")
        else:
            radio.check()

    def select(label, option):
        page.get_by_role("combobox", name=label, exact=True).select_option(label=option)

    select("Report to", "Health and Wellbeing Board")
    select("Date of Meeting", page.locator("#id_meeting option").nth(2).inner_text())
    fill("Subject", BLOCKS["Subject"])
    select("Report of", "Director of Public Health")
    select("Portfolio", "Health and Wellbeing")
    if keyboard_only:
        page.get_by_role("checkbox", name="All Wards", exact=True).focus()
        page.keyboard.press("Space")
    else:
        page.get_by_role("checkbox", name="All Wards", exact=True).check()
    choose("Is this a Key Decision", "No")
    choose("Included in Forward Plan", "No")
    choose("Exempt / Confidential Report", "No")
    for label in ["Summary", "Reasons for the Recommendation(s)", "Alternative Options Considered and Rejected (including any Risk Implications)",
                  "(A) Revenue Costs", "(B) Capital Costs", "Resource Implications (Financial, IT, Staffing and Assets)",
                  "Legal Implications", "Equality Implications"]:  # fmt: skip
        fill(label, BLOCKS[label])
    choose("The recommendations within this report will", "Have a neutral impact")
    choose("The Author has undertaken the Climate Emergency training for report authors", "Yes")
    for label in ["Explanation", "Protect the most vulnerable", "(B) External Consultations",
                  "Implementation Date for the Decision", "Contact Officer", "Telephone Number", "Email Address",
                  "Background Papers"]:  # fmt: skip
        fill(label, BLOCKS[label])

    def press(name):
        button = page.get_by_role("button", name=name, exact=True)
        if keyboard_only:
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()

    press("Add a recommendation")
    fill("Recommendation (1)", "The Board are asked to approve the strategy.")
    press("Add a recommendation")
    fill("Recommendation (2)", "The Board are asked to note the action plan.")
    press("Move recommendation (2) up")
    press("Add a section")
    fill("Section 1 heading", "Introduction")
    editor = page.get_by_role("textbox", name="Section 1 text")
    editor.click() if not keyboard_only else editor.focus()
    page.keyboard.type("Smoking rates in Sefton are above the national average.")
    press("Add a section")
    fill("Section 2 heading", "The strategy")
    editor = page.get_by_role("textbox", name="Section 2 text")
    editor.click() if not keyboard_only else editor.focus()
    page.keyboard.type("The strategy has four themes.")


@pytest.mark.parametrize("keyboard_only", [False, True], ids=["mouse", "keyboard"])
def test_it_lets_an_officer_draft_a_whole_report(people, e2e_demo, keyboard_only):
    officer = people("officer").sign_in("officer")
    page = officer.page
    page.get_by_role("link", name="Start a new report").first.click()
    officer.check()
    fill_report(page, keyboard_only=keyboard_only)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    assert page.get_by_text("Draft saved.").is_visible()
    officer.check()
    report = Report.objects.get(subject=BLOCKS["Subject"])
    assert [r.text for r in report.recommendations.all()] == [
        "The Board are asked to note the action plan.",
        "The Board are asked to approve the strategy.",
    ]
    assert [s.heading for s in report.sections.all()] == ["Introduction", "The strategy"]
    assert "above the national average" in report.sections.first().body

    # An appendix.
    page.get_by_role("textbox", name="Appendix title").fill("Action plan")
    page.get_by_label("PDF file").set_input_files(
        files=[{"name": "action-plan.pdf", "mimeType": "application/pdf", "buffer": appendix_pdf()}]
    )
    page.get_by_role("button", name="Upload appendix").click()
    page.wait_for_load_state()
    assert page.get_by_text("Appendix “Action plan” added.").is_visible()
    officer.check()

    # Check completeness: nothing missing.
    page.get_by_role("button", name="Check completeness").click()
    page.wait_for_load_state()
    assert page.get_by_text("Every block of the template is complete.").is_visible()
    officer.check()
    assert Report.objects.get(pk=report.pk).missing_items() == []

    # Preview, then the draft PDF.
    page.get_by_role("link", name="Preview", exact=True).click()
    page.wait_for_load_state()
    officer.check()
    assert page.get_by_role("heading", name="1. Introduction").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Tobacco Control Strategy" in text and "DRAFT" in text

    # Submit.
    page.get_by_role("button", name="Submit for sign-off").click()
    page.wait_for_load_state()
    officer.check()
    assert Report.objects.get(pk=report.pk).status == Report.Status.CONSULTATION


def test_it_saves_a_draft_by_itself_and_on_leaving(people, e2e_demo):
    officer = people("officer").sign_in("officer")
    page = officer.page
    officer.goto("/reports/new/")
    page.get_by_role("textbox", name="Subject", exact=True).fill("Autosaved while typing")
    page.get_by_text(re.compile("Draft saved at")).wait_for()
    report = Report.objects.get(subject="Autosaved while typing")
    assert page.url.endswith(f"/reports/{report.pk}/edit/")
    page.get_by_role("textbox", name="Summary", exact=True).fill("Typed just before closing the tab.")
    page.close(run_before_unload=True)
    for _ in range(50):
        report.refresh_from_db()
        if report.summary:
            break
        import time

        time.sleep(0.1)
    assert report.summary == "Typed just before closing the tab."


def test_it_refuses_the_second_of_two_saves_and_keeps_both_texts(people, e2e_demo):
    report = Report.objects.get(subject="Sefton Active Lifestyles Strategy 2023 to 2028")
    first = people("officer-tab-1").sign_in("officer")
    second = people("officer-tab-2").sign_in("officer")
    first.goto(f"/reports/{report.pk}/edit/")
    second.goto(f"/reports/{report.pk}/edit/")
    first.page.get_by_role("textbox", name="Reasons for the Recommendation(s)", exact=True).fill(
        "Reasons from the first browser."
    )
    first.page.get_by_role("button", name="Save draft").click()
    first.page.wait_for_load_state()
    assert first.page.get_by_text("Draft saved.").is_visible()

    second.page.get_by_role("textbox", name="Summary", exact=True).fill("Summary from the second browser.")
    second.page.get_by_role("button", name="Save draft").click()
    second.page.wait_for_load_state()
    page = second.page
    assert page.get_by_text("Someone else saved this report while you were editing it").is_visible()
    assert page.get_by_text("Reasons from the first browser.").first.is_visible()  # their change, shown
    assert (
        page.get_by_role("textbox", name="Summary", exact=True).input_value() == "Summary from the second browser."
    )  # kept
    second.check()
    report.refresh_from_db()
    assert report.reasons == "Reasons from the first browser."
    assert report.summary != "Summary from the second browser."
    # The field this editor never touched already holds the other's text, so saving again keeps both.
    reasons = page.get_by_role("textbox", name="Reasons for the Recommendation(s)", exact=True)
    assert reasons.input_value() == "Reasons from the first browser."
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.summary == "Summary from the second browser."
    assert report.reasons == "Reasons from the first browser."
