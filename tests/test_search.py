"""Search: full text on both databases (reports.searchindex); only ever what the searcher may open."""

import pytest
from django.db import connection

from reports.models import Report
from reports.searchindex import reindex_report
from tests.test_public import EXEMPT_SUBJECT, PUBLIC_SUBJECT, other_board_member, publish_upcoming

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: full-text search")


def titles(response):
    assert response.status_code == 200, response.content[:500]
    return [result.report.subject for result in response.context["page"].object_list]


@pytest.mark.postgres_only
@pytest.mark.parametrize("query", ["inequalities", "Liverpool City Region"])
def test_it_finds_the_seed_report_with_full_text_search(client, demo, postgres, query):
    response = client.get("/search/", {"q": query})
    assert titles(response) == ["Cities Inequalities Project"]
    html = response.content.decode()
    assert f'href="/papers/{demo.seed.pk}/"' in html
    assert "<mark>" in html


@pytest.mark.postgres_only
def test_it_matches_other_forms_of_a_word_and_ranks_the_subject_first(client, demo, postgres, login):
    assert titles(client.get("/search/", {"q": "inequality"})) == ["Cities Inequalities Project"]
    # "Cities" is in the seed's subject; a report that only mentions cities in its body ranks below it.
    other = Report.objects.get(subject=PUBLIC_SUBJECT)
    section = other.sections.first()
    section.body = "<p>Cities across the region run similar funds.</p>"
    section.save()
    reindex_report(other)  # the section was saved directly, not by a service that keeps the index
    found = titles(login(demo.clerk).get("/search/", {"q": "cities"}))
    assert found[0] == "Cities Inequalities Project" and PUBLIC_SUBJECT in found


@pytest.mark.postgres_only
def test_it_understands_the_websearch_syntax(client, demo, postgres):
    assert titles(client.get("/search/", {"q": '"Liverpool City Region"'})) == ["Cities Inequalities Project"]
    assert titles(client.get("/search/", {"q": "inequalities -liverpool"})) == []
    assert titles(client.get("/search/", {"q": "inequalities or nonsenseword"})) == ["Cities Inequalities Project"]


def test_it_finds_the_seed_report_on_any_database(client, demo):
    assert titles(client.get("/search/", {"q": "Liverpool City Region"})) == ["Cities Inequalities Project"]
    assert titles(client.get("/search/", {"q": "INEQUALITIES"})) == ["Cities Inequalities Project"]


def test_it_searches_recommendations_and_bodies(client, demo):
    seed = ["Cities Inequalities Project"]
    assert titles(client.get("/search/", {"q": "future meeting"})) == seed  # in a recommendation
    assert titles(client.get("/search/", {"q": "CHAMPS"})) == seed  # in the body


def test_it_shows_exempt_reports_only_to_those_allowed(client, login, demo, django_capture_on_commit_callbacks):
    publish_upcoming(demo, django_capture_on_commit_callbacks)
    assert titles(client.get("/search/", {"q": "contract award"})) == []
    assert titles(client.get("/search/", {"q": "Better Care Fund"})) == [PUBLIC_SUBJECT]
    _, planner = other_board_member()
    for user in [demo.outsider, planner]:
        assert titles(login(user).get("/search/", {"q": "contract award"})) == [], user
    for user in [demo.member, demo.officer, demo.clerk, demo.finance]:
        response = login(user).get("/search/", {"q": "contract award"})
        assert titles(response) == [EXEMPT_SUBJECT], user
        exempt = Report.objects.get(subject=EXEMPT_SUBJECT)
        assert f'href="/reports/{exempt.pk}/"' in response.content.decode()  # opened inside, not in public


def test_it_shows_authors_their_own_drafts_and_nobody_else(client, login, demo):
    assert titles(login(demo.officer).get("/search/", {"q": "Active Lifestyles"})) == [demo.draft.subject]
    assert titles(login(demo.member).get("/search/", {"q": "Active Lifestyles"})) == []
    client.logout()
    assert titles(client.get("/search/", {"q": "Active Lifestyles"})) == []


def test_it_filters_by_board_and_date(client, demo):
    board, _ = other_board_member()
    q = "inequalities"
    assert titles(client.get("/search/", {"q": q, "board": demo.board.slug})) == ["Cities Inequalities Project"]
    assert titles(client.get("/search/", {"q": q, "board": board.slug})) == []
    inside = {"q": q, "date_from": "2022-09-01", "date_to": "2022-09-30"}
    assert titles(client.get("/search/", inside)) == ["Cities Inequalities Project"]
    assert titles(client.get("/search/", {"q": q, "date_from": "2022-09-15"})) == []


def test_it_labels_every_field(client, demo):
    html = client.get("/search/").content.decode()
    for name in ["q", "board", "date_from", "date_to"]:
        assert f'<label class="form-label" for="id_{name}">' in html and f'id="id_{name}"' in html


@pytest.mark.parametrize(
    "params, status",
    [
        ({"q": "x" * 10000}, 400),
        ({"q": "a\x00b"}, 400),
        ({"q": "inequalities", "date_from": "2022-13-01"}, 400),
        ({"q": "inequalities", "date_from": "2022-09-30", "date_to": "2022-09-01"}, 400),
        ({"q": "inequalities", "board": "no-such-board"}, 400),
        ({"q": "'; DROP TABLE reports_report; --"}, 200),
        ({"q": "inequalities') OR 1=1 --"}, 200),
        ({"q": ".*(?:[a-z]+)+$"}, 200),
        ({"q": "& | ! :* <-> ( )"}, 200),
        ({"q": '"unbalanced'}, 200),
        ({"q": "\\"}, 200),
        ({"q": "%_%"}, 200),
        ({"q": "inequalities", "page": "abc"}, 200),
        ({"q": "inequalities", "page": "99999999999999999999"}, 200),
        ({"q": "   "}, 200),
    ],
)
def test_it_never_fails_on_odd_queries(client, demo, params, status):
    response = client.get("/search/", params)
    assert response.status_code == status
    if status == 400:
        assert "There is a problem" in response.content.decode()
    if "DROP" in params["q"] or "%" in params["q"]:
        assert titles(response) == []
    assert Report.objects.filter(subject="Cities Inequalities Project").exists()


@pytest.mark.parametrize("written", ["geothermal", "Geothermal"])
def test_the_extract_shows_a_word_found_deep_in_a_long_report_however_it_is_capitalised(client, demo, written):
    # The extract is cut from a window around the word's first place (public/search.py), looked for as
    # written and, failing that, in any case: a report of some 30,000 characters with the word only
    # near its end, capitalised or not, shows the word marked, in a short extract.
    filler = "<p>The Board noted the quarterly figures for adult social care and public health. </p>" * 350
    section = demo.seed.sections.first()
    section.body = filler + f"<p>{written} heat network feasibility study for the civic buildings.</p>"
    section.save()
    reindex_report(demo.seed)
    response = client.get("/search/", {"q": "geothermal"})
    assert titles(response) == ["Cities Inequalities Project"]
    snippet = str(response.context["page"].object_list[0].snippet)
    assert f"<mark>{written}</mark> heat network feasibility" in snippet
    assert len(snippet) < 700


def test_an_extract_on_sqlite_is_cut_around_the_first_mark_with_an_ellipsis_where_cut():
    from public.search import EXTRACT_WORDS, START, STOP, WORDS_BEFORE, around_first_mark

    before = " ".join(f"b{i}" for i in range(40))
    after = " ".join(f"a{i}" for i in range(40))
    extract = around_first_mark(f"{before} ({START}geothermal{STOP}), {after} {START}again{STOP}")
    words = extract.split()
    assert words[0] == "…" and words[-1] == "…"
    assert EXTRACT_WORDS - 1 <= len(words) - 2 <= EXTRACT_WORDS  # one fewer where a word was joined to the mark
    assert f"({START}geothermal{STOP})," in words  # the mark kept inside its word, not split from its bracket
    assert words.index(f"({START}geothermal{STOP}),") <= WORDS_BEFORE + 1
    # No mark (a match only in the other column): the text's start; a short text whole, with no ellipsis.
    assert around_first_mark(after).split() == [f"a{i}" for i in range(EXTRACT_WORDS)] + ["…"]
    assert around_first_mark(f"Short {START}text{STOP}.") == f"Short {START}text{STOP}."
    assert around_first_mark("") == ""
