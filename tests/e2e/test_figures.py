"""Journey: an officer puts a chart in the body of a report, with its alternative text and caption,
saves, and sees it in the preview PDF, tagged as a figure with its alt text."""

import io
import re

from pypdf import PdfReader

from reports.models import Figure, Report
from tests import images
from tests.e2e.editing import section_text
from tests.test_figures import structure_figures

ALT = "Bar chart: life expectancy rose in four of the six city regions between 2019 and 2021"
CAPTION = "What did we learn?"


def new_report(people):
    officer = people("officer").sign_in("officer")
    page = officer.page
    officer.goto("/reports/new/")
    page.get_by_role("textbox", name="Subject", exact=True).fill("A report with a chart")
    page.get_by_role("button", name="Add a section", exact=True).click()
    page.keyboard.type("Impact Report")
    text = section_text(page, 1)
    text.click()
    page.keyboard.type("Figure one below provides a high level of overview:")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile("Draft saved at")).wait_for()
    return officer, page, Report.objects.get(subject="A report with a chart")


def figure_button(page):
    """The editor's own toolbar button for figures (a picture icon) in the first section."""
    return page.locator("#sections .prose-menubar button[title='figure']").first


def test_it_lets_an_officer_insert_a_figure_and_see_it_in_the_pdf(people, e2e_demo):
    officer, page, report = new_report(people)
    figure_button(page).click()
    dialog = page.get_by_role("dialog", name="Insert a figure")
    dialog.wait_for()
    officer.check()  # the dialog, open, passes axe too

    # First without alternative text: refused beside the field, the file and caption kept.
    dialog.get_by_label("Image file (PNG, JPEG or SVG)").set_input_files(
        files=[{"name": "chart.png", "mimeType": "image/png", "buffer": images.png(label="chart")}]
    )
    dialog.get_by_role("textbox", name="Caption (optional)").fill(CAPTION)
    dialog.get_by_role("button", name="Insert figure").click()
    error = dialog.locator("#figure-error-alt_text")
    error.wait_for()
    assert "alternative text is required" in error.inner_text()
    assert dialog.get_by_role("textbox", name="Alternative text").evaluate("el => el === document.activeElement")
    assert dialog.get_by_role("textbox", name="Caption (optional)").input_value() == CAPTION
    assert not Figure.objects.exists()
    officer.check()

    dialog.get_by_role("textbox", name="Alternative text").fill(ALT)
    dialog.get_by_role("button", name="Insert figure").click()
    dialog.wait_for(state="hidden")
    editor_image = page.locator("#sections .ProseMirror figure img")
    editor_image.wait_for()
    figure = Figure.objects.get(report=report)
    assert editor_image.get_attribute("src") == figure.url and editor_image.get_attribute("alt") == ALT
    assert page.locator("#sections .ProseMirror figure figcaption").inner_text() == CAPTION
    # The image loads in the editor (the figure view serves it to its author).
    assert editor_image.evaluate("img => img.complete && img.naturalWidth") == 480

    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Draft saved.").is_visible()
    body = Report.objects.get(pk=report.pk).sections.get().body
    assert f'<figure><img src="{figure.url}" alt="{ALT}"><figcaption>{CAPTION}</figcaption></figure>' in body

    with page.expect_navigation():
        page.get_by_role("link", name="Preview", exact=True).click()
    officer.check()
    assert page.get_by_text(f"Figure 1: {CAPTION}").is_visible()
    response = page.request.get(f"/reports/{report.pk}/pdf/")
    assert response.status == 200
    data = response.body()
    assert structure_figures(data) == [ALT]
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert f"Figure 1: {CAPTION}" in text


def test_it_takes_a_pasted_chart_through_the_same_dialog_and_refuses_a_hostile_svg(people, e2e_demo):
    officer, page, report = new_report(people)
    hostile = images.svg('<image href="http://127.0.0.1:9/tracker.png"/>')
    section_text(page, 1).evaluate(
        """(editable, bytes) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], "chart.svg", {type: "image/svg+xml"}));
            editable.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        list(hostile),
    )
    dialog = page.get_by_role("dialog", name="Insert a figure")
    dialog.wait_for()
    assert dialog.get_by_text("Pasted image: chart.svg").is_visible()
    dialog.get_by_role("textbox", name="Alternative text").fill(ALT)
    dialog.get_by_role("button", name="Insert figure").click()
    error = dialog.locator("#figure-error-file")
    error.wait_for()
    assert "refers to files or web addresses outside itself" in error.inner_text()
    assert dialog.get_by_role("textbox", name="Alternative text").input_value() == ALT
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert not Figure.objects.exists()

    # A web page's picture pasted with its text: the text comes in, the picture is left out, and the page says so.
    section_text(page, 1).evaluate(
        """(editable) => {
            const data = new DataTransfer();
            data.setData("text/html", '<p>Pasted words.</p><img src="https://example.org/chart.png" alt="A chart">');
            data.setData("text/plain", "Pasted words.");
            editable.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    editor = section_text(page, 1)
    assert "Pasted words." in editor.inner_text() and editor.locator("img").count() == 0
    assert page.get_by_text("A picture pasted from elsewhere was left out").is_visible()
    # The pointer rests where the dialog's Cancel was, now over a button of the page: move it away and let
    # Bootstrap's hover transition end, so axe reads the colours at rest, not halfway between two.
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)
    officer.check()

    section_text(page, 1).evaluate(
        """(editable, bytes) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], "image.png", {type: "image/png"}));
            data.setData("text/html", '<img src="file:///C:/Users/officer/AppData/Local/Temp/clip_image001.png">');
            editable.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        list(images.png(label="pasted")),
    )
    dialog.wait_for()
    dialog.get_by_role("textbox", name="Alternative text").fill(ALT)
    dialog.get_by_role("button", name="Insert figure").click()
    dialog.wait_for(state="hidden")
    page.get_by_text(re.compile("Draft saved at")).wait_for()
    figure = Figure.objects.get(report=report)
    for _ in range(50):
        body = Report.objects.get(pk=report.pk).sections.get().body
        if figure.url in body:
            break
        page.wait_for_timeout(100)
    assert f'<img src="{figure.url}" alt="{ALT}">' in body and "file:///" not in body
