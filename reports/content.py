"""A report as an ordered list of labelled blocks of plain text, in the template's order.

One function for every place that needs a report's words without its layout: comparing two
versions, telling an editor what changed meanwhile, search, and the tests that check the
seed's words survive into the page and the PDF.
"""

from dataclasses import dataclass

from reports.html import html_to_text, numbered_sections
from reports.models import appendix_letter, internal_consultations_sentence


@dataclass(frozen=True)
class Block:
    key: str
    label: str
    text: str
    group: str = ""  # the template's heading over a run of blocks, e.g. "Implications of the Proposals"


def yes_no(value):
    return {True: "Y", False: "N"}.get(value, "")


COSTS = "What will it cost and how will it be financed?"
IMPLICATIONS = "Implications of the Proposals"
CLIMATE = "Climate Emergency Implications"
CORE_PURPOSE = "Contribution to the Council's Core Purpose"
CONSULTATIONS = "What consultations have taken place on the proposals and when?"


def report_blocks(
    report,
    *,
    recommendations=None,
    implications=None,
    core_purposes=None,
    sections=None,
    sign_offs=None,
    appendices=None,
    wards=None,
):
    """The report's words as (key, label, text) blocks, in the order the template prints them.

    The keyword arguments let a caller pass the parts as they stood at an earlier version.
    """
    recommendations = list(report.recommendations.all()) if recommendations is None else recommendations
    implications = list(report.implications.all()) if implications is None else implications
    core_purposes = list(report.core_purposes.all()) if core_purposes is None else core_purposes
    sections = list(report.sections.all()) if sections is None else sections
    sign_offs = [s for s in report.sign_offs.all() if s.voided_at is None] if sign_offs is None else sign_offs
    appendices = list(report.appendices.all()) if appendices is None else appendices
    if wards is None:
        wards = [w.name for w in report.wards.all()] if report.pk else []

    exempt = yes_no(report.is_exempt)
    if report.is_exempt and report.exempt_paragraphs:
        exempt += " (paragraph " + ", ".join(str(p) for p in sorted(report.exempt_paragraphs)) + ")"
    blocks = [
        Block("board", "Report to", str(report.board) if report.board_id else ""),
        Block("meeting", "Date of Meeting", report.meeting.date_display if report.meeting_id else ""),
        Block("subject", "Subject", report.subject),
        Block("report_of", "Report of", str(report.report_of) if report.report_of_id else ""),
        Block("wards", "Wards Affected", "All Wards" if report.all_wards else ", ".join(wards)),
        Block("portfolio", "Portfolio", str(report.portfolio) if report.portfolio_id else ""),
        Block("is_key_decision", "Is this a Key Decision", yes_no(report.is_key_decision)),
        Block(
            "in_forward_plan", "Included in Forward Plan", {True: "Yes", False: "No"}.get(report.in_forward_plan, "")
        ),
        Block("is_exempt", "Exempt / Confidential Report", exempt),
        Block("summary", "Summary", report.summary),
        Block(
            "recommendations",
            "Recommendation(s)",
            "\n".join(f"({i}) {r.text}" for i, r in enumerate(recommendations, start=1)),
        ),
        Block("reasons", "Reasons for the Recommendation(s)", report.reasons),
        Block(
            "alternatives",
            "Alternative Options Considered and Rejected (including any Risk Implications)",
            report.alternatives,
        ),
        Block("revenue_costs", "(A) Revenue Costs", report.revenue_costs, COSTS),
        Block("capital_costs", "(B) Capital Costs", report.capital_costs, COSTS),
    ]
    for implication in implications:
        blocks.append(
            Block(f"implication:{implication.type.name}", implication.type.name, implication.text, IMPLICATIONS)
        )
    climate = (
        "\n".join(
            f"{label} {'Y' if report.climate_impact == value else 'N'}" for value, label in report.ClimateImpact.choices
        )
        if report.climate_impact
        else ""
    )
    blocks += [
        Block("climate_impact", "The recommendations within this report will", climate, CLIMATE),
        Block(
            "climate_training",
            "The Author has undertaken the Climate Emergency training for report authors",
            yes_no(report.climate_training),
            CLIMATE,
        ),
        Block("climate_explanation", "Explanation", report.climate_explanation, CLIMATE),
    ]
    for contribution in core_purposes:
        blocks.append(
            Block(
                f"core_purpose:{contribution.purpose.name}", contribution.purpose.name, contribution.text, CORE_PURPOSE
            )
        )
    blocks += [
        Block(
            "internal_consultations",
            "(A) Internal Consultations",
            internal_consultations_sentence(sign_offs),
            CONSULTATIONS,
        ),
        Block("external_consultations", "(B) External Consultations", report.external_consultations, CONSULTATIONS),
        Block("implementation_date", "Implementation Date for the Decision", report.implementation_date),
        Block("contact_officer", "Contact Officer", report.contact_officer),
        Block("contact_phone", "Telephone Number", report.contact_phone),
        Block("contact_email", "Email Address", report.contact_email),
        Block(
            "appendices",
            "Appendices",
            "\n".join(f"Appendix {appendix_letter(i)}: {a.title}" for i, a in enumerate(appendices))
            or "There are no appendices to this report",
        ),
        Block("background_papers", "Background Papers", report.background_papers),
    ]
    # Figures read as their alt text and numbered caption, so a compare shows a changed figure.
    for number, section, html in numbered_sections(sections, report_id=report.pk):
        blocks.append(Block(f"section:{number}", f"{number}. {section.heading}", html_to_text(html)))
    return blocks


def blocks_text(blocks):
    """Blocks as plain text: each group's heading once, then label and value, block after block."""
    lines = []
    group = None
    for block in blocks:
        if block.group != group:
            group = block.group
            if group:
                lines.append(group)
        lines += [block.label, block.text]
    return "\n".join(line for line in lines if line)


def report_text(report):
    """The whole report as plain text, in the template's order."""
    return blocks_text(report_blocks(report))
