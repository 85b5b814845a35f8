"""Signing in with the council's account in a browser: the sign-in page's button, the provider's own
sign-in page (oidc-provider-mock on localhost, tests/test_council_sign_in.py), back to My work; a refused
sign-in's page; the sign-in page with passwords off. axe checks each of our pages (not the provider's)."""

import re

import oidc_provider_mock
import pytest
from playwright.sync_api import expect

from tests.test_council_sign_in import configure, person, serve


@pytest.fixture(scope="module")
def provider():
    with serve(oidc_provider_mock.app(require_nonce=True)) as url:
        yield url


def at_provider(someone, sub):
    """At the provider's sign-in page: who I am, then Authorize; back at the app."""
    page = someone.page
    page.wait_for_url(re.compile(r".*/oauth2/authorize\?.*"))
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(someone.base_url) + r"/.*"))
    page.wait_for_load_state()
    someone.check()


def test_an_officer_signs_in_with_the_council_account(people, e2e_demo, settings, provider):
    configure(settings, provider)
    officer = people("officer")
    officer.goto("/accounts/login/?next=/reports/")
    officer.page.get_by_role("link", name="Sign in with your Sefton Council account").click()
    at_provider(officer, person(provider, "Officer@Example.Sefton.gov.uk"))
    assert officer.page.url == f"{e2e_demo.url}/reports/"
    expect(officer.page.get_by_text("Signed in as")).to_have_count(1)
    expect(officer.page.locator("nav")).to_contain_text("Eleanor Moulton")

    stranger = people("stranger")
    stranger.goto("/accounts/login/")
    stranger.page.get_by_role("link", name="Sign in with your Sefton Council account").click()
    at_provider(stranger, person(provider, "stranger@sefton.gov.uk"))
    expect(stranger.page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
    expect(stranger.page.get_by_role("alert")).to_contain_text("There is no account here for stranger@sefton.gov.uk")


def test_with_passwords_off_the_sign_in_page_offers_the_council_account_and_administrators_a_password(
    people, settings, provider
):
    configure(settings, provider, PASSWORD_SIGN_IN=False)
    admin = people("admin")
    page = admin.goto("/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with your Sefton Council account")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_hidden()
    page.get_by_text("Administrators: sign in with a password").click()
    admin.check()
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("committee-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    admin.check()
    expect(page.get_by_role("alert")).to_contain_text("only administrators sign in with a password here")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("committee-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    admin.check()
    expect(page.get_by_text("Signed in as")).to_have_count(1)


def test_with_passwords_off_an_invited_officer_signs_in_with_the_council_account(people, e2e_demo, settings, provider):
    """No password to choose: the invitation's page sends the person to the council's sign-in; My account
    offers no password change (at 1280 px, and the invitation at 390 px)."""
    from accounts import services as accounts
    from accounts.models import User
    from tests.test_council_sign_in import invitation_path

    configure(settings, provider, PASSWORD_SIGN_IN=False)
    admin = User.objects.get(username="admin")
    nia = accounts.user_invite(by=admin, email="nia.new@sefton.gov.uk", first_name="Nia", last_name="New")
    path = invitation_path(nia)
    phone = people("invited, on a phone", viewport={"width": 390, "height": 844})
    phone.goto(path)
    phone.page.screenshot(path="test-results/invitation-council-390.png", full_page=True)
    invited = people("invited")
    page = invited.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    expect(page.get_by_label("New password")).to_have_count(0)
    page.screenshot(path="test-results/invitation-council.png", full_page=True)
    page.get_by_role("link", name="Sign in with your Sefton Council account").click()
    at_provider(invited, person(provider, "nia.new@sefton.gov.uk"))
    expect(page.locator("nav")).to_contain_text("Nia New")
    invited.goto("/my/account/")
    expect(page.get_by_text("You sign in with your Sefton Council account")).to_have_count(1)
    expect(page.get_by_role("link", name="Change my password")).to_have_count(0)
    nia.refresh_from_db()
    assert not nia.has_usable_password()
