"""Journey 1: an officer drafts a whole report in the browser; journey 5: two editors at once."""

import re

import pytest
from pypdf import PdfReader

from reports.models import Report
from tests.e2e.editing import section_text

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


class Mouse:
    """A person who clicks and types."""

    def __init__(self, page):
        self.page = page

    def fill(self, field, text):
        field.fill(text)

    def tick(self, box):
        box.check()

    def choose(self, group, option):
        group.get_by_role("radio", name=option, exact=True).check()

    def select(self, field, option):
        field.select_option(label=option)

    def press(self, control):
        control.click()

    def type_into(self, editable, text):
        editable.click()
        self.page.keyboard.type(text)


class Keyboard(Mouse):
    """A person with no mouse: Tab to move, Space and Enter to act, arrow keys in radio groups and lists."""

    TAB_LIMIT = 400

    def reach(self, control):
        """Press Tab until `control` has the focus (wrapping round the page), or fail.

        The locator is read afresh at each press: the editor may replace a field's element once
        its script has loaded (slowly, on a busy machine), and a handle held on the first one would
        never see the focus arrive."""
        for _ in range(self.TAB_LIMIT):
            if control.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{control} cannot be reached with the Tab key")

    def fill(self, field, text):
        self.reach(field)
        self.page.keyboard.type(text)

    def tick(self, box):
        self.reach(box)
        self.page.keyboard.press("Space")

    def choose(self, group, option):
        radios = group.get_by_role("radio")
        self.reach(radios.first)
        self.page.keyboard.press("Space")
        target = group.get_by_role("radio", name=option, exact=True)
        for _ in range(radios.count()):
            if target.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        assert target.is_checked(), f"could not choose {option!r} with the arrow keys"

    def select(self, field, option):
        self.reach(field)
        for _ in range(field.locator("option").count()):
            if field.evaluate("el => el.options[el.selectedIndex].text") == option:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"could not choose {option!r} with the arrow keys")

    def press(self, control):
        self.reach(control)
        self.page.keyboard.press("Enter")

    def type_into(self, editable, text):
        self.reach(editable)
        self.page.keyboard.type(text)


def fill_report(page, hands):
    """Fill every block of the template, as an officer would."""

    def textbox(label):
        return page.get_by_role("textbox", name=label, exact=True)

    def group(name):
        return page.get_by_role("group", name=name, exact=True)

    def button(name):
        return page.get_by_role("button", name=name, exact=True)

    meeting = page.locator("#id_meeting option").nth(2).inner_text()
    hands.select(page.get_by_role("combobox", name="Report to", exact=True), "Health and Wellbeing Board")
    hands.select(page.get_by_role("combobox", name="Date of Meeting", exact=True), meeting)
    hands.fill(textbox("Subject"), BLOCKS["Subject"])
    hands.select(page.get_by_role("combobox", name="Report of", exact=True), "Director of Public Health")
    hands.select(page.get_by_role("combobox", name="Portfolio", exact=True), "Health and Wellbeing")
    hands.tick(page.get_by_role("checkbox", name="All Wards", exact=True))
    hands.choose(group("Is this a Key Decision"), "No")
    hands.choose(group("Included in Forward Plan"), "No")
    hands.choose(group("Exempt / Confidential Report"), "No")
    for label in ["Summary", "Reasons for the Recommendation(s)", "Alternative Options Considered and Rejected (including any Risk Implications)",
                  "(A) Revenue Costs", "(B) Capital Costs", "Resource Implications (Financial, IT, Staffing and Assets)",
                  "Legal Implications", "Equality Implications"]:  # fmt: skip
        hands.fill(textbox(label), BLOCKS[label])
    hands.choose(group("The recommendations within this report will"), "Have a neutral impact")
    hands.choose(group("The Author has undertaken the Climate Emergency training for report authors"), "Yes")
    for label in ["Explanation", "Protect the most vulnerable", "(B) External Consultations",
                  "Implementation Date for the Decision", "Contact Officer", "Telephone Number", "Email Address",
                  "Background Papers"]:  # fmt: skip
        hands.fill(textbox(label), BLOCKS[label])

    hands.press(button("Add a recommendation"))
    page.keyboard.type("The Board are asked to approve the strategy.")  # the new row has the focus
    hands.press(button("Add a recommendation"))
    page.keyboard.type("The Board are asked to note the action plan.")
    hands.press(button("Move recommendation (2) up"))
    hands.press(button("Add a section"))
    page.keyboard.type("Introduction")
    hands.type_into(section_text(page, 1), "Smoking rates in Sefton are above the national average.")
    hands.press(button("Add a section"))
    page.keyboard.type("The strategy")
    hands.type_into(section_text(page, 2), "The strategy has four themes.")


@pytest.mark.parametrize("hands", [Mouse, Keyboard], ids=["mouse", "keyboard"])
def test_it_lets_an_officer_draft_a_whole_report(people, e2e_demo, hands):
    officer = people("officer").sign_in("officer")
    page = officer.page
    hands = hands(page)
    with page.expect_navigation():
        hands.press(page.get_by_role("link", name="Start a new report").first)
    officer.check()
    # Nothing is saved yet, so there is nothing to preview (the links appear once the draft is saved).
    assert not page.get_by_role("link", name="Preview PDF").is_visible()
    fill_report(page, hands)
    with page.expect_navigation():
        hands.press(page.get_by_role("button", name="Save draft"))
    assert page.get_by_text("Draft saved.").is_visible()
    officer.check()
    report = Report.objects.get(subject=BLOCKS["Subject"])
    assert [r.text for r in report.recommendations.all()] == [
        "The Board are asked to note the action plan.",
        "The Board are asked to approve the strategy.",
    ]
    assert [s.heading for s in report.sections.all()] == ["Introduction", "The strategy"]
    assert "above the national average" in report.sections.first().body

    # An appendix (choosing the file is the browser's own dialog, so the test hands it the file).
    hands.fill(page.get_by_role("textbox", name="Appendix title"), "Action plan")
    page.get_by_label("File (PDF, Word, Excel, PowerPoint or OpenDocument)").set_input_files(
        files=[{"name": "action-plan.pdf", "mimeType": "application/pdf", "buffer": appendix_pdf()}]
    )
    with page.expect_navigation():
        hands.press(page.get_by_role("button", name="Upload appendix"))
    assert page.get_by_text("Appendix “Action plan” added.").is_visible()
    officer.check()

    # Check completeness: nothing missing.
    with page.expect_navigation():
        hands.press(page.get_by_role("button", name="Check completeness"))
    assert page.get_by_text("Every block of the template is complete.").is_visible()
    officer.check()
    assert Report.objects.get(pk=report.pk).missing_items() == []

    # Preview, then the draft PDF.
    with page.expect_navigation():
        hands.press(page.get_by_role("link", name="Preview", exact=True))
    officer.check()
    assert page.get_by_role("heading", name="1. Introduction").is_visible()
    with page.expect_download() as download:
        hands.press(page.get_by_role("link", name=re.compile("Download PDF")))
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Tobacco Control Strategy" in text and "DRAFT" in text

    # Submit.
    with page.expect_navigation():
        hands.press(page.get_by_role("button", name="Submit for sign-off"))
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


def test_it_keeps_the_text_when_the_session_ends_and_saves_it_after_signing_in_again(people, e2e_demo):
    officer = people("officer").sign_in("officer")
    page = officer.page
    draft = Report.objects.get(subject="Sefton Active Lifestyles Strategy 2023 to 2028")
    officer.goto(f"/reports/{draft.pk}/edit/")
    action = page.locator("#report-form").get_attribute("action")
    page.context.clear_cookies(name="sessionid")  # the idle timeout, as the browser sees it
    summary = page.get_by_role("textbox", name="Summary", exact=True)
    summary.fill("Typed after the session ended.")
    page.get_by_text(re.compile("You are signed out, so your changes are not saved")).wait_for()
    assert page.locator("#report-form").get_attribute("action") == action
    page.get_by_role("button", name="Save draft").first.click()  # refused here, not posted to the sign-in page
    page.get_by_text(re.compile("You are signed out")).wait_for()
    assert page.url.endswith(f"/reports/{draft.pk}/edit/") and summary.input_value() == "Typed after the session ended."
    # Signed in again in another tab (a new session and CSRF token), the same page saves.
    other = page.context.new_page()
    other.goto("/accounts/login/")
    other.get_by_label("Username").fill("officer")
    other.get_by_label("Password").fill("committee-demo")
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_load_state()
    other.close()
    page.get_by_role("button", name="Save draft").first.click()
    page.get_by_text(re.compile("Draft saved|No changes to save")).first.wait_for()
    draft.refresh_from_db()
    assert draft.summary == "Typed after the session ended."


def test_the_preview_shows_what_was_typed_a_moment_before(people, e2e_demo):
    officer = people("officer").sign_in("officer")
    page = officer.page
    draft = Report.objects.get(subject="Sefton Active Lifestyles Strategy 2023 to 2028")
    officer.goto(f"/reports/{draft.pk}/edit/")
    page.get_by_role("textbox", name="Summary", exact=True).fill("Typed a moment before the preview.")
    page.get_by_role("link", name="Preview", exact=True).click()  # before the autosave's 2 seconds
    page.wait_for_url(f"**/reports/{draft.pk}/")
    officer.check()
    assert page.get_by_text("Typed a moment before the preview.").is_visible()


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


def test_an_autosave_sends_only_what_changed_since_the_last_save(people, e2e_demo):
    """The editor's script posts the fields typed in since its last save (and a list whole, with its
    rows' ids); everything else stays as stored, and a new row's id comes back so it is not added twice."""
    from urllib.parse import parse_qs

    officer = people("officer").sign_in("officer")
    page = officer.page
    draft = Report.objects.get(subject="Sefton Active Lifestyles Strategy 2023 to 2028")
    before = {"reasons": draft.reasons, "sections": list(draft.sections.values_list("pk", "heading", "body"))}
    posts = []
    page.on("request", lambda r: posts.append(r.post_data) if r.method == "POST" else None)
    officer.goto(f"/reports/{draft.pk}/edit/")

    def autosaved(type_it):
        """What the autosave after `type_it()` posted."""
        page.evaluate("document.getElementById('autosave-status').textContent = ''")
        count = len(posts)
        type_it()
        page.get_by_text(re.compile("Draft saved at")).wait_for()
        assert len(posts) == count + 1
        return parse_qs(posts[-1], keep_blank_values=True)

    sent = autosaved(lambda: page.get_by_role("textbox", name="Summary", exact=True).fill("Only the summary."))
    assert sent["_changed"] == ["summary"] and sent["summary"] == ["Only the summary."]
    assert "reasons" not in sent and "recommendation-text" not in sent and "section-body" not in sent

    def add_recommendation():
        page.get_by_role("button", name="Add a recommendation").click()
        page.keyboard.type("The Board are asked to note the new plan.")

    sent = autosaved(add_recommendation)
    assert sent["_changed"] == ["recommendations"] and "summary" not in sent
    assert sent["recommendation-text"][-1] == "The Board are asked to note the new plan."
    assert sent["recommendation-id"][-1] == ""
    sent = autosaved(lambda: page.keyboard.type(" Amended."))
    assert sent["_changed"] == ["recommendations"] and sent["recommendation-id"][-1] != ""  # the id it was given

    draft.refresh_from_db()
    texts = list(draft.recommendations.values_list("text", flat=True))
    assert texts[-1] == "The Board are asked to note the new plan. Amended." and texts.count(texts[-1]) == 1
    assert draft.summary == "Only the summary." and draft.reasons == before["reasons"]
    assert list(draft.sections.values_list("pk", "heading", "body")) == before["sections"]
    assert draft.version == 2  # one editing session, one version
