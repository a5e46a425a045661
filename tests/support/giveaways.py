"""The search for giveaways: values a student can reach without code of their own that pass a part.

Every public function of every ``helpers`` module is called with a dataset's values in the
usual argument shapes (and the keywords a consensus function would take), again on what
those calls returned; values are collected from the lab's data and the notebooks' given cells;
each is judged as every autograded part, exactly as the grader judges a recorded answer.
:func:`giveaways` lists those that pass, except what Exercise 2a asks students to choose
among (out-of-sample pred_probs of the lab's model).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import itertools
import pickle
import pkgutil
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import helpers
from helpers.answers import AnswerError
from helpers.checks import dataset_shape, read_answer
from helpers.parts import PARTS
from labgrader.course.assignment import read_notebook
from labgrader.judging.crowdlab import crowdlab_consensus
from labgrader.judging.judge import grade_payload
from labgrader.judging.reference import lab_reference
from labgrader.judging.variants import stamp_setup_source
from tests.support.builders import RELEASE_DIR, recorded_payload

LAUNCHER = "helpers.student_lab"  # make lab's launcher: takes paths and starts JupyterLab
TIE_BREAKS = ("first_seen", "model", "annotator_score", "lowest_class", "majority")
SINGLE_ANSWER_PARTS = [name for name, part in PARTS.items() if len(part.answers) == 1]
HELPERS_SOURCES = sorted(Path(helpers.__file__).parent.glob("*.py"))

MODEL_FUNCTIONS = (
    "helpers.model.out_of_sample_pred_probs",
    "helpers.model.pred_probs_from_majority_vote_model",
)


def argument_pool(lab) -> dict:
    """Argument values by parameter name for the dataset ``lab``."""
    random_scores = dict(
        zip(
            lab.multiannotator_labels.columns,
            np.random.RandomState(0).random_sample(50),
            strict=True,
        )
    )
    labels = [lab.true_labels, lab.labels_from_random_annotators]
    pred_probs = [helpers.out_of_sample_pred_probs(lab.features, y) for y in labels]
    return {
        "features": [lab.features],
        "multiannotator_labels": [lab.multiannotator_labels],
        "true_labels": [lab.true_labels],
        "labels": labels,
        "labels_to_fit": labels,
        "predicted_labels": labels,
        "consensus_labels": labels,
        "pred_probs": pred_probs,
        "annotator_scores": [random_scores, dict.fromkeys(random_scores, 0.5)],
        "random_state": [np.random.RandomState(helpers.LAB_SEED)],
        "num_annotators": [50, 10],
        "annotator_quality": [0.6],
        "n_examples": [len(lab.true_labels)],
        "n_classes": [3],
        "known_ids": [list(lab.multiannotator_labels.columns)],
        "highlight": [list(lab.multiannotator_labels.columns[:10])],
        "part_name": list(PARTS),
        "kind": ["labels", "scores", "ids", "probabilities"],
        "name": ["answer"],
        "title": ["t"],
        "ax": [None],
    }


def public_functions():
    """``(qualified name, function)`` of every public function defined in a helpers module."""
    for info in pkgutil.iter_modules(helpers.__path__):
        module = importlib.import_module(f"helpers.{info.name}")
        if module.__name__ == LAUNCHER:
            continue
        for name, obj in list(vars(module).items()):
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and name[0] != "_":
                yield f"{module.__name__}.{name}", obj


def candidate_calls(function, pool):
    """Argument combinations for ``function`` from the pool (every value for unknown names)."""
    everything = [value for values in pool.values() for value in values]
    required = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            required.append((None, everything))
        elif parameter.default is parameter.empty and parameter.kind is not parameter.VAR_KEYWORD:
            required.append((parameter.name, pool.get(parameter.name, everything)))
    for combination in itertools.islice(itertools.product(*(c for _, c in required)), 200):
        positional = [value for (name, _), value in zip(required, combination, strict=True)]
        yield positional, {}
        for tie_break in TIE_BREAKS:
            yield positional, {"tie_break": tie_break}
        yield positional, {"pred_probs": pool["pred_probs"][1]}
        yield positional, {"annotator_scores": pool["annotator_scores"][0]}


def unpacked(value):
    """A value and everything inside it a student could take out without computing."""
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from unpacked(getattr(value, field.name))
    elif isinstance(value, pd.DataFrame):
        yield value.index
        for column in value.columns:
            yield value[column]
    elif isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, tuple):
        for item in value:
            yield from unpacked(item)


def distinct(values) -> list:
    """``values`` without repeats (by content), in order."""
    seen, kept = set(), []
    for value in values:
        try:
            key = hashlib.sha1(pickle.dumps(value)).hexdigest()
        except Exception:  # not picklable (a figure, a function): never an answer
            continue
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def _reads_as(kind, value, reference=None) -> bool:
    try:
        read_answer(kind, value, "value", reference.dataset if reference else dataset_shape())
    except (AnswerError, TypeError, ValueError):
        return False
    return True


def giveaways(values, model_outputs, reference=None) -> list:
    """``(part, value type)`` of every value that passes a part, except the pred_probs of the
    lab's model (``model_outputs``), which Exercise 2a asks students to choose among.

    Judged on ``reference`` (by default the lab's own dataset), whose shape answers are recorded
    with: the dataset the test process loaded last.
    """
    reference = reference or lab_reference()
    values = distinct(values)
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for value in values:
            for part in SINGLE_ANSWER_PARTS:
                if not grade_payload(part, recorded_payload(part, value), reference).passed:
                    continue
                is_a_choice = part == "pred_probs_for_crowdlab" and any(
                    np.allclose(np.asarray(value, dtype=float), output) for output in model_outputs
                )
                if not is_a_choice:
                    found.append((part, type(value).__name__))
        # A label answer passes 2b only if it is CROWDLAB's consensus for the pred_probs beside it.
        labels = [np.asarray(v, dtype=float) for v in values if _reads_as("labels", v, reference)]
        for pred_probs in (v for v in values if _reads_as("probabilities", v, reference)):
            consensus = crowdlab_consensus(reference, np.asarray(pred_probs, dtype=float))
            for candidate in labels:
                if np.array_equal(candidate, consensus):
                    payload = recorded_payload("crowdlab_labels", candidate, pred_probs)
                    if grade_payload("crowdlab_labels", payload, reference).passed:
                        found.append(("crowdlab_labels", "labels"))
    return found


def choices_of_a_model(lab) -> list:
    """The pred_probs Exercise 2a lets students pick: the lab's model fit to labels a curator has."""
    return [
        helpers.out_of_sample_pred_probs(lab.features, lab.labels_from_random_annotators),
        helpers.pred_probs_from_majority_vote_model(lab.features, lab.multiannotator_labels),
    ]


def model_outputs(values, reference=None) -> list:
    """The values that are pred_probs of the lab's model, as float arrays."""
    return [
        np.asarray(v, dtype=float)
        for v in distinct(values)
        if _reads_as("probabilities", v, reference)
    ]


def returned_values(pool, functions) -> tuple[dict, int]:
    """What each of ``functions`` returns for the pool's arguments (by function name, distinct
    values only), and how many calls were made."""
    returned, calls = {}, 0
    for name, function in functions:
        values = []
        for positional, keywords in candidate_calls(function, pool):
            calls += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = function(*positional, **keywords)
            except Exception:  # wrong shapes or types for this function: nothing returned
                continue
            values.extend(unpacked(result))
        returned[name] = distinct(v for v in values if v is not None)
    plt.close("all")
    return returned, calls


def fed_back(pool, values) -> dict:
    """The pool with every returned value that could be an argument added where it fits."""
    grown = {name: list(candidates) for name, candidates in pool.items()}
    for value in distinct(values):
        if isinstance(value, (int, float, str)):
            continue
        if _reads_as("labels", value):
            for name in ("labels", "labels_to_fit", "predicted_labels", "consensus_labels"):
                grown[name].append(value)
        if _reads_as("probabilities", value):
            grown["pred_probs"].append(value)
        if _reads_as("scores", value):
            grown["annotator_scores"].append(value)
    return grown


def assert_no_chain_of_calls_passes(pool, capsys, reference=None) -> None:
    functions = list(public_functions())
    first, calls = returned_values(pool, functions)
    again = [(name, function) for name, function in functions if first[name]]
    second, more_calls = returned_values(fed_back(pool, sum(first.values(), [])), again)
    capsys.readouterr()
    print(f"{calls} + {more_calls} calls")
    assert calls > 1000 and more_calls > 100  # the search really ran
    everything = [v for returned in (first, second) for values in returned.values() for v in values]
    print(f"{len(everything)} values returned, {len(distinct(everything))} distinct")
    assert len(everything) > 50
    models = [
        v
        for returned in (first, second)
        for name in MODEL_FUNCTIONS
        for v in returned.get(name, [])
    ]
    outputs = model_outputs([*models, *pool["pred_probs"]], reference)
    assert not giveaways(everything, outputs, reference)


def assert_no_given_value_passes(notebook, lab, capsys, course=None, reference=None) -> None:
    nb = read_notebook(RELEASE_DIR / f"{notebook}.ipynb")
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader", {}).get("solution"):
            break  # the first answer: everything after it needs the student's work
        source = cell.source
        if course and cell.metadata.get("nbgrader", {}).get("grade_id") == "setup":
            source = stamp_setup_source(source, course)  # the release with the switch on
        exec(compile(source, f"<{notebook} cell>", "exec"), namespace)
    plt.close("all")
    capsys.readouterr()
    assert "pred_probs_from_model_fit_to_random_annotators" in namespace
    values = [
        v
        for name, value in namespace.items()
        if not name.startswith("_") and not callable(value) and not inspect.ismodule(value)
        for v in unpacked(value)
    ]
    assert not giveaways(values, model_outputs(choices_of_a_model(lab), reference), reference)
