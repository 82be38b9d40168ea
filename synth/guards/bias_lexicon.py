"""The bias guard's vocabulary: each flagged word, its category, its own suggestion, and the
contexts that make it about a person (`when`) or about the work (`unless`).

Sources: Snyder 2014, "The abrasiveness trap"; Correll and Simard 2016; Textio's studies of
performance reviews. `{w}` in a context stands for the term itself. Matching lives in
`synth.guards.bias`.
"""

from dataclasses import dataclass

PERSONALITY = "personality"
GENDERED = "gendered"
CODED = "coded"


@dataclass(frozen=True)
class Term:
    """A word (regex) to flag, what to write instead, and where it counts."""

    pattern: str
    suggestion: str
    when: str = ""
    unless: str = ""


# Contexts. A person as subject: "she is (a bit) difficult", "being difficult"; or the word
# before a person noun: "difficult colleague", "polished presenter".
_SUBJECT = r"(?:he|she|they|the\s+(?:engineer|new\s+hire|intern)|this\s+engineer)"
_IS = (
    r"(?:['’]s|['’]re|\s+(?:is|isn['’]t|are|aren['’]t|was|wasn['’]t|were|weren['’]t|is\s+not|"
    r"was\s+not|can\s+be|could\s+be|will\s+be|would\s+be|may\s+be|might\s+be|has\s+been|"
    r"have\s+been|tends?\s+to\s+be|seems?(?:\s+to\s+be)?|seemed(?:\s+to\s+be)?|looks?|looked|"
    r"comes?\s+across\s+as|came\s+across\s+as|gets?|got|became|becomes?))"
)
_DEGREE = (
    r"(?:\s+(?:very|quite|really|so|too|a\s+bit|a\s+little|somewhat|often|sometimes|rather|"
    r"extremely|incredibly|not|always|usually|pretty|more|less|overly|kind\s+of|sort\s+of|"
    r"just|also|still|generally|super|such\s+an?|an?))*"
)
_PEOPLE = (
    r"(?:person|people|colleague|co-?worker|teammate|personality|individual|character|man|men|"
    r"woman|women|guy|lady|ladies|girl|engineer|manager|leader|presenter|speaker|communicator|"
    r"presence|manner|demeanou?r|nature|tone|report|figure|style)s?"
)
_ABOUT_PERSON = _SUBJECT + _IS + _DEGREE + r"\s+{w}|being" + _DEGREE + r"\s+{w}|{w}\s+" + _PEOPLE
# What "aggressive" describes when it is about the work: plans, targets and techniques.
_WORK = (
    r"(?:(?:auto)?scal\w*|cach\w*|prefetch\w*|retr(?:y|ies|ied|ying)|timeouts?|backoffs?|gc|"
    r"garbage|optimi[sz]\w*|refactor\w*|inlin\w*|compress\w*|prun\w*|evict\w*|invalidat\w*|"
    r"expir\w*|ttls?|batch\w*|poll\w*|throttl\w*|rate[\s-]limit\w*|shard\w*|parallel\w*|"
    r"concurren\w*|memoi[sz]\w*|preload\w*|(?:pre)?warm\w*|compil\w*|lint\w*|fuzz\w*|test\w*|"
    r"alert\w*|thresholds?|defaults?|settings?|heuristics?|sampl\w*|quotas?|limits?|deprecat\w*|"
    r"migrat\w*|clean-?ups?|timelines?|deadlines?|schedules?|targets?|goals?|scope|plans?|"
    r"roadmaps?|estimat\w*|budgets?|rollouts?|releases?|pace|cuts?|costs?|pric\w*|growth|"
    r"expansion|hiring|push|strateg\w*|slas?|slos?)\b"
)
_LINK = r"\s+(?:is|are|was|were|seems?|seemed|looks?|looked|feels?|felt|sounds?|remains?)"
# What "dramatic" describes when it is about a result.
_CHANGE = (
    r"(?:improvement|increase|decrease|drop|reduction|change|shift|speed-?up|gain|difference|"
    r"impact|effect|result|turnaround|growth|slowdown|regression|spike|fall|rise|win|jump|boost|"
    r"cut|saving)s?\b"
)
# What "lacks polish" describes when it is about an artefact.
_ARTEFACT = (
    r"(?:ui|ux|docs?|documentation|design|page|app|demo|deck|slides?|feature|product|code|prs?|"
    r"api|screen|flow|prototype|write-?up|copy|site|website|dashboard|cli|tool(?:ing)?|"
    r"interface|release|version|build)s?\b"
)
# Roles a gender qualifier gets attached to: "female engineer".
_ROLE = r"(?:engineer|developer|dev|programmer|coder|lead|leader|manager|scientist|architect|sre)s?"

LEXICON: dict[str, list[Term]] = {
    # Words about who someone is rather than what they did.
    PERSONALITY: [
        Term(
            r"abrasive(?:ly|ness)?",
            'describe what they did and its effect, e.g. "dismissed two design proposals without '
            'discussing them, and their authors stopped bringing ideas"',
        ),
        Term(
            r"(?:passive-)?aggressive(?:ly|ness)?|aggression",
            'name the behaviour and its effect, e.g. "talked over the on-call engineer three times '
            'in the incident review, which cut the timeline discussion short"',
            unless=r"{w}\s+(?:\S+\s+)?" + _WORK + "|" + _WORK + _LINK + _DEGREE + r"\s+{w}"
            r"|" + _WORK + r"\s+(?:\S+\s+){0,2}(?:too\s+|more\s+|very\s+|quite\s+)?aggressively",
        ),
        Term(
            r"(?:over-?)?emotional(?:ly)?",
            'describe the reaction and what followed, e.g. "raised their voice when the launch '
            'slipped, and the retro ended without action items"',
            unless=r"{w}\s+(?:support|intelligen\w*|safety|labou?r|well-?being|wellness|health|"
            r"connection|impact|toll|investment|appeal)",
        ),
        Term(
            r"bubbl(?:y|iness)",
            'say what their energy did for the work, e.g. "ran the onboarding kickoff so that all '
            'six new joiners asked questions in their first week"',
        ),
        Term(
            r"boss(?:y|ier|iest|iness)",
            'if they took charge, call it leadership and name the result, e.g. "assigned owners '
            'for the stalled migration and got it moving within a day"',
        ),
        Term(
            r"shrill(?:y|ness)?",
            'describe what they said and how it landed, not their voice, e.g. "repeated the '
            'rollback request four times before the incident lead acted on it"',
        ),
        Term(
            r"feist(?:y|ier|iness)",
            'name the position they argued and its outcome, e.g. "pushed back on the Q3 scope with '
            'usage data and got two features cut"',
        ),
        Term(
            r"sass(?:y|ier|iness)",
            'describe the remark and its effect, e.g. "answered review comments with sarcasm, and '
            'the author closed the pull request"',
        ),
        Term(
            r"hysteri(?:a|cal|cally|cs)",
            'describe the concrete reaction and its impact, e.g. "paged three teams within a '
            'minute of the alert, which duplicated the incident response"',
        ),
        Term(
            r"mood(?:y|ier|iness|ily)",
            'describe specific occasions and their effect, e.g. "skipped two standups after the '
            'reorg and missed the dependency change"',
        ),
        Term(
            r"(?:over-?)?dramatic|dramati[sz](?:e|es|ed|ing)|drama(?:\s+queen)?",
            'state what happened and its scale, e.g. "called the incident a disaster in the '
            'engineering channel, which pulled in people who were not needed"',
            unless=r"{w}\s+(?:\S+\s+)?" + _CHANGE + "|" + _CHANGE + _LINK + _DEGREE + r"\s+{w}",
        ),
        Term(
            r"difficult",
            'name what made the work hard and its effect, e.g. "rejected three API proposals '
            'without offering an alternative, which delayed the integration by two weeks"',
            when=_ABOUT_PERSON,
            # "they are difficult to reproduce" is about bugs; "difficult to work with" is not.
            unless=r"{w}\s+to\s+(?!(?:work|deal|get\s+along|talk|collaborate|partner|reason|argue|"
            r"disagree|approach)\b)\w+",
        ),
        Term(
            r"intimidat(?:ing|ingly|es|ed)",
            'describe what they did and who it affected, e.g. "corrected a junior engineer in '
            'front of the team, who then stopped asking questions in standup"',
            when=_ABOUT_PERSON + r"|{w}\s+(?:by\s+)?(?:the\s+|new\s+|junior\s+|more\s+|other\s+)*"
            r"(?:juniors?|others|people|colleagues|teammates|team|hires|interns|reviewers|everyone|"
            r"them|him|her|me|us)",
        ),
        Term(
            r"push(?:y|ier|iness)",
            'describe what they asked for and what came of it, e.g. "followed up daily on the '
            'blocked pull request until it merged, which unblocked the release"',
        ),
        Term(
            r"high[\s-]maintenance",
            'say what they needed and what it cost, e.g. "asked for three review rounds on every '
            "design doc, which took a day of the tech lead's week\"",
            when=_ABOUT_PERSON,
        ),
        Term(
            r"temperamental(?:ly)?",
            'describe the specific reactions and their effect, e.g. "reacted sharply in two '
            'retros, after which the team raised fewer issues"',
            when=_ABOUT_PERSON,
        ),
        Term(
            r"sweet",
            'describe the helpful behaviour and its effect, e.g. "paired with every new hire in '
            'their first week, and all of them shipped a change in week two"',
            when=_ABOUT_PERSON,
        ),
        Term(
            r"cute",
            'leave out how they come across and describe their contribution, e.g. "the demo showed '
            'the new search flow end to end and won sign-off from product"',
            when=_ABOUT_PERSON,
        ),
        Term(
            r"catt(?:y|iness)",
            "describe the remark and its effect, e.g. \"criticised a peer's design in a side "
            'channel instead of the review, and the author heard it second-hand"',
        ),
        Term(
            r"(?:over-?|overly\s+|too\s+)sensitive",
            'describe how they responded to feedback and what followed, e.g. "answered every '
            'review comment with a long defence, which slowed merges by a day"',
            when=_ABOUT_PERSON + r"|{w}\s+(?:to|about)\s+(?:criticism|feedback|comments|critique)",
        ),
        Term(
            r"thin[\s-]skinned",
            'name the feedback and their response to it, e.g. "stopped posting designs for review '
            'after one critical comment, so the next two shipped unreviewed"',
        ),
        Term(
            r"brash(?:ly|ness)?",
            'describe what they said or did and its effect, e.g. "announced the deprecation in the '
            'general channel before the owning teams were told"',
        ),
        Term(
            r"strident(?:ly)?",
            'name the position and how they argued it, e.g. "argued for Postgres over DynamoDB in '
            'three meetings with benchmarks, and the team adopted it"',
        ),
        Term(
            r"combative(?:ly|ness)?",
            'describe the disagreement and its outcome, e.g. "challenged every comment in the '
            'design review, so the review ran out of time before the open questions"',
        ),
        Term(
            r"prickl(?:y|iness)",
            'describe the responses and how they landed, e.g. "answered questions in the support '
            'channel with one-word replies, and people stopped asking"',
        ),
        Term(
            r"overbearing",
            "describe how they took over and what it cost, e.g. \"rewrote a teammate's pull "
            'request without asking, and the teammate disengaged from the project"',
        ),
        Term(
            r"hot[\s-]?head(?:ed|edness)?",
            'describe the moment and its impact, e.g. "left the incident call abruptly, and the '
            'mitigation stalled for twenty minutes"',
        ),
        Term(
            r"high(?:ly)?[\s-]strung",
            'describe how pressure showed in the work, e.g. "messaged the on-call engineer every '
            'few minutes during the outage, which slowed the fix"',
        ),
        Term(
            r"need(?:y|iness)",
            'say what support they asked for and how it compares with their level, e.g. "asked for '
            'review on every change, including one-line fixes"',
        ),
        Term(
            r"attitude\s+problems?|bad\s+attitude|(?:has|had|with)\s+an\s+attitude"
            r"(?!\s+(?:of|to|toward|towards|about|problems?)\b)",
            'replace "attitude" with what people saw, e.g. "declined to join the postmortem and '
            'did not pick up any of its action items"',
        ),
    ],
    # Words used about women far more than about men, or that assume a man.
    GENDERED: [
        Term(
            r"bitch(?:y|iness|ing|es)?",
            "drop the gendered insult and describe the remark, e.g. \"mocked a teammate's estimate "
            'in standup, and the teammate stopped giving estimates"',
        ),
        Term(
            r"hormonal",
            'remove it and describe the specific behaviour, e.g. "snapped at the release manager '
            'when the build failed, which delayed the fix"',
        ),
        Term(
            r"motherly|maternal(?:ly)?|mother(?:ing|ed)",
            'describe the support as leadership, e.g. "mentored two new hires through their first '
            'on-call rotations, and both now handle pages alone"',
        ),
        Term(
            r"(?:like\s+a\s+)?(?:mother[\s-]hen(?:ning|s)?|den\s+mother)",
            'name what they tracked and why it mattered, e.g. "kept the launch checklist and '
            'chased every open item, so nothing slipped past the release date"',
        ),
        Term(
            r"girls?|girly|girlish",
            'call adult colleagues by their role, e.g. "the engineers on the payments team"',
            unless=r"girls\s+who\s+code|girl\s+scouts?",
        ),
        Term(
            r"man(?:s|ned|ning)?\s+up",
            'say what you want them to do, e.g. "take ownership of the pager rotation and resolve '
            'incidents before escalating"',
        ),
        Term(
            r"manpower",
            'use "staffing" or "capacity", e.g. "the project needs two more engineers"',
        ),
        Term(
            r"man[\s-]?(?:hours?|days?|weeks?|months?|years?)",
            'use "person-hours" or "engineer-days", e.g. "about forty engineer-days of work"',
        ),
        Term(
            r"chair(?:man|men)",
            'use "chair" or the role, e.g. "chaired the architecture review"',
        ),
        Term(
            r"one\s+of\s+the\s+(?:guys|boys|lads)",
            'describe how they work with the team, e.g. "built trust with the SRE team by joining '
            'their on-call rotation"',
        ),
        Term(
            r"for\s+a\s+(?:woman|girl|lady|female|mom|mum|mother)(?:\s+" + _ROLE + ")?",
            'drop the comparison and judge against the role, e.g. "led the most complex migration '
            'on the team this period"',
        ),
        Term(
            r"(?:female|woman|lady|girl|male)\s+" + _ROLE,
            'drop the gender qualifier, e.g. "one of our strongest backend engineers"',
        ),
        Term(
            r"(?:un)?ladylike",
            'describe the behaviour without a gender norm, e.g. "kept the escalation call calm and '
            'focused on the fix"',
        ),
        Term(
            r"working\s+(?:mom|mum|mother|dad|father|parent)s?"
            r"|(?:mom|mum|mother|dad|father)\s+of\s+(?:two|three|four|five|\d+)",
            'leave family status out and assess the work, e.g. "delivered the billing rewrite on '
            'schedule"',
        ),
        Term(
            r"alpha[\s-](?:male|personality|dog)s?",
            'describe how they led and its effect, e.g. "made the call to roll back, and the '
            'service recovered in ten minutes"',
        ),
    ],
    # Age, ethnicity, origin, appearance and "fit", in other words.
    CODED: [
        Term(
            r"articulate",
            'say what they communicated and to whom, e.g. "explained the caching trade-offs to '
            'finance, who approved the budget"',
            # The verb ("articulate the requirements") is fine; the adjective about a person is not.
            unless=r"{w}\s+(?:to\s+)?(?:the|a|an|his|her|their|our|its|my|your|this|that|these|"
            r"those|them|it|why|what|how|where|whether|which|clear(?:ly)?|(?!(?:engineers|people|"
            r"speakers|communicators|members|folks|leaders)\b)[a-z-]+s)\b",
        ),
        Term(
            r"well[\s-]spoken",
            'name the communication and its effect, e.g. "presented the outage review to '
            'leadership and got the remediation funded"',
        ),
        Term(
            r"(?:not\s+a\s+(?:good\s+|great\s+)?)?(?:culture|cultural)[\s-]fit"
            r"|(?:not\s+a\s+(?:good\s+|great\s+)?)?fit\s+(?:for|with)\s+(?:our|the|this)\s+"
            r"(?:team(?:['’]s)?\s+)?culture|fits?\s+(?:in(?:to)?\s+)?(?:our|the)\s+culture",
            'name the specific behaviour or practice at stake, e.g. "built features without a '
            'design doc, which our review process expects"',
        ),
        Term(
            r"young\s+(?:and|&)\s+(?:energetic|hungry|fresh|dynamic|eager)"
            r"|(?:energetic|hungry|fresh|eager)\s+young|youthful(?:ness)?"
            r"|(?:fresh|young|new)\s+blood",
            'describe the contribution without age, e.g. "volunteered for three on-call rotations '
            'and closed the most tickets on the team"',
        ),
        Term(
            r"digital[\s-]natives?",
            'name the skill itself, e.g. "set up the team\'s first React Native build in a week"',
        ),
        Term(
            r"millennials?|(?:ok\s+)?boomers?|gen[\s-]?[xz](?:ers?)?|zoomers?",
            'drop the generation label and describe the working style, e.g. "prefers written async '
            'updates to status meetings"',
        ),
        Term(
            r"old[\s-]school",
            'name the practice and its effect, e.g. "deploys by hand, which adds a day to each '
            'release"',
        ),
        Term(
            r"set\s+in\s+(?:his|her|their|my|your)\s+(?:own\s+)?ways",
            'describe the specific resistance and its effect, e.g. "declined to try the new CI '
            'pipeline, so their service kept the slow one"',
        ),
        Term(
            r"too\s+old",
            'leave age out and name the skill gap, e.g. "has not yet used Kubernetes, which the '
            'new platform requires"',
            when=_ABOUT_PERSON + r"|{w}\s+(?:to\s+(?:learn|change|adapt|keep\s+up|pick\s+up|grow)|"
            r"for\s+(?:this|the|a|our)\s+(?:team|role|job|startup|position))",
        ),
        Term(
            r"(?:for|at)\s+(?:his|her|their)\s+age",
            "compare with the role's expectations, not age, e.g. \"operates at the senior bar for "
            'system design"',
        ),
        Term(
            r"grand(?:pa|ma|dad|father|mother)s?(?:ly)?",
            'drop the age label and describe the practice, e.g. "writes thorough runbooks that the '
            'on-call rotation relies on"',
            unless=r"grandfather\s+clauses?",
        ),
        Term(
            r"over-?qualified",
            'say which responsibilities fit the role and which go beyond it, e.g. "is ready to own '
            "the team's architecture decisions\"",
        ),
        Term(
            r"lack(?:s|ed|ing)?\s+(?:of\s+)?(?:executive\s+|professional\s+)?polish"
            r"|(?:executive|professional)\s+polish",
            'name what was missing and where, e.g. "the exec update had no summary up front and '
            'ran ten minutes over"',
            unless=_ARTEFACT + r"(?:\s+\S+){0,2}\s+{w}"
            r"|{w}\s+(?:in|on|of)\s+(?:the\s+)?" + _ARTEFACT,
        ),
        Term(
            r"polished",
            "describe the communication and its effect, e.g. \"answered the VP's questions on the "
            'outage with data and next steps"',
            when=_ABOUT_PERSON,
        ),
        Term(
            r"(?:executive|leadership)\s+presence|gravitas",
            'name what they did in the room, e.g. "opened the staff meeting with a recommendation '
            'and defended it with numbers"',
        ),
        Term(
            r"exotic(?:-looking)?",
            'leave appearance and origin out and describe the work, e.g. "built the localisation '
            'pipeline for five markets"',
            when=_ABOUT_PERSON + r"|{w}\s+(?:looks?|looking|name|accent|background|features|beauty|"
            r"appearance|heritage)",
        ),
        Term(
            r"urban",
            'describe the communication itself, e.g. "uses informal language in customer emails, '
            'which two customers flagged"',
            unless=r"{w}\s+(?:planning|planners?|mobility|areas?|cent(?:er|re)s?|transit|"
            r"transport\w*|markets?|dictionary|sprawl|design|density|population|environments?)",
        ),
        Term(
            r"(?:heavy|thick|strong|foreign|funny|weird)\s+accents?|(?:his|her|their)\s+accent",
            'leave the accent out and say whether the message got through, e.g. "walked the team '
            'through the migration plan and every owner knew their task"',
            unless=r"{w}\s+colou?rs?",
        ),
        Term(
            r"well[\s-](?:dressed|groomed|put[\s-]together)|good[\s-]looking"
            r"|dresses\s+(?:well|professionally|the\s+part)|looks\s+the\s+part",
            'leave appearance out and describe the work, e.g. "prepared the customer demo and '
            'handled every question"',
        ),
        Term(
            r"ghetto",
            'use a neutral word, e.g. "a makeshift workaround until the queue migration lands"',
        ),
    ],
}
