"""Tests of lessonlib.stochastic: each closed form against exact enumeration, its recursion or a simulation."""

import itertools

import numpy as np
import pytest

from lessonlib import stochastic
from lessonlib.objectives import NoisyGradient, Quadratic, Square
from lessonlib.optim import SGD
from lessonlib.schedules import inverse_time_decay


@pytest.fixture
def grads():
    return np.random.default_rng(0).standard_normal((6, 3)) + np.array([1.0, -2.0, 0.5])


# ---------------------------------------------------------------- gradient_variance, minibatch_variance

def test_gradient_variance_is_mean_squared_deviation(grads):
    mean = grads.mean(axis=0)
    expected = np.mean([np.sum((g - mean) ** 2) for g in grads])
    assert stochastic.gradient_variance(grads) == pytest.approx(expected, rel=1e-14)
    assert stochastic.gradient_variance(np.ones((4, 2))) == 0.0


def test_gradient_variance_rejects_1d():
    with pytest.raises(ValueError, match="2-D"):
        stochastic.gradient_variance(np.ones(5))


@pytest.mark.parametrize("B", [1, 2, 3, 5, 6])
def test_minibatch_variance_without_replacement_is_exact(grads, B):
    # average over every subset of size B: the exact expectation, no sampling error
    n, mean = len(grads), grads.mean(axis=0)
    sq = [np.sum((grads[list(s)].mean(axis=0) - mean) ** 2) for s in itertools.combinations(range(n), B)]
    sigma2 = stochastic.gradient_variance(grads)
    assert stochastic.minibatch_variance(sigma2, n, B) == pytest.approx(np.mean(sq), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("B", [1, 2, 3])
def test_minibatch_variance_with_replacement_is_exact(grads, B):
    n, mean = len(grads), grads.mean(axis=0)
    sq = [np.sum((grads[list(s)].mean(axis=0) - mean) ** 2) for s in itertools.product(range(n), repeat=B)]
    sigma2 = stochastic.gradient_variance(grads)
    assert stochastic.minibatch_variance(sigma2, n, B, replacement=True) == pytest.approx(np.mean(sq), rel=1e-12)


def test_minibatch_variance_limits():
    assert stochastic.minibatch_variance(3.0, 100, 1) == pytest.approx(3.0)
    assert stochastic.minibatch_variance(3.0, 100, 100) == 0.0
    assert stochastic.minibatch_variance(3.0, 1, 1) == 0.0
    assert stochastic.minibatch_variance(3.0, 10, 30, replacement=True) == pytest.approx(0.1)


@pytest.mark.parametrize("args, match", [
    ((-1.0, 10, 2), "sigma2"),
    ((1.0, 10, 11), "batch_size"),
    ((1.0, 10, 0), "batch_size"),
    ((1.0, 0, 1), "n"),
    ((1.0, 10.0, 2), "n"),
    ((float("nan"), 10, 2), "sigma2"),
])
def test_minibatch_variance_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        stochastic.minibatch_variance(*args)


# ---------------------------------------------------------------- coverage

@pytest.mark.parametrize("n, draws", [(1, 1), (2, 2), (3, 3), (4, 2), (3, 5)])
def test_coverage_is_exact(n, draws):
    seen = [len(set(s)) / n for s in itertools.product(range(n), repeat=draws)]
    assert stochastic.coverage(n, draws) == pytest.approx(np.mean(seen), rel=1e-12)


def test_coverage_limit_and_edges():
    assert stochastic.coverage(10**7) == pytest.approx(1 - np.exp(-1), abs=1e-7)
    assert stochastic.coverage(10, 0) == 0.0
    assert stochastic.coverage(1) == 1.0
    assert stochastic.coverage(100) > stochastic.coverage(1000) > 1 - np.exp(-1)


def test_coverage_bad_input():
    with pytest.raises(ValueError, match="n"):
        stochastic.coverage(0)
    with pytest.raises(ValueError, match="draws"):
        stochastic.coverage(10, -1)


# ---------------------------------------------------------------- the noise floor

@pytest.mark.parametrize("lr, lam, sigma", [(0.01, 2.0, 1.0), (0.3, 2.0, 0.5), (1.5, 1.0, 2.0)])
def test_stationary_variance_is_the_fixed_point(lr, lam, sigma):
    v = stochastic.stationary_variance(lr, lam, sigma)
    assert v == pytest.approx((1 - lr * lam) ** 2 * v + lr**2 * sigma**2, rel=1e-12)
    m = stochastic.second_moment(np.full(3000, lr), lam, sigma, 1.0)
    assert m[-1] == pytest.approx(v, rel=1e-9)
    assert stochastic.stationary_loss(lr, lam, sigma) == pytest.approx(lam * v / 2, rel=1e-14)


def test_stationary_variance_small_step_limit():
    lr, lam, sigma = 1e-6, 3.0, 2.0
    assert stochastic.stationary_variance(lr, lam, sigma) == pytest.approx(lr * sigma**2 / (2 * lam), rel=1e-5)
    assert stochastic.stationary_loss(lr, lam, sigma) == pytest.approx(lr * sigma**2 / 4, rel=1e-5)


def test_stationary_variance_matches_a_simulation():
    R, lr, sigma = 20000, 0.2, 1.0                       # Square: lam = 2
    noisy = NoisyGradient(Square(), sigma, seed=0)
    opt = SGD(lr)
    theta = np.zeros(R)
    state = opt.init(theta)
    for _ in range(40):                                   # 0.6**80: the transient is gone
        theta, state = opt.step(theta, noisy.grad(theta), state)
    assert np.mean(theta**2) == pytest.approx(stochastic.stationary_variance(lr, 2.0, sigma), rel=0.03)


@pytest.mark.parametrize("lr, lam", [(1.0, 2.0), (2.5, 1.0), (0.0, 1.0), (-0.1, 1.0), (0.1, 0.0)])
def test_stationary_variance_bad_input(lr, lam):
    with pytest.raises(ValueError):
        stochastic.stationary_variance(lr, lam, 1.0)


def test_stationary_covariance_solves_lyapunov():
    H = Quadratic.from_eigenvalues([0.5, 1.0, 4.0], seed=1).A
    Sigma = np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]])
    lr = 0.3
    P = stochastic.stationary_covariance(lr, H, Sigma)
    A = np.eye(3) - lr * H
    np.testing.assert_allclose(P, A @ P @ A + lr**2 * Sigma, atol=1e-12)
    np.testing.assert_allclose(P, P.T)
    # the trace identity: tr(HP) = (lr/2) tr(Sigma) + (lr/2) tr(HPH)
    assert np.trace(H @ P) == pytest.approx(lr / 2 * np.trace(Sigma) + lr / 2 * np.trace(H @ P @ H), rel=1e-10)


def test_stationary_covariance_reduces_to_1d():
    P = stochastic.stationary_covariance(0.4, np.diag([1.0, 3.0]), np.diag([2.0, 0.5]))
    assert P[0, 0] == pytest.approx(stochastic.stationary_variance(0.4, 1.0, np.sqrt(2.0)), rel=1e-12)
    assert P[1, 1] == pytest.approx(stochastic.stationary_variance(0.4, 3.0, np.sqrt(0.5)), rel=1e-12)
    assert P[0, 1] == pytest.approx(0.0, abs=1e-15)


def test_stationary_covariance_matches_a_simulation():
    quad = Quadratic.from_eigenvalues([0.5, 2.0], angle=0.4)
    noisy = NoisyGradient(quad, 1.0, seed=2)
    opt, R = SGD(0.3), 20000
    theta = np.zeros((2, R))
    state = opt.init(theta)
    for _ in range(60):
        theta, state = opt.step(theta, noisy.grad(theta), state)
    P = stochastic.stationary_covariance(0.3, quad.A, np.eye(2))
    np.testing.assert_allclose(theta @ theta.T / R, P, atol=0.03 * np.abs(P).max())


@pytest.mark.parametrize("lr, H, Sigma, match", [
    (0.1, np.diag([1.0, -1.0]), np.eye(2), "positive definite"),
    (1.0, np.diag([1.0, 2.5]), np.eye(2), "lr \\* lam < 2"),
    (0.1, np.eye(2), np.eye(3), "same size"),
    (0.1, np.array([[1.0, 0.5], [0.0, 1.0]]), np.eye(2), "symmetric"),
])
def test_stationary_covariance_bad_input(lr, H, Sigma, match):
    with pytest.raises(ValueError, match=match):
        stochastic.stationary_covariance(lr, H, Sigma)


# ---------------------------------------------------------------- decaying steps

def test_second_moment_constant_step_closed_form():
    lr, lam, sigma, theta0 = 0.05, 2.0, 0.7, 1.5
    m = stochastic.second_moment(np.full(50, lr), lam, sigma, theta0)
    v = stochastic.stationary_variance(lr, lam, sigma)
    t = np.arange(51)
    np.testing.assert_allclose(m, v + (1 - lr * lam) ** (2 * t) * (theta0**2 - v), rtol=1e-12)
    assert len(stochastic.second_moment([], lam, sigma, theta0)) == 1


def test_second_moment_matches_a_simulation_with_a_schedule():
    schedule = inverse_time_decay(0.2, 0.1)
    R, T = 20000, 60
    noisy = NoisyGradient(Square(), 1.0, seed=3)
    opt = SGD(schedule)
    theta = np.ones(R)
    state = opt.init(theta)
    for _ in range(T):
        theta, state = opt.step(theta, noisy.grad(theta), state)
    m = stochastic.second_moment(schedule(np.arange(T)), 2.0, 1.0, 1.0)
    assert np.mean(theta**2) == pytest.approx(m[-1], rel=0.03)


def test_second_moment_bad_input():
    with pytest.raises(ValueError, match="lrs"):
        stochastic.second_moment([0.1, -0.1], 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="lam"):
        stochastic.second_moment([0.1], 0.0, 1.0, 0.0)


@pytest.mark.parametrize("lr0, decay_rate, lam, sigma", [(0.1, 0.05, 2.0, 1.0), (0.5, 1.0, 2.0, 2.0), (1.0, 0.5, 0.5, 0.3)])
def test_inverse_time_limit_matches_the_recursion(lr0, decay_rate, lam, sigma):
    T = 200_000
    m = stochastic.second_moment(lr0 / (1 + decay_rate * np.arange(T)), lam, sigma, 1.0)
    assert T * m[-1] == pytest.approx(stochastic.inverse_time_limit(lr0, decay_rate, lam, sigma), rel=5e-3)


def test_inverse_time_limit_running_mean():
    # lr_t = 1/(2(t+1)) on (theta - x)**2 is the running mean: t E[(theta_t - m)^2] = s^2 = 1
    assert stochastic.inverse_time_limit(0.5, 1.0, 2.0, 2.0) == pytest.approx(1.0)


def test_inverse_time_limit_needs_slow_enough_decay():
    with pytest.raises(ValueError, match="1/t rate"):
        stochastic.inverse_time_limit(0.1, 1.0, 2.0, 1.0)     # 2 a lam = 0.4
