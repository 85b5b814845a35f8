"""A signed-in person's search results, kept for them alone under the stamp of what they depend on
(public.views.search, boards.public_cache.search_stamp)."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import StandIn
from boards import public_cache
from boards import services as board_services
from boards.models import Membership
from reports import services
from reports.models import ConsulteeKind
from reports.pdfcheck import disarm_pdf
from tests.test_packs import text_pdf
from tests.test_search_index import save
from tests.test_workflow import complete_draft

pytestmark = pytest.mark.django_db


def search(client, query):
    """The page's HTML and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_it_serves_a_signed_in_search_again_from_the_cache_to_that_person_alone(login, demo):
    officer = login(demo.officer)
    first, queries = search(officer, "Active Lifestyles")
    again, queries_again = search(officer, "Active Lifestyles")
    assert demo.draft.subject in first and demo.draft.subject in again
    assert f'href="/reports/{demo.draft.pk}/"' in again
    assert queries_again < queries
    # The officer's own draft is in the kept page; nobody else is ever given it.
    for user in [demo.member, demo.outsider, demo.finance]:
        html, _ = search(login(user), "Active Lifestyles")
        assert demo.draft.subject not in html, user
        assert "0 reports found" in html


def test_a_kept_search_shows_a_change_at_once(login, demo):
    officer = login(demo.officer)
    assert "0 reports found" in search(officer, "quillwort")[0]
    save(officer, demo.draft, subject="Quillwort meadows")
    assert "Quillwort meadows" in search(officer, "quillwort")[0]


def test_the_page_around_kept_results_is_made_for_each_request(login, demo):
    officer = login(demo.officer)
    search(officer, "Active Lifestyles")
    html, _ = search(officer, "Active Lifestyles")
    assert "<title>Search: Active Lifestyles" in html
    assert demo.officer.get_full_name() in html  # the navigation is the signed-in person's own
    assert 'name="csrfmiddlewaretoken"' in html  # the sign-out form's token, made for this request


def test_the_search_stamp_moves_with_each_kind_of_change_another_process_may_make(login, demo):
    """Another process's change reaches this one only through the database: the stamp must move
    with each change to what a signed-in person's results print or who may open them."""
    stamps = [public_cache.search_stamp()]

    def moved():
        stamps.append(public_cache.search_stamp())
        return stamps[-1] != stamps[-2]

    draft = demo.draft
    save(login(demo.officer), draft, subject="Quillwort meadows")
    assert moved(), "the text"
    section = draft.sections.create(heading="Background", body="<p>Marram dunes</p>", position=9)
    assert moved(), "a section saved on its own"
    section.body = "<p>Marram grass</p>"
    section.save()
    assert moved(), "a section changed on its own"
    pdf = disarm_pdf(io.BytesIO(text_pdf("A survey")))
    appendix = services.appendix_add(report=draft, title="Vetchling", pdf=pdf, filename="s.pdf", user=demo.officer)
    assert moved(), "an appendix added"
    services.appendix_remove(appendix=appendix, user=demo.officer)
    assert moved(), "an appendix removed"
    draft = complete_draft(demo)
    assert moved(), "a new report"
    services.report_submit(report=draft, user=demo.officer)
    assert moved(), "the state"
    draft.refresh_from_db()
    services.report_sign_off(report=draft, user=demo.finance)
    assert moved(), "a sign-off"
    kind = ConsulteeKind.objects.first()
    kind.officers.add(demo.outsider)
    assert moved(), "a consultee kind's officers"
    today = timezone.localdate()
    StandIn.objects.create(
        post=demo.director.posts.first(), holder=demo.director, deputy=demo.outsider, starts_on=today,
        ends_on=today + dt.timedelta(days=3),
    )  # fmt: skip
    assert moved(), "a stand-in"
    membership = Membership.objects.filter(user=demo.member).first()
    board_services.membership_end(membership=membership, user=demo.clerk, on=today - dt.timedelta(days=1))
    assert moved(), "a seat on a board"
