"""Naming themes: short keyphrase labels (class-based TF-IDF), polarity, representatives.

Rules and counts, not a model, so labels are deterministic and cheap; names of people are
never used as label words.
"""

import enum
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

STOPWORDS = frozenset(
    """a about above after again against all also always am an and any are aren't as at be
    because been before being below between both but by can can't cannot could couldn't did
    didn't do does doesn't doing don't down during each even ever every few for from further
    get gets getting got had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's however i i'd i'll i'm i've if in into is
    isn't it it's its itself just let's lot lots made make makes many me more most much
    mustn't my myself never no nor not now of off often on once one only or other ought our
    ours ourselves out over own quite rather really same shan't she she'd she'll she's should
    shouldn't so some still such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've thing things this those though through
    thru to too under until up us very was wasn't way we we'd we'll we're we've well were
    weren't what what's when when's where where's which while who who's whom why why's will
    with won't would wouldn't yet you you'd you'll you're you've your yours yourself
    yourselves great good work working worked team always really also time times like
    something someone person people lot bit able sure think feel felt things one two would
    could will can tends tend hard often usually sometimes seems seem see seen want wants
    needs need makes making done doing goes going gets took take takes thing part half
    year quarter week weeks month months day days last next first new every whole""".split()
)
_WORD = re.compile(r"[a-zà-öø-ÿ][a-zà-öø-ÿ0-9'’-]*[a-zà-öø-ÿ0-9]|[a-z]", re.IGNORECASE)


_POSSESSIVE = re.compile(r"'s?$")


class Polarity(enum.StrEnum):
    STRENGTH = "strength"
    GROWTH_AREA = "growth_area"
    MIXED = "mixed"


# --- polarity ------------------------------------------------------------------------------
# A statement's polarity comes from weighted cues: phrases first (requests and hedges such as
# "I'd like her to", "could be smaller", "the growth area is"; idioms such as "the person
# everyone calls"), then single words. A word cue within three words after a negator
# ("never", "not", "no", "...n't", "without") flips ("never misses" reads as praise, "not
# always clear" as a growth area); a negative word whose subject is the writer ("when I was
# stuck") does not count against the person. In "X, but Y" the clause after the turn weighs
# twice as much as the one before it. Rules, not a model: deterministic and microseconds.

# (regex, weight, weight when negated); phrases are matched before words and hide the words
# inside them. Weights: about ±2 for explicit requests and verdicts, ±1 for evaluative words,
# ±0.5 for weak evidence (achievement verbs, frequency adverbs).
_PHRASES: tuple[tuple[str, float, float], ...] = (
    # Not about the person: disclaimers about the writer's view, and text addressed to a machine.
    (
        r"(?:do not|don't|didn't|did not) (?:have|see) (?:enough|much|a lot of) (?:context|visibility)"
        r"|(?:don't|do not) have (?:much|anything) to add|(?:too )?early to (?:judge|say|tell)"
        r"|saw (?:very )?little of|not (?:enough|much) to add|not (?:just|only)",
        0.0,
        0.0,
    ),
    # Idioms where a negation or a "could"/"would" praises.
    (
        r"(?:nobody|no one|no other \w+|none of us|there is no one|there's no one)"
        r"(?: \S+){0,5} (?:\w+er|better|more|as|rather)\b",
        2.0,
        2.0,
    ),
    (r"(?:could ?n[o']t|could not) have (?:\S+ ){0,5}(?:without|better|more smoothly)", 2.0, 2.0),
    (
        r"(?:could|would|can) (?:always )?(?:rely|count) on|(?:don't|do not) know what (?:we|i|the "
        r"team)(?:'d| would) do without",
        1.5,
        -1.5,
    ),
    (
        r"(?:never|\w+n't ever|not ever) (?:had|seen|met|worked with) (?:a|an|anyone|anybody)\b"
        r"|(?:more|better) than (?:most|anyone|any|everyone)\b",
        1.5,
        1.5,
    ),
    (
        r"(?:something|what|one|things?) (?:that )?(?:he|she|they|it) should(?: have)?|good enough",
        0.0,
        0.0,
    ),
    (
        r"^should\b|should be proud|hard to overstate|wouldn't be (?:here|possible) without",
        1.0,
        1.0,
    ),
    (r"would make (?:a|an) (?:great|excellent|strong|good|fantastic)", 2.0, -2.0),
    (r"would make (?:\w+ ){0,3}(?:easier|better|more|less|clearer|faster)", -1.5, -1.5),
    (
        r"(?:'d| would) be (?:a )?(?:great|excellent|strong|fantastic|natural)(?! (?:to|if))",
        1.5,
        -1.5,
    ),
    (
        r"(?:i|we)(?:'d| would) (?:like|love) to (?:thank|work with \w+ again|keep working)",
        2.0,
        2.0,
    ),
    # Requests, hedges and suggestions: a growth area however politely put.
    (
        r"(?:i|we)(?:'d| would)(?: really)? (?:like|love|prefer|rather|change)"
        r"|(?:i|we)(?:'d| would) have (?:liked|loved|preferred)"
        r"|(?:i|we) (?:really )?(?:want|hope) (?:to see|(?:him|her|them) to|to help|for (?:him|her))"
        r"|(?:i|we) (?:really )?wish|\bwish (?:he|she|they)|(?:i|we) (?:really )?(?:hope|want|expect) "
        r"(?:that )?(?:he|she|they)\b",
        -2.0,
        -2.0,
    ),
    (
        r"would (?:really )?benefit from|(?:i|we)(?:'d| would) appreciate (?:more|it if|if|a |some )|"
        r"^(?:stop|start|try|avoid) \w+|below (?:the )?(?:bar|expectations)|"
        r"(?:does not|doesn't|did not|didn't) meet|concerns? about|"
        r"needs? (?:\w+ )?(?:work|attention|improvement)|(?:i'd|i would|i) (?:encourage|suggest|recommend) (?:that )?"
        r"(?:him|her|them|he|she|they)|(?:my|one|the) (?:only |main |one )?suggestion|"
        r"if (?:he|she|they) (?:could|would)|(?:i'd|i would|i) expect (?:him|her|them) to|(?:be|being|get|become) (?:a (?:bit|little) )?"
        r"(?:more|less) \w+|more often|failed to|fails to|failing to",
        -2.0,
        -2.0,
    ),
    (
        r"should(?:n't| not)?(?: have)?|ought to|(?:\bhe|\bshe|\bthey|\bit|\w+s) could(?![n'])"
        r"(?! always| easily| not| never)|could (?:be|use|try|benefit) (?:\w+ )?"
        r"(?:more|less|better|smaller|earlier|sooner|faster)",
        -1.5,
        -1.5,
    ),
    (
        r"would be (?:\w+ )?(?:good|great|nice|better|helpful|useful|ideal) (?:to|if|for)"
        r"|would (?:really )?help|would have (?:helped|been (?:\w+ )?(?:better|useful|helpful|"
        r"good|nice|easier))|(?:'d| would) be (?:\w+ )?more \w+ if|would rather",
        -1.5,
        -1.5,
    ),
    (
        r"needs? (?:to|more)|need(?:s|ed)? (?:\w+ )?(?:to be|to get|more)|(?:has|have|had) to learn"
        r"|(?:want|would like) (?:him|her|them) to",
        -2.0,
        1.5,
    ),
    # Named growth areas.
    (
        r"growth (?:area|theme|opportunit\w+)|areas? (?:to|for) (?:watch|improve\w*|grow\w*|"
        r"develop\w*|work on)|(?:things?|one thing|area) to (?:work on|watch|improve|build)|"
        r"work(?:ing)? on\b(?! (?:the|a|an|his|her|their|our|my|this|that|every|it)\b)|"
        r"(?:the|main|biggest|one|key) gap|habit to build|next step is|priority for next|"
        r"the flip side|the (?:main )?risk is|what holds (?:him|her|them) back|one thing between|"
        r"room (?:for|to) (?:improve|grow)\w*|needs? improvement|opportunit(?:y|ies) (?:to|for)|"
        r"remedial|blind spots?|weakness\w*|downside|drawback|(?:my|one|main) concern|"
        r"fell short|partly met|not (?:yet |fully )?met|isn't (?:yet |fully )?met|"
        r"(?:is|was|are|were)(?: not|n't) (?:always |quite )?(?:enough|there yet)",
        -2.0,
        -2.0,
    ),
    # Patterns of behaviour that reviewers raise as problems.
    (
        r"(?:\w+n't|not|never|rarely|seldom|without) (?:\w+ ){0,2}(?:ask(?:s|ed|ing)?|reach(?:es|ed|ing)?"
        r" out|pull(?:s|ed|ing)? (?:\w+ )?in)(?: \w+){0,3} (?:for )?help",
        -2.0,
        -2.0,
    ),
    (r"ask(?:s|ed|ing)? (?:\w+ ){0,2}(?:for |to )?help|raise(?:s|d)? (?:\w+ )?hand", 0.5, -2.0),
    (
        r"(?:too much|everything|a lot|every|all) (?:[^\s,;]+ ){0,5}(?:(?:him|her|them)sel(?:f|ves)"
        r"|on (?:his|her|their) own)|on (?:him|her|them)sel(?:f|ves)|\balone\b",
        -1.5,
        1.0,
    ),
    (
        r"sa(?:y|ys|id|ying) yes to every\w*|carr(?:y|ies|ied|ying) too|spread (?:too )?thin|"
        r"(?:too )?dependent on|in (?:his|her|their) head|only (?:exists?|lives?|lived) in|"
        r"the only (?:one|person) who|keeps? (?:\S+ ){0,3}to (?:him|her|them)sel(?:f|ves)|"
        r"to (?:him|her|them)sel(?:f|ves)|waits? to be asked|out of the loop|los[te] track|"
        r"(?:moved|moves|moving) around|last[- ]minute|(?:come|comes|came) across as|"
        r"hold(?:s|ing)? (?:\w+ ){0,3}back|(?:push(?:es)?|pushing) back hard",
        -1.5,
        1.5,
    ),
    (r"unless (?:\w+ )?(?:asked|prompted|reminded|chased)|but not\b", -1.5, -1.5),
    (
        r"overpromis\w*|underdeliver\w*|over-commit\w*|"
        r"(?:sit|sits|sitting|sat|wait|waits|waiting|waited|stuck|left) (?:\w+ )?for (?:days|weeks|"
        r"a while|too long|hours)|"
        r"without (?:saying|telling|mentioning|explaining|flagging|checking|testing|running|"
        r"updating|letting)|(?:takes?|took|taking) on more than|more than (?:he|she|they) can|"
        r"(?:came|comes|come) up (?:more than once|repeatedly|again|several times|a lot|often)|"
        r"cut(?:s|ting)? corners",
        -1.5,
        1.5,
    ),
    (
        r"(?:find|found|finding|hear|heard|hearing) out|heard about (?:it|the|a)\b|"
        r"(?:(?:not|never|\w+n't) (?:always |quite |really )?sure|don't know|didn't know|no idea|"
        r"not clear)\b|(?:but|and) (?:then )?(?:never|didn't|did not|hasn't|has not|haven't)"
        r"(?: \w+)?[.!]?$",
        -1.0,
        -1.0,
    ),
    (
        r"(?:takes?|took|taking|'ll take|can take) (?:\w+ ){0,3}(?:a while|longer|over a week|a week|"
        r"\w+ days|days|an afternoon|weeks)|waiting (?:for|on) (?:him|her|them)|"
        r"before (?:mentioning|asking|pinging|running|telling|raising|flagging|checking|testing|"
        r"i (?:get|could|had))|had to (?:be )?(?:dig|reconcil|chas|rework|redo|rewrit|ask)\w*|"
        r"(?:more|longer|bigger) (?:\S+ ){0,4}than (?:\w+ ){0,2}(?:need|necessary)\w*",
        -1.0,
        1.0,
    ),
    (r"(?:ago|used to|at first|initially)\b[^.;]*\bnow", 1.5, 1.5),
    (r"too (?!early\b|soon to\b)\w+", -1.5, 1.0),
    (r"(?:not|\w+n't) always", -1.5, -1.5),
    (
        r"(?:rarely|seldom|hardly ever) (?:\w+ ){0,3}(?:bugs?|mistakes?|errors?|problems?|issues?|"
        r"incidents?|outages?|late|misses|wrong|rollbacks?|regressions?|complain\w*)",
        1.5,
        1.5,
    ),
    (r"rarely|seldom|hardly ever", -1.0, -1.0),
    (r"tends? (?:not )?to|at times|sometimes|still|often", -0.7, 0.7),
    # Praise idioms.
    (
        r"(?:'s|is|was|are|were|one of) (?:also |really )?(?:the )?(?:main |real |whole |big )?"
        r"reasons?|is why|thanks to|because of (?:her|him|"
        r"them|his|how)|(?:is|are) (?:partly |largely |mostly )?(?:his|her|their) (?:work|doing)",
        1.0,
        -1.0,
    ),
    (
        r"(?:the )?(?:person|engineer|one) (?:\w+ ){0,2}(?:i|you|we|everyone|people) (?:\w+ )?"
        r"(?:go(?:es)? to|want|call|calls|ask|trust)|go-to|model for|backbone|raised the bar|"
        r"set the tone|what good looks like|inside out|end to end|start to finish|"
        r"(?:makes?|made|has|had|have) (?:\w+ )?time (?:for|to)|made time|"
        r"(?:stopped|stop) worrying|never worr(?:y|ied)|(?:it )?just works|"
        r"ahead of (?:schedule|time)|above and beyond|exceed\w*|above (?:the )?(?:bar|expectations)|"
        r"(?:on track|ready) for (?:a )?promotion|^(?:keep|continue) (?:doing|up|to)|turned (?:\w+ )?around|"
        r"(?:goes|went|go) the extra mile|"
        r"(?:took|takes|take|taking) (?:the )?initiative|(?:the )?first to (?:volunteer|help|offer|step)|"
        r"(?:a )?pleasure to work|(?:a |the )?knack for|own(?:s|ed)? (?:up to )?(?:his|her|their|the) "
        r"mistakes?|cut (?:\w+ ){0,3}(?:in half|by)|"
        r"(?:sorted|figured|worked) (?:it|this|that) out|"
        r"on (?:time|schedule)|as planned|same day|"
        r"(?:without|with no) (?:anyone |being )?(?:asking|asked)|little help from|"
        r"fill(?:s|ed)? (?:a|the) gap|held up|paid off|in the loop|singled \w+ out|"
        r"named (?:him|her|them)|by name|(?:ready|ready for) (?:for )?(?:more|a larger|a bigger)|"
        r"kept (?:\w+ ){0,2}(?:informed|updated|in the loop|calm|green|organi[sz]ed|visible|on track)|"
        r"(?:was|were|is) (?:his|her|their) (?:own )?idea|(?:took|takes|take) the heat|"
        r"let(?:s)? (?:me|you|us|them|others|people) (?:\w+ )?(?:drive|own|lead|run|make|decide|"
        r"present)|gave (?:me|us|them) (?:\w+ )?(?:space|room|ownership|autonomy)|"
        r"(?:is|are) now (?:part of|used|the (?:\w+ )?norm|a habit|standard)|used by|"
        r"(?:people|everyone|teams|leadership) (?:\w+ )?(?:use|uses|rely on)|"
        r"(?:i|we) (?:now )?(?:use|link|send|share) (?:it|them)|first (?:thing|place|person) (?:i|we)|"
        r"changed (?:my|our|how|the way)|it shows|shows in (?:his|her|their) work|"
        r"under control|within (?:a|one|two|three|\d+) (?:days?|weeks?)|in (?:his|her|their) first "
        r"(?:week|month|day|few)|before (?:most of us|anyone else|the rest of us|we even)|"
        r"(?:made|make|makes) (?:a |the )?(?:\w+ ){0,2}call|"
        r"got (?:every|all|everyone|both)\w* (?:\w+ )?to (?:agree|align|adopt)|"
        r"\w+ before (?:launch|release|the deadline)",
        1.5,
        -1.5,
    ),
    (
        r"happy to help|willing to help|always helps?|help(?:s|ed)? (?:me|us|them|him|her|people|"
        r"everyone|the team)|unblock\w*",
        1.5,
        -1.5,
    ),
    (
        r"(?:picked|picks|picking) (?:\w+ ){0,2}up|learn(?:s|ed)? (?:fast|quickly)|"
        r"grown a lot|ramp(?:ed)?(?:-| )up",
        1.0,
        -1.0,
    ),
    (r"hard (?:scope )?call|clear(?:est)? examples?|clear evidence", 0.0, 0.0),
    (r"would have (?:\w+ed|\w+en|\w+t|\w+d)\b", 0.0, 0.0),
)

_WORDS: tuple[tuple[str, float, float], ...] = (
    # Praise.
    (
        r"best|strongest|outstanding|excellent|invaluable|indispensable|instrumental|exemplary|"
        r"stand-?out|amazing|fantastic|brilliant|exceptional|superb|"
        r"stellar|wonderful|terrific|awesome|incredibl[ey]|impressive|favou?rite|joy|"
        r"incr[ií]vel|incre[ií]ble|incroyable|excelente|[óo]timo|genial|hervorragend",
        1.5,
        -1.0,
    ),
    (
        r"great|strong|good|clear\w*|clean\w*|thorough\w*|calm\w*|composure|patien\w*|reliabl\w*|"
        r"dependable|generous|helpful|smart|clever|sharp|creative|thoughtful|insightful|rigorous|"
        r"data-driven|curious|eager|enthusiastic|organi[sz]ed|approachable|fair|friendly|nice|"
        r"nicest|lovely|lov(?:e|ed|es)|steady|responsive|manageable|deserv\w*|talented|skil\w*|"
        r"knowledgeable|dedicated|diligent|meticulous|detail-oriented|pragmatic|humble|respected|"
        r"valu(?:ed|able)|crucial|effective\w*|efficient\w*|productive|high-quality|polished|"
        r"innovative|resourceful|versatile|adaptable|flexible|accountable|empath\w*|kind|"
        r"supportive|collaborative|inspir\w*|motivat\w*|encourag\w*|empower\w*|champion\w*|"
        r"advocate|impressed|proud|pleasure|delight\w*|admire\w*|kudos|tact\w*|"
        r"solid|smooth\w*|healthy|coherent|matur\w*|proactive|"
        r"easy|easier|enjoy\w*|appreciat\w*|thank\w*|grateful|trust\w*|praised|success\w*|win|"
        r"mentor\w*|coach\w*|taught|saved|caught|found|spotted|teach\w*|deep\w*|expert\w*|natural|potential|"
        r"painless|seamless|effortless|blameless|"
        r"ajud\w*|ayud\w*|aprend\w*|paciente|merci|gracias|obrigad\w|hilfsbereit|zuverl[äa]ssig|"
        r"fiable|disponible|bravo",
        1.0,
        -1.0,
    ),
    (
        r"well(?! as\b)|well-\w+|better|fast|faster|quick\w*|learn\w*|grow(?:n|s)?|improv\w*|"
        r"progress\w*|consistent\w*|careful\w*|care(?:s|d)?|ownership|own(?:s|ed)|delivered|shipped|"
        r"led|handled|fixed|prevent\w*|explain\w*|paired|impact|useful|ready|rehears\w*|validat\w*|"
        r"load-test\w*|reduc\w*|"
        r"staff-level|senior-level|next-level|accurate|detailed|specific|cares|support\w*|"
        r"help(?:s|ed|ing)?|prepared|initiative|"
        r"shar(?:e|es|ed|ing)|speaks? up|raise[sd]?|flag(?:s|ged)?|escalat\w*|defend\w*|"
        r"follow(?:s|ed)? (?:through|up)|communicat\w*|quality|sorted|resolved|solved|built|designed|launched|volunteer\w*|positive",
        0.5,
        -0.5,
    ),
    # Problems.
    (
        r"late|later|slip\w*|behind|stall\w*|dropp?\w*|stopped|missed|miss(?:es|ing)?|lost|lose|"
        r"harsh|intimidat\w*|defensive|terse|annoyed|discourag\w*|overcommit\w*|stretched|"
        r"overloaded|thin|huge|optimis\w*|scramble|cancel\w*|slow\w*|stuck|quiet\w*|afterwards|"
        r"undersell\w*|underestimat\w*|undervalu\w*|invisible|surpris\w*|struggl\w*|frustrat\w*|"
        r"confus\w*|unclear|inconsistent|lack\w*|hesitant|reluctant|bottleneck|"
        r"forg[eo]t\w*|overrun\w*|rush\w*|careless|rude|dismissive|unresponsive|unreliable|"
        r"disorgani[sz]ed|worr(?:y|ied|ies)|silly|stupid|afraid|in the way|blocking|blocker|difficult|"
        r"rework\w*|absorb\w*|hard|over-?polish\w*|messy|sloppy|dull|poor\w*|weak|problematic|"
        r"negative\w*|blam(?:e|ed|es|ing)|hesitat\w*|painful|dismissive|interrupt\w*|micro-?manag\w*|distract\w*|disengaged|"
        r"silo\w*|opaque|overwhelm\w*|burn(?:ed|t)? ?out|tension|abrupt|curt|brusque|condescending|"
        r"arrogant|stubborn|rigid|abrasive|complain\w*|gatekeep\w*|procrastinat\w*|unprepared|"
        r"unfocused|scattered|chaotic|mess|verbose|rambl\w*|overly|overthink\w*|"
        r"over-?engineer\w*|perfectionis\w*|mistakes?|errors?|wrong",
        -1.0,
        0.8,
    ),
    (r"delay\w*|bad", -0.5, 0.5),
)

# Problem nouns that only tell when negated: "no outage", "without a rollback".
_NEGATED_ONLY = (
    r"outages?|incidents?|rollbacks?|regressions?|rejections?|bugs?|escalations?|issues?|"
    r"surprises?|complaints?|problems?|concerns?"
)

_NEGATORS = frozenset(
    "not no never nobody none nothing neither nor without hardly barely cannot rarely seldom".split()
)
_FIRST_PERSON = frozenset("i i'm we we're me us i've we've i'd".split())
_THIRD_PERSON = frozenset("he she they he's she's they're his her their him them it".split())
_LIGHT = frozenset(
    "a an the feel feels felt like make makes made making you anyone anybody me us him her them "
    "be been being seem seems seemed look looks ever even".split()
)
_INTENSIFIERS = frozenset("very really super so incredibly extremely truly genuinely most".split())
_SOFTENERS = frozenset("slightly somewhat bit little perhaps maybe occasionally".split())
_TURN = re.compile(
    r"(?:^|[,;:—–]?\s+)\b(?:but|however|although|though|yet|that said|even so|except that)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:.!?()—–]")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_INJECTION = re.compile(
    r"\b(?:ignore|disregard) (?:all |any )?(?:the )?(?:previous|prior|above|earlier) "
    r"(?:instructions|prompts?|rules)\b"
)


def _compile(
    cues: tuple[tuple[str, float, float], ...],
) -> tuple[re.Pattern[str], list[tuple[float, float]]]:
    source = "|".join(
        f"(?P<c{i}>\\b(?:{pattern})(?!\\w))" for i, (pattern, _, _) in enumerate(cues)
    )
    return re.compile(source), [(w, n) for _, w, n in cues]


_PHRASE_RE, _PHRASE_WEIGHTS = _compile(_PHRASES)
_WORD_RE, _WORD_WEIGHTS = _compile(_WORDS + ((_NEGATED_ONLY, 0.0, 1.0),))


def _context(segment: str, start: int) -> list[str]:
    """The words before `start` in the same clause that count as its neighbours, nearest last:
    up to three, not counting light words ("never makes you feel stupid" reaches "never")."""
    before = segment[max(0, start - 80) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    words: list[str] = []
    heavy = 0
    for word in reversed(_TOKEN.findall(before)):
        words.append(word)
        if word not in _LIGHT:
            heavy += 1
            if heavy == 3:
                break
    words.reverse()
    return words


def _negated(words: list[str]) -> bool:
    for i, w in enumerate(words):
        if w in _NEGATORS or w.endswith("n't"):
            # "not just the how", "not only fast": an addition, not a negation.
            if i + 1 < len(words) and words[i + 1] in ("just", "only"):
                continue
            return True
    return False


def _segment_score(segment: str) -> float:
    total = 0.0
    taken: list[tuple[int, int]] = []
    for regex, weights, phrase in (
        (_PHRASE_RE, _PHRASE_WEIGHTS, True),
        (_WORD_RE, _WORD_WEIGHTS, False),
    ):
        for match in regex.finditer(segment):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            weight, negated_weight = weights[int(match.lastgroup[1:])]  # type: ignore[index]
            words = _context(segment, start)
            if _negated(words):
                weight = negated_weight
            elif not phrase and weight < 0:
                # "when I was stuck", "I had missed": the writer's trouble, not the person's.
                for w in reversed(words):
                    if w in _FIRST_PERSON:
                        weight = 0.0
                        break
                    if w in _THIRD_PERSON:
                        break
            if weight > 0 and match.group().endswith("est"):
                weight *= 1.5  # superlatives: "the clearest on the team"
            if words and words[-1] in _INTENSIFIERS:
                weight *= 1.3
            elif words and words[-1] in _SOFTENERS:
                weight *= 0.6
            total += weight
    return total


def statement_polarity(text: str) -> float:
    """-1 (growth area) to +1 (strength) from weighted cues; 0 when nothing tells."""
    norm = text.lower().replace("’", "'").replace("‘", "'")
    if _INJECTION.search(norm):
        return 0.0
    cuts = [m for m in _TURN.finditer(norm)]
    bounds = [0] + [m.start() for m in cuts] + [len(norm)]
    total = 0.0
    segments = [norm[a:b] for a, b in zip(bounds, bounds[1:])]
    for i, segment in enumerate(segments):
        weight = 1.0 if i == len(segments) - 1 else 0.5
        total += weight * _segment_score(segment)
    if cuts and cuts[0].start() == 0:
        total -= 0.5  # "But ..." opens the critique that follows praise
    if re.search(r"\bthough[.!]?\s*$", norm):
        total -= 0.5  # "..., though." concedes against earlier praise
    if total == 0:
        return 0.0
    return total / (abs(total) + 1.0)


def theme_polarity(scores: Iterable[float]) -> Polarity:
    """Strength when most statements lean positive, growth area when most lean negative."""
    values = list(scores)
    positive = sum(1 for s in values if s > 0)
    negative = sum(1 for s in values if s < 0)
    if positive and positive >= 2 * negative:
        return Polarity.STRENGTH
    if negative and negative >= 2 * positive:
        return Polarity.GROWTH_AREA
    return Polarity.MIXED


def _terms(text: str, exclude: frozenset[str]) -> list[str]:
    words = [_POSSESSIVE.sub("", w.lower().replace("’", "'")) for w in _WORD.findall(text)]
    terms: list[str] = []
    for i, word in enumerate(words):
        if word in STOPWORDS or word in exclude or len(word) < 3:
            continue
        terms.append(word)
        if i + 1 < len(words):
            nxt = words[i + 1]
            if nxt not in STOPWORDS and nxt not in exclude and len(nxt) >= 3:
                terms.append(f"{word} {nxt}")
    return terms


def keyphrase_labels(
    themes: Sequence[Sequence[str]], *, exclude: Iterable[str] = (), per_theme: int = 2
) -> list[str]:
    """A short label per theme: its most distinctive words and bigrams (class-based TF-IDF)."""
    excluded = frozenset(w.lower() for w in exclude)
    counts = [Counter(t for text in texts for t in set(_terms(text, excluded))) for texts in themes]
    df = Counter(term for c in counts for term in c)
    n = len(themes)
    labels: list[str] = []
    for texts, c in zip(themes, counts, strict=True):
        size = max(len(texts), 1)

        def score(term: str, c: Counter[str] = c, size: int = size) -> tuple[float, str]:
            weight = 1.3 if " " in term else 1.0
            support = c[term] / size
            return (weight * support * math.log(1 + n / df[term]), term)

        # Prefer terms several statements share; a theme whose statements share no term
        # still gets its most distinctive single words rather than a copied sentence.
        ranked = sorted((t for t in c if c[t] >= min(2, size)), key=score, reverse=True)
        ranked += sorted(
            (t for t in c if t not in ranked and " " not in t), key=score, reverse=True
        )
        chosen: list[str] = []
        for term in ranked:
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == per_theme:
                break
        labels.append(" · ".join(chosen) if chosen else "(no distinctive words)")
    return labels


def representatives(vectors: npt.NDArray[np.float32], *, count: int = 3) -> list[int]:
    """Indices of the rows closest to the rows' mean direction (ties by index)."""
    if len(vectors) == 0:
        return []
    centroid = vectors.mean(axis=0)
    scores = vectors @ centroid
    order = sorted(range(len(vectors)), key=lambda i: (-round(float(scores[i]), 6), i))
    return order[:count]
