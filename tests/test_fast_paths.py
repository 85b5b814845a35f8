"""The cheaper ways every request takes (config/sessions.py, config/auth.py, config/template_builtins.py,
config/storage.py): the same answers as Django's own."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.template import Context, Template
from django.template.exceptions import TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from config.auth import ModelBackend
from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_session_is_read_until_it_expires_and_not_after():
    store = SessionStore()
    store["colour"] = "green"
    store.create()
    assert SessionStore(store.session_key)["colour"] == "green"
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert "colour" not in expired
    assert expired.session_key is None  # a fresh session is made, as Django's store does


def test_an_unknown_or_malformed_session_key_is_nobody():
    assert dict(SessionStore("nosuchkey" * 4).items()) == {}
    assert dict(SessionStore("'; DROP TABLE django_session; --").items()) == {}


def test_the_signed_in_user_is_found_and_an_inactive_one_is_not(client):
    user = User.objects.create_user("reader", password="a long passphrase 42")
    backend = ModelBackend()
    assert backend.get_user(user.pk) == user
    assert backend.get_user(str(user.pk)) == user
    assert backend.get_user("not a number") is None
    assert backend.get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_signing_in_and_out_through_the_pages(client):
    User.objects.create_user("reader", password="a long passphrase 42", is_author=True)
    answer = client.post(reverse("login"), {"username": "reader", "password": "a long passphrase 42"})
    assert answer.status_code == 302
    assert client.session[SESSION_KEY]
    assert client.get(reverse("reports:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("reports:list")).status_code == 302


def render(text, **context):
    return Template(text).render(Context(context))


def test_url_answers_as_django_does_with_and_without_arguments():
    assert render("{% url 'home' %}") == reverse("home")
    assert render("{% url 'reports:detail' 7 %}") == reverse("reports:detail", args=[7])
    assert render("{% url 'reports:detail' pk=n %}", n=8) == reverse("reports:detail", kwargs={"pk": 8})
    assert render("{% url 'reports:detail' n %}", n=9) == reverse("reports:detail", args=[9])
    assert (
        render("{% url 'reports:detail' n as where %}[{{ where }}]", n=3) == f"[{reverse('reports:detail', args=[3])}]"
    )


def test_url_of_no_such_name_still_raises_and_as_still_swallows():
    for _ in range(2):  # remembered or not
        with pytest.raises(NoReverseMatch):
            render("{% url 'no-such-page' %}")
        assert render("{% url 'no-such-page' as where %}[{{ where }}]") == "[]"
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_url_with_an_argument_that_cannot_be_a_key_is_reversed_afresh():
    class Key(str):
        __hash__ = None

    assert render("{% url 'reports:detail' n %}", n=Key("5")) == reverse("reports:detail", args=[5])


def test_url_follows_the_script_prefix_and_the_urlconf(settings):
    from django.urls import set_script_prefix

    plain = render("{% url 'home' %}")
    set_script_prefix("/council/")
    try:
        assert render("{% url 'home' %}") == "/council" + plain
    finally:
        set_script_prefix("/")
    with override_settings(ROOT_URLCONF="bench.urls_load"):
        assert render("{% url 'bench_minimal' %}") == "/bench/minimal/"
    with pytest.raises(NoReverseMatch):
        render("{% url 'bench_minimal' %}")


def test_path_of_gives_what_reverse_gives_for_every_id_and_follows_the_script_prefix():
    from django.urls import set_script_prefix

    from config.paths import path_of

    for name in ("reports:detail", "public:paper"):
        for pk in (1, 7, 10, 100, 987654321, 2**40):
            assert path_of(name)(pk) == reverse(name, args=[pk])
    set_script_prefix("/council/")
    try:
        assert path_of("public:paper")(12) == "/council/papers/12/" == reverse("public:paper", args=[12])
    finally:
        set_script_prefix("/")
    with pytest.raises(NoReverseMatch):
        path_of("no-such-page")


def test_addresses_are_what_reverse_gives_after_their_origin_whatever_the_arguments(rf):
    from config.paths import Addresses
    from public.api import Urls

    request = rf.get("/api/v1/meetings/", HTTP_HOST="testserver")
    for urls, origin in (
        (Addresses("https://council.example"), "https://council.example"),
        (Urls(request), "http://testserver"),
    ):
        for _ in range(2):  # the second time, the paths made the first
            assert urls("api:meeting", 12) == origin + reverse("api:meeting", args=[12])
            assert urls("api:meeting", 3, query="?a=1") == origin + reverse("api:meeting", args=[3]) + "?a=1"
            assert urls("api:meetings") == origin + reverse("api:meetings")
            assert urls("public:board_meetings_ical", "health") == origin + reverse(
                "public:board_meetings_ical", args=["health"]
            )
    with pytest.raises(NoReverseMatch):
        Addresses()("no-such-page", 1)


def test_url_escapes_as_django_does():
    assert render("{% url 'reports:detail' n %}", n="1") == reverse("reports:detail", args=["1"])
    assert "&amp;" not in render("{% autoescape off %}{% url 'home' %}{% endautoescape %}")


def test_read_row_makes_the_instance_a_queryset_makes(demo):
    from config.rows import read_row
    from reports.models import Report, report_row

    report = Report.objects.get(pk=demo.seed.pk)
    report.exempt_paragraphs, report.is_exempt, report.release_review_on = [3, 5], True, timezone.localdate()
    report.save(update_fields=["exempt_paragraphs", "is_exempt", "release_review_on"])
    for model, pk in [(Report, report.pk), (User, demo.officer.pk)]:
        expected = model.objects.get(pk=pk)
        found = read_row(model, "t.id = %s", [pk])
        assert type(found) is model and not found._state.adding and found._state.db == "default"
        for field in model._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert read_row(Report, "t.id = %s", [-1]) is None
    assert report_row(report.pk).live_sign_offs == report.sign_offs.filter(voided_at__isnull=True).count() > 0


def test_a_reports_history_row_is_the_one_the_library_writes(demo):
    """reports.models.ReportHistory copies a change's historical row in SQL; the library's own way (taken
    whenever anything listens to its signals) writes the same values."""
    from simple_history.signals import pre_create_historical_record

    from reports.models import Report, Ward

    report = Report.objects.get(pk=demo.draft.pk)
    report.wards.set(Ward.objects.order_by("pk")[:2])
    tracked = [f.attname for f in Report.history.model._meta.concrete_fields if not f.name.startswith("history_")]

    def change(summary):
        report.summary, report._history_user, report._change_reason = summary, demo.clerk, "edited"
        report.save()
        row = report.history.order_by("-history_id").first()
        values = {name: getattr(row, name) for name in tracked} | {"summary": None, "updated_at": None}
        return (
            values,
            row.history_user_id,
            row.history_type,
            row.history_change_reason,
            list(row.wards.order_by("ward_id").values_list("ward_id", flat=True)),
        )

    copied = change("Copied by the database.")

    def listener(**kwargs):
        pass

    pre_create_historical_record.connect(listener, sender=Report.history.model)
    try:
        made = change("Made by the library.")
    finally:
        pre_create_historical_record.disconnect(listener, sender=Report.history.model)
    assert copied == made
    assert copied[1:] == (demo.clerk.pk, "~", "edited", [w.pk for w in Ward.objects.order_by("pk")[:2]])
