"""Tie-breaks that never look at the example, and how to tell a student's tie-break from them.

A majority vote with ties settled by a fixed rule can be quite accurate on a dataset where one
class is common (every tie to class 0 reaches 0.866 on the lab's own dataset), yet it uses
nothing about the example: no model, no annotator. 1c asks for information about each example,
so :func:`closest_fixed_rule` compares a student's choices on the tied rows with every rule
that ignores the example:

- each fixed order of the classes (``K!`` of them): the lowest tied class, the highest, the
  most or least frequent in the dataset (by votes or by majority vote), and every other order;
- the order of the annotator columns: the tied class given first reading them left to right
  (the original lab's first-seen vote), or last.

A rule only counts where it differs from the model's tie-break on at least
:data:`MIN_DIFFERENCES` tied rows: where it agrees with the model nearly everywhere, following
it is following the model. The bar on the agreement is
:data:`labgrader.judging.rules.TIE_BREAK_FIXED_RULE_MAX_SHARE`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from labgrader.judging.original_lab import majority_vote
from labgrader.judging.reference import LabReference

MIN_DIFFERENCES = 3
"""Tied rows on which a rule must differ from the model's tie-break to count as another rule."""


@dataclass(frozen=True)
class FixedRule:
    """A tie-break that ignores the example.

    Attributes
    ----------
    name : str
        What it does, in words ("the lowest tied class").
    labels : numpy.ndarray
        Its majority vote: on every tied row, the class it chooses.
    order : tuple of int or None
        The order of the classes it prefers; ``None`` for a rule by annotator columns.
    """

    name: str
    labels: np.ndarray
    order: tuple | None = None


@dataclass(frozen=True)
class Closest:
    """The fixed rule closest to a student's tie-breaks on one dataset.

    Attributes
    ----------
    rule : FixedRule
    agreement : float
        Share of the tied rows where the student chose what the rule chooses.
    agreeing, ties : int
        How many tied rows that is, and how many there are.
    """

    rule: FixedRule
    agreement: float
    agreeing: int
    ties: int


def _class_orders(reference: LabReference) -> dict[tuple, list[str]]:
    """The orders of the classes that have a name on this dataset, with their names."""
    classes = tuple(range(reference.n_classes))
    names = {classes: ["the lowest tied class"], classes[::-1]: ["the highest tied class"]}
    by_votes = reference.vote_counts.sum(axis=0)
    by_majority = np.bincount(reference.first_seen_votes, minlength=reference.n_classes)
    for counts, how in ((by_votes, "votes"), (by_majority, "majority vote")):
        most_first = tuple(int(k) for k in np.argsort(-counts, kind="stable"))
        least_first = tuple(int(k) for k in np.argsort(counts, kind="stable"))
        names.setdefault(most_first, []).append(
            f"the tied class most frequent in the dataset (by {how})"
        )
        names.setdefault(least_first, []).append(
            f"the tied class least frequent in the dataset (by {how})"
        )
    return names


def _order_name(order: tuple, named: dict) -> str:
    if order in named:
        return ", which is also ".join(named[order])
    return "the tied class that comes first in the order " + ", ".join(map(str, order))


def fixed_rules(reference: LabReference) -> tuple[FixedRule, ...]:
    """Every rule that ignores the example, on ``reference``'s dataset."""
    tied = reference.most_voted
    named = _class_orders(reference)
    rules = []
    for order in itertools.permutations(range(reference.n_classes)):
        rank = np.empty(reference.n_classes)
        rank[list(order)] = np.arange(reference.n_classes)
        labels = np.where(tied, -rank[None, :], -np.inf).argmax(axis=1)
        rules.append(FixedRule(_order_name(order, named), labels, order))
    labels = reference.multiannotator_labels
    reversed_columns = labels[labels.columns[::-1]]
    columns = (
        ("first", reference.first_seen_votes),
        ("last", majority_vote(reversed_columns, n_classes=reference.n_classes)),
    )
    for which, votes in columns:
        rules.append(
            FixedRule(
                f"the tied class given {which}, reading the annotator columns from left to right",
                votes,
            )
        )
    return tuple(rules)


def closest_fixed_rule(labels, reference: LabReference) -> Closest | None:
    """The rule that ignores the example and agrees most with ``labels`` on the tied rows
    (among those that differ from the model's tie-break enough to tell); ``None`` if none does."""
    labels = np.asarray(labels)
    tied = reference.tied_rows
    model = reference.model_tie_break_votes
    closest = None
    for rule in fixed_rules(reference):
        if np.sum(tied & (rule.labels != model)) < MIN_DIFFERENCES:
            continue
        agreeing = int(np.sum(labels[tied] == rule.labels[tied]))
        if closest is None or agreeing > closest.agreeing:
            closest = Closest(rule, agreeing / tied.sum(), agreeing, int(tied.sum()))
    return closest


def _classes(group: tuple) -> str:
    names = [str(k) for k in group]
    return " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + f" and {names[-1]}"


def how_the_ties_went(labels, closest: Closest, reference: LabReference) -> str:
    """What the closest rule did with the ties, in words: by tied classes for an order of the
    classes ("whenever the same classes tied, the tie went the same way: all 21 ties between
    classes 0 and 1 went to 0; ..."), or for a rule by annotator columns."""
    labels = np.asarray(labels)
    if closest.rule.order is None:
        return "whichever classes tied, and whatever the example, that is the class chosen"
    groups: dict[tuple, list[int]] = {}
    for row in np.flatnonzero(reference.tied_rows):
        groups.setdefault(tuple(np.flatnonzero(reference.most_voted[row])), []).append(row)
    parts = []
    for group, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        chosen = int(closest.rule.labels[members[0]])
        went = int(np.sum(labels[members] == chosen))
        count = f"all {went}" if went == len(members) else f"{went} of the {len(members)}"
        parts.append(f"{count} ties between classes {_classes(group)} went to {chosen}")
    return "whenever the same classes tied, the tie went the same way: " + "; ".join(parts)
