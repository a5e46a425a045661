"""The hidden property of every graded part, and the judgement of a part's answers.

For each part of :data:`helpers.parts.PARTS` (what a test cell reads, and its shape check),
:data:`HIDDEN` holds the property every correct method has: ``check(answers, reference) ->
str`` returns a sentence saying what passed, or raises :class:`~helpers.parts.CheckFailed`
saying what is wrong and why. Checks compare with the grader's own reference for the
student's dataset (:mod:`labgrader.judging.reference`), never with the notebook's variables;
where a bar is needed, it is set on that dataset by :mod:`labgrader.judging.rules`.
:func:`judge_answers` applies a part's shape check and then its property.
"""

from __future__ import annotations

from collections.abc import Callable

from helpers.parts import PARTS
from labgrader.judging import rules
from labgrader.judging.annotators import annotator_scores_property, worst_annotators_property
from labgrader.judging.crowdlab import crowdlab_labels_property, pred_probs_property
from labgrader.judging.labels import majority_vote_property, tie_breaker_property
from labgrader.judging.reference import LabReference

#: The hidden property of every part of :data:`helpers.parts.PARTS`, by the part's name.
HIDDEN: dict[str, Callable[[dict, LabReference], str]] = {
    "majority_vote": majority_vote_property,
    "annotator_scores": annotator_scores_property,
    "worst_annotators_majority_vote": worst_annotators_property(
        "worst_annotators_from_majority_vote",
        rules.worst_by_majority_vote,
        "agreement with the majority vote",
    ),
    "tie_breaker": tie_breaker_property,
    "pred_probs_for_crowdlab": pred_probs_property,
    "crowdlab_labels": crowdlab_labels_property,
    "worst_annotators_crowdlab": worst_annotators_property(
        "worst_annotators_from_crowdlab", rules.worst_by_crowdlab, "CROWDLAB's annotator quality"
    ),
}
if set(HIDDEN) != set(PARTS):  # every part a student sees is judged, and nothing else
    raise ImportError(f"hidden checks {sorted(HIDDEN)} do not match the parts {sorted(PARTS)}")


def judge_answers(part_name: str, answers: dict, reference: LabReference) -> str:
    """Shape check and hidden property of a part for answers already read; raise if wrong."""
    part = PARTS[part_name]
    part.shape(answers, reference.dataset)
    return HIDDEN[part.name](answers, reference)
