"""Journey: an officer pastes a part of a report from Word into a section of the body; its headings,
numbered and bulleted lists and table come in as such, are saved, and print."""

import io
import re

from pypdf import PdfReader

from reports.models import Report
from tests.e2e.editing import section_text

# What Word puts on the clipboard (text/html), cut down: its headings as <h1>/<h2> and a "Heading 2"
# styled paragraph, list paragraphs with the number typed in an mso-list:Ignore span between
# conditional comments, and an ordinary table with paragraphs in its cells.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta charset="utf-8"><style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style></head>
<body lang=EN-GB style='tab-interval:36.0pt'><!--StartFragment-->
<h1><a name="_Toc1">Background</a></h1>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>The
strategy was agreed in 2019.</p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>It
is reviewed every year.</p>
<p class=MsoHeading2>Costs by ward</p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>
 <tr><td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal>Ward</p></td>
  <td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal>Cost</p></td></tr>
 <tr><td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal>Bootle</p></td>
  <td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal>£12,000</p></td></tr>
</table>
<p class=MsoListParagraph style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;
</span></span></span><![endif]>Met from the grant.</p>
<!--EndFragment--></body></html>"""

ITEMS = ["The strategy was agreed in 2019.", "It is reviewed every year."]
WORD_TEXT = "Background\n1. The strategy was agreed in 2019.\n2. It is reviewed every year.\nCosts by ward\n"


def test_it_keeps_words_headings_lists_and_tables_when_pasted(people, e2e_demo):
    officer = people("officer").sign_in("officer")
    page = officer.page
    officer.goto("/reports/new/")
    page.get_by_role("textbox", name="Subject", exact=True).fill("A report pasted from Word")
    page.get_by_role("button", name="Add a section", exact=True).click()
    page.keyboard.type("Introduction")
    section_text(page, 1).evaluate(
        """(editable, [html, text]) => {
            editable.focus();
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", text);
            editable.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [WORD_HTML, WORD_TEXT],
    )
    editor = section_text(page, 1)
    editor.locator("table").wait_for()
    assert editor.locator("h3").inner_text() == "Background"
    assert editor.locator("ol > li").all_inner_texts() == ITEMS
    officer.check()

    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Draft saved.").is_visible()
    report = Report.objects.get(subject="A report pasted from Word")
    body = " ".join(report.sections.get().body.split())
    assert "<h3>Background</h3>" in body and "<h4>Costs by ward</h4>" in body
    [numbered] = re.findall(r"<ol[^>]*>.*?</ol>", body)
    assert re.findall(r"<li><p>(.*?)</p></li>", numbered) == ITEMS
    assert "1." not in re.sub(r"<[^>]*>", "", numbered), "Word's typed number is left out: the list numbers itself"
    assert "<ul><li><p>Met from the grant.</p></li></ul>" in body
    [table] = re.findall(r"<table>.*?</table>", body)
    assert table.count("<tr>") == 2 and table.count("<td") == 4
    assert "<p>Ward</p>" in table and "<p>£12,000</p>" in table

    response = page.request.get(f"/reports/{report.pk}/pdf/")
    assert response.status == 200
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.body())).pages)
    for words in ["Background", *(f"1.{n} {item}" for n, item in enumerate(ITEMS, start=1)), "Bootle", "£12,000"]:
        assert words in text, words
