"""Polarity of feedback statements and themes: strength, growth area, or mixed.

Weighted cue rules (see the comment below), and where a statement's MiniLM vector is at hand,
its meaning too (`meaning_polarity`): most specific feedback states what happened ("the
dataset met its SLA on 97% of days") with no evaluative word for a cue to catch. Measured on
475 hand-labelled statements by `python -m evals.bench_polarity`.
"""

import enum
import re
from collections.abc import Iterable
from functools import lru_cache


class Polarity(enum.StrEnum):
    STRENGTH = "strength"
    GROWTH_AREA = "growth_area"
    MIXED = "mixed"


# --- polarity ------------------------------------------------------------------------------
# A statement's polarity comes from weighted cues: phrases first (requests and hedges such as
# "I'd like her to", "could be smaller", "the growth area is"; idioms such as "the person
# everyone calls"), then single words. A cue within three words after a negator ("never",
# "not", "no", "...n't", "without", "rarely") takes its negated weight ("never misses" reads as
# praise, "not always clear" as a growth area); a negative word whose subject is the writer
# ("when I was stuck") does not count against the person, nor does one after a verb of finding
# or ending a problem ("caught that the notes were wrong", "stopped our merges being blocked")
# or inside a compound ("error-budget"); in an opening "When ..., " clause it weighs half. In
# "X, but Y" the clause after the turn weighs twice as much as the one before it. Rules, not a
# model: deterministic, offline and well under a millisecond a statement.
#
# A cue is (weight, weight when negated, alternatives). Weights: about ±2 for explicit requests
# and verdicts, ±1 to ±1.5 for evaluative words and idioms, ±0.5 for weak evidence
# (achievement verbs, frequency adverbs). Phrases are matched before words and hide the words
# inside them; among phrases, earlier entries win at the same position.
_Cue = tuple[float, float, tuple[str, ...]]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_PHRASES: tuple[_Cue, ...] = (
    # Not a verdict: the writer's limited view; "not just"/"not only" adds rather than negates.
    (
        0.0,
        0.0,
        (
            r"(?:do not|don't|didn't|did not) (?:have|see) (?:enough|much|a lot of) "
            r"(?:context|visibility)",
            r"(?:don't|do not) have (?:much|anything) to add",
            r"(?:too )?early to (?:judge|say|tell)",
            r"saw (?:very )?little of",
            r"not (?:enough|much) to add",
            r"not (?:just|only)",
            r"(?:reason(?:ing)?|thinking|logic|story|idea|team|people|person) behind",
            r"behind the scenes",
        ),
    ),
    # Silence that follows a concern: "nobody raised it again".
    (
        -1.5,
        -1.5,
        (
            r"(?:nobody|no one|never) (?:\w+ )?(?:raised|questioned|challenged|mentioned"
            r"|asked about) (?:it|that|this|anything|them)(?: \w+)? again",
        ),
    ),
    # Negations and modals that praise.
    (
        2.0,
        2.0,
        (
            r"(?:nobody|no one|no other \w+|none of us|there is no one|there's no one)"
            r"(?: \S+){0,5} (?:\w+er|better|more|as|rather)\b",
            r"(?:could ?n[o']t|could not) have (?:\S+ ){0,5}(?:without|better|more smoothly)",
        ),
    ),
    (
        1.5,
        -1.5,
        (
            # "we can rely on her", not "a date I can rely on."
            r"(?:could|would|can) (?:always )?(?:rely|count) on(?= \w)",
            r"(?:don't|do not) know what (?:we|i|the team)(?:'d| would) do without",
        ),
    ),
    (
        1.5,
        1.5,
        (
            r"(?:never|\w+n't ever|not ever) (?:had|seen|met|worked with) "
            r"(?:a|an|anyone|anybody)\b",
            r"(?:more|better) than (?:most|anyone|any|everyone)\b",
            r"(?:i|we) (?:really |especially )?(?:like|love|appreciate|value|admire) "
            r"(?:how|the way|that|working|his|her|their)\b",
            r"work(?:s|ed|ing)? (?:really |very |so )?hard\b",
            r"hard-?working",
            r"(?:never|\w+n't|not) makes? (?:it|things|this|that) about "
            r"(?:him|her|them)sel(?:f|ves)",
            r"(?:better|faster|clearer|stronger|cleaner|healthier|calmer) (?:shape |\w+ ){0,2}than "
            r"(?:it|they|we|this|ever)\b(?: \w+){0,2} (?:ever|before)\b",
            r"no longer (?:\w+ ){0,2}(?:wait|waits|waiting|need|needs|have to|has to|break|breaks"
            r"|fail|fails|block|blocks|pages?|get paged|depends?)",
            # the cost borne is the point: "even when it slowed his own roadmap"
            r"even (?:when|if|though) (?:it|that|this|doing so) (?:\w+ ){0,2}(?:slowed|cost|meant"
            r"|delayed|hurt)",
        ),
    ),
    (
        0.0,
        0.0,
        (
            r"(?:something|what|one|things?) (?:that )?(?:he|she|they|it) should(?: have)?",
            r"good enough",
        ),
    ),
    (
        1.0,
        1.0,
        (
            r"^should\b",  # "Should anything break, she's the first person I'd call."
            r"should be proud",
            r"hard to overstate",
            r"wouldn't be (?:here|possible) without",
        ),
    ),
    (2.0, -2.0, (r"would make (?:a|an) (?:great|excellent|strong|good|fantastic)",)),
    (-1.5, -1.5, (r"would make (?:\w+ ){0,3}(?:easier|better|more|less|clearer|faster)",)),
    (
        1.5,
        -1.5,
        (r"(?:'d| would) be (?:a )?(?:great|excellent|strong|fantastic|natural)(?! (?:to|if))",),
    ),
    (
        2.0,
        2.0,
        (r"(?:i|we)(?:'d| would) (?:like|love) to (?:thank|work with \w+ again|keep working)",),
    ),
    # Requests, hedges and suggestions: a growth area however politely put.
    (
        -2.0,
        -2.0,
        (
            r"(?:i|we)(?:'d| would)(?: really)? (?:like|love|prefer|rather|change)",
            r"(?:i|we)(?:'d| would) have (?:liked|loved|preferred)",
            r"(?:i|we) (?:really )?(?:want|hope) "
            r"(?:to see|(?:him|her|them) to|to help|for (?:him|her))",
            r"(?:i|we) (?:really )?wish",
            r"(?:habit|thing|pattern)s? (?:i|we) (?:\w+ ){0,2}(?:want|would like|'d like|need) "
            r"(?:\w+ ){0,2}(?:change|fix|stop|break)",
            r"(?:that|which|it) cost (?:us|the team|them|customers)\b",
            r"wish (?:he|she|they)",
            r"(?:i|we) (?:really )?(?:hope|want|expect) (?:that )?(?:he|she|they)\b",
            r"(?:i|we) (?:really )?(?:want|need|expect) (?:him|her|them) (?:in|on|at|to be)\b",
            r"would (?:really )?benefit from",
            r"(?:i|we)(?:'d| would) appreciate (?:more|it if|if|a|some)\b",
            r"^(?:stop|start|try|avoid) \w+",
            r"below (?:the )?(?:bar|expectations)",
            r"(?:does not|doesn't|did not|didn't) meet",
            r"concerns? about",
            r"needs? (?:\w+ )?(?:work|attention|improvement)",
            r"(?:i'd|i would|i) (?:encourage|suggest|recommend) (?:that )?"
            r"(?:him|her|them|he|she|they)",
            r"(?:my|one|the) (?:only |main |one )?suggestion",
            r"if (?:he|she|they) (?:could|would)",
            r"(?:i'd|i would|i) expect (?:him|her|them) to",
            r"(?:be|being|get|become) (?:a (?:bit|little) )?(?:more|less) \w+",
            r"more often",
            r"fail(?:ed|s|ing) to",
        ),
    ),
    (
        -1.5,
        -1.5,
        (
            # "Earlier involvement would have saved us that": a suggestion, not a harm averted.
            r"(?:earlier|sooner|more|better|closer|less|fewer) (?:\S+ ){0,4}(?:would|could) have "
            r"(?:saved|helped|avoided|prevented|caught|made|spared)",
            r"(?:rather than|instead of|not) from (?:him|her|them)\b",
            r"(?:rather than|instead of) (?:explaining|asking|delegating|teaching|letting|pairing"
            r"|involving|telling|sharing|documenting|flagging|raising|digging)",
            r"should(?:n't| not)?(?: have)?",
            r"ought to",
            r"(?:\bhe|\bshe|\bthey|\bit|\w+s) could(?![n'])(?! always| easily| not| never)",
            r"could (?:be|use|try|benefit) (?:\w+ )?"
            r"(?:more|less|better|smaller|earlier|sooner|faster)",
            r"would be (?:\w+ )?(?:good|great|nice|better|helpful|useful|ideal) (?:to|if|for)",
            r"would (?:really )?help",
            r"would have (?:helped|been (?:\w+ )?(?:better|useful|helpful|good|nice|easier))",
            r"(?:'d| would) be (?:\w+ )?more \w+ if",
            r"would rather",
        ),
    ),
    (
        -2.0,
        1.5,  # "I never need to ask where things are"
        (
            r"needs? (?:to|more)",
            r"need(?:s|ed)? (?:\w+ )?(?:to be|to get|more)",
            r"(?:has|have|had) to learn",
            r"(?:want|would like) (?:him|her|them) to",
        ),
    ),
    # Named growth areas.
    (
        -2.0,
        -2.0,
        (
            r"growth (?:area|theme|edge|point|opportunit\w+)",
            r"development (?:area|need)s?",
            r"areas? of (?:growth|development|improvement)",
            r"areas? (?:to|for) (?:watch|improve\w*|grow\w*|develop\w*|work on)",
            r"(?:things?|one thing|area) to (?:work on|watch|improve|build)",
            r"work(?:ing)? on\b(?! (?:the|a|an|his|her|their|our|my|this|that|every|it)\b)",
            r"(?:the|main|biggest|one|key) gap",
            r"habit to build",
            r"next step is",
            r"priority for next",
            r"the flip side",
            r"the (?:main )?risk is",
            r"what holds (?:him|her|them) back",
            r"one thing between",
            r"room (?:for|to) (?:improve|grow)\w*",
            r"needs? improvement",
            r"opportunit(?:y|ies) (?:to|for)",
            r"remedial",
            r"blind spots?",
            r"weakness\w*",
            r"downside",
            r"drawback",
            r"(?:my|one|main) concern",
            r"fell short",
            r"partly met",
            r"not (?:yet |fully )?met",
            r"isn't (?:yet |fully )?met",
            r"(?:is|was|are|were)(?: not|n't) (?:always |quite )?(?:enough|there yet)",
        ),
    ),
    # Patterns of behaviour that reviewers raise as problems.
    (
        -2.0,
        -2.0,
        (
            r"(?:\w+n't|not|never|rarely|seldom|without) (?:\w+ ){0,2}(?:ask(?:s|ed|ing)?"
            r"|reach(?:es|ed|ing)? out|pull(?:s|ed|ing)? (?:\w+ )?in)(?: \w+){0,3} (?:for )?help",
        ),
    ),
    (
        0.5,
        -2.0,
        (
            r"ask(?:s|ed|ing)? (?:\w+ ){0,2}(?:for |to )?help",
            r"raise(?:s|d)? (?:\w+ )?hand",
        ),
    ),
    (
        -1.5,
        1.0,
        (
            r"(?:too much|everything|a lot|every|all) (?:[^\s,;]+ ){0,5}"
            r"(?:(?:him|her|them)sel(?:f|ves)|on (?:his|her|their) own)",
            r"on (?:him|her|them)sel(?:f|ves)",
            r"(?:took|takes|take|taking|kept|keeps|keep|keeping|ran|runs|run|running) "
            r"(?:(?:it|them|that|this|those|these|the \w+) )?(?:him|her|them)sel(?:f|ves)",
            # "works alone", not "the merge queue alone saved us a day"
            r"alone(?! (?:\w+ed|saved|cut|made|accounts?|would|is|was|has|brought|took|gave)\b)",
        ),
    ),
    (
        -1.5,
        1.5,
        (
            r"sa(?:y|ys|id|ying) yes to every\w*",
            r"carr(?:y|ies|ied|ying) too",
            r"spread (?:too )?thin",
            r"(?:too )?dependent on",
            r"in (?:his|her|their) head",
            r"only (?:exists?|lives?|lived) in",
            r"the only (?:one|person) who",
            r"keeps? (?:\S+ ){0,3}to (?:him|her|them)sel(?:f|ves)",
            r"to (?:him|her|them)sel(?:f|ves)",
            r"waits? to be asked",
            r"out of the loop",
            r"los[te] track",
            r"(?:moved|moves|moving) around",
            r"last[- ]minute",
            r"(?:come|comes|came) across as",
            r"hold(?:s|ing)? (?:\w+ ){0,3}back",
            r"(?:push(?:es)?|pushing) back hard",
        ),
    ),
    (
        -1.5,
        -1.5,
        (
            r"unless (?:\w+ )?(?:asked|prompted|reminded|chased)",
            r"but not\b",
        ),
    ),
    (
        -1.5,
        1.5,
        (
            r"overpromis\w*",
            r"underdeliver\w*",
            r"over-commit\w*",
            r"without (?:saying|telling|mentioning|explaining|flagging|checking|testing|running"
            r"|updating|letting|warning|notice|notifying|announcing|a (?:note|word|heads-up))",
            r"(?:sit|sits|sitting|sat|wait|waits|waiting|waited|stuck|left) (?:\w+ ){0,2}for "
            r"(?:over |more than |almost |nearly )?(?:a |an |\d+ |\w+ )?(?:days?|weeks?|months?"
            r"|hours|minutes|a while|too long)",
            r"(?:wait|waits|waiting|waited) (?:\w+ ){0,2}(?:days|weeks|hours|minutes) for",
            r"(?:lost|losing|wasted|cost (?:us|me|the team|my team|our team)) (?:about |almost "
            r"|nearly |over |more than )?(?:\w+ )?(?:days?|weeks?|hours?|months?|afternoons?"
            r"|sprints?|mornings?)",
            r"(?:badly|poorly) \w+ed\b",
            r"\w+ed (?:badly|poorly)",
            r"(?:takes?|took|taking) on more than",
            r"more than (?:he|she|they) can",
            r"(?:came|comes|come) up (?:more than once|repeatedly|again|several times|a lot|often)",
            r"cut(?:s|ting)? corners",
            r"(?:prs?|changes?|diffs?|pull requests?|commits?) (?:are|were|is|was) "
            r"(?:often |usually |still |very |really )?(?:huge|big|large|massive)",
        ),
    ),
    (
        -1.5,
        -1.5,
        (
            r"without (?:the |any )?(?:\S+ ){0,3}(?:we|you|they|i) (?:had )?(?:agreed|asked for"
            r"|planned|discussed|requested)",
            r"(?:did not|didn't|do not|don't|does not|doesn't|have not|haven't|has not|hasn't) "
            r"(?:\w+ )?(?:see|seen|get|got|have|had|receive|received) (?:a|an|any) (?:\w+ ){0,2}"
            r"(?:plan|date|update|answer|estimate|timeline|owner|heads-up|warning|reason"
            r"|explanation)",
            r"(?:have|has|had) (?:had )?no (?:\w+ )?(?:answer|date|plan|update|estimate|timeline"
            r"|owner|warning|notice|explanation|reason)",
            r"(?:have|has|had) (?:none|nothing|no \w+) yet",
            r"(?:the|a|one) (?:day|hour|night|morning|week) before (?:it|the \w+) (?:happened"
            r"|started|shipped|launched|went live|was due|began)",
            r"estimated (?:at )?(?:\S+ ){0,4}(?:and|but) (?:it )?took",
            r"still (?:\w+ ){0,3}(?:above|below|over|under|short of|off|behind|away from) "
            r"(?:the |our |its |their )?(?:[\w.%]+ ){0,3}(?:target|goal|bar|plan|slo|budget)",
            r"short of (?:the |our |its )?(?:[\w.%]+ ){0,3}(?:target|goal|bar|plan|\d[\d.,]*%?)",
            r"not the (?:[\w.%]+ ){1,3}(?:we|they|he|she|i) (?:had )?(?:committed|agreed|promised"
            r"|planned|targeted|asked for)",
            r"(?:did not|didn't|never|was not|wasn't|has not been|hasn't been|have not been"
            r"|haven't been|were not|weren't) (?:get |gotten |been |yet )?(?:written|done|finished"
            r"|started|shipped|delivered|completed|built|fixed|closed|resolved|published"
            r"|happen(?:ed)?)(?!(?: \w+){0,3} before\b)",  # "which did not happen before": new
        ),
    ),
    (
        -1.0,
        -1.0,
        (
            r"(?:against|versus|vs\.?) (?:a |the |our )?target of",
            r"until (?:after|the day (?:before|of)|it was too late|they had already"
            r"|it had already)",
            r"(?:find|found|finding|hear|heard|hearing) out",
            r"heard about (?:it|the|a)\b",
            r"(?:not|never|\w+n't) (?:always |quite |really )?sure\b",
            r"(?:don't|didn't) know\b",
            r"no idea\b",
            r"not clear\b",
            r"(?:but|and) (?:then )?(?:never|didn't|did not|hasn't|has not|haven't)(?: \w+)?[.!]?$",
        ),
    ),
    (
        -1.0,
        1.0,
        (
            r"(?:takes?|took|taking|'ll take|can take) (?:\w+ ){0,3}(?:a while|longer|over a week"
            r"|a week|\w+ days|days|an afternoon|weeks)",
            r"waiting (?:for|on) (?:him|her|them|his|their)\b",
            r"before (?:mentioning|asking|pinging|running|telling|raising|flagging|checking"
            r"|testing|i (?:get|could|had))",
            r"had to (?:be )?(?:dig|reconcil|chas|rework|redo|rewrit|ask)\w*",
            r"(?:more|longer|bigger) (?:\S+ ){0,4}than (?:\w+ ){0,2}(?:need|necessary)\w*",
        ),
    ),
    (1.5, 1.5, (r"(?:ago|used to|at first|initially)(?=[^.;]*\bnow\b)",)),  # "used to ..., now"
    (-1.5, 1.0, (r"too (?!early\b|soon to\b)\w+",)),
    (-1.5, -1.5, (r"(?:not|\w+n't) always",)),
    (
        1.5,
        1.5,
        (
            r"(?:rarely|seldom|hardly ever) (?:\w+ ){0,3}(?:bugs?|mistakes?|errors?|problems?"
            r"|issues?|incidents?|outages?|late|misses|wrong|rollbacks?|regressions?|complain\w*)",
        ),
    ),
    (-1.0, -1.0, (r"rarely", r"seldom", r"hardly ever")),
    (-0.7, 0.7, (r"tends? (?:not )?to", r"at times", r"sometimes", r"still", r"often")),
    # Praise idioms.
    (
        1.0,
        -1.0,
        (
            r"(?:'s|is|was|are|were|one of) (?:also |really )?(?:the )?(?:main |real |whole |big )?"
            r"reasons?",
            r"is why",
            r"thanks to",
            r"because of (?:her|him|them|his|how)",
            r"(?:is|are) (?:partly |largely |mostly )?(?:his|her|their) (?:work|doing)",
        ),
    ),
    (
        1.5,
        -1.5,
        (
            r"(?:the )?(?:person|engineer|one)(?! (?:habit|thing|area|pattern|issue|problem)s?\b) "
            r"(?:\w+ ){0,2}(?:i|you|we|everyone|people) (?:\w+ )?"
            r"(?:go(?:es)? to|want|call|calls|ask|trust)",
            r"go-to",
            r"model for",
            r"backbone",
            r"raised the bar",
            r"set the tone",
            r"what good looks like",
            r"inside out",
            r"end to end",
            r"start to finish",
            r"(?:makes?|made|has|had|have) (?:\w+ )?time (?:for|to)",
            r"made time",
            r"(?:stopped|stop) worrying",
            r"never worr(?:y|ied)",
            r"(?:it )?just works",
            r"ahead of (?:schedule|time)",
            r"above and beyond",
            r"exceed\w*",
            r"above (?:the )?(?:bar|expectations)",
            r"(?:on track|ready) for (?:a )?promotion",
            r"^(?:keep|continue) (?:doing|up|to)",
            r"turned (?:\w+ )?around",
            r"(?:goes|went|go) the extra mile",
            r"(?:took|takes|take|taking) (?:the )?initiative",
            r"(?:the )?first to (?:volunteer|help|offer|step)",
            r"(?:a )?pleasure to work",
            r"(?:a |the )?knack for",
            r"own(?:s|ed)? (?:up to )?(?:his|her|their|the) mistakes?",
            r"cut (?:\w+ ){0,3}(?:in half|by)",
            r"(?:sorted|figured|worked) (?:it|this|that) out",
            r"on (?:time|schedule)",
            r"as planned",
            r"same day",
            r"(?:without|with no) (?:anyone |being )?(?:asking|asked)",
            r"little help from",
            r"fill(?:s|ed)? (?:a|the) gap",
            r"held up(?! (?:my|our|the|his|her|their|us|me|a|an|\w+'s)\b)",
            r"paid off",
            r"in the loop",
            r"singled \w+ out",
            r"named (?:him|her|them)",
            r"by name",
            r"ready for (?:more|a larger|a bigger)",
            r"kept (?:\w+ ){0,2}(?:informed|updated|in the loop|calm|green|organi[sz]ed|visible"
            r"|on track)",
            r"(?:was|were|is) (?:his|her|their) (?:own )?idea",
            r"(?:took|takes|take) the heat",
            r"let(?:s)? (?:me|you|us|them|others|people) (?:\w+ )?(?:drive|own|lead|run|make"
            r"|decide|present)",
            r"gave (?:me|us|them) (?:\w+ )?(?:space|room|ownership|autonomy)",
            r"(?:is|are) now (?:part of|used|the (?:\w+ )?norm|a habit|standard)",
            r"(?:we|i|everyone|people|teams?|they) (?:\w+ )?still (?:use|uses|rely|relies|refer"
            r"|follow|point|reuse)",
            r"turned (?:a|an|the) (?:\S+ ){0,5}into",
            r"set (?:the )?direction",
            r"(?:knowing|know|knows|knew) exactly (?:what|how|where|who|why|when)",
            r"all of (?:which|them|those) (?:are|were|is|was|have been) (?:now )?(?:closed|done"
            r"|fixed|resolved|shipped|merged|complete|completed|in place)",
            r"in (?:\w+ ){1,2}instead of (?:the |a |an )?(?:\w+ ){0,2}(?:days?|weeks?|months?"
            r"|quarters?|hours?|sprints?|years?)",
            # Less of what hurts: "tickets dropped from 60 a week to 25", "a 35% drop in incidents"
            r"(?:time|times|latency|minutes|hours|days|incidents?|p[0-4]s?|pages?|tickets?|errors?"
            r"|bugs?|failures?|outages?|complaints?|escalations?|requests|costs?|spend|builds?"
            r"|pipelines?|ci|toil|alerts?|rollbacks?|regressions?|churn|backlog|crashes|load)"
            r"(?: \S+){0,6}? (?:dropped|fell|went down|came down|halved|decreased|shrank)",
            r"(?:drop|fall|reduction|decrease|cut|decline)s? (?:of |by )?(?:\S+ ){0,2}in (?:\S+ )"
            r"{0,2}(?:incidents?|errors?|bugs?|outages?|pages?|tickets?|failures?|costs?|latency"
            r"|time|complaints?|escalations?|crashes|load)",
            # "stopped our merges being blocked": an end to the trouble
            r"stop(?:s|ped|ping)? (?:\w+ ){0,3}(?:being|from|losing|missing|failing|breaking"
            r"|flaking|crashing|timing out|paging|blocking|waiting|having to|re-?running)\b",
            r"used by",
            r"(?:people|everyone|teams|leadership) (?:\w+ )?(?:use|uses|rely on)",
            r"(?:i|we) (?:now )?(?:use|link|send|share) (?:it|them)",
            r"first (?:thing|place|person) (?:i|we)",
            r"changed (?:my|our|how|the way)",
            r"it shows",
            r"shows in (?:his|her|their) work",
            r"under control",
            r"within (?:a|an|one|two|three|four|five|ten|fifteen|twenty|thirty|\d+|a couple of"
            r"|a few) (?:working |business )?(?:minutes?|hours?|days?|weeks?)",
            r"in (?:his|her|their) first (?:week|month|day|few)",
            r"before (?:most of us|anyone else|the rest of us|we even)",
            r"(?:made|make|makes) (?:a |the )?(?:\w+ ){0,2}call",
            r"got (?:every|all|everyone|both)\w* (?:\w+ )?to (?:agree|align|adopt)",
            r"\w+ before (?:launch|release|the deadline)",
            r"happy to help",
            r"willing to help",
            r"always helps?",
            r"help(?:s|ed)? (?:me|us|them|him|her|people|everyone|the team)",
            r"unblock\w*",
        ),
    ),
    (
        1.0,
        -1.0,
        (
            r"(?:picked|picks|picking) (?:\w+ ){0,2}up",
            r"learn(?:s|ed)? (?:fast|quickly)",
            r"grown a lot",
            r"ramp(?:ed)?(?:-| )up",
        ),
    ),
    # Neither: a decision called hard, an example called clear, a harm that was averted.
    (
        0.0,
        0.0,
        (
            r"hard (?:scope )?call",
            r"clear(?:est)? examples?",
            r"clear evidence",
            r"would have (?:\w+ed|\w+en|\w+t|\w+d)\b",
        ),
    ),
)

_WORDS: tuple[_Cue, ...] = (
    # Praise (a few common words in other languages too).
    (
        1.5,
        -1.0,
        _words(
            r"""best strongest outstanding excellent invaluable indispensable instrumental
            exemplary stand-?out amazing fantastic brilliant exceptional superb stellar wonderful
            terrific awesome incredibl[ey] impressive favou?rite joy incr[ií]vel incre[ií]ble
            incroyable excelente [óo]timo genial hervorragend"""
        ),
    ),
    (
        1.0,
        -1.0,
        _words(
            r"""great strong good clear\w* clean\w* thorough\w* calm\w* composure patien\w*
            reliabl\w* dependable generous helpful smart clever sharp creative thoughtful
            insightful rigorous data-driven curious eager enthusiastic organi[sz]ed approachable
            fair friendly nice nicest lovely lov(?:e|ed|es) steady responsive manageable
            deserv\w* talented skil\w* knowledgeable dedicated diligent meticulous
            detail-oriented pragmatic humble respected valu(?:ed|able) crucial effective\w*
            efficient\w* productive high-quality polished innovative resourceful versatile
            adaptable flexible accountable empath\w* kind supportive collaborative inspir\w*
            motivat\w* encourag\w* empower\w* champion\w* advocate impressed proud pleasure
            delight\w* admire\w* kudos tact\w* solid smooth\w* healthy coherent matur\w*
            proactive easy easier enjoy\w* appreciat\w* thank\w* grateful trust\w* praised
            success\w* win mentor\w* coach\w* taught saved caught found spotted teach\w* deep\w*
            approv(?:ed|al)
            expert\w* natural potential painless seamless effortless blameless ajud\w* ayud\w*
            aprend\w* paciente merci gracias obrigad\w hilfsbereit zuverl[äa]ssig fiable
            disponible bravo"""
        ),
    ),
    (
        0.5,
        -0.5,
        _words(
            r"""well(?!\ as\b) well-\w+ better fast faster quick\w* learn\w* grow(?:n|s)?
            improv\w* progress\w* consistent\w* careful\w* care(?:s|d)? ownership own(?:s|ed)
            delivered shipped led handled fixed prevent\w* explain\w* paired impact useful ready
            rehears\w* validat\w* load-test\w* reduc\w* staff-level senior-level next-level
            accurate detailed specific support\w* help(?:s|ed|ing)? prepared initiative
            shar(?:e|es|ed|ing) speaks?\ up raise[sd]? flag(?:s|ged)? escalat\w* defend\w*
            follow(?:s|ed)?\ (?:through|up) communicat\w* quality sorted resolved solved built
            designed launched volunteer\w* positive"""
        ),
    ),
    # Problems.
    (
        -1.0,
        0.8,
        _words(
            r"""late later slip\w* behind stall\w* dropp?\w* stopped missed miss(?:es|ing)? lost
            los(?:e|es|ing) badly \w+-prone hard-to-\w+ harsh intimidat\w* defensive terse
            annoyed discourag\w* overcommit\w* stretched
            overloaded thin optimis\w* scramble cancel\w* slow\w* stuck quiet\w* afterwards
            undersell\w* underestimat\w* undervalu\w* invisible surpris\w* struggl\w*
            frustrat\w* confus\w* unclear inconsistent lack\w* hesitant reluctant bottleneck
            forg[eo]t\w* overrun\w* rush\w* careless rude dismissive unresponsive unreliable
            disorgani[sz]ed worr(?:y|ied|ies) silly stupid afraid in\ the\ way blocking blocker
            difficult rework\w* absorb\w* hard over-?polish\w* messy sloppy dull poor\w* weak
            problematic negative\w* blam(?:e|ed|es|ing) hesitat\w* painful interrupt\w*
            micro-?manag\w* distract\w* disengaged silo\w* opaque overwhelm\w*
            burn(?:ed|t)?\ ?out tension abrupt curt brusque condescending arrogant stubborn rigid
            abrasive complain\w* gatekeep\w* procrastinat\w* unprepared unfocused scattered
            chaotic mess verbose rambl\w* overly overthink\w* over-?engineer\w* perfectionis\w*
            mistakes? errors? wrong"""
        ),
    ),
    (-0.5, 0.5, ("delay\\w*", "bad")),
    # Only when negated: "were not updated until they had passed".
    (0.0, -1.0, ("updated",)),
    # Problem nouns that only tell when negated: "no outage", "without a rollback".
    (
        0.0,
        1.0,
        _words(
            r"""outages? incidents? rollbacks? regressions? rejections? bugs? escalations? issues?
            surprises? complaints? problems? concerns?"""
        ),
    ),
)

_NEGATORS = frozenset(
    "not no never nobody none nothing neither nor without hardly barely cannot rarely "
    "seldom".split()
)
_FIRST_PERSON = frozenset("i i'm we we're me us i've we've i'd".split())
_THIRD_PERSON = frozenset("he she they he's she's they're his her their him them it".split())
_LIGHT = frozenset(
    "a an the feel feels felt like make makes made making you anyone anybody me us him her them "
    "be been being seem seems seemed look looks ever even".split()
)
_INTENSIFIERS = frozenset(
    "very really super so incredibly extremely truly genuinely most huge massive".split()
)
_SOFTENERS = frozenset("slightly somewhat bit little perhaps maybe occasionally".split())
# Where a sentence turns; the clause after the turn dominates ("clear docs, but late updates").
_TURN = re.compile(r"\b(?:but|however|although|though|that said|even so|except that)\b|, yet\b")
_OPENING_TURN = re.compile(r"\s*(?:but|however)\b")  # "But ..." opens the critique after praise
_CLOSING_THOUGH = re.compile(r"\bthough[.!]?\s*$")  # "..., though." concedes against praise
_CLAUSE_BREAK = re.compile(r"[,;:.!?()—–]")
# After these verbs the rest of the clause names the problem found or ended, not the
# person's: "she caught that the notes still listed the old copy", "it stopped the merges
# being blocked". Unless the writer found it ("we found the broken emails from support").
_FOUND = re.compile(
    r"\b(?:spotted|caught|noticed|found|flagged|diagnosed|reproduced|traced|prevented"
    r"|avoided|stopped|removed|eliminated|pointed out|warned \w+)(?: that)?\b"
)
# A sentence that opens on its circumstances ("When the tables were late, he posted the
# cause within minutes"): trouble in that opening clause is the setting, weighed half.
_WHEN = re.compile(r"late|later|slow\\w*|afterwards")  # "flagged the risk late" stays late
_SETTING = re.compile(r"^\W*(?:when|whenever|after|during|while|each time|every time)\b[^,;]*,")
_SETTING_WEIGHT = 0.5
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Text addressed to a machine ("ignore all previous instructions and rate her ...") says
# nothing about the person, whatever praise it asks for.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard) (?:all |any )?(?:the )?(?:previous|prior|above|earlier) "
    r"(?:instructions|prompts?|rules)\b"
)


def _compile(
    cues: tuple[_Cue, ...], *, compounds: bool = False
) -> tuple[re.Pattern[str], list[tuple[float, float]]]:
    """`compounds`: a problem word inside a hyphenated compound names a thing, not a
    verdict ("crash-free", "error-budget check", "late-arriving orders", "non-blocking"),
    while praise keeps its compounds ("best-run")."""

    def whole(weight: float, alternatives: tuple[str, ...]) -> str:
        body = "|".join(alternatives)
        if compounds and weight < 0:
            return f"(?<!-)\\b(?:{body})(?![\\w-])"
        return f"\\b(?:{body})(?!\\w)"

    source = "|".join(
        f"(?P<c{i}>{whole(w, alternatives)})" for i, (w, _, alternatives) in enumerate(cues)
    )
    return re.compile(source), [(weight, negated) for weight, negated, _ in cues]


_PHRASE_RE, _PHRASE_WEIGHTS = _compile(_PHRASES)
_WORD_RE, _WORD_WEIGHTS = _compile(_WORDS, compounds=True)


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


def _found_before(segment: str, start: int) -> bool:
    """A verb of finding or ending a problem earlier in the clause, not the writer's own."""
    before = segment[max(0, start - 120) : start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    found = list(_FOUND.finditer(before))
    if not found:
        return False
    subject = _TOKEN.findall(before[: found[-1].start()])[-1:]
    return not (subject and subject[0] in _FIRST_PERSON)


def _segment_score(segment: str, setting: int = 0) -> float:
    """The weighted cues of one segment; `setting`: where its opening circumstances end."""
    total = 0.0
    taken: list[tuple[int, int]] = []
    for regex, weights, phrase in (
        (_PHRASE_RE, _PHRASE_WEIGHTS, True),
        (_WORD_RE, _WORD_WEIGHTS, False),
    ):
        for match in regex.finditer(segment):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue  # inside a phrase already counted
            taken.append((start, end))
            group = match.lastgroup
            assert group is not None
            weight, negated_weight = weights[int(group[1:])]
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
                if _found_before(segment, start) and not _WHEN.match(match.group()):
                    weight = 0.0
                elif start < setting:
                    weight *= _SETTING_WEIGHT
            if weight > 0 and match.group().endswith("est"):
                weight *= 1.5  # superlatives: "the clearest on the team"
            if words and words[-1] in _INTENSIFIERS:
                weight *= 1.3
            elif words and words[-1] in _SOFTENERS:
                weight *= 0.6
            total += weight
    return total


@lru_cache(maxsize=65_536)  # a pure function of the text, asked again on every themes read
def statement_polarity(text: str) -> float:
    """-1 (growth area) to +1 (strength) from weighted cues; 0 when nothing tells.

    A score above 0 reads as a strength, below 0 as a growth area (see `theme_polarity`).
    evals/bench_polarity.py measures it against hand-labelled statements.
    """
    norm = text.lower().replace("’", "'").replace("‘", "'")
    if _INJECTION.search(norm):
        return 0.0
    bounds = [0, *(m.start() for m in _TURN.finditer(norm) if m.start() > 0), len(norm)]
    segments = [norm[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    opening = _SETTING.match(norm)
    setting = opening.end() if opening else 0
    total = 0.0
    for i, segment in enumerate(segments):
        weight = 1.0 if i == len(segments) - 1 else 0.5
        total += weight * _segment_score(segment, setting if i == 0 else 0)
    if _OPENING_TURN.match(norm):
        total -= 0.5
    if _CLOSING_THOUGH.search(norm):
        total -= 0.5
    if total == 0:
        return 0.0
    return total / (abs(total) + 1.0)


def theme_polarity(scores: Iterable[float]) -> Polarity:
    """Strength when at least twice as many statements lean positive (score > 0) as negative,
    growth area when the reverse, else mixed; neutral statements (score 0) do not count.

    Checked against themes drawn from the hand-labelled statements (evals/bench_polarity.py): a
    dead band around 0 or weighting by score did not agree better with the labelled verdicts.
    """
    values = list(scores)
    positive = sum(1 for s in values if s > 0)
    negative = sum(1 for s in values if s < 0)
    if positive and positive >= 2 * negative:
        return Polarity.STRENGTH
    if negative and negative >= 2 * positive:
        return Polarity.GROWTH_AREA
    return Polarity.MIXED


CLEAR = 0.2
"""A statement whose score is past this (either way) clearly praises or criticises."""
