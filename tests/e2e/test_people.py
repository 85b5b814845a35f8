"""People and roles in a real browser, with axe-core on every page, and never /admin/: `admin` invites a new
officer, who sets a password from the emailed link, signs in and starts a report; `director` names a stand-in,
who approves a report in her place, and the report's history says "for"."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import StandIn, User
from reports import services
from reports.models import Report
from tests.e2e.test_workflow import Demo
from tests.test_workflow import complete_draft

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "heron-lantern-quarry-88"


def no_admin(person):
    assert "/admin/" not in person.page.url


def test_admin_invites_an_officer_who_sets_a_password_and_starts_a_report(people, e2e_demo):
    admin = people("admin").sign_in("admin")
    page = admin.page
    page.get_by_role("button", name="Administration", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="People", exact=True).click()
    admin.check()
    assert page.get_by_role("heading", level=1).inner_text() == "People and roles"
    assert page.get_by_role("cell", name=re.compile("Approver: Director of Public Health")).count() == 1

    with page.expect_navigation():
        page.get_by_role("link", name="Add a person").click()
    admin.check()
    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Okafor")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitation").click()
    admin.check()
    assert page.get_by_text("Enter a valid email address.").count() == 2  # the summary and beside the field
    assert page.get_by_label("First name").input_value() == "Nadia"
    page.get_by_label("Email address").fill("nadia.okafor@example.sefton.gov.uk")
    page.get_by_label("Job title").fill("Health Improvement Officer")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the invitation").click()
    admin.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Nadia Okafor"
    assert page.get_by_text("Their user name is nadia.okafor.").is_visible()
    page.get_by_label("Report author").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the roles").click()
    admin.check()
    assert page.get_by_text("Nadia Okafor's roles are saved.").is_visible()
    no_admin(admin)

    [message] = [m for m in mail.outbox if m.to == ["nadia.okafor@example.sefton.gov.uk"]]
    link = re.search(r"/accounts/invitation/[^/\s]+/[^/\s]+/", message.body).group(0)
    officer = people("nadia")
    page = officer.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Choose your password"
    page.locator("#id_new_password1").fill(NEW_PASSWORD)  # its label, "New password", begins the next one's
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Set my password").click()
    officer.check()
    assert page.get_by_text("Your password is set. Sign in with your user name, nadia.okafor.").is_visible()
    page.get_by_label("Username").fill("nadia.okafor")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    officer.check()
    with page.expect_navigation():
        page.get_by_role("link", name="Start a new report").first.click()
    officer.check()
    page.get_by_role("textbox", name="Subject").fill("Healthy Start vitamins uptake")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    officer.check()
    assert Report.objects.get(subject="Healthy Start vitamins uptake").author.username == "nadia.okafor"

    # The link worked once.
    again = people("nadia-again")
    again.goto(link)
    assert again.page.get_by_role("heading", level=1).inner_text() == "This link has been used"


def test_director_names_a_stand_in_who_approves_for_her(people, e2e_demo):
    demo = Demo(e2e_demo.users)
    report = complete_draft(demo, subject="Oral Health Improvement Plan 2025 to 2028")
    services.report_submit(report=report, user=demo.officer)
    services.report_sign_off(report=report, user=demo.finance)
    services.report_sign_off(report=report, user=demo.legal)

    director = people("director").sign_in("director")
    page = director.page
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("My account")).click()
    director.check()
    today = timezone.localdate()
    page.get_by_role("combobox", name=re.compile("^Stand-in")).select_option(label="Owen Tate (Highways Engineer)")
    page.get_by_label("From").fill(today.replace(day=1).replace(year=today.year + 1).isoformat())
    page.get_by_label("To (the last day, included)").fill(today.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Name the stand-in").click()
    director.check()
    assert page.get_by_text("The last day comes before the first: put the dates the right way round.").count() == 2
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To (the last day, included)").fill(today.replace(year=today.year + 1).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Name the stand-in").click()
    director.check()
    assert page.get_by_text(re.compile("Owen Tate stands in for you as Director of Public Health")).is_visible()
    assert StandIn.objects.in_force().get().deputy.username == "outsider"

    deputy = people("outsider").sign_in("outsider")
    page = deputy.page
    waiting = page.get_by_role("region", name="Waiting for your approval")
    with page.expect_navigation():
        waiting.get_by_role("link", name=report.subject).click()
    deputy.check()
    assert page.get_by_role("heading", name=re.compile("Your decision for Margaret Ashworth")).is_visible()
    page.get_by_label("Comment").fill("Approved while Margaret is on leave.")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve this report").click()
    deputy.check()
    assert Report.objects.get(pk=report.pk).status == Report.Status.APPROVED

    director.goto(f"/reports/{report.pk}/history/")
    assert director.page.get_by_text("by Owen Tate for Margaret Ashworth (Director of Public Health)").count() == 1
    director.goto(f"/reports/{report.pk}/")
    assert "Approved by Owen Tate for Margaret Ashworth (Director of Public Health)" in director.page.content()
    no_admin(director)
    assert User.objects.get(username="outsider").is_active
