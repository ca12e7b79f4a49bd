"""What every exercise of every chapter must do, whatever its kind.

Each ``lessonlib.exercises.chNN`` module keeps its solutions in ``SOLUTIONS``; fed its
own solution every check says "correct", an untouched stub says "not attempted yet",
and ``hint()``/``solution()`` print. The chapter test files add the typical mistakes.
"""

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import lessonlib.exercises as exercises_pkg
from lessonlib.exercises import Exercise, FunctionExercise

MODULES = [importlib.import_module(f"lessonlib.exercises.{m.name}")
           for m in pkgutil.iter_modules(exercises_pkg.__path__) if m.name.startswith("ch")]
EXERCISES = [(module, obj) for module in MODULES for obj in vars(module).values() if isinstance(obj, Exercise)]
IDS = [f"{module.__name__.rsplit('.', 1)[-1]}.{ex.name}" for module, ex in EXERCISES]


def _stub(*args):
    raise NotImplementedError


def _crash(*args):
    return np.zeros(3) @ np.zeros(2)      # a shape error inside the learner's code


def test_every_chapter_module_has_three_or_more_exercises():
    assert MODULES
    for module in MODULES:
        assert sum(isinstance(v, Exercise) for v in vars(module).values()) >= 3, module.__name__


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=IDS)
def test_solution_passes_its_own_check(module, exercise):
    solution = module.SOLUTIONS[exercise.name]
    # a value exercise's solution is a function of no arguments that computes the value
    takes_no_arguments = not inspect.signature(solution).parameters
    verdict = exercise.verdict(solution() if takes_no_arguments else solution)
    assert verdict.status == "correct", verdict.message


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=IDS)
def test_untouched_stub_is_not_attempted(module, exercise):
    assert exercise.verdict(...).status == "not_attempted"
    assert exercise.verdict(None).status == "not_attempted"
    if isinstance(exercise, FunctionExercise):
        assert exercise.verdict(_stub).status == "not_attempted"


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=IDS)
def test_hint_and_solution_print(module, exercise, capsys):
    exercise.hint()
    exercise.solution()
    out = capsys.readouterr().out
    assert out.startswith(f"Hint 1 of {len(exercise.hints)} ({exercise.name}):")
    assert len(out.splitlines()) >= 2
    solution = module.SOLUTIONS[exercise.name]
    if callable(solution) and inspect.signature(solution).parameters:
        assert f"def {exercise.name}(" in out


@pytest.mark.parametrize("module, exercise", [e for e in EXERCISES if isinstance(e[1], FunctionExercise)],
                         ids=[i for i, e in zip(IDS, EXERCISES) if isinstance(e[1], FunctionExercise)])
def test_an_exception_in_the_learners_code_is_explained(module, exercise):
    verdict = exercise.verdict(_crash)
    assert verdict.status == "error"
    assert "ValueError" in verdict.message


MISTAKES = [(exercise, k) for _, exercise in EXERCISES if isinstance(exercise, FunctionExercise)
            for k in range(len(exercise.mistakes))]


@pytest.mark.parametrize("exercise, k", MISTAKES, ids=[f"{e.name}-{k}" for e, k in MISTAKES])
def test_every_named_mistake_is_explained_whatever_the_random_cases(exercise, k):
    """A learner who makes a listed mistake gets its explanation on every draw of the random
    cases: the fixed examples alone must tell it apart from the right answer (on at least two)
    and from the mistakes listed before it. (One mistake was once explained only when the
    random cases happened to expose it.)"""
    wrong, explanation = exercise.mistakes[k]
    for seed in range(8):
        with np.errstate(all="ignore"):
            message = exercise.verdict(wrong, seed=seed).message
        assert explanation in message, f"seed {seed}: {message}"
