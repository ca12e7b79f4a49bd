"""The chapter 11 exercises: solutions agree with lessonlib, other correct forms pass, mistakes are named."""

import numpy as np
import pytest

from lessonlib.distributed import data_parallel_grad, stale_gradient_descent, staleness_bound
from lessonlib.exercises import ch11
from lessonlib.newton import newton_step
from lessonlib.objectives import Quadratic
from exercise_helpers import assert_wrong

SOLVE = ch11.SOLUTIONS


def test_newton_iterates_are_lessonlibs_newton_steps():
    xs = SOLVE["newton_iterates"](5.0, 2.0, 4)
    x = np.array([2.0])
    for expected in xs[1:]:
        x = newton_step(x, x**3 - 5.0, np.array([[3 * x[0] ** 2]]))
        assert x[0] == pytest.approx(expected, rel=1e-14)
    assert xs[-1] == pytest.approx(5.0 ** (1 / 3), rel=1e-12)


def test_newton_iterates_missing_the_start_is_told_the_shape():
    assert_wrong(ch11.newton_iterates, lambda a, x0, steps: SOLVE["newton_iterates"](a, x0, steps)[1:], "shape")


@pytest.mark.parametrize("index, words", [(0, "root-finding")])
def test_newton_iterates_mistakes_are_named(index, words):
    assert_wrong(ch11.newton_iterates, ch11.newton_iterates.mistakes[index][0], words)


def test_allreduce_unequal_is_the_big_batch_gradient():
    from lessonlib.data import make_regression
    from lessonlib.objectives import LinearRegressionMSE
    X, y, _ = make_regression(n=30, d=3, seed=0)
    f, theta = LinearRegressionMSE(X, y), np.ones(4)
    shards = [np.arange(0, 3), np.arange(3, 10), np.arange(10, 12)]
    grads = [f.batch_grad(theta, s) for s in shards]
    np.testing.assert_allclose(SOLVE["allreduce_unequal"](grads, [3, 7, 2]), f.batch_grad(theta, np.arange(12)),
                               rtol=1e-12)
    # with equal shards it is what DDP computes
    np.testing.assert_allclose(SOLVE["allreduce_unequal"]([f.batch_grad(theta, np.arange(k, k + 4)) for k in (0, 4)],
                                                          [4, 4]), data_parallel_grad(f, theta, np.arange(8), 2))


def test_allreduce_unequal_accepts_a_loop():
    def looped(grads, sizes):
        total, count = 0.0, 0
        for g, n in zip(grads, sizes):
            total = total + n * np.asarray(g, dtype=float)
            count += n
        return total / count
    assert ch11.allreduce_unequal.verdict(looped).status == "correct"


@pytest.mark.parametrize("index, words", [(0, "equal weights"), (1, "did not divide")])
def test_allreduce_unequal_mistakes_are_named(index, words):
    assert_wrong(ch11.allreduce_unequal, ch11.allreduce_unequal.mistakes[index][0], words)


def test_stale_is_stable_agrees_with_simulation_and_the_closed_form():
    f = Quadratic(np.diag([1.0]))
    for delay in (0, 1, 3, 6):
        rates = np.array([0.9, 1.1]) * staleness_bound(delay)
        _, diverged = stale_gradient_descent(f, rates, np.array([1.0]), 5000, delay)
        assert [SOLVE["stale_is_stable"](r, delay) for r in rates] == [True, False] == list(~diverged)


def test_stale_is_stable_accepts_the_closed_form():
    closed = lambda lam, delay: lam < 2 * np.sin(np.pi / (2 * (2 * delay + 1)))
    assert ch11.stale_is_stable.verdict(closed).status == "correct"


@pytest.mark.parametrize("index, words", [(0, "without delay"), (1, "2/(delay+1)")])
def test_stale_is_stable_mistakes_are_named(index, words):
    assert_wrong(ch11.stale_is_stable, ch11.stale_is_stable.mistakes[index][0], words)
