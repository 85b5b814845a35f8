"""A report's full history: the timeline, any version, any two versions compared, what changed for a consultee."""

import pytest
from django.urls import reverse

from reports import services
from reports.versions import diff_html
from tests.test_workflow import complete_draft, form_data, report_in, walk_to

OLD = "The report provides an overview of the Health Foundation-funded Cities Health Inequalities Project"
NEW = "The report provides a summary of the Health Foundation-funded Cities Health Inequalities Project"


def post_edit(client, report, **changes):
    """Save the editor's form for `report` with `changes`, as its author in the browser."""
    report.refresh_from_db()
    response = client.post(reverse("reports:edit", args=[report.pk]), form_data(report, **changes))
    assert response.status_code == 302, response.content.decode()[:500]
    report.refresh_from_db()
    return report


@pytest.fixture
def edited(demo, client):
    """A report saved twice: version 1 with the seed's summary, version 2 with one word changed."""
    report = complete_draft(demo)
    assert report.summary.startswith(OLD)
    client.force_login(demo.officer)
    post_edit(client, report, summary=report.summary.replace(OLD, NEW))
    assert report.version == 2
    return report


def test_the_timeline_shows_every_version_and_step(demo, client, edited):
    walk_to(demo, edited, "consultation")
    client.force_login(demo.officer)
    page = client.get(reverse("reports:history", args=[edited.pk])).content.decode()
    assert "Version 2</strong>" in page and "Version 1</strong>" in page
    assert "saved by Eleanor Moulton" in page
    assert "Submitted for sign-off" in page
    assert page.index("Submitted for sign-off") < page.index("Version 2</strong>") < page.index("Version 1</strong>")


def test_compare_shows_the_known_change_side_by_side(client, edited):
    url = reverse("reports:compare", args=[edited.pk])
    page = client.get(url, {"from": 1, "to": 2}).content.decode()
    assert "1 block changed" in page
    assert '<del class="diff-del bg-danger-subtle">an overview</del>' in page
    assert '<ins class="diff-ins bg-success-subtle">a summary</ins>' in page
    assert "Recommendation(s)" not in page, "unchanged blocks are left out"
    assert "Recommendation(s)" in client.get(url, {"from": 1, "to": 2, "all": "1"}).content.decode()
    # Any two versions, either way round; by default the latest against the one before.
    assert (
        '<ins class="diff-ins bg-success-subtle">an overview</ins>'
        in client.get(url, {"from": 2, "to": 1}).content.decode()
    )
    assert '<ins class="diff-ins bg-success-subtle">a summary</ins>' in client.get(url).content.decode()


def test_any_earlier_version_can_be_read(client, edited):
    page = client.get(reverse("reports:version", args=[edited.pk, 1])).content.decode()
    assert OLD in page and NEW not in page
    page = client.get(reverse("reports:version", args=[edited.pk, 2])).content.decode()
    assert NEW in page and "This is the current version." in page


def test_changes_to_the_parts_are_kept_too(demo, client, edited):
    data = form_data(edited)
    data["recommendation-text"] = [data["recommendation-text"][0], "The Board are asked to defer a decision."]
    data["section-heading"][0] = "Background"
    response = client.post(reverse("reports:edit", args=[edited.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("reports:compare", args=[edited.pk]), {"from": 2, "to": 3}).content.decode()
    assert '<ins class="diff-ins bg-success-subtle">defer a decision</ins>' in page
    assert '<del class="diff-del bg-danger-subtle">1. Introduction</del>' in page
    assert '<ins class="diff-ins bg-success-subtle">1. Background</ins>' in page
    assert "2 blocks changed" in page


def test_voided_sign_offs_stay_in_the_history(demo, client):
    report = report_in(demo, "signed_off")
    references = [s.reference for s in report.active_sign_offs()]
    client.force_login(demo.officer)
    post_edit(client, report, summary="A rewritten summary.")
    assert report.status == "consultation" and report.active_sign_offs() == []
    page = client.get(reverse("reports:compare", args=[report.pk]), {"from": 1, "to": 2}).content.decode()
    for reference in references:
        assert reference in page.split("(A) Internal Consultations")[1].split("</tr>")[0]
    assert "Sign-offs voided" in client.get(reverse("reports:history", args=[report.pk])).content.decode()


def test_the_compare_view_never_trusts_typed_text(client, edited):
    post_edit(client, edited, summary='<script>alert("x")</script> & more')
    page = client.get(reverse("reports:compare", args=[edited.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_diff_marks_removed_and_added_words():
    old, new = diff_html("The cat sat\non the mat", "The dog sat\non the mat <b>")
    assert old == 'The <del class="diff-del bg-danger-subtle">cat</del> sat<br>on the mat'
    assert (
        new
        == 'The <ins class="diff-ins bg-success-subtle">dog</ins> sat<br>on the mat <ins class="diff-ins bg-success-subtle">&lt;b&gt;</ins>'
    )


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_history_is_only_for_people_with_a_part_in_the_report(demo, client, role):
    report = report_in(demo, "approved")
    assert report.board == demo.board
    client.force_login(demo.users[role])
    if role == "member":
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200, "the member reads it"
    for url in [
        reverse("reports:history", args=[report.pk]),
        reverse("reports:version", args=[report.pk, 1]),
        reverse("reports:compare", args=[report.pk]),
    ]:
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["officer", "finance", "legal", "director", "clerk", "admin"])
def test_the_people_with_a_part_see_the_history(demo, client, role):
    report = report_in(demo, "approved")
    client.force_login(demo.users[role])
    assert client.get(reverse("reports:history", args=[report.pk])).status_code == 200
    assert client.get(reverse("reports:compare", args=[report.pk])).status_code == 200


def test_unknown_versions_are_404_and_post_is_refused(client, edited):
    assert client.get(reverse("reports:version", args=[edited.pk, 9])).status_code == 404
    assert client.get(reverse("reports:compare", args=[edited.pk]), {"from": "x"}).status_code == 404
    assert client.get(reverse("reports:compare", args=[edited.pk]), {"to": 9}).status_code == 404
    assert client.post(reverse("reports:history", args=[edited.pk])).status_code == 405


def test_the_consultee_sees_what_changed_since_they_last_read_it(demo, client):
    report = report_in(demo, "consultation")
    client.force_login(demo.finance)
    url = reverse("reports:consult", args=[report.pk])
    assert "This is the first time you have opened this report." in client.get(url).content.decode()
    assert "Nothing has changed since you first read it (version 1)" in client.get(url).content.decode()

    client.force_login(demo.officer)
    post_edit(client, report, summary=report.summary.replace(OLD, NEW))

    client.force_login(demo.finance)
    home = client.get(reverse("home")).content.decode()
    assert "changed since you read version 1" in home
    for _ in range(2):  # and still on reload, until it changes again
        page = client.get(url).content.decode()
        assert "Changes from version 1, which you read before, to version 2" in page
        assert '<ins class="diff-ins bg-success-subtle">a summary</ins>' in page
    services.report_sign_off(report=report, user=demo.finance)


def test_the_consultee_view_is_read_only_by_get(demo, client):
    report = report_in(demo, "consultation")
    client.force_login(demo.finance)
    assert client.post(reverse("reports:consult", args=[report.pk])).status_code == 405
