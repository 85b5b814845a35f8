"""Journey (issue 18): an officer adds a Word appendix to a draft; the editor shows it waiting to be
converted, and, once the worker has converted it, updates by itself to its pages and first page."""

import re

from playwright.sync_api import expect

from reports.models import Report
from reports.officeconvert import appendix_convert
from tests.officefiles import docx_bytes


def test_the_editor_shows_an_office_appendix_converting_then_converted(people, e2e_demo, tmp_path):
    report = Report.objects.get(subject="Sefton Active Lifestyles Strategy 2023 to 2028")
    document = tmp_path / "Consultation responses.docx"
    document.write_bytes(docx_bytes("What residents told us about the strategy.", pages=3))

    officer = people("officer").sign_in("officer")
    page = officer.page
    officer.goto(f"/reports/{report.pk}/edit/")
    page.get_by_role("textbox", name="Appendix title").fill("Consultation responses")
    page.get_by_label("File (PDF, Word, Excel, PowerPoint or OpenDocument)").set_input_files(str(document))
    page.get_by_role("button", name="Upload appendix").click()
    page.wait_for_load_state()
    officer.check()
    assert "It is being converted to PDF" in page.content()
    listed = page.locator("#appendix-list")
    assert "Waiting to be converted to PDF" in listed.inner_text()
    expect(
        listed.get_by_role("link", name=re.compile(r"^Download the original Word file\W+Consultation responses$"))
    ).to_be_visible()

    appendix_convert(appendix_id=report.appendices.get().pk)  # as the worker does

    page.locator("#appendix-list [data-conversion='done']").wait_for(timeout=10_000)  # polled, no reload
    assert "Converted to PDF" in listed.inner_text() and "3 pages" in listed.inner_text()
    expect(listed.get_by_role("link", name="Consultation responses", exact=True)).to_be_visible()
    thumbnail = listed.locator("img")
    thumbnail.wait_for()
    # Drawn once it has loaded (the list was just swapped in by the poll): waited for, not read at once.
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle(), timeout=10_000
    )
    officer.check()
    listed.screenshot(path=str(tmp_path / "appendix-list.png"))
