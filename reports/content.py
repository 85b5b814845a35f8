"""A report as an ordered list of labelled blocks of plain text, in the template's order.

One function for every place that needs a report's words without its layout: comparing two
versions, telling an editor what changed meanwhile, search, and the tests that check the
seed's words survive into the page and the PDF.
"""

from dataclasses import dataclass

from reports.html import html_to_text, number_paragraphs


@dataclass(frozen=True)
class Block:
    key: str
    label: str
    text: str


def yes_no(value):
    return {True: "Y", False: "N"}.get(value, "")


def report_blocks(report, *, recommendations=None, implications=None, core_purposes=None, sections=None,
                  sign_offs=None, appendices=None, wards=None):
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
        Block("in_forward_plan", "Included in Forward Plan", {True: "Yes", False: "No"}.get(report.in_forward_plan, "")),
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
        Block("revenue_costs", "(A) Revenue Costs", report.revenue_costs),
        Block("capital_costs", "(B) Capital Costs", report.capital_costs),
    ]
    for implication in implications:
        blocks.append(Block(f"implication:{implication.type.name}", implication.type.name, implication.text))
    climate = "\n".join(
        f"{label} {'Y' if report.climate_impact == value else 'N'}" for value, label in report.ClimateImpact.choices
    ) if report.climate_impact else ""
    blocks += [
        Block("climate_impact", "The recommendations within this report will", climate),
        Block(
            "climate_training",
            "The Author has undertaken the Climate Emergency training for report authors",
            yes_no(report.climate_training),
        ),
        Block("climate_explanation", "Climate Emergency Implications", report.climate_explanation),
    ]
    for contribution in core_purposes:
        blocks.append(Block(f"core_purpose:{contribution.purpose.name}", contribution.purpose.name, contribution.text))
    internal = ""
    if sign_offs:
        internal = "\n".join(f"{s.officer_title} ({s.reference})" for s in sign_offs)
    blocks += [
        Block("internal_consultations", "(A) Internal Consultations", internal),
        Block("external_consultations", "(B) External Consultations", report.external_consultations),
        Block("implementation_date", "Implementation Date for the Decision", report.implementation_date),
        Block("contact_officer", "Contact Officer", report.contact_officer),
        Block("contact_phone", "Telephone Number", report.contact_phone),
        Block("contact_email", "Email Address", report.contact_email),
        Block("appendices", "Appendices", "\n".join(a.title for a in appendices)),
        Block("background_papers", "Background Papers", report.background_papers),
    ]
    for number, section in enumerate(sections, start=1):
        blocks.append(
            Block(
                f"section:{number}",
                f"{number}. {section.heading}",
                html_to_text(number_paragraphs(number, section.body)),
            )
        )
    return blocks


def report_text(report):
    """The whole report as plain text, label then value, block after block."""
    return "\n".join(f"{b.label}\n{b.text}" for b in report_blocks(report))
