"""The editor's fields, written by `editor_field`, are crispy-forms' markup: same ids, names, labels, aria, errors."""

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from reports.forms import ReportForm
from reports.templatetags.report_tags import editor_field
from tests.test_editor_faults import posted_as_shown

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")


def crispy(field):
    return CRISPY.render(Context({"field": field}))


def assert_same_markup(make_form):
    # Two forms: crispy writes its classes into the widgets it renders.
    ours, theirs = make_form(), make_form()
    for name in ours.fields:
        if ours[name].is_hidden:
            continue
        assert parse_html(str(editor_field(ours[name]))) == parse_html(crispy(theirs[name])), name


def test_it_writes_each_field_as_crispy_does(demo):
    report = demo.draft
    report.wards.set(demo.draft.wards.model.objects.all()[:2])
    assert_same_markup(lambda: ReportForm(instance=report))


def test_it_writes_errors_and_aria_as_crispy_does(demo):
    report = demo.draft
    data = posted_as_shown(report) | {
        "subject": "S" * 251,
        "contact_email": "not an email",
        "forward_plan_date": "31/02/2022",
        "climate_impact": "hot",
        "is_exempt": "True",
        "exempt_paragraphs": ["9"],
        "wards": ["999999"],
        "board": "999999",
        "all_wards": "on",
    }

    def bound():
        form = ReportForm(data, instance=report)
        assert not form.is_valid()
        return form

    assert set(bound().errors) >= {"subject", "contact_email", "forward_plan_date", "climate_impact", "board", "wards"}
    assert_same_markup(bound)


def test_the_editor_page_uses_it(login, demo):
    html = login(demo.officer).get(f"/reports/{demo.draft.pk}/edit/").content.decode()
    assert '<div id="div_id_subject" class="mb-3"><label for="id_subject" class="form-label">Subject</label>' in html
