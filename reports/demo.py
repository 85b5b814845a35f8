"""The demo council's data: Sefton's reference lists and the seed report, word for word.

The seed is ../shared/seed/000_c132d7eafc911726.txt, Sefton Council's report to its Health and
Wellbeing Board of 14 September 2022. tests/test_demo.py checks every word of it is here.
"""

WARDS = [
    "Ainsdale", "Birkdale", "Blundellsands", "Cambridge", "Church", "Derby", "Dukes", "Ford", "Harington",
    "Kew", "Linacre", "Litherland", "Manor", "Meols", "Molyneux", "Netherton and Orrell", "Norwood", "Park",
    "Ravenmeols", "St Oswald", "Sudell", "Victoria",
]  # fmt: skip

IMPLICATION_TYPES = [
    "Resource Implications (Financial, IT, Staffing and Assets)",
    "Legal Implications",
    "Equality Implications",
]

CORE_PURPOSES = [
    "Protect the most vulnerable",
    "Facilitate confident and resilient communities",
    "Commission, broker and provide core services",
    "Place – leadership and influencer",
    "Drivers of change and reform",
    "Facilitate sustainable economic prosperity",
    "Greater income for social investment",
    "Cleaner Greener",
]

PORTFOLIOS = [
    "Health and Wellbeing",
    "Adult Social Care",
    "Children's Social Care",
    "Regulatory, Compliance and Corporate Services",
]

DIRECTORATES = [
    "Public Health",
    "Corporate Resources and Customer Services",
    "Legal and Democratic Services",
    "Adult Social Care",
]

# (post title, directorate, demo username of the holder)
POSTS = [
    ("Director of Public Health", "Public Health", "director"),
    (
        "Executive Director of Corporate Resources and Customer Services",
        "Corporate Resources and Customer Services",
        None,
    ),
    ("Chief Legal and Democratic Officer", "Legal and Democratic Services", None),
    ("Executive Director of Adult Social Care and Health", "Adult Social Care", None),
]

# (name, officer title printed in the report, reference prefix, demo username)
CONSULTEE_KINDS = [
    ("Finance", "Executive Director of Corporate Resources and Customer Services", "FD", "finance"),
    ("Legal", "Chief Legal and Democratic Officer", "LD", "legal"),
]

BOARD = {
    "name": "Health and Wellbeing Board",
    "slug": "health-and-wellbeing-board",
    "default_venue": "Committee Room, Bootle Town Hall",
}

# username, first name, last name, job title, flags
USERS = [
    ("officer", "Eleanor", "Moulton", "Consultant in Public Health", {"is_author": True}),
    ("finance", "Frances", "Hughes", "Executive Director of Corporate Resources and Customer Services", {}),
    ("legal", "Lewis", "Dwyer", "Chief Legal and Democratic Officer", {}),
    ("director", "Margaret", "Ashworth", "Director of Public Health", {"is_author": True}),
    ("clerk", "Claire", "Kershaw", "Democratic Services Officer", {"is_democratic_services": True}),
    ("member", "Councillor Ian", "Moncur", "Cabinet Member for Health and Wellbeing", {}),
    ("outsider", "Owen", "Tate", "Highways Engineer", {"is_author": True}),
    ("cllr.lloyd", "Councillor Sarah", "Lloyd", "Chair, Overview and Scrutiny Committee", {}),
    ("cllr.brennan", "Councillor Michael", "Brennan", "Councillor", {}),
    ("admin", "Ada", "Admin", "System administrator", {"is_staff": True, "is_superuser": True}),
]

SEED = {
    "subject": "Cities Inequalities Project",
    "report_of": "Director of Public Health",
    "all_wards": True,
    "portfolio": "Health and Wellbeing",
    "is_key_decision": False,
    "in_forward_plan": False,
    "is_exempt": False,
    "summary": (
        "The report provides an overview of the Health Foundation-funded Cities Health Inequalities Project and "
        "describes the next steps for consideration of the Liverpool City region engaging with this model going "
        "forward."
    ),
    "recommendations": [
        "The Board are asked to note the contents of the report",
        "The Board are asked to provide approval to progress discussion and bring further information back to a "
        "future meeting.",
    ],
    "reasons": (
        "This is a potentially a significant piece of work for the Liverpool City Region that will make a "
        "contribution of the delivery of the Sefton Health and Wellbeing Strategy."
    ),
    "alternatives": "Not applicable",
    "revenue_costs": "The contents of the report have no impact on additional revenue costs.",
    "capital_costs": "The contents of the report have no impact on additional capital costs.",
    "implications": {
        "Resource Implications (Financial, IT, Staffing and Assets)": "",
        "Legal Implications": "",
        "Equality Implications": "There are no equality implications.",
    },
    "climate_impact": "neutral",
    "climate_training": True,
    "climate_explanation": (
        "The contents of the report have a neutral impact at this time however subsequent actions may lead to a "
        "positive impact in due course."
    ),
    "core_purposes": {
        "Protect the most vulnerable": (
            "Report contents outlines potential approach to address inequalities for vulnerable residents"
        ),
        "Facilitate confident and resilient communities": (
            "Report outlines potential approach that would positively impact on confident and resilient communities."
        ),
        "Commission, broker and provide core services": (
            "The potential approach outlined will positively impact on the way services are commissioned, brokered "
            "and the provision of core services"
        ),
        "Place – leadership and influencer": "Report outlines potential approach that would positively impact on Place.",
        "Drivers of change and reform": (
            "The report outlines a potential approach that will contribute to strategic change and reform."
        ),
        "Facilitate sustainable economic prosperity": (
            "Although no direct impact in the contents of the report the positive impact on this core purpose may be "
            "part of an eventual outcome."
        ),
        "Greater income for social investment": (
            "Although no direct impact in the contents of the report the positive impact on this core purpose may be "
            "part of an eventual outcome."
        ),
        "Cleaner Greener": (
            "Although no direct impact in the contents of the report the positive impact on this core purpose may be "
            "part of an eventual outcome."
        ),
    },
    # The seed's historical sign-offs: (prefix, number, two-digit year).
    "sign_offs": [("FD", 6932, 2022), ("LD", 5132, 2022)],
    "external_consultations": "Not applicable",
    "implementation_date": "Immediately following the Board meeting.",
    "contact_officer": "Eleanor Moulton",
    "contact_phone": "07779162882",
    "contact_email": "eleanor.moulton@sefton.gov.uk",
    "background_papers": (
        "Further reading can be found here; "
        "https://www.health.org.uk/funding-and-partnerships/projects/the-cities-health-inequalities-project"
    ),
    "sections": [
        (
            "Introduction",
            "<ol>"
            "<li><p>The Cities Health Inequalities Project was a 3-year Health Foundation-funded project to explore "
            "opportunities for devolved English regions to tackle health inequalities. Its steering group included "
            "senior leaders from the Greater London Authority, Greater Manchester Health and Social Care Partnership, "
            "West Midlands Combined Authority, and the Association of Directors of Public Health.</p></li>"
            "<li><p>The Project funded by the Health Foundation and run by Greater London Authority, Greater "
            "Manchester Combined Authority and West Midlands Combined Authority. Was active from February 2019 to "
            "April 2022.</p></li>"
            "<li><p>The UK is home to stark and growing health inequalities. The COVID-19 pandemic has put these "
            "inequalities into sharp focus, impacting our most disadvantaged communities hardest. The drive to "
            "address these inequalities at regional level is stronger than ever.</p></li>"
            "<li><p>Over 40% of the population in England live in cities with a directly elected mayor with a "
            "political mandate for regional system leadership. Mayoral combined authorities are in a unique "
            "position to take brave and bold action to shape and drive health inequalities policy at a regional "
            "level through their responsibilities for the underlying causes of ill health.</p></li>"
            "<li><p>The 3-year project concluded in April 2022, having borne witness to the impacts of the COVID-19 "
            "pandemic and the rising awareness of health inequalities and opportunities presented to regional "
            "authorities and mayors in shaping regional action.</p></li>"
            "</ol>"
            "<p>The project aimed to accelerate this action by providing a means to reflect, share and learn how to "
            "approach the population health challenges consistent across cities and metro regions.</p>"
            "<p>To achieve this, the project aimed to:</p>"
            "<ul>"
            "<li><p>Improve understanding of regional priorities, contexts, challenges and approaches to tackling "
            "health inequalities, identifying the levers of change, power and influence at our disposal</p></li>"
            "<li><p>engage all cities/combined authorities in seeking best practice and sharing knowledge</p></li>"
            "<li><p>create a mandate for action by identifying policy that works, shaping how health inequalities "
            "are framed and utilising the opportunities of devolution</p></li>"
            "<li><p>facilitate conversations, develop ideas, build relationships, collate evidence and link partners "
            "to build consensus on taking action</p></li>"
            "<li><p>champion improvements to accelerate activity in tackling health inequalities through developing "
            "guidance, toolkits, networking, expertise and support.</p></li>"
            "</ul>",
        ),
        (
            "Impact Report",
            "<ol>"
            "<li><p>The impact report released following the conclusion of the project provides learning to "
            "accelerate action on Health Inequalities in Mayoral and City Regions. Figure one below provides a high "
            "level of overview:</p></li>"
            "</ol>"
            "<h3>What did we learn?</h3>"
            "<ol>"
            "<li><p>The report offers important reflections on shared challenges and opportunities for learning in "
            "the areas of:</p></li>"
            "</ol>"
            "<p><strong>Data and Intelligence</strong> - Ensuring a strategic, as well as reactive, intelligence "
            "function. Using data to create a mandate for action at city level. Quantifying the impact of HI "
            "policies at City level</p>"
            "<p><strong>Building the Political Mandate</strong> - How to build the political mandate and engaging "
            "with citizens.</p>"
            "<p><strong>Balancing, collaborating, conveying and leading</strong> - Navigating multiple roles, adding "
            "value to work at local level.</p>"
            "<p><strong>Prioritisation</strong> - Existing and emerging opportunities to influence wider determinants "
            "as part of recovery</p>"
            "<p><strong>Using existing non health powers</strong> - Influence wider determinants through "
            "cross-directorate collaboration and influence Health in all policies</p>",
        ),
        (
            "Key Strategic links",
            "<p>The work has key strategic links to the Levelling up White Paper "
            '(<a href="https://www.gov.uk/government/white-papers/levelling-up-the-united-kingdom">Levelling Up the '
            "United Kingdom - GOV.UK (www.gov.uk)</a>), Health Disparities White Paper, Trailblazing Devolution deals "
            '(<a href="https://www.local.gov.uk/devolution-deals">Devolution deals | Local Government Association</a>) '
            "and UK Shared Prosperity Fund "
            '(<a href="https://www.gov.uk/government/white-papers/uk-shared-prosperity-fund">UK Shared Prosperity '
            "Fund: prospectus - GOV.UK (www.gov.uk)</a>)</p>",
        ),
        (
            "Appreciative Enquiry",
            "<p>The report proposed that any new region that was to engage should utilise an appreciative enquiry "
            "model to explore prioritisation and models for using levers and value-add of combined authority action. "
            "This would involve identifying needs and prioritising actions through consideration of the role of the "
            "combined authority within the regional population health system, Strategic capacity to identify entry "
            "points, and consider the Public Health intelligence system.</p>"
            "<p>The next theme would be to identify and using levers for change. This would mean considering "
            "capitalising on devolved powers and functions, the role of political leadership and 'soft power' and "
            "financial resources.</p>"
            "<p>The final theme would be to identify the value added of action at a regional level. This means "
            "supporting collaboration and partnerships across the region, how can regional work support action at a "
            "locality level, and engaging residents and building the public mandate.</p>",
        ),
        (
            "The Next Steps for the Liverpool City Region",
            "<p>The Health Inequalities Project ended in June 2022. The policy team are exploring a new bid to expand "
            "and build on the learning from this project with greater engagement between and within regions and "
            "politically. The new project aims to expand, to include a wider range of combined authority sponsors. "
            "This project bid for entry into phase 4 is being led by Matt Ashton, Director of Public Health at "
            "Liverpool City Council. This will be discussed at the next CHAMPS Director of Public Health network "
            "meeting which will shape the next steps in more detail.</p>",
        ),
        (
            "Conclusion",
            "<p>The Board are asked to note the contents and provide approval to progress discussion and bring "
            "further information back to a future meeting.</p>",
        ),
    ],
}

# A draft by `officer`, half written, to show the editor and the completeness check.
DRAFT = {
    "subject": "Sefton Active Lifestyles Strategy 2023 to 2028",
    "summary": (
        "The report sets out a draft strategy to increase physical activity across Sefton, developed with "
        "Active Sefton partners, and asks the Board to comment before public consultation."
    ),
    "recommendations": ["The Board are asked to comment on the draft strategy before it goes to public consultation."],
    "contact_officer": "Eleanor Moulton",
    "contact_email": "eleanor.moulton@sefton.gov.uk",
}

# Two approved reports for the board's next meeting, waiting to be placed on its agenda.
# What the board decided on the seed report, as the minutes of 14 September 2022 would record it:
# its two recommendations, agreed.
SEED_DECISION = (
    "RESOLVED: That (1) the contents of the report be noted; and (2) approval be given to progress "
    "discussion and bring further information back to a future meeting."
)

UPCOMING = [
    {
        "subject": "Better Care Fund Plan 2025 to 2027",
        "is_key_decision": True,
        "in_forward_plan": True,
        "is_exempt": False,
        "exempt_paragraphs": [],
        "summary": (
            "The report presents the Sefton Better Care Fund plan for 2025 to 2027, which pools NHS and council "
            "budgets to support people to live independently, for the Board's approval before submission to NHS "
            "England."
        ),
        "recommendations": [
            "The Board are asked to approve the Better Care Fund plan for 2025 to 2027.",
            "The Board are asked to delegate final sign-off of the submission to the Director of Public Health "
            "in consultation with the Chair.",
        ],
        "reasons": "The national conditions require the Health and Wellbeing Board to approve the plan.",
        "alternatives": "Not submitting the plan would breach the national conditions and put the funding at risk.",
        "revenue_costs": "The plan is funded from the pooled budget of £48.6m for 2025 to 2026.",
        "capital_costs": "Disabled Facilities Grant capital of £4.2m is included in the pooled budget.",
        "implications": {
            "Resource Implications (Financial, IT, Staffing and Assets)": "Contained within the pooled budget.",
            "Legal Implications": "The plan is made under section 75 of the National Health Service Act 2006.",
            "Equality Implications": "An equality impact assessment has been completed and is available on request.",
        },
        "climate_impact": "neutral",
        "climate_training": True,
        "climate_explanation": "The plan funds care services and has no direct impact on the climate.",
        "core_purposes": {"Protect the most vulnerable": "The plan funds support for people to live independently."},
        "external_consultations": "NHS Cheshire and Merseyside and Sefton's care providers were consulted.",
        "implementation_date": "Immediately following the Board meeting.",
        "contact_officer": "Eleanor Moulton",
        "contact_phone": "07779162882",
        "contact_email": "eleanor.moulton@sefton.gov.uk",
        "background_papers": "Better Care Fund policy framework https://www.gov.uk/government/publications",
        "sections": [
            (
                "Introduction",
                "<ol><li><p>The Better Care Fund brings together NHS and local government funding to support "
                "integrated health and care.</p></li><li><p>Each area must agree a plan, approved by its Health and "
                "Wellbeing Board.</p></li></ol>",
            ),
            (
                "The plan",
                "<p>The plan keeps the existing schemes and adds investment in intermediate care.</p>"
                "<table><tbody><tr><th>Scheme</th><th>2025 to 2026</th></tr>"
                "<tr><td>Intermediate care</td><td>£12.1m</td></tr><tr><td>Carers' support</td><td>£1.4m</td></tr>"
                "</tbody></table>",
            ),
        ],
    },
    {
        "subject": "Sexual Health Services: Contract Award",
        "is_key_decision": True,
        "in_forward_plan": True,
        "is_exempt": True,
        "exempt_paragraphs": [3],
        "release_condition": "After the contract is awarded and the standstill period has ended.",
        "summary": (
            "The report sets out the outcome of the procurement of integrated sexual health services and "
            "recommends the award of the contract. It contains the bidders' commercial information."
        ),
        "recommendations": [
            "The Board are asked to note the outcome of the procurement.",
            "The Board are asked to support the award of the contract to the highest-scoring bidder.",
        ],
        "reasons": "The current contract ends on 31 March and a new service must be in place.",
        "alternatives": "Extending the current contract was considered and rejected as it is not permitted.",
        "revenue_costs": "The contract value is within the Public Health Grant allocation.",
        "capital_costs": "There are no capital costs.",
        "implications": {
            "Resource Implications (Financial, IT, Staffing and Assets)": "Within the Public Health Grant.",
            "Legal Implications": "The procurement followed the Procurement Act 2023.",
            "Equality Implications": "The service specification addresses access for under-served groups.",
        },
        "climate_impact": "positive",
        "climate_training": True,
        "climate_explanation": "The new service adds online testing, reducing travel to clinics.",
        "core_purposes": {"Commission, broker and provide core services": "The report commissions a core service."},
        "external_consultations": "Service users were consulted on the specification.",
        "implementation_date": "1 April, following the standstill period.",
        "contact_officer": "Eleanor Moulton",
        "contact_phone": "07779162882",
        "contact_email": "eleanor.moulton@sefton.gov.uk",
        "background_papers": "None",
        "sections": [
            (
                "Procurement outcome",
                "<ol><li><p>Three bids were received and evaluated on quality and price.</p></li>"
                "<li><p>The bidders' scores and prices are set out below and are commercially sensitive.</p></li></ol>",
            ),
        ],
    },
]
