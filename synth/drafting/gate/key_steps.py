"""The lighter gate for key steps on demand: each step is checked on its own, and a step a
blocking finding names is never shown.

A suggestion goes to whoever asked at once, with no manager review or override, so this gate
has no release step: what blocks a draft until it is fixed or overridden here simply keeps the
step out of sight. The same pure guards run as on drafts (synth.guards): a colleague's name
(anonymity), pay, ratings or promotion (two tracks, never overridable), words of an
instruction planted in the inputs (injection followed), an unrestored name placeholder (PII);
bias terms are warnings and do not hide a step.
"""

from collections.abc import Sequence
from typing import Any

from synth.drafting.gate.review import placeholders
from synth.drafting.inputs import KeyStepInputs
from synth.drafting.outputs import KeyStepSuggestions
from synth.evidence import PersonName
from synth.guards import anonymity, bias, two_track
from synth.guards.anonymity.names import names_pattern
from synth.guards.findings import Finding
from synth.guards.injection.detect import detect_injection
from synth.guards.injection.followed import check_followed
from synth.text import fold


def untrusted(inputs: KeyStepInputs) -> list[str]:
    """The texts a step could echo: the expectation's words and the self-assessment."""
    expectation = inputs.expectation
    return [
        expectation.title,
        expectation.description,
        *expectation.key_steps,
        *expectation.done_steps,
        *(q.text for q in (inputs.self_on_expectation, inputs.self_overall) if q is not None),
    ]


def _named(text: str, people: Sequence[PersonName], subject: PersonName | None) -> list[str]:
    pattern = names_pattern(people, subject)
    return [m.group(0) for m in pattern.finditer(fold(text))] if pattern else []


def check_step(
    index: int,
    text: str,
    *,
    people: Sequence[PersonName],
    subject: PersonName | None,
    injected: Sequence[str],
    ladder: two_track.LadderTerms | None,
) -> list[Finding]:
    """Every finding on one step's text (`people`: anyone it might name)."""
    path = f"steps[{index}].text"
    found = [
        Finding(
            guard=anonymity.GUARD,
            code="colleague_named",
            blocking=True,
            message=f"the step names a colleague ({name!r}): say “a teammate” instead",
            path=path,
        )
        for name in _named(text, people, subject)
    ]
    found += [
        Finding(
            guard=two_track.GUARD,
            code=code,
            blocking=True,
            overridable=False,
            message=f"the step mentions {words!r}",
            path=path,
        )
        for code, words in two_track.forbidden_mentions(text, ladder=ladder)
    ]
    found += check_followed(text, list(injected))
    found += placeholders({"text": text})
    return found + bias.check_bias(text, path)


def gate(
    output: KeyStepSuggestions,
    inputs: KeyStepInputs,
    *,
    people: Sequence[PersonName],
    ladder: two_track.LadderTerms | None,
) -> list[dict[str, Any]]:
    """The steps as stored: text, why, whether it may be shown, and its findings."""
    subject = next((p for p in people if p.id == inputs.subject_id), None)
    injected = [t for t in untrusted(inputs) if t.strip() and detect_injection(t)]
    stored: list[dict[str, Any]] = []
    for index, step in enumerate(output.steps):
        findings = check_step(
            index,
            f"{step.text}\n{step.why}",
            people=people,
            subject=subject,
            injected=injected,
            ladder=ladder,
        )
        stored.append(
            {
                "text": step.text,
                "why": step.why,
                "shown": not any(f.blocking for f in findings),
                "findings": [f.model_dump(mode="json") for f in findings],
            }
        )
    return stored
