"""Journey (issue 18): an officer imports a report written on the council's Word template, reads
the import report, fixes the one field it flags (an email address typed wrongly), and submits."""

from django.utils import timezone

from boards.models import Meeting
from reports.models import Report
from tests.test_wordio_seed import seed_docx

WRONG_EMAIL = "eleanor.moulton at sefton dot gov dot uk"
SUBJECT = "Cities Health Inequalities: the next phase"


def test_an_officer_imports_a_word_report_fixes_the_flagged_field_and_submits(people, e2e_demo, tmp_path):
    meeting = Meeting.objects.filter(board__name="Health and Wellbeing Board", starts_at__gt=timezone.now())
    meeting = meeting.exclude(status="cancelled").order_by("starts_at").first()
    document = tmp_path / "Cities Health Inequalities.docx"
    document.write_bytes(
        seed_docx(
            changes=[
                ("Wednesday 14 September 2022", meeting.date_display),
                ("Cities Inequalities Project", SUBJECT),
                ("eleanor.moulton@sefton.gov.uk", WRONG_EMAIL),
            ]
        )
    )

    officer = people("officer").sign_in("officer")
    page = officer.page
    officer.goto("/reports/new/")
    page.get_by_text("Already written on the council's Word template? Import it").click()
    page.get_by_label("Word document (.docx)").set_input_files(str(document))
    page.get_by_role("button", name="Import from Word").click()
    page.wait_for_load_state()
    officer.check()
    assert page.get_by_role("heading", name=f"Imported from Word: {SUBJECT}").is_visible()
    assert page.get_by_role("heading", name="Not placed (1)").is_visible()
    flagged = page.get_by_role("textbox", name="Not placed, from Email Address (not an email address)")
    assert flagged.input_value() == WRONG_EMAIL
    page.screenshot(path=str(tmp_path / "import-report.png"), full_page=True)

    page.get_by_role("link", name="Open the draft in the editor").first.click()
    page.wait_for_load_state()
    officer.check()
    report = Report.objects.get(subject=SUBJECT)
    assert report.status == Report.Status.DRAFT and report.contact_email == ""
    page.get_by_role("textbox", name="Email Address", exact=True).fill("eleanor.moulton@sefton.gov.uk")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.contact_email == "eleanor.moulton@sefton.gov.uk"

    officer.goto(f"/reports/{report.pk}/")
    page.get_by_role("button", name="Submit for sign-off").click()
    page.wait_for_load_state()
    officer.check()
    assert "Submitted for sign-off" in page.content()
    report.refresh_from_db()
    assert report.status == Report.Status.CONSULTATION
    assert report.figures.count() == 1  # the picture in its body came in as a figure
