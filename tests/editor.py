"""Helpers that post the report editor's form the way the browser does."""

from reports.models import CorePurpose, ImplicationType, Portfolio, Post, Ward


def editor_data(*, version=None, recommendations=(), sections=(), **fields):
    """Form data for the editor: fields by name, recommendations as texts or (id, text),
    sections as (heading, body) or (id, heading, body)."""
    data = {"version": "" if version is None else str(version)}
    data.update(fields)
    rec_ids, rec_texts = [], []
    for item in recommendations:
        pk, text = item if isinstance(item, tuple) else ("", item)
        rec_ids.append(str(pk))
        rec_texts.append(text)
    sec_ids, headings, bodies = [], [], []
    for item in sections:
        pk, heading, body = item if len(item) == 3 else ("", *item)
        sec_ids.append(str(pk))
        headings.append(heading)
        bodies.append(body)
    data.update(
        {
            "recommendation-id": rec_ids,
            "recommendation-text": rec_texts,
            "section-id": sec_ids,
            "section-heading": headings,
            "section-body": bodies,
        }
    )
    return data


def complete_report_data(board, meeting, **overrides):
    """Every block of the template filled in, as an officer would."""
    data = {
        "board": board.pk,
        "meeting": meeting.pk,
        "subject": "Better Care Fund plan 2023 to 2025",
        "report_of": Post.objects.get(title="Director of Public Health").pk,
        "wards": [Ward.objects.get(name="Linacre").pk, Ward.objects.get(name="Derby").pk],
        "portfolio": Portfolio.objects.get(name="Health and Wellbeing").pk,
        "is_key_decision": "True",
        "in_forward_plan": "True",
        "forward_plan_date": "2022-07-01",
        "is_exempt": "False",
        # Kept only when the report is exempt (the form clears them otherwise).
        "release_review_on": "2022-10-01",
        "release_condition": "After the contract is awarded.",
        "summary": "The plan sets out how health and care funding will be pooled.",
        "reasons": "The plan must be approved by the Board before submission to NHS England.",
        "alternatives": "Not submitting the plan would breach the national conditions.",
        "revenue_costs": "Funded from the pooled budget.",
        "capital_costs": "Disabled Facilities Grant capital of £4.2m.",
        "climate_impact": "neutral",
        "climate_training": "True",
        "climate_explanation": "No direct impact on the climate.",
        "external_consultations": "NHS Cheshire and Merseyside were consulted in July.",
        "implementation_date": "Immediately following the Board meeting.",
        "contact_officer": "Eleanor Moulton",
        "contact_phone": "0151 934 2000",
        "contact_email": "eleanor.moulton@sefton.gov.uk",
        "background_papers": "Better Care Fund planning requirements https://www.england.nhs.uk/",
    }
    for kind in ImplicationType.objects.all():
        data[f"implication_{kind.pk}"] = f"{kind.name} text."
    for purpose in CorePurpose.objects.all():
        data[f"core_purpose_{purpose.pk}"] = f"Contributes to {purpose.name}."
    data.update(overrides)
    return editor_data(
        recommendations=["The Board are asked to approve the plan.", "The Board are asked to delegate sign-off."],
        sections=[
            ("Introduction", "<ol><li><p>The Better Care Fund pools budgets.</p></li></ol>"),
            ("Background", "<p>Since 2015 the fund has grown.</p>"),
        ],
        **data,
    )
