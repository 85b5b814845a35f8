"""Who may use each URL of the project: the matrix tests/test_permissions.py checks.

One line per URL pattern name, object and method. Where the answer depends on the object (a
draft or an exempt report, a published or a compiling meeting), the pattern has a line for each.
The ids column names the objects that fill the URL's arguments, in the order the URL has them
(`exempt/exempt_appendix` is /reports/<exempt>/appendices/<exempt_appendix>/); they are made by
`build_world()` in tests/test_permissions.py, the demo council plus a report in every state:

  draft        the demo's draft by officer, incomplete; draft_appendix is its appendix
  complete     a complete draft by officer, ready to submit
  consulting   submitted, in consultation, not signed off yet; consulting_appendix
  signed       signed off by finance and legal, waiting for director (its "Report of")
  approved     approved, on no agenda yet
  planned      officer's complete draft, a key decision in the Forward Plan democratic services have
               not accepted yet
  accepted     officer's complete draft, a key decision democratic services have accepted onto the
               Forward Plan (its report not published)
  exempt       the demo's exempt report (paragraph 3), published in Part 2 of `published`;
               exempt_appendix, and exempt_item its agenda item
  seed         the seed report, published on the 14 September 2022 agenda; seed_appendix, seed_item
  draft_figure, exempt_figure, seed_figure     a figure (an image in the body) of each of those reports
  published    the board's next meeting, its agenda published, its packs built; its supplementary
               agenda 1 published with its packs built, and an item waiting for supplement 2
  held         the demo's meeting of 14 September 2022, with the seed on its agenda, held
  scheduled    a later meeting being compiled: the standard items, placed_item (an approved
               report) and another item
  board        the Health and Wellbeing Board's slug (board_id: its id), member's board
  officer, report_type    for the admin: officer's user id, the content type of reports
  councillor   the demo's member (Councillor Ian Moncur): his User's id, the key of his public page
  member_user  member's user id; entry: member's register entry (not sensitive); change: a change
               member proposed, waiting for the monitoring officer; declaration: the demo's declaration by
               member on the seed item of `held`; seat: member's Membership of the board
  seed_file, exempt_file, seed_appendix_file, exempt_appendix_file, agenda_file    the open data's keys
               of a File: a report's PDF (paper-<report>), an appendix's (appendix-<appendix>), the
               published meeting's agenda (agenda-<meeting>)
  meeting_location, board_location    the keys of the published meeting's Location and the board's
  cancelled    a meeting cancelled after its agenda was published (and read from the API) with withdrawn,
               a public report, as withdrawn_item: the API's Paper, AgendaItem, Consultation and File
               (withdrawn_file) of that report answer as deleted objects
  cabinet_held a held meeting of the Cabinet (an executive board) with decided_item, a decision without
               a notice yet, and notice, the published notice of another of its decisions; member sits on
               the Overview and Scrutiny Committee, which scrutinises the Cabinet
  od_draft, od_submitted, od_published, od_exempt    officer decisions: officer's draft, officer's
               decision waiting for democratic services, a published one by director, a published exempt one
  follow_pending, follow_confirmed    the tokens of two follow subscriptions of the board: one waiting for
               its confirmation, one confirmed
  action, exempt_action    actions arising from decisions: the demo's action in progress on the seed item
               of `held` (Part 1), owned by officer; and an action on a Part 2 item of cabinet_held, owned by
               director

A number or a word that names no object is used as it is.

A cell is what that actor gets:

  200 201 400 403 404 405 409 503   that status code
  login     a redirect to the sign-in page (the admin's own, for the admin's URLs)
  302       any other redirect: a report's public page, back to the page with a message saying
            why nothing was done, My work
  *         after a POST's code: the POST changed the database (the action was allowed and done).
            A POST without `*` must leave the database as it was.

A POST carries the body `BODIES` in tests/test_permissions.py gives its URL name (the fields a
person would fill in, so that an allowed action is really done), or nothing.

The rules (DESIGN.md section 6): sign-in is needed for everything but the public site; a report
someone has no part in is a 404, never a 403; exempt reports are read only by their author,
consultees, approver, democratic services (clerk), administrators and the board's members.

The Django admin's URLs are not listed one by one: ADMIN_URL_RULE covers them all, and a handful
are listed at the end with real ids for all nine actors.
"""

from dataclasses import dataclass

ACTORS = ("anonymous", "officer", "finance", "legal", "director", "clerk", "member", "outsider", "admin")

# Checked for every admin URL (every pattern under /admin/, ids filled in) as each actor but `admin`.
ADMIN_URL_RULE = (
    "The Django admin is for `admin` alone: every admin URL, GET or POST, sends everyone else to the admin's "
    "sign-in page (its sign-out page sends them to its index, which does), and changes nothing; only the "
    "sign-in page itself answers them (200)."
)

MATRIX = """
# URL name                       ids                                  anon     officer  finance  legal    director clerk    member   outsider admin
# Signing in and out, and My work (the public home for visitors)
home                             -                              GET   302      200      200      200      200      200      200      200      200
home                             -                              POST  302      200      200      200      200      200      200      200      200
healthz                          -                              GET   200      200      200      200      200      200      200      200      200
healthz                          -                              POST  405      405      405      405      405      405      405      405      405
login                            -                              GET   200      200      200      200      200      200      200      200      200
login                            -                              POST  200      200      200      200      200      200      200      200      200
logout                           -                              GET   405      405      405      405      405      405      405      405      405
logout                           -                              POST  302      302      302      302      302      302      302      302      302
# Sign in with the council's account (OpenID Connect): off here (no OIDC_CLIENT_ID), so not found for
# anyone; tests/test_council_sign_in.py walks both steps configured, against a real provider.
oidc_start                       -                              GET   404      404      404      404      404      404      404      404      404
oidc_start                       -                              POST  404      404      404      404      404      404      404      404      404
oidc_callback                    -                              GET   404      404      404      404      404      404      404      404      404
oidc_callback                    -                              POST  404      404      404      404      404      404      404      404      404
password_change                  -                              GET   login    200      200      200      200      200      200      200      200
password_change                  -                              POST  login    200      200      200      200      200      200      200      200
password_change_done             -                              GET   login    200      200      200      200      200      200      200      200
password_change_done             -                              POST  login    405      405      405      405      405      405      405      405

# People and roles (accounts/): administrators manage everyone, democratic services (clerk) councillors only
# (councillor: member's account; invitee: a councillor clerk invited, no password chosen yet); no one else is
# told the pages exist. The invitation's link answers whoever holds it (setting the password sends them to sign in);
# a wrong token says the link does not work.
# Everyone's own account page; a post holder (director) names stand-ins there (stand_in: officer for director,
# from tomorrow).
accounts:people                  -                              GET   login    404      404      404      404      200      404      404      200
accounts:people                  -                              POST  login    405      405      405      405      405      405      405      405
accounts:person_new              -                              GET   login    404      404      404      404      200      404      404      200
accounts:person_new              -                              POST  login    404      404      404      404      302*     404      404      302*
accounts:person                  councillor                     GET   login    404      404      404      404      200      404      404      200
accounts:person                  councillor                     POST  login    404      404      404      404      404      404      404      302*
accounts:person                  officer                        GET   login    404      404      404      404      404      404      404      200
accounts:person                  officer                        POST  login    404      404      404      404      404      404      404      302*
accounts:person_deactivate       councillor                     GET   login    404      404      404      404      200      404      404      200
accounts:person_deactivate       councillor                     POST  login    404      404      404      404      302*     404      404      302*
accounts:person_deactivate       officer                        GET   login    404      404      404      404      404      404      404      200
accounts:person_deactivate       officer                        POST  login    404      404      404      404      404      404      404      302*
accounts:person_reactivate       councillor                     GET   login    405      405      405      405      405      405      405      405
accounts:person_reactivate       councillor                     POST  login    404      404      404      404      302      404      404      302
accounts:person_invite_again     invitee                        GET   login    405      405      405      405      405      405      405      405
accounts:person_invite_again     invitee                        POST  login    404      404      404      404      302*     404      404      302*
accounts:invitation              invitee_uid/invitee_token      GET   200      200      200      200      200      200      200      200      200
accounts:invitation              invitee_uid/invitee_token      POST  login*   login*   login*   login*   login*   login*   login*   login*   login*
accounts:invitation              invitee_uid/not-a-token        GET   404      404      404      404      404      404      404      404      404
accounts:invitation              invitee_uid/not-a-token        POST  404      404      404      404      404      404      404      404      404
accounts:my_account              -                              GET   login    200      200      200      200      200      200      200      200
accounts:my_account              -                              POST  login    405      405      405      405      405      405      405      405
accounts:stand_in_new            -                              GET   login    405      405      405      405      405      405      405      405
accounts:stand_in_new            -                              POST  login    404      404      404      302*     404      404      404      404
accounts:stand_in_end            stand_in                       GET   login    405      405      405      405      405      405      405      405
accounts:stand_in_end            stand_in                       POST  login    404      404      404      302*     404      404      404      404

# Reference lists (reference/): administrators only, like the People screens no one else is told they exist.
# ward: Sefton's Ainsdale; itype: the implication type Equality Implications (last, so it moves up); retired_portfolio: a
# portfolio retired before the test.
reference:index                  -                              GET   login    404      404      404      404      404      404      404      200
reference:index                  -                              POST  login    405      405      405      405      405      405      405      405
reference:list                   implication-types              GET   login    404      404      404      404      404      404      404      200
reference:list                   implication-types              POST  login    404      404      404      404      404      404      404      302*
reference:edit                   wards/ward                     GET   login    404      404      404      404      404      404      404      200
reference:edit                   wards/ward                     POST  login    404      404      404      404      404      404      404      302*
reference:retire                 wards/ward                     GET   login    405      405      405      405      405      405      405      405
reference:retire                 wards/ward                     POST  login    404      404      404      404      404      404      404      302*
reference:restore                portfolios/retired_portfolio   GET   login    405      405      405      405      405      405      405      405
reference:restore                portfolios/retired_portfolio   POST  login    404      404      404      404      404      404      404      302*
reference:move                   implication-types/itype        GET   login    405      405      405      405      405      405      405      405
reference:move                   implication-types/itype        POST  login    404      404      404      404      404      404      404      302*

# Reports: a draft (officer's, not yet submitted), one in consultation, the exempt report (published in
# Part 2 of the board's next meeting), the seed (published on 14 September 2022). Someone with no part
# in a report gets 404; a visitor asking for a public one is sent to its public page (302).
reports:list                     -                              GET   login    200      200      200      200      200      200      200      200
reports:list                     -                              POST  login    405      405      405      405      405      405      405      405
reports:new                      -                              GET   login    200      404      404      200      200      404      200      200
reports:new                      -                              POST  login    302*     404      404      302*     302*     404      302*     302*
reports:detail                   draft                          GET   login    200      404      404      404      200      404      404      200
reports:detail                   draft                          POST  login    405      405      405      405      405      405      405      405
reports:detail                   consulting                     GET   login    200      200      200      200      200      404      404      200
reports:detail                   consulting                     POST  login    405      405      405      405      405      405      405      405
reports:detail                   exempt                         GET   login    200      200      200      200      200      200      404      200
reports:detail                   exempt                         POST  login    405      405      405      405      405      405      405      405
# The seed is public, but the internal pages answer only those with a part in it: outsider gets 404
# there (the public pages link everyone to /papers/), the anonymous visitor is sent to /papers/.
reports:detail                   seed                           GET   302      200      200      200      200      200      200      404      200
reports:detail                   seed                           POST  302      405      405      405      405      405      405      405      405
reports:edit                     draft                          GET   login    200      404      404      404      200      404      404      200
reports:edit                     draft                          POST  login    302*     404      404      404      302*     404      404      302*
reports:edit                     exempt                         GET   login    302      404      404      404      302      404      404      302
reports:edit                     exempt                         POST  login    302      404      404      404      302      404      404      302
reports:edit                     consulting                     GET   login    200      404      404      404      200      404      404      200
reports:edit                     consulting                     POST  login    302*     404      404      404      302*     404      404      302*
reports:pdf                      draft                          GET   login    200      404      404      404      200      404      404      200
reports:pdf                      draft                          POST  login    405      405      405      405      405      405      405      405
reports:pdf                      exempt                         GET   login    200      200      200      200      200      200      404      200
reports:pdf                      exempt                         POST  login    405      405      405      405      405      405      405      405
reports:pdf                      seed                           GET   302      200      200      200      200      200      200      404      200
reports:pdf                      seed                           POST  302      405      405      405      405      405      405      405      405
wordio:export                    draft                          GET   login    200      404      404      404      200      404      404      200
wordio:export                    draft                          POST  login    405      405      405      405      405      405      405      405
wordio:export                    exempt                         GET   login    200      200      200      200      200      200      404      200
wordio:export                    exempt                         POST  login    405      405      405      405      405      405      405      405
wordio:export                    seed                           GET   login    200      200      200      200      200      200      404      200
wordio:export                    seed                           POST  login    405      405      405      405      405      405      405      405
wordio:import                    -                              GET   login    405      405      405      405      405      405      405      405
wordio:import                    -                              POST  login    302*     404      404      302*     302*     404      302*     302*
# What a Word import made of a draft, and what it did not place: for those with a part in its making.
wordio:import_report             draft                          GET   login    200      404      404      404      200      404      404      200
wordio:import_report             draft                          POST  login    405      405      405      405      405      405      405      405
wordio:import_report             exempt                         GET   login    200      200      200      200      200      404      404      200
wordio:import_report             exempt                         POST  login    405      405      405      405      405      405      405      405
wordio:import_report             seed                           GET   login    404      404      404      404      404      404      404      404
wordio:import_report             seed                           POST  login    405      405      405      405      405      405      405      405
reports:print_preview            draft                          GET   login    200      404      404      404      200      404      404      200
reports:print_preview            draft                          POST  login    405      405      405      405      405      405      405      405
reports:print_preview            exempt                         GET   login    200      200      200      200      200      200      404      200
reports:print_preview            exempt                         POST  login    405      405      405      405      405      405      405      405

# The workflow: each step on a report where it is allowed and on one where it is not. A refused
# step goes back to the report with a message (302) or shows the page again with it (409).
reports:submit                   complete                       GET   login    405      405      405      405      405      405      405      405
reports:submit                   complete                       POST  login    302*     404      404      404      302      404      404      302
reports:submit                   consulting                     GET   login    405      405      405      405      405      405      405      405
reports:submit                   consulting                     POST  login    302      302      302      302      302      404      404      302
reports:consult                  consulting                     GET   login    404      200      200      404      404      404      404      404
reports:consult                  consulting                     POST  login    405      405      405      405      405      405      405      405
reports:consult                  draft                          GET   login    404      404      404      404      404      404      404      404
reports:consult                  draft                          POST  login    405      405      405      405      405      405      405      405
reports:sign_off                 consulting                     GET   login    405      405      405      405      405      405      405      405
reports:sign_off                 consulting                     POST  login    404      302*     302*     404      404      404      404      404
# Already signed off: the consultee's page again, with the refusal on it (409).
reports:sign_off                 signed                         GET   login    405      405      405      405      405      405      405      405
reports:sign_off                 signed                         POST  login    404      409      409      404      404      404      404      404
reports:return                   consulting                     GET   login    405      405      405      405      405      405      405      405
reports:return                   consulting                     POST  login    404      302*     302*     302      404      404      404      404
reports:return                   draft                          GET   login    405      405      405      405      405      405      405      405
# The approver may return a signed-off report too; consultees are told it is too late (their page, 409).
reports:return                   signed                         GET   login    405      405      405      405      405      405      405      405
reports:return                   signed                         POST  login    404      409      409      302*     404      404      404      404
reports:return                   draft                          POST  login    404      404      404      404      404      404      404      404
reports:approve                  signed                         GET   login    405      405      405      405      405      405      405      405
reports:approve                  signed                         POST  login    302      302      302      302*     302      404      404      302
reports:approve                  consulting                     GET   login    405      405      405      405      405      405      405      405
reports:approve                  consulting                     POST  login    302      302      302      302      302      404      404      302
# Only the approver or democratic services; administrators are not democratic services.
reports:withdraw_approval        approved                       GET   login    302      302      302      200      200      302      404      302
reports:withdraw_approval        approved                       POST  login    409      409      409      302*     302*     409      404      409
reports:withdraw_approval        seed                           GET   login    302      302      302      302      302      302      404      302
reports:withdraw_approval        seed                           POST  login    409      409      409      409      409      409      404      409
# Accepting a key decision onto the Forward Plan: democratic services and administrators. Anyone
# else who may see the report is sent back to it with a message; an entry accepted already stays.
reports:forward_plan_accept      planned                        GET   login    405      405      405      405      405      405      405      405
reports:forward_plan_accept      planned                        POST  login    302      404      404      404      302*     404      404      302*
reports:forward_plan_accept      exempt                         GET   login    405      405      405      405      405      405      405      405
reports:forward_plan_accept      exempt                         POST  login    302      302      302      302      302      302      404      302
# Exempt papers reviewed for release (issue 16): democratic services and administrators alone; a public
# report's release page sends them back to it. Releasing makes the exempt report public.
reports:exempt_papers            -                              GET   login    404      404      404      404      200      404      404      200
reports:exempt_papers            -                              POST  login    405      405      405      405      405      405      405      405
reports:release                  exempt                         GET   login    404      404      404      404      200      404      404      200
reports:release                  exempt                         POST  login    404      404      404      404      302*     404      404      302*
reports:release                  seed                           GET   login    404      404      404      404      302      404      404      302
reports:release                  seed                           POST  login    404      404      404      404      302      404      404      302
reports:release_terms            exempt                         GET   login    405      405      405      405      405      405      405      405
reports:release_terms            exempt                         POST  login    404      404      404      404      302*     404      404      302*

# History and appendices. Board members read the finished report, not its drafts' history.
reports:history                  draft                          GET   login    200      404      404      404      200      404      404      200
reports:history                  draft                          POST  login    405      405      405      405      405      405      405      405
reports:history                  exempt                         GET   login    200      200      200      200      200      404      404      200
reports:history                  exempt                         POST  login    405      405      405      405      405      405      405      405
reports:version                  draft/1                        GET   login    200      404      404      404      200      404      404      200
reports:version                  draft/1                        POST  login    405      405      405      405      405      405      405      405
reports:version                  exempt/1                       GET   login    200      200      200      200      200      404      404      200
reports:version                  exempt/1                       POST  login    405      405      405      405      405      405      405      405
reports:compare                  draft                          GET   login    200      404      404      404      200      404      404      200
reports:compare                  draft                          POST  login    405      405      405      405      405      405      405      405
reports:compare                  exempt                         GET   login    200      200      200      200      200      404      404      200
reports:compare                  exempt                         POST  login    405      405      405      405      405      405      405      405
reports:appendix_upload          draft                          GET   login    405      405      405      405      405      405      405      405
reports:appendix_upload          draft                          POST  login    302*     404      404      404      302*     404      404      302*
reports:appendix_upload          exempt                         GET   login    405      405      405      405      405      405      405      405
reports:appendix_upload          exempt                         POST  login    302      404      404      404      302      404      404      302
reports:appendix_upload          consulting                     GET   login    405      405      405      405      405      405      405      405
reports:appendix_upload          consulting                     POST  login    302*     404      404      404      302*     404      404      302*
reports:appendix                 draft/draft_appendix           GET   login    200      404      404      404      200      404      404      200
reports:appendix                 draft/draft_appendix           POST  login    405      405      405      405      405      405      405      405
reports:appendix                 exempt/exempt_appendix         GET   login    200      200      200      200      200      200      404      200
reports:appendix                 exempt/exempt_appendix         POST  login    405      405      405      405      405      405      405      405
reports:appendix                 consulting/consulting_appendix GET   login    200      200      200      200      200      404      404      200
reports:appendix                 consulting/consulting_appendix POST  login    405      405      405      405      405      405      405      405
reports:appendix_original        draft/draft_appendix           GET   login    200      404      404      404      200      404      404      200
reports:appendix_original        draft/draft_appendix           POST  login    405      405      405      405      405      405      405      405
reports:appendix_original        exempt/exempt_appendix         GET   login    200      200      200      200      200      200      404      200
reports:appendix_original        exempt/exempt_appendix         POST  login    405      405      405      405      405      405      405      405
reports:appendix_thumbnail       draft/draft_appendix           GET   login    200      404      404      404      200      404      404      200
reports:appendix_thumbnail       draft/draft_appendix           POST  login    405      405      405      405      405      405      405      405
reports:appendix_thumbnail       exempt/exempt_appendix         GET   login    200      200      200      200      200      200      404      200
reports:appendix_thumbnail       exempt/exempt_appendix         POST  login    405      405      405      405      405      405      405      405
reports:appendix_status          draft                          GET   login    200      404      404      404      200      404      404      200
reports:appendix_status          draft                          POST  login    405      405      405      405      405      405      405      405
reports:appendix_status          exempt                         GET   login    200      404      404      404      200      404      404      200
reports:appendix_status          exempt                         POST  login    405      405      405      405      405      405      405      405
reports:appendix_delete          draft/draft_appendix           GET   login    405      405      405      405      405      405      405      405
reports:appendix_delete          draft/draft_appendix           POST  login    302*     404      404      404      302*     404      404      302*
reports:appendix_delete          exempt/exempt_appendix         GET   login    405      405      405      405      405      405      405      405
reports:appendix_delete          exempt/exempt_appendix         POST  login    302      404      404      404      302      404      404      302
reports:appendix_delete          consulting/consulting_appendix GET   login    405      405      405      405      405      405      405      405
reports:appendix_delete          consulting/consulting_appendix POST  login    302*     404      404      404      302*     404      404      302*

# Figures: uploaded by whoever may edit the report (201 and a figure kept, the page for a form post without
# the editor's script; an approved report sends them back with a message); an image is shown to whoever
# may read its report, and to everyone once the report is public. No sign-in page for an image: a 404.
reports:figure_upload            draft                          GET   login    405      405      405      405      405      405      405      405
reports:figure_upload            draft                          POST  login    201*     404      404      404      201*     404      404      201*
reports:figure_upload            consulting                     GET   login    405      405      405      405      405      405      405      405
reports:figure_upload            consulting                     POST  login    201*     404      404      404      201*     404      404      201*
reports:figure_upload            exempt                         GET   login    405      405      405      405      405      405      405      405
reports:figure_upload            exempt                         POST  login    302      404      404      404      302      404      404      302
reports:figure                   draft/draft_figure             GET   404      200      404      404      404      200      404      404      200
reports:figure                   draft/draft_figure             POST  405      405      405      405      405      405      405      405      405
reports:figure                   exempt/exempt_figure           GET   404      200      200      200      200      200      200      404      200
reports:figure                   exempt/exempt_figure           POST  405      405      405      405      405      405      405      405      405
reports:figure                   seed/seed_figure               GET   200      200      200      200      200      200      200      200      200
reports:figure                   seed/seed_figure               POST  405      405      405      405      405      405      405      405      405

# Boards and meetings: the board's next meeting, published with the exempt report in Part 2, and a
# meeting still being compiled (standard items, a report and another item).
boards:list                      -                              GET   200      200      200      200      200      200      200      200      200
boards:list                      -                              POST  405      405      405      405      405      405      405      405      405
boards:detail                    board                          GET   200      200      200      200      200      200      200      200      200
boards:detail                    board                          POST  405      405      405      405      405      405      405      405      405
boards:meetings                  -                              GET   200      200      200      200      200      200      200      200      200
boards:meetings                  -                              POST  405      405      405      405      405      405      405      405      405
boards:meeting_new               -                              GET   login    404      404      404      404      200      404      404      200
boards:meeting_new               -                              POST  login    404      404      404      404      302*     404      404      302*
# A programme of meetings from a rule, for democratic services (and administrators, as /meetings/new/): GET
# previews (it makes nothing), POST makes the ticked dates.
boards:programme                 board                          GET   login    404      404      404      404      200      404      404      200
boards:programme                 board                          POST  login    404      404      404      404      302*     404      404      302*
# A board's settings and members, for democratic services (issue 17): the board's own settings saved, a
# councillor (invitee) added as a substitute, member's seat given another role from tomorrow or ended today.
# Retiring the board is refused (it has meetings to come): back to its settings with the reason.
boards:new                       -                              GET   login    404      404      404      404      200      404      404      200
boards:new                       -                              POST  login    404      404      404      404      302*     404      404      302*
boards:settings                  board                          GET   login    404      404      404      404      200      404      404      200
boards:settings                  board                          POST  login    404      404      404      404      302*     404      404      302*
boards:retire                    board                          GET   login    405      405      405      405      405      405      405      405
boards:retire                    board                          POST  login    404      404      404      404      302      404      404      302
boards:members                   board                          GET   login    404      404      404      404      200      404      404      200
boards:members                   board                          POST  login    404      404      404      404      302*     404      404      302*
boards:membership                board/seat                     GET   login    404      404      404      404      200      404      404      200
boards:membership                board/seat                     POST  login    405      405      405      405      405      405      405      405
boards:membership_role           board/seat                     GET   login    405      405      405      405      405      405      405      405
boards:membership_role           board/seat                     POST  login    404      404      404      404      302*     404      404      302*
boards:membership_end            board/seat                     GET   login    405      405      405      405      405      405      405      405
boards:membership_end            board/seat                     POST  login    404      404      404      404      302*     404      404      302*
boards:meeting                   published                      GET   200      200      200      200      200      200      200      200      200
boards:meeting                   published                      POST  405      405      405      405      405      405      405      405      405
# Not published: every meeting has a public page from the moment it is scheduled (calendars link to
# it), so the visitor gets 200 too, like everyone: its date, venue and board and "not published yet",
# nothing of its agenda (tests/test_public_cache.py, test_http.py). Its packs stay 404 below.
boards:meeting                   scheduled                      GET   200      200      200      200      200      200      200      200      200
boards:meeting                   scheduled                      POST  405      405      405      405      405      405      405      405      405
# Moving a meeting (date, time, venue): the compiling one is moved; the published one too (its members
# are emailed, its packs queued as a new edition); the held one is refused whole.
boards:meeting_move              scheduled                      GET   login    404      404      404      404      200      404      404      200
boards:meeting_move              scheduled                      POST  login    404      404      404      404      302*     404      404      302*
boards:meeting_move              published                      GET   login    404      404      404      404      200      404      404      200
boards:meeting_move              published                      POST  login    404      404      404      404      302*     404      404      302*
boards:meeting_move              held                           GET   login    404      404      404      404      200      404      404      200
boards:meeting_move              held                           POST  login    404      404      404      404      400      404      404      400
boards:meeting_status            scheduled                      GET   login    405      405      405      405      405      405      405      405
boards:meeting_status            scheduled                      POST  login    404      404      404      404      302*     404      404      302*
# Decisions are recorded once a meeting is held (the demo's 14 September 2022); before, refused whole.
boards:meeting_decisions         held                           GET   login    404      404      404      404      200      404      404      200
boards:meeting_decisions         held                           POST  login    404      404      404      404      302*     404      404      302*
boards:meeting_decisions         published                      GET   login    404      404      404      404      200      404      404      200
boards:meeting_decisions         published                      POST  login    404      404      404      404      400      404      404      400
boards:agenda_add_report         scheduled                      GET   login    405      405      405      405      405      405      405      405
boards:agenda_add_report         scheduled                      POST  login    404      404      404      404      302*     404      404      302*
boards:agenda_add_item           scheduled                      GET   login    405      405      405      405      405      405      405      405
boards:agenda_add_item           scheduled                      POST  login    404      404      404      404      302*     404      404      302*
boards:agenda_remove_item        scheduled/placed_item          GET   login    405      405      405      405      405      405      405      405
boards:agenda_remove_item        scheduled/placed_item          POST  login    404      404      404      404      302*     404      404      302*
boards:agenda_remove_item        published/exempt_item          GET   login    405      405      405      405      405      405      405      405
boards:agenda_remove_item        published/exempt_item          POST  login    404      404      404      404      302      404      404      302
boards:agenda_reorder            scheduled                      GET   login    405      405      405      405      405      405      405      405
boards:agenda_reorder            scheduled                      POST  login    404      404      404      404      302*     404      404      302*
# admin may compile agendas (democratic services' pages are open to administrators) but not publish one:
# publishing publishes its reports, which only democratic services may do, so it is refused whole.
boards:agenda_publish            scheduled                      GET   login    405      405      405      405      405      405      405      405
boards:agenda_publish            scheduled                      POST  login    404      404      404      404      302*     404      404      302
boards:pack_status               published                      GET   200      200      200      200      200      200      200      200      200
boards:pack_status               published                      POST  405      405      405      405      405      405      405      405      405
boards:pack_status               scheduled                      GET   404      200      200      200      200      200      200      200      200
boards:pack_status               scheduled                      POST  405      405      405      405      405      405      405      405      405
# "Build again" queues the packs that are not current: the published meeting's are, so nothing changes.
boards:pack_build_again          published                      GET   login    405      405      405      405      405      405      405      405
boards:pack_build_again          published                      POST  login    404      404      404      404      302      404      404      302
boards:pack_build_again          scheduled                      GET   login    405      405      405      405      405      405      405      405
boards:pack_build_again          scheduled                      POST  login    404      404      404      404      302      404      404      302
# Reports due for a meeting, their state and whom they wait for (issue 17): democratic services only.
deadlines:reports_due            scheduled                      GET   login    404      404      404      404      200      404      404      200
deadlines:reports_due            scheduled                      POST  login    405      405      405      405      405      405      405      405
deadlines:reports_due            published                      GET   login    404      404      404      404      200      404      404      200
deadlines:reports_due            published                      POST  login    405      405      405      405      405      405      405      405
boards:agenda_pdf                published                      GET   200      200      200      200      200      200      200      200      200
boards:agenda_pdf                published                      POST  405      405      405      405      405      405      405      405      405
boards:agenda_pdf                scheduled                      GET   404      404      404      404      404      503      404      404      503
boards:agenda_pdf                scheduled                      POST  405      405      405      405      405      405      405      405      405
boards:public_pack               published                      GET   200      200      200      200      200      200      200      200      200
boards:public_pack               published                      POST  405      405      405      405      405      405      405      405      405
boards:public_pack               scheduled                      GET   404      404      404      404      404      503      404      404      503
boards:public_pack               scheduled                      POST  405      405      405      405      405      405      405      405      405
boards:members_pack              published                      GET   login    404      404      404      404      200      200      404      200
boards:members_pack              published                      POST  login    405      405      405      405      405      405      405      405
boards:members_pack              scheduled                      GET   login    404      404      404      404      503      404      404      503
boards:members_pack              scheduled                      POST  login    405      405      405      405      405      405      405      405
# Supplementary agendas: published, like the agenda's packs; waiting (number 2), nobody's yet.
boards:supplement_public_pack    published/1                    GET   200      200      200      200      200      200      200      200      200
boards:supplement_public_pack    published/1                    POST  405      405      405      405      405      405      405      405      405
boards:supplement_public_pack    published/2                    GET   404      404      404      404      404      404      404      404      404
boards:supplement_public_pack    published/2                    POST  405      405      405      405      405      405      405      405      405
boards:supplement_members_pack   published/1                    GET   login    404      404      404      404      200      200      404      200
boards:supplement_members_pack   published/1                    POST  login    405      405      405      405      405      405      405      405
boards:supplement_members_pack   published/2                    GET   login    404      404      404      404      404      404      404      404
boards:supplement_members_pack   published/2                    POST  login    405      405      405      405      405      405      405      405
# Publishing the waiting supplement (an item that is not a report) is democratic services' work, which
# administrators may do too; a supplement holding a report is refused to them, as the agenda is.
boards:supplement_publish        published                      GET   login    405      405      405      405      405      405      405      405
boards:supplement_publish        published                      POST  login    404      404      404      404      302*     404      404      302*

# Councillors and attendance (members/). The councillor pages are public; `councillor` is the demo's
# member, who has no photo (404 for everyone). Attendance is democratic services' (and administrators'):
# recorded from the meeting's day (the held meeting), refused whole before it (the published one, 400).
members:councillors              -                              GET   200      200      200      200      200      200      200      200      200
members:councillors              -                              POST  405      405      405      405      405      405      405      405      405
members:councillor               councillor                     GET   200      200      200      200      200      200      200      200      200
members:councillor               councillor                     POST  405      405      405      405      405      405      405      405      405
members:councillor               officer                        GET   404      404      404      404      404      404      404      404      404
members:councillor               officer                        POST  405      405      405      405      405      405      405      405      405
members:councillor_photo         councillor                     GET   404      404      404      404      404      404      404      404      404
members:councillor_photo         councillor                     POST  405      405      405      405      405      405      405      405      405
members:attendance               held                           GET   login    404      404      404      404      200      404      404      200
members:attendance               held                           POST  login    404      404      404      404      302*     404      404      302*
members:attendance               published                      GET   login    404      404      404      404      200      404      404      200
members:attendance               published                      POST  login    404      404      404      404      400      404      404      400
# Apologies: a member expected at the meeting sends their own, before it (the published meeting is the
# board's next); anyone else gets 404. After the meeting, or with none to withdraw, back with a message.
members:my_apologies             -                              GET   login    200      200      200      200      200      200      200      200
members:my_apologies             -                              POST  login    405      405      405      405      405      405      405      405
members:apologies_send           published                      GET   login    405      405      405      405      405      405      405      405
members:apologies_send           published                      POST  login    404      404      404      404      404      302*     404      404
members:apologies_send           held                           GET   login    405      405      405      405      405      405      405      405
members:apologies_send           held                           POST  login    404      404      404      404      404      302      404      404
members:apologies_withdraw       published                      GET   login    405      405      405      405      405      405      405      405
members:apologies_withdraw       published                      POST  login    404      404      404      404      404      302      404      404

# Minutes (minutes/). Democratic services (and administrators) draft them once the meeting is held
# (the held meeting: drafted, 302*), not before it (the published one: refused, 400). The public
# page and the PDF answer 404 until the minutes are published (neither meeting's are); anyone else's
# POST is a 404 (the page is the public minutes for them). Publishing minutes not drafted is refused.
minutes:minutes                  held                           GET   404      404      404      404      404      200      404      404      200
minutes:minutes                  held                           POST  404      404      404      404      404      302*     404      404      302*
minutes:minutes                  published                      GET   404      404      404      404      404      200      404      404      200
minutes:minutes                  published                      POST  404      404      404      404      404      400      404      404      400
minutes:publish                  held                           GET   login    405      405      405      405      405      405      405      405
minutes:publish                  held                           POST  login    404      404      404      404      302      404      404      302
minutes:pdf                      held                           GET   404      404      404      404      404      404      404      404      404
minutes:pdf                      held                           POST  405      405      405      405      405      405      405      405      405

# The public site and open data: no sign-in, and nothing exempt or unpublished.
public:home                      -                              GET   200      200      200      200      200      200      200      200      200
public:home                      -                              POST  405      405      405      405      405      405      405      405      405
public:calendar                  -                              GET   200      200      200      200      200      200      200      200      200
public:calendar                  -                              POST  405      405      405      405      405      405      405      405      405
public:paper                     seed                           GET   200      200      200      200      200      200      200      200      200
public:paper                     seed                           POST  405      405      405      405      405      405      405      405      405
public:paper                     exempt                         GET   404      404      404      404      404      404      404      404      404
public:paper                     exempt                         POST  405      405      405      405      405      405      405      405      405
public:paper_pdf                 seed                           GET   200      200      200      200      200      200      200      200      200
public:paper_pdf                 seed                           POST  405      405      405      405      405      405      405      405      405
public:paper_pdf                 exempt                         GET   404      404      404      404      404      404      404      404      404
public:paper_pdf                 exempt                         POST  405      405      405      405      405      405      405      405      405
public:paper_appendix            seed/seed_appendix             GET   200      200      200      200      200      200      200      200      200
public:paper_appendix            seed/seed_appendix             POST  405      405      405      405      405      405      405      405      405
public:paper_appendix            exempt/exempt_appendix         GET   404      404      404      404      404      404      404      404      404
public:paper_appendix            exempt/exempt_appendix         POST  405      405      405      405      405      405      405      405      405
public:forward_plan              -                              GET   200      200      200      200      200      200      200      200      200
public:forward_plan              -                              POST  405      405      405      405      405      405      405      405      405
public:forward_plan_pdf          -                              GET   200      200      200      200      200      200      200      200      200
public:forward_plan_pdf          -                              POST  405      405      405      405      405      405      405      405      405
# The issue's story (issue 16): public for a key decision on the Forward Plan (exempt ones too, showing
# what the plan shows) and for a public report; nobody's for a draft or an entry not yet accepted.
public:issue                     seed                           GET   200      200      200      200      200      200      200      200      200
public:issue                     seed                           POST  405      405      405      405      405      405      405      405      405
public:issue                     exempt                         GET   200      200      200      200      200      200      200      200      200
public:issue                     exempt                         POST  405      405      405      405      405      405      405      405      405
public:issue                     accepted                       GET   200      200      200      200      200      200      200      200      200
public:issue                     accepted                       POST  405      405      405      405      405      405      405      405      405
public:issue                     draft                          GET   404      404      404      404      404      404      404      404      404
public:issue                     draft                          POST  405      405      405      405      405      405      405      405      405
public:issue                     planned                        GET   404      404      404      404      404      404      404      404      404
public:issue                     planned                        POST  405      405      405      405      405      405      405      405      405
public:issue                     approved                       GET   404      404      404      404      404      404      404      404      404
public:issue                     approved                       POST  405      405      405      405      405      405      405      405      405
public:search                    -                              GET   200      200      200      200      200      200      200      200      200
public:search                    -                              POST  405      405      405      405      405      405      405      405      405
public:open_data                 -                              GET   200      200      200      200      200      200      200      200      200
public:open_data                 -                              POST  405      405      405      405      405      405      405      405      405
# Django's feed views answer any method; a POST reads the feed and changes nothing.
public:agendas_rss               -                              GET   200      200      200      200      200      200      200      200      200
public:agendas_rss               -                              POST  405      405      405      405      405      405      405      405      405
public:agendas_atom              -                              GET   200      200      200      200      200      200      200      200      200
public:agendas_atom              -                              POST  405      405      405      405      405      405      405      405      405
public:board_agendas_rss         board                          GET   200      200      200      200      200      200      200      200      200
public:board_agendas_rss         board                          POST  405      405      405      405      405      405      405      405      405
public:board_agendas_atom        board                          GET   200      200      200      200      200      200      200      200      200
public:board_agendas_atom        board                          POST  405      405      405      405      405      405      405      405      405
public:minutes_rss               -                              GET   200      200      200      200      200      200      200      200      200
public:minutes_rss               -                              POST  405      405      405      405      405      405      405      405      405
public:minutes_atom              -                              GET   200      200      200      200      200      200      200      200      200
public:minutes_atom              -                              POST  405      405      405      405      405      405      405      405      405
public:board_minutes_rss         board                          GET   200      200      200      200      200      200      200      200      200
public:board_minutes_rss         board                          POST  405      405      405      405      405      405      405      405      405
public:board_minutes_atom        board                          GET   200      200      200      200      200      200      200      200      200
public:board_minutes_atom        board                          POST  405      405      405      405      405      405      405      405      405
public:meetings_ical             -                              GET   200      200      200      200      200      200      200      200      200
public:meetings_ical             -                              POST  405      405      405      405      405      405      405      405      405
public:board_meetings_ical       board                          GET   200      200      200      200      200      200      200      200      200
public:board_meetings_ical       board                          POST  405      405      405      405      405      405      405      405      405
api:system                       -                              GET   200      200      200      200      200      200      200      200      200
api:system                       -                              POST  405      405      405      405      405      405      405      405      405
api:bodies                       -                              GET   200      200      200      200      200      200      200      200      200
api:bodies                       -                              POST  405      405      405      405      405      405      405      405      405
api:body                         1                              GET   200      200      200      200      200      200      200      200      200
api:body                         1                              POST  405      405      405      405      405      405      405      405      405
api:organizations                -                              GET   200      200      200      200      200      200      200      200      200
api:organizations                -                              POST  405      405      405      405      405      405      405      405      405
api:organization                 board_id                       GET   200      200      200      200      200      200      200      200      200
api:organization                 board_id                       POST  405      405      405      405      405      405      405      405      405
api:meetings                     -                              GET   200      200      200      200      200      200      200      200      200
api:meetings                     -                              POST  405      405      405      405      405      405      405      405      405
api:meeting                      published                      GET   200      200      200      200      200      200      200      200      200
api:meeting                      published                      POST  405      405      405      405      405      405      405      405      405
api:meeting                      scheduled                      GET   200      200      200      200      200      200      200      200      200
api:meeting                      scheduled                      POST  405      405      405      405      405      405      405      405      405
api:agenda_items                 -                              GET   200      200      200      200      200      200      200      200      200
api:agenda_items                 -                              POST  405      405      405      405      405      405      405      405      405
api:agenda_item                  seed_item                      GET   200      200      200      200      200      200      200      200      200
api:agenda_item                  seed_item                      POST  405      405      405      405      405      405      405      405      405
api:agenda_item                  exempt_item                    GET   200      200      200      200      200      200      200      200      200
api:agenda_item                  exempt_item                    POST  405      405      405      405      405      405      405      405      405
api:agenda_item                  placed_item                    GET   404      404      404      404      404      404      404      404      404
api:agenda_item                  placed_item                    POST  405      405      405      405      405      405      405      405      405
api:papers                       -                              GET   200      200      200      200      200      200      200      200      200
api:papers                       -                              POST  405      405      405      405      405      405      405      405      405
api:paper                        seed                           GET   200      200      200      200      200      200      200      200      200
api:paper                        seed                           POST  405      405      405      405      405      405      405      405      405
api:paper                        exempt                         GET   404      404      404      404      404      404      404      404      404
api:paper                        exempt                         POST  405      405      405      405      405      405      405      405      405
api:persons                      -                              GET   200      200      200      200      200      200      200      200      200
api:persons                      -                              POST  405      405      405      405      405      405      405      405      405
api:person                       councillor                     GET   200      200      200      200      200      200      200      200      200
api:person                       councillor                     POST  405      405      405      405      405      405      405      405      405
api:person                       officer                        GET   404      404      404      404      404      404      404      404      404
api:person                       officer                        POST  405      405      405      405      405      405      405      405      405
api:memberships                  -                              GET   200      200      200      200      200      200      200      200      200
api:memberships                  -                              POST  405      405      405      405      405      405      405      405      405
api:membership                   seat                           GET   200      200      200      200      200      200      200      200      200
api:membership                   seat                           POST  405      405      405      405      405      405      405      405      405
api:file                         seed_file                      GET   200      200      200      200      200      200      200      200      200
api:file                         seed_file                      POST  405      405      405      405      405      405      405      405      405
api:file                         seed_appendix_file             GET   200      200      200      200      200      200      200      200      200
api:file                         seed_appendix_file             POST  405      405      405      405      405      405      405      405      405
api:file                         agenda_file                    GET   200      200      200      200      200      200      200      200      200
api:file                         agenda_file                    POST  405      405      405      405      405      405      405      405      405
api:file                         exempt_file                    GET   404      404      404      404      404      404      404      404      404
api:file                         exempt_file                    POST  405      405      405      405      405      405      405      405      405
api:file                         exempt_appendix_file           GET   404      404      404      404      404      404      404      404      404
api:file                         exempt_appendix_file           POST  405      405      405      405      405      405      405      405      405
api:location                     meeting_location               GET   200      200      200      200      200      200      200      200      200
api:location                     meeting_location               POST  405      405      405      405      405      405      405      405      405
api:location                     board_location                 GET   200      200      200      200      200      200      200      200      200
api:location                     board_location                 POST  405      405      405      405      405      405      405      405      405
api:consultation                 seed_item                      GET   200      200      200      200      200      200      200      200      200
api:consultation                 seed_item                      POST  405      405      405      405      405      405      405      405      405
api:consultation                 exempt_item                    GET   404      404      404      404      404      404      404      404      404
api:consultation                 exempt_item                    POST  405      405      405      405      405      405      405      405      405
# What stays of the objects of a meeting cancelled after publication: deleted objects, public to all.
api:meeting                      cancelled                      GET   200      200      200      200      200      200      200      200      200
api:meeting                      cancelled                      POST  405      405      405      405      405      405      405      405      405
api:paper                        withdrawn                      GET   200      200      200      200      200      200      200      200      200
api:paper                        withdrawn                      POST  405      405      405      405      405      405      405      405      405
api:agenda_item                  withdrawn_item                 GET   200      200      200      200      200      200      200      200      200
api:agenda_item                  withdrawn_item                 POST  405      405      405      405      405      405      405      405      405
api:consultation                 withdrawn_item                 GET   200      200      200      200      200      200      200      200      200
api:consultation                 withdrawn_item                 POST  405      405      405      405      405      405      405      405      405
api:file                         withdrawn_file                 GET   200      200      200      200      200      200      200      200      200
api:file                         withdrawn_file                 POST  405      405      405      405      405      405      405      405      405
# Any other address under the API: OParl's error object.
api:not_found                    nothing                        GET   404      404      404      404      404      404      404      404      404
api:not_found                    nothing                        POST  405      405      405      405      405      405      405      405      405
# Decisions in the open data API (types of our own): officer decisions on the register, an exempt one as
# its page shows it; one never published never answered (404); the executive's decision notices.
api:officer_decisions            -                              GET   200      200      200      200      200      200      200      200      200
api:officer_decisions            -                              POST  405      405      405      405      405      405      405      405      405
api:officer_decision             od_published                   GET   200      200      200      200      200      200      200      200      200
api:officer_decision             od_published                   POST  405      405      405      405      405      405      405      405      405
api:officer_decision             od_exempt                      GET   200      200      200      200      200      200      200      200      200
api:officer_decision             od_exempt                      POST  405      405      405      405      405      405      405      405      405
api:officer_decision             od_draft                       GET   404      404      404      404      404      404      404      404      404
api:officer_decision             od_draft                       POST  405      405      405      405      405      405      405      405      405
api:officer_decision             od_submitted                   GET   404      404      404      404      404      404      404      404      404
api:officer_decision             od_submitted                   POST  405      405      405      405      405      405      405      405      405
api:decision_notices             -                              GET   200      200      200      200      200      200      200      200      200
api:decision_notices             -                              POST  405      405      405      405      405      405      405      405      405
api:decision_notice              notice                         GET   200      200      200      200      200      200      200      200      200
api:decision_notice              notice                         POST  405      405      405      405      405      405      405      405      405

# Decision notices of executive boards (decisions/): public register and notices; democratic services
# publish from a held executive meeting, correct and record call-in outcomes; members of a committee that
# scrutinises the board (member, in this world) call decisions in and sign; everyone else gets 404.
public:decisions_rss             -                              GET   200      200      200      200      200      200      200      200      200
public:decisions_rss             -                              POST  405      405      405      405      405      405      405      405      405
public:decisions_atom            -                              GET   200      200      200      200      200      200      200      200      200
public:decisions_atom            -                              POST  405      405      405      405      405      405      405      405      405
decisions:register               -                              GET   200      200      200      200      200      200      200      200      200
decisions:register               -                              POST  405      405      405      405      405      405      405      405      405
decisions:notice                 notice                         GET   200      200      200      200      200      200      200      200      200
decisions:notice                 notice                         POST  405      405      405      405      405      405      405      405      405
decisions:correct                notice                         GET   login    404      404      404      404      200      404      404      200
decisions:correct                notice                         POST  login    404      404      404      404      400      404      404      400
decisions:call_in                notice                         GET   login    404      404      404      404      404      200      404      404
decisions:call_in                notice                         POST  login    404      404      404      404      404      400      404      404
decisions:sign                   notice                         GET   login    405      405      405      405      405      405      405      405
decisions:sign                   notice                         POST  login    404      404      404      404      404      302      404      404
decisions:outcome                notice                         GET   login    405      405      405      405      405      405      405      405
decisions:outcome                notice                         POST  login    404      404      404      404      302      404      404      302
# A special meeting to hear a call-in: democratic services only; `notice` is not called in, so they are sent
# back to it with a message and nothing changes (tests/test_special_meeting.py convenes one).
decisions:convene                notice                         GET   login    404      404      404      404      302      404      404      302
decisions:convene                notice                         POST  login    404      404      404      404      302      404      404      302
decisions:meeting_notices        cabinet_held                   GET   login    404      404      404      404      200      404      404      200
decisions:meeting_notices        cabinet_held                   POST  login    405      405      405      405      405      405      405      405
decisions:publish                cabinet_held/decided_item      GET   login    404      404      404      404      200      404      404      200
decisions:publish                cabinet_held/decided_item      POST  login    404      404      404      404      400      404      404      400
# Follow by email (follow/): public pages, no sign-in, the same for everyone. The form's POST asks to follow
# (200*: the "check your email" page); a link's token is the only key: follow_pending is a subscription
# not yet confirmed, follow_confirmed one confirmed; a token never sent is a 404. Confirming and stopping
# are POSTs (200*); the unsubscribe POST takes no CSRF token (RFC 8058 one-click).
follow:follow                    -                              GET   200      200      200      200      200      200      200      200      200
follow:follow                    -                              POST  200*     200*     200*     200*     200*     200*     200*     200*     200*
follow:confirm                   follow_pending                 GET   200      200      200      200      200      200      200      200      200
follow:confirm                   follow_pending                 POST  200*     200*     200*     200*     200*     200*     200*     200*     200*
follow:confirm                   nosuchtoken                    GET   404      404      404      404      404      404      404      404      404
follow:confirm                   nosuchtoken                    POST  404      404      404      404      404      404      404      404      404
follow:unsubscribe               follow_confirmed               GET   200      200      200      200      200      200      200      200      200
follow:unsubscribe               follow_confirmed               POST  200*     200*     200*     200*     200*     200*     200*     200*     200*
follow:unsubscribe               nosuchtoken                    GET   404      404      404      404      404      404      404      404      404
follow:unsubscribe               nosuchtoken                    POST  404      404      404      404      404      404      404      404      404

# The register of members' interests (interests/). The public register is public; a person not on a
# board has no register page (404). Only a member (member) proposes changes to their own register;
# only the monitoring officer (legal) accepts or returns them; everyone else gets 404.
interests:register               -                              GET   200      200      200      200      200      200      200      200      200
interests:register               -                              POST  405      405      405      405      405      405      405      405      405
interests:member_register        member_user                    GET   200      200      200      200      200      200      200      200      200
interests:member_register        member_user                    POST  405      405      405      405      405      405      405      405      405
interests:member_register        officer                        GET   404      404      404      404      404      404      404      404      404
interests:member_register        officer                        POST  405      405      405      405      405      405      405      405      405
interests:mine                   -                              GET   login    404      404      404      404      404      200      404      404
interests:mine                   -                              POST  login    405      405      405      405      405      405      405      405
interests:add                    -                              GET   login    404      404      404      404      404      200      404      404
interests:add                    -                              POST  login    404      404      404      404      404      302*     404      404
interests:reviewed               -                              GET   login    405      405      405      405      405      405      405      405
interests:reviewed               -                              POST  login    404      404      404      404      404      302*     404      404
interests:edit                   entry                          GET   login    404      404      404      404      404      200      404      404
interests:edit                   entry                          POST  login    404      404      404      404      404      302*     404      404
interests:remove                 entry                          GET   login    405      405      405      405      405      405      405      405
interests:remove                 entry                          POST  login    404      404      404      404      404      302*     404      404
interests:changes                -                              GET   login    404      404      200      404      404      404      404      404
interests:changes                -                              POST  login    405      405      405      405      405      405      405      405
interests:accept                 change                         GET   login    405      405      405      405      405      405      405      405
interests:accept                 change                         POST  login    404      404      302*     404      404      404      404      404
interests:return                 change                         GET   login    405      405      405      405      405      405      405      405
interests:return                 change                         POST  login    404      404      302*     404      404      404      404      404
# Declarations of interest: democratic services record them for any member of the board; the member
# declares their own before the meeting (the board's next meeting), not after it (400, nothing changed).
interests:declarations           held                           GET   login    404      404      404      404      200      404      404      200
interests:declarations           held                           POST  login    404      404      404      404      302*     404      404      302*
interests:declaration_remove     held/declaration               GET   login    405      405      405      405      405      405      405      405
interests:declaration_remove     held/declaration               POST  login    404      404      404      404      302*     404      404      302*
interests:declare                published                      GET   login    404      404      404      404      404      200      404      404
interests:declare                published                      POST  login    404      404      404      404      404      302*     404      404
interests:declare                held                           GET   login    404      404      404      404      404      200      404      404
interests:declare                held                           POST  login    404      404      404      404      404      400      404      404
# Votes (votes/): democratic services alone record the motion and vote on an item, once the meeting is
# held (the board's next meeting: the page says why not, a POST is refused); an item of another meeting is 404.
votes:record                     held/seed_item                 GET   login    404      404      404      404      200      404      404      200
votes:record                     held/seed_item                 POST  login    404      404      404      404      302*     404      404      302*
votes:record                     published/exempt_item          GET   login    404      404      404      404      200      404      404      200
votes:record                     published/exempt_item          POST  login    404      404      404      404      400      404      404      400
votes:record                     held/exempt_item               GET   login    404      404      404      404      404      404      404      404
votes:record                     held/exempt_item               POST  login    404      404      404      404      404      404      404      404

# Officer decisions (officer_decisions/): the register, a published decision's page and the feeds are public
# (a draft or submitted one is 404 to all, its recorder too); an officer who writes reports (officer, director,
# outsider; democratic services and admin too) records one and edits or submits only their own; democratic
# services (clerk, admin) publish or return a submitted one. Councillors and consultees who do not write reports: 404.
officer_decisions:register       -                              GET   200      200      200      200      200      200      200      200      200
officer_decisions:register       -                              POST  405      405      405      405      405      405      405      405      405
officer_decisions:detail         od_published                   GET   200      200      200      200      200      200      200      200      200
officer_decisions:detail         od_published                   POST  405      405      405      405      405      405      405      405      405
officer_decisions:detail         od_exempt                      GET   200      200      200      200      200      200      200      200      200
officer_decisions:detail         od_exempt                      POST  405      405      405      405      405      405      405      405      405
officer_decisions:detail         od_draft                       GET   404      404      404      404      404      404      404      404      404
officer_decisions:detail         od_draft                       POST  405      405      405      405      405      405      405      405      405
officer_decisions:detail         od_submitted                   GET   404      404      404      404      404      404      404      404      404
officer_decisions:detail         od_submitted                   POST  405      405      405      405      405      405      405      405      405
officer_decisions:new            -                              GET   login    200      404      404      200      200      404      200      200
officer_decisions:new            -                              POST  login    302*     404      404      302*     302*     404      302*     302*
officer_decisions:mine           -                              GET   login    200      404      404      200      200      404      200      200
officer_decisions:mine           -                              POST  login    405      405      405      405      405      405      405      405
officer_decisions:edit           od_draft                       GET   login    200      404      404      404      404      404      404      404
officer_decisions:edit           od_draft                       POST  login    302*     404      404      404      404      404      404      404
officer_decisions:edit           od_submitted                   GET   login    302      404      404      404      404      404      404      404
officer_decisions:edit           od_submitted                   POST  login    302      404      404      404      404      404      404      404
officer_decisions:submit         od_draft                       GET   login    200      404      404      404      404      404      404      404
officer_decisions:submit         od_draft                       POST  login    302*     404      404      404      404      404      404      404
officer_decisions:submit         od_submitted                   GET   login    200      404      404      404      404      404      404      404
officer_decisions:submit         od_submitted                   POST  login    200      404      404      404      404      404      404      404
officer_decisions:review         -                              GET   login    404      404      404      404      200      404      404      200
officer_decisions:review         -                              POST  login    405      405      405      405      405      405      405      405
officer_decisions:publish        od_submitted                   GET   login    405      405      405      405      405      405      405      405
officer_decisions:publish        od_submitted                   POST  login    404      404      404      404      302*     404      404      302*
officer_decisions:publish        od_draft                       GET   login    405      405      405      405      405      405      405      405
officer_decisions:publish        od_draft                       POST  login    404      404      404      404      302      404      404      302
officer_decisions:return         od_submitted                   GET   login    405      405      405      405      405      405      405      405
officer_decisions:return         od_submitted                   POST  login    404      404      404      404      302*     404      404      302*
officer_decisions:rss            -                              GET   200      200      200      200      200      200      200      200      200
officer_decisions:rss            -                              POST  405      405      405      405      405      405      405      405      405
officer_decisions:atom           -                              GET   200      200      200      200      200      200      200      200      200
officer_decisions:atom           -                              POST  405      405      405      405      405      405      405      405      405

# Actions arising from decisions (actions/): the tracker and a Part 1 item's action are public; a Part 2
# item's action is read only by its owner (director), democratic services and administrators (its board's
# members and clerk too: none here). The owner and democratic services update an action; democratic
# services record one on a decided item of a held meeting (seed_item of held) and are sent back with the
# reason from an item whose meeting is not held yet (exempt_item of published). Everyone else gets 404.
actions:tracker                  -                              GET   200      200      200      200      200      200      200      200      200
actions:tracker                  -                              POST  405      405      405      405      405      405      405      405      405
actions:mine                     -                              GET   login    200      200      200      200      200      200      200      200
actions:mine                     -                              POST  login    405      405      405      405      405      405      405      405
actions:detail                   action                         GET   200      200      200      200      200      200      200      200      200
actions:detail                   action                         POST  405      405      405      405      405      405      405      405      405
actions:detail                   exempt_action                  GET   404      404      404      404      200      200      404      404      200
actions:detail                   exempt_action                  POST  405      405      405      405      405      405      405      405      405
actions:update                   action                         GET   login    405      405      405      405      405      405      405      405
actions:update                   action                         POST  login    302*     404      404      404      302*     404      404      302*
actions:update                   exempt_action                  GET   login    405      405      405      405      405      405      405      405
actions:update                   exempt_action                  POST  login    404      404      404      302*     302*     404      404      302*
actions:new                      held/seed_item                 GET   login    404      404      404      404      200      404      404      200
actions:new                      held/seed_item                 POST  login    404      404      404      404      302*     404      404      302*
actions:new                      published/exempt_item          GET   login    404      404      404      404      302      404      404      302
actions:new                      published/exempt_item          POST  login    404      404      404      404      302      404      404      302

# Insight (insight/): what the reports' climate, equality and core purpose answers add up to. Public: a visitor
# gets the public's figures (published, non-exempt reports), a signed-in person those of every report they may
# read; the drill-down, each table's CSV and .ods, the scorecard PDF and the open data figures the same.
insight:page                     -                              GET   200      200      200      200      200      200      200      200      200
insight:page                     -                              POST  405      405      405      405      405      405      405      405      405
insight:reports                  -                              GET   200      200      200      200      200      200      200      200      200
insight:reports                  -                              POST  405      405      405      405      405      405      405      405      405
insight:scorecard                -                              GET   200      200      200      200      200      200      200      200      200
insight:scorecard                -                              POST  405      405      405      405      405      405      405      405      405
insight:export                   climate/csv                    GET   200      200      200      200      200      200      200      200      200
insight:export                   climate/csv                    POST  405      405      405      405      405      405      405      405      405
insight:export                   quarters/ods                   GET   200      200      200      200      200      200      200      200      200
insight:export                   quarters/ods                   POST  405      405      405      405      405      405      405      405      405
insight:export                   nothing/csv                    GET   404      404      404      404      404      404      404      404      404
insight:export                   nothing/csv                    POST  405      405      405      405      405      405      405      405      405
insight_api:insight              -                              GET   200      200      200      200      200      200      200      200      200
insight_api:insight              -                              POST  405      405      405      405      405      405      405      405      405

# The members' reader (reader/): a meeting's papers for its board's members and democratic services (and
# administrators), gated as the members' pack is: 404 for everyone else, the sign-in page for visitors. A
# meeting not published yet (scheduled) is not in the reader for anyone. An item of another meeting (seed_item
# of held, under published) is a 404. The notes API answers JSON: 403 to a visitor (signed out: the device
# keeps its changes), 404 for a meeting not given or not readable; a sync POSTs JSON (BODIES) and creates a note.
# Deleting notes: member has a note of published, so member's POST changes the database; clerk's and admin's
# have nothing to delete.
meeting_read                     published                      GET   login    404      404      404      404      302      302      404      302
meeting_read                     published                      POST  login    405      405      405      405      405      405      405      405
reader:index                     -                              GET   login    200      200      200      200      200      200      200      200
reader:index                     -                              POST  login    405      405      405      405      405      405      405      405
reader:meeting                   published                      GET   login    404      404      404      404      200      200      404      200
reader:meeting                   published                      POST  login    405      405      405      405      405      405      405      405
reader:meeting                   scheduled                      GET   login    404      404      404      404      404      404      404      404
reader:meeting                   scheduled                      POST  login    405      405      405      405      405      405      405      405
reader:item                      published/exempt_item          GET   login    404      404      404      404      200      200      404      200
reader:item                      published/exempt_item          POST  login    405      405      405      405      405      405      405      405
reader:item                      published/seed_item            GET   login    404      404      404      404      404      404      404      404
reader:item                      published/seed_item            POST  login    405      405      405      405      405      405      405      405
reader:search                    published                      GET   login    404      404      404      404      200      200      404      200
reader:search                    published                      POST  login    405      405      405      405      405      405      405      405
reader:report_pdf                published/exempt_item          GET   login    404      404      404      404      200      200      404      200
reader:report_pdf                published/exempt_item          POST  login    405      405      405      405      405      405      405      405
reader:appendix_pdf              published/exempt_item/exempt_appendix GET login 404   404      404      404      200      200      404      200
reader:appendix_pdf              published/exempt_item/exempt_appendix POST login 405  405      405      405      405      405      405      405
reader:appendix_pdf              published/exempt_item/seed_appendix GET login   404   404      404      404      404      404      404      404
reader:appendix_pdf              published/exempt_item/seed_appendix POST login  405   405      405      405      405      405      405      405
reader:notes_txt                 published                      GET   login    404      404      404      404      200      200      404      200
reader:notes_txt                 published                      POST  login    405      405      405      405      405      405      405      405
reader:notes_pdf                 published                      GET   login    404      404      404      404      200      200      404      200
reader:notes_pdf                 published                      POST  login    405      405      405      405      405      405      405      405
reader:notes_delete              published                      GET   login    404      404      404      404      200      200      404      200
reader:notes_delete              published                      POST  login    404      404      404      404      302      302*     404      302
reader:api_notes                 -                              GET   403      404      404      404      404      404      404      404      404
reader:api_notes                 -                              POST  405      405      405      405      405      405      405      405      405
reader:api_sync                  -                              GET   405      405      405      405      405      405      405      405      405
reader:api_sync                  -                              POST  403      404      404      404      404      200*     200*     404      200*

# The reader offline (reader/offline.py): the service worker and the manifest hold no data and are the
# same for everyone (a browser fetches the manifest without cookies). What a device may keep of a meeting
# follows the reader's gate, in JSON: 403 to a visitor (signed out), 404 to whoever may not read the
# meeting (409 once its minutes are approved: tests/test_reader_offline.py). The offline check tells anyone
# signed in which of the meetings they name to drop (a POST of JSON, BODIES; it changes nothing).
reader:sw                        -                              GET   200      200      200      200      200      200      200      200      200
reader:sw                        -                              POST  405      405      405      405      405      405      405      405      405
reader:manifest                  -                              GET   200      200      200      200      200      200      200      200      200
reader:manifest                  -                              POST  405      405      405      405      405      405      405      405      405
reader:offline                   published                      GET   403      404      404      404      404      200      200      404      200
reader:offline                   published                      POST  405      405      405      405      405      405      405      405      405
reader:offline                   scheduled                      GET   403      404      404      404      404      404      404      404      404
reader:offline                   scheduled                      POST  405      405      405      405      405      405      405      405      405
reader:offline_check             -                              GET   403      200      200      200      200      200      200      200      200
reader:offline_check             -                              POST  403      200      200      200      200      200      200      200      200

# A handful of the admin's URLs with real ids (every admin URL is also requested under ADMIN_URL_RULE).
admin:index                      -                              GET   login    login    login    login    login    login    login    login    200
admin:index                      -                              POST  login    login    login    login    login    login    login    login    200
admin:login                      -                              GET   200      200      200      200      200      200      200      200      302
admin:login                      -                              POST  200      200      200      200      200      200      200      200      200
admin:logout                     -                              GET   302      302      302      302      302      302      302      302      405
admin:logout                     -                              POST  302      302      302      302      302      302      302      302      302
admin:password_change            -                              GET   login    login    login    login    login    login    login    login    200
admin:password_change            -                              POST  login    login    login    login    login    login    login    login    200
admin:jsi18n                     -                              GET   login    login    login    login    login    login    login    login    200
admin:jsi18n                     -                              POST  login    login    login    login    login    login    login    login    405
admin:app_list                   reports                        GET   login    login    login    login    login    login    login    login    200
admin:app_list                   reports                        POST  login    login    login    login    login    login    login    login    200
admin:reports_report_changelist  -                              GET   login    login    login    login    login    login    login    login    200
admin:reports_report_changelist  -                              POST  login    login    login    login    login    login    login    login    200
admin:reports_report_add         -                              GET   login    login    login    login    login    login    login    login    200
admin:reports_report_add         -                              POST  login    login    login    login    login    login    login    login    200
admin:reports_report_change      draft                          GET   login    login    login    login    login    login    login    login    200
admin:reports_report_change      draft                          POST  login    login    login    login    login    login    login    login    200
# An approved report is locked in the admin as in the editor: admin may view it, not change it (403).
admin:reports_report_change      exempt                         GET   login    login    login    login    login    login    login    login    200
admin:reports_report_change      exempt                         POST  login    login    login    login    login    login    login    login    403
admin:reports_report_delete      draft                          GET   login    login    login    login    login    login    login    login    200
admin:reports_report_delete      draft                          POST  login    login    login    login    login    login    login    login    302*
admin:reports_report_history     exempt                         GET   login    login    login    login    login    login    login    login    200
admin:reports_report_history     exempt                         POST  login    login    login    login    login    login    login    login    200
admin:accounts_user_change       officer                        GET   login    login    login    login    login    login    login    login    200
admin:accounts_user_change       officer                        POST  login    login    login    login    login    login    login    login    200
admin:auth_user_password_change  officer                        GET   login    login    login    login    login    login    login    login    200
admin:auth_user_password_change  officer                        POST  login    login    login    login    login    login    login    login    302*
admin:boards_meeting_change      scheduled                      GET   login    login    login    login    login    login    login    login    200
admin:boards_meeting_change      scheduled                      POST  login    login    login    login    login    login    login    login    200
admin:view_on_site               report_type/exempt             GET   login    login    login    login    login    login    login    login    302
admin:view_on_site               report_type/exempt             POST  login    login    login    login    login    login    login    login    302
"""

CODES = {"200", "201", "400", "403", "404", "405", "409", "503", "login", "302"}


@dataclass(frozen=True)
class Row:
    """One line of the matrix: a URL name, the objects filling its arguments, a method and a cell per actor."""

    name: str
    ids: tuple
    method: str
    expected: dict

    @property
    def label(self):
        return f"{self.name}({'/'.join(self.ids)})" if self.ids else self.name


def _is_cell(cell, method):
    return (cell.removesuffix("*") if method == "POST" else cell) in CODES


def matrix_rows(text=MATRIX):
    """The matrix as Rows; a malformed line fails loudly."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, ids, method, *cells = line.split()
        if method not in {"GET", "POST"} or len(cells) != len(ACTORS):
            raise ValueError(f"matrix line {number}: want a name, ids, GET or POST and {len(ACTORS)} cells: {line!r}")
        if not all(_is_cell(cell, method) for cell in cells):
            raise ValueError(
                f"matrix line {number}: a cell is not one of {sorted(CODES)} (or `*` after a POST's): {line!r}"
            )
        ids = () if ids == "-" else tuple(ids.split("/"))
        rows.append(Row(name, ids, method, dict(zip(ACTORS, cells, strict=True))))
    return rows
