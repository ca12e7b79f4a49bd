"""Tests of lessonlib.monitor: the learning-rate range test, smoothing, sharpness."""

import numpy as np
import pytest

from lessonlib.monitor import RangeTest, lr_range_test, sharpness, smooth
from lessonlib.nn import MLP
from lessonlib.objectives import LinearRegressionMSE, Quadratic
from lessonlib.optim import SGD, Adam
from lessonlib.data import make_regression


def _mlp():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return MLP(X, y, hidden=(8,), l2=1e-4)


def test_smooth_is_the_bias_corrected_moving_average():
    np.testing.assert_allclose(smooth(np.full(6, 2.5), 0.9), 2.5, rtol=1e-14)
    np.testing.assert_allclose(smooth([3.0, 1.0], 0.5), [3.0, (0.25 * 3 + 0.5 * 1) / 0.75])
    np.testing.assert_array_equal(smooth([1.0, 4.0], 0.0), [1.0, 4.0])


def test_range_test_ramp_and_records():
    mlp = _mlp()
    result = lr_range_test(mlp, lambda lr: SGD(lr), mlp.init(0), 1e-4, 1.0, 20, 30, stop_factor=1e9)
    assert result.stopped == "max_lr" and len(result.lrs) == 20
    assert result.lrs[0] == pytest.approx(1e-4) and result.lrs[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(np.diff(np.log(result.lrs)), np.log(1e4) / 19)
    np.testing.assert_allclose(result.smoothed, smooth(result.losses, 0.9))


def test_range_test_uses_the_rate_it_records():
    # one SGD step per recorded rate: replaying the run with those rates gives the same losses
    mlp = _mlp()
    result = lr_range_test(mlp, lambda lr: SGD(lr), mlp.init(0), 1e-3, 0.1, 12, 40, seed=3, stop_factor=1e9)
    from lessonlib.train import batches
    theta, sampler = mlp.init(0), batches(mlp.n, 40, 3)
    for lr, loss in zip(result.lrs, result.losses):
        idx = next(sampler)
        assert mlp.batch_loss(theta, idx) == pytest.approx(loss, rel=1e-12)
        theta = theta - lr * mlp.batch_grad(theta, idx)


def test_range_test_stops_when_the_loss_shoots_up_and_suggests_a_rate_below():
    mlp = _mlp()
    result = lr_range_test(mlp, lambda lr: Adam(lr), mlp.init(0), 1e-5, 100.0, 120, 30)
    assert result.stopped == "diverged"
    assert result.lrs[-1] < 100.0
    assert 1e-5 < result.minimum_over_10() < result.lrs[-1] / 10 + 1e-12
    assert result.lrs[10] <= result.steepest() <= result.lrs[int(np.argmin(result.smoothed))]


def test_steepest_explains_a_minimum_at_the_start():
    r = RangeTest(np.logspace(-3, 0, 15), np.linspace(1, 3, 15), np.linspace(1, 3, 15), "diverged")
    with pytest.raises(ValueError, match="smaller lr_min"):
        r.steepest()


@pytest.mark.parametrize("kwargs, words", [
    ({"lr_min": 1.0, "lr_max": 0.1}, "smaller than lr_max"),
    ({"lr_min": -1.0}, "lr_min"),
    ({"steps": 5}, "steps"),
    ({"beta": 1.0}, "beta"),
    ({"stop_factor": 1.0}, "stop_factor"),
])
def test_range_test_rejects_bad_arguments(kwargs, words):
    mlp = _mlp()
    args = {"lr_min": 1e-4, "lr_max": 1.0, "steps": 20, **kwargs}
    with pytest.raises(ValueError, match=words):
        lr_range_test(mlp, lambda lr: SGD(lr), mlp.init(0), args["lr_min"], args["lr_max"], args["steps"], 30,
                      **{k: v for k, v in args.items() if k in ("beta", "stop_factor")})


def test_sharpness_of_a_quadratic_is_its_largest_eigenvalue():
    f = Quadratic.from_eigenvalues([0.5, 2.0, 7.0, 3.0], seed=1)
    assert sharpness(f, np.ones(4)) == pytest.approx(7.0, rel=1e-6)


def test_sharpness_of_a_network_matches_its_finite_difference_hessian():
    mlp = _mlp()
    theta = mlp.init(2)
    h, n = 1e-5, theta.size
    H = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        H[:, i] = (mlp.grad(theta + e) - mlp.grad(theta - e)) / (2 * h)
    expected = np.linalg.eigvalsh((H + H.T) / 2).max()
    assert sharpness(mlp, theta, tol=1e-8) == pytest.approx(expected, rel=1e-4)


def test_sharpness_finds_the_largest_algebraic_eigenvalue_not_the_largest_magnitude():
    f = Quadratic(np.diag([-9.0, 1.0, 2.0]))
    assert sharpness(f, np.zeros(3)) == pytest.approx(2.0, rel=1e-6)
