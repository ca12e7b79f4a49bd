"""Tests of lessonlib.newton, lessonlib.distributed and averages.iterate_average."""

import numpy as np
import pytest

from lessonlib.averages import iterate_average
from lessonlib.distributed import (data_parallel_grad, shard, stale_gradient_descent, staleness_bound,
                                   worker_gradients)
from lessonlib.newton import newton, newton_step
from lessonlib.objectives import LinearRegressionMSE, LogisticRegression, Quadratic, Saddle
from lessonlib.data import make_regression


def test_one_newton_step_solves_a_quadratic():
    f = Quadratic.from_eigenvalues([0.1, 3.0, 50.0], seed=2, minimizer=[1.0, -2.0, 0.5])
    theta = newton_step(np.zeros(3), f.grad(np.zeros(3)), f.hessian())
    np.testing.assert_allclose(theta, f.minimizer, rtol=1e-12, atol=1e-12)


def test_newton_converges_quadratically_on_logistic_regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = (X @ [1.0, -2.0, 0.5] + 0.5 * rng.standard_normal(200) > 0).astype(float)
    f = LogisticRegression(X, y, l2=0.1)
    run = newton(f, np.zeros(3), 8, grad_tol=1e-14)
    errors = np.linalg.norm(run.thetas - run.theta, axis=1)[:-1]
    ratios = errors[2:5] / errors[1:4] ** 2           # e_{t+1} ~ C e_t^2
    assert np.all(ratios < 10) and errors[4] < 1e-8


def test_newton_goes_to_the_saddle():
    run = newton(Saddle(), np.array([1.5, 0.3]), 20)
    np.testing.assert_allclose(run.theta, [0.0, 0.0], atol=1e-12)


def test_newton_step_explains_a_singular_hessian_and_bad_shapes():
    with pytest.raises(np.linalg.LinAlgError, match="damping"):
        newton_step(np.zeros(2), np.ones(2), np.zeros((2, 2)))
    np.testing.assert_allclose(newton_step(np.zeros(2), np.ones(2), np.zeros((2, 2)), damping=2.0), [-0.5, -0.5])
    with pytest.raises(ValueError, match="Hessian"):
        newton_step(np.zeros(2), np.ones(2), np.eye(3))
    with pytest.raises(ValueError, match="damping"):
        newton_step(np.zeros(2), np.ones(2), np.eye(2), damping=-1.0)


def test_data_parallel_gradient_equals_the_big_batch_gradient():
    X, y, _ = make_regression(n=64, d=4, seed=1)
    f = LinearRegressionMSE(X, y)
    theta, idx = np.ones(X.shape[1]), np.arange(5, 37)
    for workers in (1, 2, 4, 8):
        np.testing.assert_allclose(data_parallel_grad(f, theta, idx, workers), f.batch_grad(theta, idx), rtol=1e-12)
    assert worker_gradients(f, theta, idx, 4).shape == (4, X.shape[1])
    # unequal shards: the plain average of shard means is not the big-batch mean
    assert not np.allclose(data_parallel_grad(f, theta, np.arange(7), 2), f.batch_grad(theta, np.arange(7)))


def test_shard_errors():
    with pytest.raises(ValueError, match="at least 5"):
        shard(np.arange(3), 5)
    with pytest.raises(ValueError, match="workers"):
        shard(np.arange(3), 0)


@pytest.mark.parametrize("delay", [0, 1, 2, 5])
def test_staleness_bound_is_the_edge_of_stability(delay):
    f = Quadratic(np.diag([2.0]))
    edge = staleness_bound(delay) / 2.0
    losses, diverged = stale_gradient_descent(f, [0.97 * edge, 1.03 * edge], np.array([1.0]), 4000, delay)
    assert list(diverged) == [False, True]
    assert losses[-1, 0] < 1e-6


def test_staleness_bound_values():
    assert staleness_bound(0) == pytest.approx(2.0)
    assert staleness_bound(1) == pytest.approx(1.0)
    assert staleness_bound(2) == pytest.approx((np.sqrt(5) - 1) / 2)


def test_iterate_average():
    thetas = np.array([[0.0, 2.0], [2.0, 4.0], [4.0, 0.0]])
    np.testing.assert_allclose(iterate_average(thetas), [[0, 2], [1, 3], [2, 2]])
    np.testing.assert_allclose(iterate_average(thetas, burn_in=1), [[2, 4], [3, 2]])
    with pytest.raises(ValueError, match="burn_in"):
        iterate_average(thetas, burn_in=3)
