"""Tests of the chapter 3 exercises (lessonlib.exercises.ch03).

Each check must accept its own solution, call an untouched stub "not attempted",
reject typical wrong answers while naming the mistake, and report an answer that
raises as an error instead of crashing. The wrong answers are written here, as a
learner would write them, not taken from the module's ``mistakes`` lists.
"""

import numpy as np
import pytest

from lessonlib.schedule_theory import robbins_monro_sums

from lessonlib import stochastic
from lessonlib.exercises import ch03
from lessonlib.train import batches
from exercise_helpers import assert_wrong

SOLVE = ch03.SOLUTIONS
FUNCTION_EXERCISES = [ch03.epoch_batches, ch03.floor_ratio, ch03.lr_for_variance]


def stub(*args):
    raise NotImplementedError


def crash(*args):
    return np.zeros(3) @ np.zeros(2)      # a shape error inside the learner's code


# --- every exercise ------------------------------------------------------------------

@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_solution_is_correct(exercise):
    verdict = exercise.verdict(SOLVE[exercise.name])
    assert verdict.status == "correct", verdict.message
    assert "correct on all" in verdict.message


def test_choice_solution_is_correct():
    verdict = ch03.robbins_monro.verdict(SOLVE["robbins_monro"]())
    assert verdict.status == "correct", verdict.message


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_stub_is_not_attempted(exercise, capsys):
    assert exercise.verdict(stub).status == "not_attempted"
    assert exercise.verdict(...).status == "not_attempted"
    exercise.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


def test_choice_stub_is_not_attempted():
    assert ch03.robbins_monro.verdict(...).status == "not_attempted"
    assert ch03.robbins_monro.verdict(None).status == "not_attempted"


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_exception_is_reported_as_error(exercise):
    verdict = exercise.verdict(crash)
    assert verdict.status == "error"
    assert "ValueError" in verdict.message and "shapes" in verdict.message


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES + [ch03.robbins_monro], ids=lambda e: e.name)
def test_hint_and_solution_print(exercise, capsys):
    exercise.hint()
    exercise.solution()
    out = capsys.readouterr().out
    assert out.startswith(f"Hint 1 of {len(exercise.hints)} ({exercise.name}):")
    assert f"def {exercise.name}(" in out


def test_solutions_agree_with_lessonlib():
    for n, B in [(100, 20), (1000, 1), (50, 25), (37, 4)]:
        ratio = stochastic.minibatch_variance(1.0, n, 2 * B) / stochastic.minibatch_variance(1.0, n, B)
        assert SOLVE["floor_ratio"](n, B) == pytest.approx(ratio, rel=1e-12, abs=1e-15)
    for lam, sigma, variance in [(2.0, 1.0, 0.025), (1.0, 1.0, 10.0), (0.3, 2.5, 4.0)]:
        lr = SOLVE["lr_for_variance"](lam, sigma, variance)
        assert 0 < lr * lam < 2
        assert stochastic.stationary_variance(lr, lam, sigma) == pytest.approx(variance, rel=1e-12)
    # the sampler solution cuts a permutation exactly as lessonlib.train.batches does for its first epoch
    got = SOLVE["epoch_batches"](11, 4, np.random.default_rng(9))
    gen = batches(11, 4, seed=9)
    for batch in got:
        np.testing.assert_array_equal(batch, next(gen))


# --- epoch_batches ---------------------------------------------------------------------

def with_replacement(n, batch_size, rng):
    return [rng.integers(0, n, size=min(batch_size, n - start)) for start in range(0, n, batch_size)]


def drops_last(n, batch_size, rng):
    perm = rng.permutation(n)
    return [perm[i * batch_size:(i + 1) * batch_size] for i in range(n // batch_size)]


def not_shuffled(n, batch_size, rng):
    return [np.arange(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def balanced_sizes(n, batch_size, rng):
    return np.array_split(rng.permutation(n), -(-n // batch_size))


def independent_batches(n, batch_size, rng):
    return [rng.choice(n, size=min(batch_size, n - start), replace=False) for start in range(0, n, batch_size)]


def global_rng(n, batch_size, rng):
    perm = np.random.permutation(n)
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def own_seed(n, batch_size, rng):
    perm = np.random.default_rng(0).permutation(n)
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def float_indices(n, batch_size, rng):
    perm = rng.permutation(n).astype(float)
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def out_of_range(n, batch_size, rng):
    perm = rng.permutation(n) + 1
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def returns_nothing(n, batch_size, rng):
    rng.permutation(n)


@pytest.mark.parametrize("answer, words", [
    (with_replacement, ("WITH replacement",)),
    (drops_last, ("dropped the last partial batch", "ceil(n / B) = 4")),
    (not_shuffled, ("in order",)),
    (balanced_sizes, ("array_split",)),
    (independent_batches, ("across batches",)),
    (global_rng, ("same seed",)),
    (own_seed, ("do not vary",)),
    (float_indices, ("integer indices",)),
    (out_of_range, ("outside range(n)",)),
])
def test_epoch_batches_mistakes_are_named(answer, words):
    assert_wrong(ch03.epoch_batches, answer, *words)


def test_epoch_batches_none_is_not_attempted():
    assert ch03.epoch_batches.verdict(returns_nothing).status == "not_attempted"


def test_epoch_batches_accepts_lists_and_other_correct_samplers():
    def as_lists(n, batch_size, rng):
        perm = rng.permutation(n).tolist()
        return [perm[start:start + batch_size] for start in range(0, n, batch_size)]

    def by_choice(n, batch_size, rng):
        perm = rng.choice(n, size=n, replace=False)
        return [perm[start:start + batch_size] for start in range(0, n, batch_size)]

    assert ch03.epoch_batches.verdict(as_lists).status == "correct"
    assert ch03.epoch_batches.verdict(by_choice).status == "correct"


# --- floor_ratio (transfer) ---------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda n, B: 0.5, "WITH replacement"),
    (lambda n, B: (n - 2 * B) / (n - B), "finite-population factors only"),
    (lambda n, B: 2 * (n - B) / (n - 2 * B) if n != 2 * B else float("inf"), "upside down"),
    (lambda n, B: (n - 2 * B) / (4 * (n - B)), "B**2"),
    (lambda n, B: (n - 2 * B) / (2 * n - 2 * B + 1), None),
])
def test_floor_ratio_mistakes_are_named(answer, words):
    for seed in range(10):
        verdict = ch03.floor_ratio.verdict(answer, seed=seed)
        assert verdict.status == "wrong", verdict.message
        if words:
            assert words in verdict.message, verdict.message
        else:
            assert "the right answer is" in verdict.message


# --- lr_for_variance (transfer) ---------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda lam, sigma, v: 2 * lam * v / sigma**2, "small-step approximation"),
    (lambda lam, sigma, v: lam * v / sigma**2, "without the factor (2 - lr * lam)"),
    (lambda lam, sigma, v: 2 * lam * v / (sigma + lam**2 * v), "VARIANCE sigma**2"),
    (lambda lam, sigma, v: 2 * lam * v / (sigma**2 - lam**2 * v), "A sign slipped"),
])
def test_lr_for_variance_mistakes_are_named(answer, words):
    for seed in range(10):
        verdict = ch03.lr_for_variance.verdict(answer, seed=seed)
        assert verdict.status == "wrong", verdict.message
        assert words in verdict.message, verdict.message


# --- robbins_monro ---------------------------------------------------------------------

@pytest.mark.parametrize("answer", [{"b", "f"}, "bf", "f, b", ["B", "F"], ("b", "f")])
def test_robbins_monro_accepts_spellings(answer):
    assert ch03.robbins_monro.verdict(answer).status == "correct"


@pytest.mark.parametrize("answer, words", [
    ("abcf", ("first condition alone",)),
    ("bdef", ("second condition alone",)),
    ("abcdef", ("Not every step size",)),
    ("b", ("more than the harmonic",)),
    ("bcf", ("one at a time",)),
    ("acde", ("one at a time",)),
])
def test_robbins_monro_mistakes_are_explained_without_the_answer(answer, words):
    verdict = ch03.robbins_monro.verdict(answer)
    assert verdict.status == "wrong", verdict.message
    for word in words:
        assert word in verdict.message, verdict.message
    # issue 7: the message never names the right letters (nor which picks are wrong)
    assert "['b', 'f']" not in verdict.message and "left out" not in verdict.message
    assert "included" not in verdict.message


def test_robbins_monro_rejects_unknown_options_and_non_sets():
    assert_wrong(ch03.robbins_monro, "bfz", "not options")
    assert_wrong(ch03.robbins_monro, 3, "set of letters")


def test_robbins_monro_options_match_the_decay_exponents():
    # eta_t ~ t**-p: sum eta_t = inf iff p <= 1, sum eta_t**2 < inf iff p > 1/2; p measured from t = 1e3 to 1e4
    schedules = {"a": lambda t: 0.1, "b": lambda t: 0.1 / (1 + t), "c": lambda t: 0.1 / np.sqrt(1 + t),
                 "d": lambda t: 0.1 * 0.99**t, "e": lambda t: 0.1 / (1 + t) ** 2,
                 "f": lambda t: 0.1 / (1 + t) ** 0.7}
    assert set(schedules) == set(ch03.SCHEDULES)
    passing = set()
    for key, schedule in schedules.items():
        p = np.log10(schedule(10**3) / schedule(10**4))
        if 0.5 < p <= 1.0 + 1e-3:
            passing.add(key)
    assert passing == SOLVE["robbins_monro"]()
    # and the geometric sequence's sum really is finite: 0.1 / (1 - 0.99) = 10
    total, _ = robbins_monro_sums(schedules["d"], 5000)
    assert total == pytest.approx(10.0, rel=1e-6)
