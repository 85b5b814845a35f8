"""Reference lists without the Django admin (issue 17): administrators add, rename, retire, restore and
reorder the entries of the lists the report template draws on; a retired entry stays on old reports."""

import re

import pytest

from reference import services
from reference.models import LISTS, ReferenceEvent
from reference.services import ReferenceRefused
from reports import pdf
from reports.models import ConsulteeKind, CorePurpose, ImplicationType, Portfolio, Post, Report, Ward
from tests.editor import complete_report_data
from tests.test_pdf import text_of

pytestmark = pytest.mark.django_db

TYPES = LISTS["implication-types"]


def names(model, **filters):
    return list(model.objects.filter(**filters).order_by("position", "name").values_list("name", flat=True))


def positions(model):
    return list(model.objects.order_by("position", "name").values_list("position", flat=True))


def field_error(html, field_id):
    """The error crispy writes beside the field `field_id`."""
    found = re.search(rf'id="error_1_{field_id}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    return found and found.group(1).strip()


def a_report_using(demo, client, **overrides):
    """A draft saved through the editor with two wards, its post and portfolio, and every matrix row written."""
    data = complete_report_data(demo.board, demo.meeting, subject="A report using the lists", **overrides)
    assert client.post("/reports/new/", data).status_code == 302
    return Report.objects.get(subject="A report using the lists"), data


# The pages ---------------------------------------------------------------------------------------------


def test_it_lists_every_reference_list_for_an_administrator(demo, login):
    html = login(demo.admin).get("/manage/lists/").content.decode()
    for ref in LISTS.values():
        assert f'href="/manage/lists/{ref.slug}/"' in html and ref.title in html
    assert 'href="/manage/lists/"' in html  # the Administration menu links to it


@pytest.mark.parametrize("actor", ["officer", "finance", "director", "clerk", "member", "outsider"])
def test_it_is_not_found_for_anyone_but_an_administrator(demo, login, actor):
    client = login(getattr(demo, actor))
    ward = Ward.objects.first()
    assert client.get("/manage/lists/").status_code == 404
    assert client.get("/manage/lists/wards/").status_code == 404
    assert client.post("/manage/lists/wards/", {"name": "Seaforth"}).status_code == 404
    assert client.post(f"/manage/lists/wards/{ward.pk}/retire/").status_code == 404
    assert Ward.objects.get(pk=ward.pk).is_active and not Ward.objects.filter(name="Seaforth").exists()
    assert 'href="/manage/lists/"' not in client.get("/").content.decode()


def test_it_asks_a_visitor_to_sign_in(demo, client):
    response = client.get("/manage/lists/wards/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_answers_an_unknown_list_or_entry_with_not_found(demo, login):
    client = login(demo.admin)
    assert client.get("/manage/lists/boards/").status_code == 404
    assert client.get("/manage/lists/wards/999999999/").status_code == 404
    assert client.get("/manage/lists/wards/9999999999/").status_code == 404
    assert client.post("/manage/lists/wards/999999999/retire/").status_code == 404


def test_it_refuses_the_wrong_method(demo, login):
    client = login(demo.admin)
    ward = Ward.objects.first()
    for action in ("retire", "restore", "move"):
        assert client.get(f"/manage/lists/wards/{ward.pk}/{action}/").status_code == 405
    assert client.delete("/manage/lists/wards/").status_code == 405


def test_it_shows_entries_in_order_with_the_retired_apart(demo, login):
    ImplicationType.objects.filter(name="Legal Implications").update(is_active=False)
    html = login(demo.admin).get("/manage/lists/implication-types/").content.decode()
    live, retired = html.split('id="h-retired"')
    assert "Legal Implications" in retired and "Legal Implications" not in live.split('id="h-add"')[0]
    order = names(ImplicationType, is_active=True)
    assert [live.index(name) for name in order] == sorted(live.index(name) for name in order)


# Adding and editing ------------------------------------------------------------------------------------


def test_it_adds_an_entry_at_the_end_of_the_list(demo, login):
    client = login(demo.admin)
    response = client.post("/manage/lists/implication-types/", {"name": "  Climate   Implications "})
    assert response.status_code == 302 and response["Location"] == "/manage/lists/implication-types/"
    added = ImplicationType.objects.get(name="Climate Implications")
    assert added.is_active and names(ImplicationType)[-1] == "Climate Implications"
    assert added.position == max(positions(ImplicationType))
    event = ReferenceEvent.objects.get(list_slug="implication-types", entry_id=added.pk)
    assert (event.action, event.actor, event.entry_name) == ("added", demo.admin, "Climate Implications")
    html = client.get(response["Location"]).content.decode()
    assert "is added to the implication types" in html and "Added: Climate Implications" in html
    assert "Climate Implications" in client.get(f"/reports/{demo.draft.pk}/edit/").content.decode()


def test_it_refuses_an_empty_name_beside_the_field(demo, login):
    response = login(demo.admin).post("/manage/lists/wards/", {"name": "   "})
    assert response.status_code == 400
    assert field_error(response.content.decode(), "id_name") == "Enter the ward&#x27;s name."
    assert Ward.objects.count() == 22


def test_it_refuses_a_duplicate_name_in_any_case_keeping_what_was_typed(demo, login):
    client = login(demo.admin)
    response = client.post("/manage/lists/wards/", {"name": "ainsdale"})
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, "id_name") == "There is already a ward called “Ainsdale”."
    assert 'value="ainsdale"' in html and "There is a problem" in html
    Ward.objects.filter(name="Birkdale").update(is_active=False)
    response = client.post("/manage/lists/wards/", {"name": "BIRKDALE"})
    assert field_error(response.content.decode(), "id_name") == (
        "There is already a ward called “Birkdale” (retired: restore it instead)."
    )
    ward = Ward.objects.get(name="Kew")
    response = client.post(f"/manage/lists/wards/{ward.pk}/", {"name": "Ainsdale"})
    assert response.status_code == 400 and 'value="Ainsdale"' in response.content.decode()
    assert "Edit the ward “Kew”" in response.content.decode()
    assert Ward.objects.filter(name__iexact="ainsdale").count() == 1 and Ward.objects.filter(name="Kew").exists()


def test_the_service_refuses_a_duplicate_too(demo):
    with pytest.raises(ReferenceRefused) as caught:
        services.entry_add(ref=LISTS["portfolios"], by=demo.admin, values={"name": "health and wellbeing"})
    assert caught.value.field == "name"
    with pytest.raises(ReferenceRefused):
        services.entry_add(ref=LISTS["portfolios"], by=demo.clerk, values={"name": "Housing"})
    assert not Portfolio.objects.filter(name="Housing").exists()


def test_it_renames_an_entry_and_the_reports_that_use_it_print_the_new_name(demo, login):
    client = login(demo.admin)
    portfolio = Portfolio.objects.get(name="Health and Wellbeing")
    assert client.get(f"/manage/lists/portfolios/{portfolio.pk}/").status_code == 200
    response = client.post(f"/manage/lists/portfolios/{portfolio.pk}/", {"name": "Health, Wellbeing and Care"})
    assert response.status_code == 302
    event = ReferenceEvent.objects.get(action="edited")
    assert event.note == "Name: “Health and Wellbeing” to “Health, Wellbeing and Care”"
    assert "Health, Wellbeing and Care" in client.get(f"/reports/{demo.seed.pk}/").content.decode()


def test_it_edits_a_post_and_a_consultee_kind(demo, login):
    client = login(demo.admin)
    post = Post.objects.get(title="Director of Public Health")
    html = client.get("/manage/lists/posts/").content.decode()
    assert f'held by <a href="/people/{demo.director.pk}/">' in html
    directorate = LISTS["directorates"].model.objects.first()
    response = client.post(f"/manage/lists/posts/{post.pk}/", {"title": "Director of Public Health and Wellbeing",
                                                             "directorate": directorate.pk, "holder": demo.director.pk})  # fmt: skip
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Director of Public Health and Wellbeing" and post.holder == demo.director
    kind = ConsulteeKind.objects.get(prefix="FD")
    data = {"name": kind.name, "officer_title": "Executive Director of Resources", "prefix": "FD"}
    assert client.post(f"/manage/lists/consultee-kinds/{kind.pk}/", data).status_code == 302
    assert ConsulteeKind.objects.get(pk=kind.pk).officer_title == "Executive Director of Resources"


def test_it_names_a_posts_holder_and_both_peoples_histories_say_so(demo, login):
    client = login(demo.admin)
    post = Post.objects.get(title="Director of Public Health")
    html = client.get(f"/manage/lists/posts/{post.pk}/").content.decode()
    assert re.search(rf'<option value="{demo.director.pk}" selected>', html)
    assert f'<option value="{demo.member.pk}"' not in html  # a councillor holds no post
    data = {"title": post.title, "directorate": post.directorate_id or "", "holder": demo.outsider.pk}
    assert client.post(f"/manage/lists/posts/{post.pk}/", data).status_code == 302
    post.refresh_from_db()
    assert post.holder == demo.outsider
    assert demo.director.person_events.get().note == f"No longer: Approver: {post.title} (moved to {demo.outsider})"
    assert demo.outsider.person_events.get().note == (
        f"Now: Approver: {post.title}; {post.title} moved from {demo.director}"
    )
    response = client.post(f"/manage/lists/posts/{post.pk}/", {**data, "holder": demo.member.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response.content.decode(), "id_holder")
    with pytest.raises(ReferenceRefused) as caught:
        services.entry_edit(ref=LISTS["posts"], entry=post, by=demo.admin, values={}, holder=demo.member)
    assert caught.value.field == "holder"
    assert Post.objects.get(pk=post.pk).holder == demo.outsider
    response = client.post("/manage/lists/posts/", {"title": "Head of Leisure", "holder": demo.officer.pk})
    assert response.status_code == 302 and Post.objects.get(title="Head of Leisure").holder == demo.officer


@pytest.mark.parametrize(
    "prefix, message",
    [
        ("F1", "Use one to five capital letters, e.g. FD."),
        ("FINANCE", "Ensure this value has at most 5 characters (it has 7)."),
        ("LD", "Legal already uses the prefix LD."),
        ("", "This field is required."),
    ],
)
def test_it_refuses_a_bad_consultee_prefix_beside_the_field(demo, login, prefix, message):
    legal = ConsulteeKind.objects.get(prefix="LD")
    message = message.replace("Legal", legal.name)
    data = {"name": "Procurement", "officer_title": "Head of Procurement", "prefix": prefix}
    response = login(demo.admin).post("/manage/lists/consultee-kinds/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, "id_prefix") == message.replace("'", "&#x27;")
    assert 'value="Procurement"' in html and 'value="Head of Procurement"' in html
    assert not ConsulteeKind.objects.filter(name="Procurement").exists()


# Retiring and restoring --------------------------------------------------------------------------------


def test_a_retired_entry_is_not_offered_on_new_reports(demo, login):
    client = login(demo.admin)
    for slug, model, name in [
        ("wards", Ward, "Linacre"),
        ("portfolios", Portfolio, "Health and Wellbeing"),
        ("implication-types", ImplicationType, "Legal Implications"),
        ("core-purposes", CorePurpose, CorePurpose.objects.first().name),
    ]:
        entry = model.objects.get(name=name)
        assert client.post(f"/manage/lists/{slug}/{entry.pk}/retire/", follow=True).status_code == 200
        assert not model.objects.get(pk=entry.pk).is_active
    html = login(demo.officer).get("/reports/new/").content.decode()
    assert ">Linacre" not in html and ">Health and Wellbeing<" not in html
    assert "Legal Implications" not in html and CorePurpose.objects.first().name not in html
    assert ReferenceEvent.objects.filter(action="retired").count() == 4


def test_a_report_keeps_a_retired_ward_portfolio_post_and_implication_when_edited_and_saved(demo, login):
    officer = login(demo.officer)
    report, data = a_report_using(demo, officer)
    linacre, portfolio = Ward.objects.get(name="Linacre"), Portfolio.objects.get(name="Health and Wellbeing")
    post, legal = (
        Post.objects.get(title="Director of Public Health"),
        ImplicationType.objects.get(name="Legal Implications"),
    )
    for ref, entry in [("wards", linacre), ("portfolios", portfolio), ("posts", post), ("implication-types", legal)]:
        services.entry_retire(ref=LISTS[ref], entry=entry, by=demo.admin)

    html = officer.get(f"/reports/{report.pk}/edit/").content.decode()
    assert re.search(rf'value="{linacre.pk}"[^>]*checked', html) and "Linacre (retired)" in html
    assert re.search(rf'<option value="{portfolio.pk}" selected>Health and Wellbeing \(retired\)</option>', html)
    assert re.search(rf'<option value="{post.pk}" selected>Director of Public Health \(retired\)</option>', html)
    assert "Legal Implications text." in html
    assert ">Ainsdale" in html  # those in use are still offered

    # The browser posts back what the page shows: the retired choices are accepted and kept.
    data.update(version=str(report.version), summary="Changed after the lists were tidied.")
    data[f"implication_{legal.pk}"] = "Legal Implications text, revised."
    response = officer.post(f"/reports/{report.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.summary == "Changed after the lists were tidied." and report.version > 1
    assert sorted(w.name for w in report.wards.all()) == ["Derby", "Linacre"]
    assert report.portfolio == portfolio and report.report_of == post
    assert report.implications.get(type=legal).text == "Legal Implications text, revised."

    # Another report may not pick up the retired ward it does not use.
    other = demo.draft
    assert not other.wards.filter(pk=linacre.pk).exists()
    html = officer.get(f"/reports/{other.pk}/edit/").content.decode()
    assert f'value="{linacre.pk}"' not in html.split('name="wards"', 1)[1].split("</fieldset>", 1)[0]
    assert "Linacre (retired)" not in html


def test_it_restores_a_retired_entry_in_its_old_place(demo, login):
    client = login(demo.admin)
    before = names(ImplicationType)
    legal = ImplicationType.objects.get(name="Legal Implications")
    client.post(f"/manage/lists/implication-types/{legal.pk}/retire/")
    response = client.post(f"/manage/lists/implication-types/{legal.pk}/restore/")
    assert response.status_code == 302
    assert names(ImplicationType, is_active=True) == before
    html = client.get(response["Location"]).content.decode()
    assert "“Legal Implications” is in use again." in html
    response = client.post(f"/manage/lists/implication-types/{legal.pk}/restore/", follow=True)
    assert "“Legal Implications” is already in use." in response.content.decode()
    assert ReferenceEvent.objects.filter(action="restored").count() == 1


# Reordering --------------------------------------------------------------------------------------------


def test_it_moves_an_entry_up_and_down_keeping_positions_dense(demo, login):
    client = login(demo.admin)
    ImplicationType.objects.update(position=10)  # gaps and ties, as the Django admin may have left them
    order = names(ImplicationType)
    last = ImplicationType.objects.get(name=order[-1])
    response = client.post(f"/manage/lists/implication-types/{last.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert names(ImplicationType) == [order[0], order[2], order[1]]
    assert positions(ImplicationType) == [1, 2, 3]
    client.post(f"/manage/lists/implication-types/{last.pk}/move/", {"direction": "up"})
    assert names(ImplicationType) == [order[2], order[0], order[1]]
    response = client.post(f"/manage/lists/implication-types/{last.pk}/move/", {"direction": "up"}, follow=True)
    assert f"“{order[2]}” is already first." in response.content.decode()
    client.post(f"/manage/lists/implication-types/{last.pk}/move/", {"direction": "down"})
    assert names(ImplicationType) == [order[0], order[2], order[1]] and positions(ImplicationType) == [1, 2, 3]
    assert client.post(f"/manage/lists/implication-types/{last.pk}/move/", {"direction": "sideways"}).status_code == 302
    assert names(ImplicationType) == [order[0], order[2], order[1]]
    assert [e.action for e in ReferenceEvent.objects.order_by("pk")] == ["moved_up", "moved_up", "moved_down"]


def test_a_move_steps_over_retired_entries(demo):
    order = names(CorePurpose)
    CorePurpose.objects.filter(name=order[1]).update(is_active=False)
    third = CorePurpose.objects.get(name=order[2])
    services.entry_move(ref=LISTS["core-purposes"], entry=third, by=demo.admin, direction="up")
    assert names(CorePurpose)[:3] == [order[2], order[1], order[0]]
    assert names(CorePurpose, is_active=True)[:2] == [order[2], order[0]]


def test_wards_and_posts_keep_alphabetical_order_and_offer_no_moves(demo, login):
    client = login(demo.admin)
    assert "Move up" not in client.get("/manage/lists/wards/").content.decode()
    ward = Ward.objects.get(name="Kew")
    client.post(f"/manage/lists/wards/{ward.pk}/move/", {"direction": "up"})
    assert not ReferenceEvent.objects.exists()


def test_the_editor_and_the_pdf_follow_the_lists_order(demo, login):
    equality = ImplicationType.objects.get(name="Equality Implications")
    for _ in range(2):
        services.entry_move(ref=TYPES, entry=equality, by=demo.admin, direction="up")
    order = names(ImplicationType)
    assert order[0] == "Equality Implications"
    report = demo.seed
    html = login(demo.officer).get(f"/reports/{demo.draft.pk}/edit/").content.decode()
    assert [html.index(f">{name}<") for name in order] == sorted(html.index(f">{name}<") for name in order)
    text = " ".join(text_of(pdf.render_report_pdf(report)).split())
    assert [text.index(f"{name}:") for name in order] == sorted(text.index(f"{name}:") for name in order)


def test_saving_a_persons_roles_keeps_a_retired_post_they_hold(demo, login):
    post = Post.objects.get(title="Director of Public Health")
    services.entry_retire(ref=LISTS["posts"], entry=post, by=demo.admin)
    response = login(demo.admin).post(f"/people/{demo.director.pk}/", {"is_author": "on"})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).holder == demo.director
