"""The demo's officer decisions (invented for the demo: no public source gives them).

Three published (one exempt under paragraph 3) and one waiting for democratic services, taken by
the Consultant in Public Health (`officer`) and the Director of Public Health (`director`) in the
weeks before the demo is loaded.
"""

import datetime as dt

from django.utils import timezone

from officer_decisions import services
from officer_decisions.models import OfficerDecision
from reports.models import Ward

DECISIONS = [
    {
        "by": "director",
        "days_ago": 45,
        "publish": True,
        "wards": ["Linacre", "Derby", "Litherland"],
        "fields": {
            "title": "Grant to Sefton Carers Centre for winter wellbeing sessions",
            "decision": "To award a grant of £18,500 to Sefton Carers Centre to run weekly winter wellbeing "
            "sessions for unpaid carers in Bootle from November to March.",
            "delegated_power": "Constitution, Chapter 8 (Scheme of Delegation), paragraph 4.2: the Director of "
            "Public Health may award grants of up to £50,000 from the Public Health Grant.",
            "reasons": "Unpaid carers in the south of the borough report the highest levels of loneliness in the "
            "Carers Survey; the sessions meet an aim of the Health and Wellbeing Strategy and are funded from "
            "this year's underspend on the Public Health Grant.",
            "alternatives": "Commissioning the sessions through a competitive tender: rejected, as the value is "
            "below the threshold and no other provider runs carers' groups in Bootle. Doing nothing: rejected.",
            "conflict_of_interest": "Councillor Ian Moncur, Cabinet Member for Health and Wellbeing, consulted on "
            "the decision, declared that he is an unpaid trustee of Sefton Carers Centre and took no part.",
            "dispensation": "",
            "background_papers": ["Sefton Carers Survey 2023", "Sefton Carers Centre's proposal, 2 October"],
            "exempt_paragraph": None,
        },
    },
    {
        "by": "officer",
        "days_ago": 30,
        "publish": True,
        "wards": [],
        "fields": {
            "title": "Purchase of naloxone kits for community pharmacies",
            "decision": "To buy 600 intranasal naloxone kits for distribution through the community pharmacies "
            "taking part in the needle exchange scheme, at a cost of £13,200.",
            "delegated_power": "Scheme of Delegation, paragraph 4.5: officers of the Public Health team may incur "
            "expenditure within an approved budget of up to £25,000.",
            "reasons": "Drug-related deaths in Sefton rose last year; the Office for Health Improvement and "
            "Disparities recommends wider supply of naloxone, and the kits supplied in 2021 expire this winter.",
            "alternatives": "Injectable kits only: rejected, as pharmacists and families find the nasal spray "
            "easier to give.",
            "conflict_of_interest": "",
            "dispensation": "",
            "background_papers": ["Drug-related deaths audit, Sefton, 2023"],
            "exempt_paragraph": None,
        },
    },
    {
        "by": "director",
        "days_ago": 21,
        "publish": True,
        "wards": [],
        "fields": {
            "title": "Extension of the NHS Health Check programme contract",
            "decision": "To extend the contract for the NHS Health Check programme with its current provider for "
            "twelve months on the revised price schedule negotiated in October.",
            "delegated_power": "Contract Procedure Rules, rule 14.3: a chief officer may extend a contract where "
            "the contract provides for it.",
            "reasons": "The provider met every performance target last year, and a re-procurement cannot be "
            "completed before the contract ends; the revised price schedule saves money.",
            "alternatives": "Letting the contract end and re-procuring at once: rejected, as the service would "
            "stop for several months.",
            "conflict_of_interest": "",
            "dispensation": "",
            "background_papers": ["Contract performance report, quarter 2", "Revised price schedule"],
            "exempt_paragraph": 3,
        },
    },
    {
        "by": "officer",
        "days_ago": 6,
        "publish": False,
        "wards": ["Church", "Linacre"],
        "fields": {
            "title": "Acceptance of a grant for the stop smoking service",
            "decision": "To accept a grant of £96,000 from the Department of Health and Social Care to expand "
            "the local stop smoking service, and to add it to the Public Health budget.",
            "delegated_power": "Financial Procedure Rules, rule 6.4: chief officers and their delegates may "
            "accept external grants of up to £250,000 for purposes within an approved policy.",
            "reasons": "Smoking rates in Linacre and Church wards are twice the borough's average; the grant "
            "pays for two more advisers without cost to the council.",
            "alternatives": "Declining the grant: rejected.",
            "conflict_of_interest": "",
            "dispensation": "",
            "background_papers": ["Grant determination letter"],
            "exempt_paragraph": None,
        },
    },
]


def load(users):
    """Record the demo's officer decisions through the services (once), and publish the first three."""
    if OfficerDecision.objects.exists():
        return
    clerk, today = users["clerk"], timezone.localdate()
    for item in DECISIONS:
        officer = users[item["by"]]
        fields = item["fields"] | {
            "decided_on": today - dt.timedelta(days=item["days_ago"]),
            "officer_title": officer.job_title,
        }
        decision = services.officer_decision_record(
            user=officer, fields=fields, wards=Ward.objects.filter(name__in=item["wards"])
        )
        services.officer_decision_submit(decision=decision, user=officer)
        if item["publish"]:
            services.officer_decision_publish(decision=decision, user=clerk)
