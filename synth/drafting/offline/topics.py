"""What the offline drafter knows about common feedback topics, to word expectations.

A theme label is a pair of keyphrases ("risks earlier · tickets"), not an expectation. Each
topic here says how a theme about it becomes an observable expectation at every style of the
ladder: explicit activities (junior), ownership (mid), a measurable outcome (senior), and the
same outcome tied to an objective (staff and above, management). Topics are matched by words
in the theme's label and representative statements; the ladder's own competency text is
quoted alongside as the level requirement the expectation answers.

Titles may use {due} (a date). Steps are tactical and in order; the drafter adds a first and
a last step that fit the style.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass

ACTIVITY, OWNERSHIP, OUTCOME, OBJECTIVE = "activity", "ownership", "outcome", "objective"
STYLES = (ACTIVITY, OWNERSHIP, OUTCOME, OBJECTIVE)


@dataclass(frozen=True)
class Topic:
    key: str
    competency: str
    pattern: re.Pattern[str]
    what: str  # a noun phrase: "written decisions"
    titles: dict[str, str]  # activity, ownership, outcome (objective uses outcome)
    measures: dict[str, str]
    keep: str  # an imperative for stability: "Keep recording decisions in writing"
    steps: tuple[str, ...]


def _topic(
    key: str,
    competency: str,
    pattern: str,
    what: str,
    titles: tuple[str, str, str],
    measures: tuple[str, str, str],
    keep: str,
    steps: tuple[str, ...],
) -> Topic:
    return Topic(
        key=key,
        competency=competency,
        pattern=re.compile(pattern, re.IGNORECASE),
        what=what,
        titles=dict(zip((ACTIVITY, OWNERSHIP, OUTCOME), titles, strict=True)),
        measures=dict(zip((ACTIVITY, OWNERSHIP, OUTCOME), measures, strict=True)),
        keep=keep,
        steps=steps,
    )


TOPICS: tuple[Topic, ...] = (
    _topic(
        "decisions_written",
        "communication",
        r"\bdecision|\brecords?\b|written|writ(?:e|es|ing) (?:it|things|them|decisions) down|"
        r"\bslack\b|threads?\b|\badrs?\b|\bwiki\b|in (?:his|her|their) head|knowledge|undocumented",
        "written decisions",
        (
            "Write down each technical decision you make in the ticket or the team channel the "
            "same day, with a one-line reason",
            "Keep a decision log for every feature you own, recording each significant choice "
            "and its reasoning within a week of making it",
            "Have 100% of significant decisions on the work you lead recorded in a written "
            "decision record within 7 days, so none has to be reconstructed from chat by {due}",
        ),
        (
            "Decisions written down each week, checked in the weekly 1:1; target: at least one "
            "written decision in every week with design work.",
            "A decision log exists for each owned feature, and a reviewer can find the reason "
            "for any choice without asking.",
            "100% of significant decisions recorded within 7 days; 0 decisions reconstructed "
            "from chat after the fact.",
        ),
        "Keep recording decisions in writing",
        (
            "List the decisions from the last month that only exist in chat or in your head, "
            "and write up the two that matter most",
            "Adopt the team's decision-record template, or propose a one-page one, and link it "
            "from each project page",
            "Write the record before announcing a decision, and link it where the discussion "
            "happened",
            "Ask a teammate who missed the discussion to check that each record explains why, "
            "not only what",
        ),
    ),
    _topic(
        "risk_and_status",
        "delivery",
        r"\brisks?\b|slip|\blate\b|later than|behind|\bupdates?\b|\bstatus|surpris|heads[- ]up|"
        r"\bflag|escalat|found out|heard about|find out|\bblock|visib|\bnews to\b|ticket",
        "raising risk and status early",
        (
            "Update the status of each of your tickets twice a week, and say in stand-up the "
            "same day when anything is blocked or will slip",
            "Raise scope or schedule risk on the features you own within one working day of "
            "spotting it, with at least one option for handling it",
            "Have 0 slips of more than 2 days on the work you lead discovered by someone else "
            "this period: raise each one yourself within 1 working day, with options",
        ),
        (
            "Twice-weekly updates on every open ticket and same-day blocker posts, checked in "
            "every weekly 1:1.",
            "Every risk on owned features raised within one working day, visible in the ticket "
            "or channel history.",
            "0 slips of more than 2 days first reported by someone else; 100% raised within 1 "
            "working day.",
        ),
        "Keep raising risk and status early",
        (
            "Set two fixed times a week to update every ticket you own, saying what blocks it "
            "rather than only what you did",
            "Raise any slip of more than two days in stand-up or the team channel on the day "
            "you know about it",
            "Offer at least one option with each risk: cut scope, move a date or get help",
            "Go through the last two weeks' slips with your manager and check who raised each "
            "one first",
        ),
    ),
    _topic(
        "speaking_up",
        "communication",
        r"speak(?:s|ing)? up|\bquiet\b|\bmeetings?\b|design reviews?|\bvoice|raise concerns|"
        r"\bconcerns?\b|in the room|afterwards|push(?:es)? back|disagree|out loud",
        "raising concerns in the room",
        (
            "Say at least one question or concern out loud in every design review or planning "
            "meeting you attend",
            "Raise concerns about the features you own in the design review itself rather "
            "than afterwards, and make sure they are in the review notes",
            "Raise at least one documented concern or alternative in 80% of the design reviews "
            "you attend by {due}, so decisions are made with your input in the room",
        ),
        (
            "At least one contribution per meeting, noted after each meeting and checked in the "
            "weekly 1:1.",
            "Concerns on owned features appear in review notes rather than in follow-up messages.",
            "At least 80% of attended design reviews have a concern or alternative from you in "
            "the notes.",
        ),
        "Keep raising concerns in the room",
        (
            "Read the design doc before each review and write down one question or concern in "
            "advance",
            "Ask the review's facilitator to call on you if you have not spoken by the halfway "
            "point",
            "Raise the concern during the review and check it is written in the notes",
            "After each review, note whether anything you held back came up later",
        ),
    ),
    _topic(
        "asking_for_help",
        "collaboration",
        r"ask(?:s|ed|ing)? for help|help earlier|\bstuck\b|\balone\b|on (?:his|her|their) own|"
        r"goes quiet|struggl|spin(?:s|ning)? (?:his|her|their) wheels|reach(?:es)? out|"
        r"before (?:mentioning|asking)|doesn't say anything|without asking",
        "asking for help early",
        (
            "Ask for help every time you have been stuck for an hour, posting what you tried in "
            "the team channel rather than in a direct message",
            "Pull in help on the features you own as soon as a problem blocks you for more "
            "than half a day, and say so in stand-up",
            "Raise 100% of blockers on the work you lead within 1 working day, and bring "
            "teammates into at least 2 pieces of it",
        ),
        (
            "Blocker posts in the team channel, reviewed in each weekly 1:1 against the times "
            "you were stuck.",
            "Every blocker of more than half a day visible in stand-up or the channel the same "
            "day.",
            "100% of blockers raised within 1 working day; at least 2 pieces of work shared "
            "with teammates.",
        ),
        "Keep asking for help early",
        (
            "Set a time-box before starting on a hard problem: one hour for a bug, half a day "
            "for a design question",
            "When the time-box runs out, post in the team channel what you tried and where you "
            "are stuck",
            "Ask a named teammate to pair for 30 minutes when the post gets no answer within "
            "an hour",
            "Keep a short list of the times you were stuck and how long before you asked, and "
            "review it in 1:1s",
        ),
    ),
    _topic(
        "leading_through_others",
        "mentoring_and_leadership",
        r"bottleneck|dependent on|depend(?:s)? on (?:him|her|them)|step(?:ping)? back|let(?:ting)? "
        r"go|delegat|reviews? (?:almost |nearly )?(?:every|most)|fills? (?:the )?gaps|through "
        r"others|other people's names|queue up|single point|bus factor|leverage|herself|himself|"
        r"themselves|answer(?:s|ed|ing)? (?:a lot of )?questions",
        "leading through others",
        (
            "Hand one small task a week to a teammate who wants to learn it, and review their "
            "work instead of doing it yourself",
            "Hand over one part of each feature you own to a teammate, with a named reviewer "
            "other than you",
            "Have at least 2 significant pieces of your area's work led and reviewed by others "
            "by {due}, with you reviewing only on request",
        ),
        (
            "One handed-over task a week, noted in the weekly 1:1.",
            "Each owned feature has a part led by someone else, visible in ticket assignees "
            "and reviewers.",
            "At least 2 pieces of work shipped with another engineer as owner and named "
            "reviewer; your share of reviews in those areas down by half.",
        ),
        "Keep growing other people's ownership",
        (
            "List where work waits for you (reviews, decisions, questions) and pick the two "
            "places someone else could own",
            "Name an owner and a reviewer other than you for each, and tell the team",
            "Review only on request in those areas, and let the owner answer questions in the "
            "channel first",
            "Meet the new owners every two weeks to coach rather than to decide for them",
        ),
    ),
    _topic(
        "code_review",
        "collaboration",
        r"\breview(?:s|er|ers|ing)?\b|pull requests?|\bprs?\b|turnaround|\bnits?\b",
        "code reviews",
        (
            "Review at least 3 teammates' pull requests a week within 1 working day, asking a "
            "question wherever the code is unclear",
            "Review the team's pull requests within one working day, explaining the reasoning "
            "behind each change you ask for",
            "Bring your median review turnaround under 1 working day for the whole period, "
            "with at least 3 problems caught in review before production",
        ),
        (
            "At least 3 reviews a week, counted from the code host's history in the weekly 1:1.",
            "Review turnaround under one working day, visible in the code host's review history.",
            "Median turnaround under 24 working hours over the period; at least 3 catches "
            "noted in the 1:1 doc.",
        ),
        "Keep giving thorough, timely reviews",
        (
            "Block two short review slots in your calendar each day",
            "Start each review from the description and the tests, then read the code",
            "Explain the reason behind each requested change and mark which comments block merging",
            "Once a month, go over your reviews with a senior teammate and pick one thing to "
            "do differently",
        ),
    ),
    _topic(
        "testing_and_quality",
        "technical_craft",
        r"\btests?\b|testing|\bbugs?\b|regression|quality|coverage|\bci\b|flaky|\bbroke|rework|"
        r"sloppy|careless|edge cases?|rollback|hotfix|root cause|debug",
        "tested, production-ready changes",
        (
            "Include tests with every pull request and run the full suite locally before "
            "asking for review",
            "Ship every feature you own with tests covering its important paths and a rollback "
            "plan, and own its bugs after release",
            "Cut bugs found after release in the work you lead by half against last period, "
            "measured from the bug tracker",
        ),
        (
            "Every pull request has tests, checked weekly against the pull requests you opened.",
            "Every owned feature ships with tests and a rollback plan, visible in its pull "
            "requests.",
            "Escaped bugs in your work at 50% or less of last period's count, from the bug "
            "tracker.",
        ),
        "Keep shipping well-tested changes",
        (
            "Look at the last five bugs or review comments on your changes and note the pattern",
            "Add tests for the paths those bugs came through before fixing them",
            "Run the full suite locally and check the change in staging before asking for review",
            "After each release, watch the dashboards and the bug tracker for your change for "
            "a week",
        ),
    ),
    _topic(
        "predictable_delivery",
        "delivery",
        r"estimat|deadline|commit(?:ment)?s?\b|predictab|\bscope\b|on time|\bships?\b|shipping|"
        r"deliver|\bpace\b|sprint|momentum|\bfinish",
        "predictable delivery",
        (
            "Break every ticket into steps with a teammate before starting, and finish it "
            "within the sprint or say by mid-sprint that you won't",
            "Break each feature you own into reviewable increments with an estimate, and "
            "deliver them in the agreed iteration or re-plan early",
            "Deliver at least 80% of the milestones you commit to on the agreed date over the "
            "period, re-planning in the open when new information arrives",
        ),
        (
            "Tickets finished within the sprint or flagged by mid-sprint, counted at each "
            "sprint review.",
            "Increments delivered in the agreed iteration, or re-planned before it ends.",
            "At least 80% of committed milestones delivered on the agreed date, tracked in the "
            "project plan.",
        ),
        "Keep delivering on your commitments",
        (
            "Break the next piece of work into increments small enough to finish in a few days",
            "Estimate each increment and compare estimates with actuals at the end of each sprint",
            "Check progress at mid-sprint and re-plan the same day if an increment will not finish",
            "Write down what caused each miss and change one thing in how you estimate",
        ),
    ),
    _topic(
        "operations",
        "ownership_and_impact",
        r"on[- ]?call|incidents?|\balerts?\b|\bpages?\b|outages?|post-?mortems?|runbooks?|"
        r"operational|reliab|monitor|\bslas?\b|\bslos?\b|\btoil\b|production issue",
        "operational ownership",
        (
            "Take every on-call shift you are scheduled for, following the runbooks, and write "
            "up each page you handle in the incident log",
            "Own the operational health of your features: triage their alerts within a day and "
            "lead the follow-up review for any incident in your area",
            "Bring pages for the services you own down by 30% over the period and close every "
            "incident follow-up action within 30 days",
        ),
        (
            "Every scheduled shift taken and every page written up in the incident log.",
            "Alerts on owned features triaged within a day; a follow-up review for every "
            "incident in the area.",
            "Pages down 30% against the first month's baseline; 100% of follow-up actions "
            "closed within 30 days.",
        ),
        "Keep owning operational health",
        (
            "Review the last quarter's pages and incidents for your area and list the top "
            "recurring causes",
            "Fix or tune the noisiest alert each month",
            "Write or update the runbook for every alert you handle",
            "Track incident follow-up actions to done and report open ones in the team's "
            "reliability review",
        ),
    ),
    _topic(
        "mentoring",
        "mentoring_and_leadership",
        r"mentor|\bcoach|\bteach|onboard|\bpair(?:s|ed|ing)?\b|patien|explains? the why|"
        r"\bjuniors?\b|new joiners?|confidence|learned",
        "mentoring teammates",
        (
            "Share one thing you learned with the team each month, in a channel post or a "
            "short demo",
            "Pair with a newer teammate at least once a week and help them ship one feature "
            "end to end this period",
            "Help at least 2 teammates take on work they could not do before, such as leading "
            "an incident or owning a feature, by {due}",
        ),
        (
            "One post or demo each month, linked in the 1:1 doc.",
            "Weekly pairing sessions and one feature shipped by the teammate, visible in its "
            "pull requests.",
            "At least 2 teammates doing something new on their own, confirmed by them and "
            "their manager.",
        ),
        "Keep mentoring teammates",
        (
            "Agree with your manager which teammates would benefit and what each wants to learn",
            "Set up a regular pairing or coaching slot with each",
            "Let them drive: ask questions rather than taking over the keyboard",
            "Check with each at mid-period what has changed for them, and adjust",
        ),
    ),
    _topic(
        "partnering",
        "collaboration",
        r"\bproduct\b|designers?\b|\bpms?\b|finance|\bsupport\b|stakeholders?|requirements|"
        r"customers?|cross[- ]functional|business|non[- ]engineers?|translat|leadership",
        "working with other functions",
        (
            "Ask at least one clarifying question of product or design on each of your tickets "
            "before starting, in the ticket",
            "Clarify requirements for the features you own directly with product, design or "
            "the requesting team before building, in a short written summary",
            "Agree a success measure with your product or business partner before 100% of the "
            "projects you lead start, and report against it at the end",
        ),
        (
            "A clarifying question on each ticket before work starts, visible in the ticket.",
            "A written requirements summary, agreed with the partner, for every owned feature.",
            "100% of projects you lead have a success measure agreed up front and a result "
            "reported at the end.",
        ),
        "Keep partnering closely with other functions",
        (
            "List the partners for your next piece of work (product, design, data, other "
            "teams) and meet each early",
            "Write down the problem, the success measure and the open questions, and get them "
            "agreed",
            "Share progress and trade-offs with partners in their terms at least every two weeks",
            "Ask each partner at the end what would have made working together easier",
        ),
    ),
    _topic(
        "focus",
        "ownership_and_impact",
        r"says? yes|spread (?:too )?thin|too (?:much|many)|overcommit|priorit|\bfocus|distract|"
        r"context[- ]switch|takes? on more|juggl",
        "focus and prioritisation",
        (
            "Agree your top priority with your manager at the start of each week, and check "
            "each new request against it before saying yes",
            "Keep no more than 2 pieces of work in progress at a time on the features you own, "
            "and weigh new requests against them",
            "Deliver your top 2 agreed priorities for the period in full by {due}, declining or "
            "re-routing requests that would put them at risk",
        ),
        (
            "A weekly top priority in the 1:1 doc, and new requests checked against it.",
            "Never more than 2 items in progress on the team board.",
            "Both agreed priorities delivered in full by the due date.",
        ),
        "Keep your focus on the work that matters most",
        (
            "Write down your current commitments and rank them with your manager",
            "Before saying yes to a new request, check it against the list and say what it "
            "would displace",
            "Keep work in progress within the agreed limit",
            "Review the list every two weeks and drop or hand over what no longer fits",
        ),
    ),
    _topic(
        "design",
        "technical_craft",
        r"design docs?|\bdesigns?\b|architect|trade-?offs?|proposals?|\brfcs?\b|technical "
        r"direction|\bdocs?\b",
        "written designs",
        (
            "Write a short plan for each task before starting and ask a senior engineer to "
            "review it",
            "Write a short design note for every non-trivial feature you own, covering the "
            "approach, alternatives and risks, and get it reviewed before building",
            "Have a design for the biggest problem in your area accepted for implementation by "
            "{due}, with its expected result stated as a number up front",
        ),
        (
            "A reviewed plan on each task, linked from the ticket.",
            "A reviewed design note for every non-trivial owned feature, linked from its ticket.",
            "1 accepted design with a numeric target, and the result measured against it.",
        ),
        "Keep writing clear designs that others build from",
        (
            "Pick the problem with the most impact in your area and agree it with your manager",
            "Write the design: context, options with trade-offs, a recommendation and how "
            "success will be measured",
            "Get review from the engineers who will build on it and from one person outside "
            "the team",
            "Record the decision and track the result after it ships",
        ),
    ),
    _topic(
        "follow_through",
        "ownership_and_impact",
        r"follow(?:s|ed)?[- ]?(?:up|through)|loose ends|close(?:s|d)? the loop|drop(?:s|ped)? "
        r"(?:the ball|things)|forg[eo]t|half[- ]finished|reliable|dependable",
        "follow-through",
        (
            "Follow each of your changes through to production and check it works there "
            "before closing the ticket",
            "Close the loop on everything you own: follow each feature to production, triage "
            "its bugs and finish its open actions",
            "Close 100% of the follow-up actions you own (incidents, reviews, launches) within "
            "30 days of agreeing them this period",
        ),
        (
            "Every closed ticket has a production check noted on it.",
            "No open actions older than a month on owned features at the end of the period.",
            "100% of owned follow-up actions closed within 30 days, from the tracker.",
        ),
        "Keep following work through to the end",
        (
            "List the open actions you own across tickets, reviews and incidents",
            "Give each a date and put the list where your manager can see it",
            "Check the list at the start of every week and close or hand over what is stale",
            "Check each shipped change in production before calling it done",
        ),
    ),
)

# The topic used for a competency when no theme points at one (ladder keys of the default).
BY_COMPETENCY = {
    "technical_craft": "testing_and_quality",
    "delivery": "predictable_delivery",
    "ownership_and_impact": "operations",
    "collaboration": "code_review",
    "communication": "decisions_written",
    "mentoring_and_leadership": "mentoring",
}
BY_KEY = {t.key: t for t in TOPICS}


def general(name: str) -> Topic:
    """A topic for a theme no entry matches: worded around the theme's own name."""
    return _topic(
        "general",
        "",
        r"$^",
        name,
        (
            f"Work on {name} every week: agree one observable change with your manager and "
            "bring an example to each weekly 1:1",
            f"Own a visible improvement in {name} on the features you lead, agreed in writing "
            "with your manager in the first month",
            f"Turn {name} into a result by {{due}}: at least 3 documented examples, and no "
            "reviewer raising it as a concern in the next feedback cycle",
        ),
        (
            "One example a week, noted in the 1:1 doc.",
            "The agreed change visible on every feature you lead, checked monthly.",
            "At least 3 documented examples, and 0 reviewers raising it as a concern next cycle.",
        ),
        f"Keep up {name}",
        (
            "Read the feedback behind the theme with your manager and agree what it describes",
            "Write down one or two observable behaviours that would show the change",
            "Pick the upcoming work where the change will be visible",
            "Ask one reviewer at mid-period whether they see a difference",
        ),
    )


def match(text: str, *, exclude: Collection[str] = ()) -> tuple[Topic | None, int]:
    """The topic with most pattern hits in `text` (ties: library order) and its hit count."""
    best: tuple[Topic | None, int] = (None, 0)
    for topic in TOPICS:
        if topic.key in exclude:
            continue
        hits = len(topic.pattern.findall(text))
        if hits > best[1]:
            best = (topic, hits)
    return best


@dataclass(frozen=True)
class Onboarding:
    """One onboarding expectation per style: title, measure and steps. Placeholders: {due},
    {objective} (quoted objective, or "the team's objectives"). `done` says, in a new hire's
    words, what having done it sounds like: compared by meaning with what they report."""

    what: str
    done: tuple[str, ...]
    titles: dict[str, str]
    measures: dict[str, str]
    steps: dict[str, tuple[str, ...]]


def _onboarding(
    what: str, done: tuple[str, ...], *per_style: tuple[str, str, tuple[str, ...]]
) -> Onboarding:
    return Onboarding(
        what=what,
        done=done,
        titles={s: t for s, (t, _, _) in zip(STYLES, per_style, strict=True)},
        measures={s: m for s, (_, m, _) in zip(STYLES, per_style, strict=True)},
        steps={s: k for s, (_, _, k) in zip(STYLES, per_style, strict=True)},
    )


ONBOARDING: tuple[Onboarding, ...] = (
    _onboarding(
        "a first piece of work in production",
        (
            "shipped my first change to production",
            "my first pull request was merged and released",
            "fixed a first bug and shipped it",
        ),
        (
            "Ship 2 small changes to production by {due}, each with tests and a pull request "
            "description reviewed by a teammate",
            "2 changes in production by the due date, each with tests and a reviewed description.",
            (
                "Set up the local development environment and run the test suite with your "
                "onboarding buddy",
                "Pick two small tickets with your buddy",
                "Pair with a teammate on the first one",
                "Ship both through the normal review and release process",
                "Check each change in production and note what surprised you",
            ),
        ),
        (
            "Ship 1 small feature end to end by {due}, from a half-page plan through to "
            "checking it in production",
            "1 feature in production by the due date, with its plan and a production check "
            "linked from the ticket.",
            (
                "Pick a small feature with your manager in your first two weeks",
                "Write a half-page plan and get it reviewed by the current owner of the code",
                "Build it in reviewable increments",
                "Release it and watch its metrics for a week",
            ),
        ),
        (
            "Deliver 1 scoped piece of the team's current work end to end by {due}, against a "
            "written plan whose success measure is agreed up front",
            "1 piece of work delivered by the due date, with its result reported against the "
            "agreed measure.",
            (
                "Agree the piece of work and its success measure with your manager in your "
                "first two weeks",
                "Read the design docs and recent postmortems for the area",
                "Write a short plan and review it with the current owner",
                "Deliver it and report the result against the measure",
            ),
        ),
        (
            "Write a 2-page assessment of the area's systems and the technical risks to "
            "{objective} by {due}, reviewed with your manager and the tech leads",
            "The assessment written and reviewed by the due date, with at least 3 "
            "recommendations ranked by impact.",
            (
                "Meet the tech leads of the teams involved in {objective}",
                "Read the area's design docs, decision records and recent postmortems",
                "Write the assessment: current state, risks to the objective and recommended "
                "next steps",
                "Review it with your manager and the tech leads, and agree which recommendation "
                "you will lead",
            ),
        ),
    ),
    _onboarding(
        "the team's systems and on-call",
        (
            "shadowed the on-call engineer for a week",
            "took a shift on the on-call rotation",
            "joined the on-call rotation",
        ),
        (
            "Complete an on-call shadow week and take 1 shift as secondary by {due}, following "
            "the runbooks",
            "1 shadow week and 1 secondary shift done by the due date, with each page written up.",
            (
                "Read the runbooks for the team's ten most frequent alerts",
                "Shadow the on-call engineer for a week",
                "Take a shift as secondary with the primary as backup",
                "Write up each page you handled and one runbook gap you found",
            ),
        ),
        (
            "Complete an on-call shadow week, take 1 shift as secondary and fix 1 gap in a "
            "runbook you used, by {due}",
            "Shadow week and secondary shift done, and 1 runbook fix merged, by the due date.",
            (
                "Read the runbooks for the services you will own",
                "Shadow the on-call engineer for a week",
                "Take a shift as secondary with the primary as backup",
                "Fix one runbook gap you hit and get it reviewed",
            ),
        ),
        (
            "Join the on-call rotation as primary by {due} after 1 shadow week, and improve 1 "
            "runbook or alert you found lacking",
            "Primary shift taken by the due date, and 1 runbook or alert improvement merged.",
            (
                "Review the last quarter's incidents and postmortems for the area",
                "Shadow the on-call engineer for a week",
                "Take a primary shift with an experienced secondary",
                "Improve the runbook or alert that slowed you down most",
            ),
        ),
        (
            "Map the systems and teams behind {objective} by {due}: owners, dependencies and "
            "the top 3 risks, published where the teams can use it",
            "The map published by the due date and reviewed by at least 2 of the teams involved.",
            (
                "List the systems and teams involved in {objective}",
                "Meet the owner of each system and note its dependencies and risks",
                "Rank the top 3 risks to the objective",
                "Publish the map and walk the teams involved through it",
            ),
        ),
    ),
    _onboarding(
        "the people and context of the team",
        (
            "met each teammate one to one",
            "met the team's product and design partners",
            "mapped the systems I will own and who owns what",
        ),
        (
            "Meet each teammate one to one within your first 30 days, and bring 3 questions "
            "about how the team works to your manager by {due}",
            "Every teammate met within 30 days and 3 written questions discussed with your "
            "manager by the due date.",
            (
                "Ask your manager for the list of people to meet and why each matters",
                "Book a 30-minute 1:1 with each teammate in your first two weeks",
                "Note what each works on and what they wish a newcomer knew",
                "Write down 3 questions about how the team works and go through them with your "
                "manager",
            ),
        ),
        (
            "Meet your teammates and the team's product and design partners within your first "
            "30 days, and write a one-page map of the systems you will own by {due}",
            "Everyone met within 30 days; the one-page map reviewed by a teammate by the due date.",
            (
                "Book 1:1s with each teammate and the team's product and design partners",
                "Read the design docs of the systems you will own",
                "Draft the one-page map: what each system does, who uses it and its known problems",
                "Have a teammate review the map and publish it in the team's wiki",
            ),
        ),
        (
            "Meet the team's partners in product, design and neighbouring teams within 30 "
            "days, and write a one-page map of the systems your area depends on and who owns "
            "them by {due}",
            "All partners met within 30 days; the map published by the due date and used by "
            "at least 1 other person.",
            (
                "List the partners and neighbouring teams with your manager",
                "Meet each within your first 30 days",
                "Draft the dependency map with owners and known risks",
                "Have it reviewed by a senior teammate and publish it in the team's wiki",
            ),
        ),
        (
            "Meet the engineering managers and product leads involved in {objective} within 30 "
            "days, and agree with them by {due} where you will add most",
            "Every lead met within 30 days, and a written agreement on your focus by the due date.",
            (
                "List the managers and product leads involved in {objective} with your manager",
                "Meet each within your first 30 days",
                "Write a half-page note on where you could add most",
                "Agree it with your manager and the leads involved",
            ),
        ),
    ),
)
