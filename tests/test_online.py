"""The Reddi-Kale-Kumar counterexample: the problem, the projected run, the regret."""

import numpy as np
import pytest

from lessonlib.online import ReddiProblem, average_regret, projected_run
from lessonlib.optim import Adam, SGD


def test_gradients_and_best_point():
    p = ReddiProblem(C=3.0)
    assert [float(p.grad(np.zeros(1), t)[0]) for t in range(6)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0]
    np.testing.assert_array_equal(p.coefficients(4), [3.0, -1.0, -1.0, 3.0])
    assert p.best_point() == -1.0
    q = ReddiProblem(C=10.0, period=5)
    assert [float(q.grad(0.0, t)) for t in range(5)] == [10.0, -1.0, -1.0, -1.0, -1.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"C": 2.0}, "C must be > period - 1 = 2"),
    ({"C": 5.0, "period": 10}, "C must be > period - 1 = 9"),
    ({"C": 5.0, "period": 1}, "period must be an integer >= 2"),
])
def test_bad_problems_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ReddiProblem(**kwargs)


def test_projected_run_stays_in_the_box_and_starts_at_x0():
    xs = projected_run(SGD(lr=5.0), ReddiProblem(), np.array([0.25]), 30)
    assert xs.shape == (31, 1) and xs[0, 0] == 0.25
    assert np.all(np.abs(xs) <= 1.0)


def test_regret_of_constant_plays():
    p = ReddiProblem(C=3.0)
    T = 300
    assert average_regret(p, np.full(T + 1, -1.0)) == pytest.approx(0.0, abs=1e-12)
    assert average_regret(p, np.full(T + 1, 1.0)) == pytest.approx(2 * (3 - 2) / 3)


def test_adam_goes_to_the_worst_point_and_amsgrad_to_the_best():
    p = ReddiProblem(C=3.0)
    lr = lambda t: 0.5 / np.sqrt(t + 1)
    adam = projected_run(Adam(lr=lr, beta1=0.0, beta2=0.1), p, np.array([0.0]), 1500)
    ams = projected_run(Adam(lr=lr, beta1=0.0, beta2=0.1, amsgrad=True), p, np.array([0.0]), 1500)
    assert adam[-1, 0] == 1.0 and average_regret(p, adam) > 0.6
    assert ams[-1, 0] < -0.95 and average_regret(p, ams) < 0.05


def test_regret_wants_one_coordinate():
    with pytest.raises(ValueError, match="one coordinate"):
        average_regret(ReddiProblem(), np.zeros((5, 2)))
