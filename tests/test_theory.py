"""lessonlib.theory against simulated runs and hand-computed values."""

import math

import numpy as np
import pytest

from lessonlib import theory
from lessonlib.objectives import LogisticRegression, Quadratic, Square
from lessonlib.optim import SGD
from lessonlib.train import minimize


def spread_quadratic(mu, L, d=8, seed=0):
    """A rotated quadratic whose Hessian has eigenvalues mu, L and d - 2 values strictly inside."""
    rng = np.random.default_rng(seed)
    lam = np.concatenate([[mu, L], rng.uniform(mu + 0.3 * (L - mu), L - 0.3 * (L - mu), d - 2)])
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    A = (Q * lam) @ Q.T
    return Quadratic((A + A.T) / 2, b=rng.standard_normal(d))


# --- hand-computed values -------------------------------------------------------------

def test_contraction_hand_values():
    assert theory.gd_contraction(0.1, [1.0, 10.0]) == pytest.approx(0.9)      # |1 - 0.1|, |1 - 1|
    assert theory.gd_contraction(0.15, [1.0, 10.0]) == pytest.approx(0.85)    # max(0.85, 0.5)
    assert theory.gd_contraction(0.25, [1.0, 10.0]) == pytest.approx(1.5)     # |1 - 2.5|
    assert theory.gd_contraction(0.1, [-1.0, 1.0]) == pytest.approx(1.1)      # a saddle never contracts
    assert theory.gd_contraction(0.0, [3.0]) == 1.0


def test_contraction_uses_the_extreme_eigenvalues_only():
    lam = np.array([1.0, 2.5, 7.0, 10.0])
    for lr in np.linspace(0.01, 0.3, 30):
        assert theory.gd_contraction(lr, lam) == pytest.approx(max(abs(1 - lr * 1.0), abs(1 - lr * 10.0)))


def test_stability_threshold_and_optimum_hand_values():
    assert theory.gd_max_stable_lr(4.0) == 0.5
    assert theory.gd_stable(0.49, [1.0, 4.0]) and not theory.gd_stable(0.5, [1.0, 4.0])
    assert not theory.gd_stable(0.51, [1.0, 4.0])
    assert theory.gd_optimal_lr(1.0, 9.0) == pytest.approx(0.2)
    assert theory.gd_optimal_rate(1.0, 9.0) == pytest.approx(0.8)
    assert theory.gd_optimal_rate(2.0, 2.0) == 0.0


def test_optimal_lr_minimises_the_contraction():
    mu, L = 1.0, 25.0
    grid = np.linspace(1e-4, 2 / L, 20001)
    rho = [theory.gd_contraction(lr, [mu, L]) for lr in grid]
    assert grid[int(np.argmin(rho))] == pytest.approx(theory.gd_optimal_lr(mu, L), abs=grid[1] - grid[0])
    assert min(rho) == pytest.approx(theory.gd_optimal_rate(mu, L), abs=1e-4)
    assert theory.gd_contraction(theory.gd_optimal_lr(mu, L), [mu, L]) == pytest.approx(
        theory.gd_optimal_rate(mu, L))


def test_descent_lemma_bound_hand_values():
    # J=5, |g|=2, lr=0.5, L=1: 5 - 0.5 * (1 - 0.25) * 4 = 3.5
    assert theory.descent_lemma_bound(5.0, 2.0, 0.5, 1.0) == pytest.approx(3.5)
    # lr = 2/L guarantees nothing; lr = 1/L guarantees |g|^2 / (2L)
    assert theory.descent_lemma_bound(5.0, 2.0, 2.0, 1.0) == pytest.approx(5.0)
    assert theory.descent_lemma_bound(5.0, 2.0, 1.0, 1.0) == pytest.approx(5.0 - 4.0 / 2.0)


def test_iterations_to_tolerance_hand_values():
    assert theory.iterations_to_tolerance(0.5, 1e-3) == 10          # 2^-10 < 1e-3 < 2^-9
    assert theory.iterations_to_tolerance(0.1, 1e-6) == 6           # exactly 0.1^6
    assert theory.iterations_to_tolerance(0.0, 1e-6) == 1
    kappa = 1000.0
    T = theory.iterations_to_tolerance(theory.gd_optimal_rate(1.0, kappa), 1e-6)
    assert T == pytest.approx(kappa / 2 * math.log(1e6), rel=1e-3)


def test_empirical_rate_of_an_exact_geometric_sequence():
    assert theory.empirical_rate(3.0 * 0.7 ** np.arange(50)) == pytest.approx(0.7, rel=1e-12)
    # only the tail counts: a fast start does not bias the measurement
    e = np.concatenate([0.5 ** np.arange(40), 0.5**39 * 0.9 ** np.arange(1, 21)])
    assert theory.empirical_rate(e, tail=20) == pytest.approx(0.9, rel=1e-12)
    assert theory.empirical_rate(e) == pytest.approx((0.5**10 * 0.9**20) ** (1 / 30), rel=1e-12)


def test_heavy_ball_hand_values():
    # beta = 0 reduces to gradient descent
    assert theory.heavy_ball_contraction(0.15, 0.0, [1.0, 10.0]) == pytest.approx(0.85)
    lr, beta, rate = theory.heavy_ball_optimal(1.0, 9.0)            # sqrt(kappa) = 3
    assert (lr, beta, rate) == pytest.approx((0.25, 0.25, 0.5))
    assert theory.heavy_ball_contraction(lr, beta, [1.0, 5.0, 9.0]) == pytest.approx(0.5)
    assert theory.heavy_ball_max_stable_lr(2.0, 0.5) == pytest.approx(1.5)


# --- against simulated runs -----------------------------------------------------------

def test_closed_form_iterates_match_gradient_descent_runs():
    f = spread_quadratic(1.0, 30.0)
    theta0 = np.linspace(-1, 1, f.dim)
    for lr in (0.01, theory.gd_optimal_lr(f.mu, f.L), 0.065):
        hist = minimize(f, SGD(lr), theta0, 200)
        closed = theory.gd_quadratic_iterates(f.A, f.b, theta0, lr, 200)
        np.testing.assert_allclose(hist.thetas, closed, rtol=1e-9, atol=1e-9)


def test_closed_form_of_the_square():
    hist = minimize(Square(), SGD(0.01), np.array([1.7]), 1000)
    closed = theory.gd_quadratic_iterates([[2.0]], [0.0], [1.7], 0.01, 1000)
    np.testing.assert_allclose(hist.thetas, closed, rtol=1e-12, atol=0)
    assert closed[-1, 0] == pytest.approx(1.7 * 0.98**1000, rel=1e-12)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_measured_rate_matches_theory(kappa):
    f = Quadratic(spread_quadratic(1.0, kappa).A)        # minimiser at 0: no rounding floor
    theta0 = np.ones(f.dim)
    for lr in (theory.gd_optimal_lr(f.mu, f.L), 1.0 / f.L, 0.5 / f.L):
        hist = minimize(f, SGD(lr), theta0, 600)
        errors = np.linalg.norm(hist.thetas, axis=1)
        assert theory.empirical_rate(errors, tail=100) == pytest.approx(
            theory.gd_contraction(lr, f.eigenvalues), rel=1e-6)


def test_stability_threshold_separates_convergence_from_divergence():
    f = spread_quadratic(1.0, 10.0)
    lr_max = theory.gd_max_stable_lr(f.L)
    theta0 = np.ones(f.dim)
    err0 = np.linalg.norm(theta0 - f.minimizer)
    below = minimize(f, SGD(0.99 * lr_max), theta0, 2000)
    at = minimize(f, SGD(lr_max), theta0, 2000)
    above = minimize(f, SGD(1.01 * lr_max), theta0, 2000, on_divergence="stop")
    assert np.linalg.norm(below.theta - f.minimizer) < 1e-3 * err0
    assert 1e-3 * err0 < np.linalg.norm(at.theta - f.minimizer) < err0      # the stiff mode never decays
    assert np.linalg.norm(above.theta - f.minimizer) > 10 * err0


def test_iterations_to_tolerance_matches_a_run():
    mu, L = 1.0, 50.0
    f = Quadratic.from_eigenvalues([mu, L])
    lr = theory.gd_optimal_lr(mu, L)
    hist = minimize(f, SGD(lr), np.array([1.0, 1.0]), 1000)   # equal weight on both modes
    ratio = np.linalg.norm(hist.thetas, axis=1) / math.sqrt(2)
    measured = int(np.argmax(ratio <= 1e-6))
    assert measured == theory.iterations_to_tolerance(theory.gd_optimal_rate(mu, L), 1e-6)


def test_descent_lemma_bound_holds_on_logistic_regression():
    rng = np.random.default_rng(1)
    X = np.hstack([rng.standard_normal((200, 3)), np.ones((200, 1))])
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(200) > 0).astype(int)
    f = LogisticRegression(X, y)
    L = np.linalg.eigvalsh(X.T @ X)[-1] / (4 * len(X))     # sigma' <= 1/4
    for _ in range(20):
        theta = 2 * rng.standard_normal(4)
        g = f.grad(theta)
        for lr in np.array([0.1, 0.5, 1.0, 1.5, 1.99]) / L:
            bound = theory.descent_lemma_bound(f.loss(theta), np.linalg.norm(g), lr, L)
            assert f.loss(theta - lr * g) <= bound + 1e-12


def test_descent_lemma_is_tight_on_a_quadratic():
    f = Quadratic(np.diag([1.0, 4.0]))
    theta = np.array([0.0, 1.0])          # along the top eigenvector the bound is an equality
    g = f.grad(theta)
    for lr in (0.1, 0.25, 0.4):
        assert f.loss(theta - lr * g) == pytest.approx(
            theory.descent_lemma_bound(f.loss(theta), np.linalg.norm(g), lr, f.L), rel=1e-12)


def test_heavy_ball_contraction_matches_momentum_runs():
    f = Quadratic(spread_quadratic(1.0, 100.0).A)
    theta0 = np.ones(f.dim)

    def measured(lr, beta, tail):
        hist = minimize(f, SGD(lr, momentum=beta), theta0, 1500)
        return theory.empirical_rate(np.linalg.norm(hist.thetas, axis=1), tail=tail)

    # Real roots for every eigenvalue: the slowest mode decays exactly geometrically.
    assert measured(0.5 / f.L, 0.5, 200) == pytest.approx(
        theory.heavy_ball_contraction(0.5 / f.L, 0.5, f.eigenvalues), rel=1e-9)
    # Complex roots: the error rotates, so the ratio of norms oscillates around the rate.
    for lr, beta in ((1.5 / f.L, 0.9), (0.03, 0.95)):
        assert measured(lr, beta, 500) == pytest.approx(
            theory.heavy_ball_contraction(lr, beta, f.eigenvalues), rel=2e-3)
    # Polyak's optimum: every mode has modulus sqrt(beta); the extreme ones are double
    # roots (decay t * rate**t), hence the looser tolerance.
    lr, beta, rate = theory.heavy_ball_optimal(f.mu, f.L)
    assert measured(lr, beta, 500) == pytest.approx(rate, rel=2e-3)
    # A double root is ill-conditioned: rounding of 1e-16 in lr, beta or the eigenvalues
    # moves it by ~sqrt(1e-16) = 1e-8.
    assert theory.heavy_ball_contraction(lr, beta, f.eigenvalues) == pytest.approx(rate, rel=1e-7)
    assert theory.heavy_ball_contraction(lr, beta, [1.0, 100.0]) == pytest.approx(rate, rel=1e-7)


def test_heavy_ball_threshold_separates_convergence_from_divergence():
    L, beta = 10.0, 0.6
    lr_max = theory.heavy_ball_max_stable_lr(L, beta)
    assert theory.heavy_ball_contraction(0.99 * lr_max, beta, [1.0, L]) < 1
    assert theory.heavy_ball_contraction(1.01 * lr_max, beta, [1.0, L]) > 1


# --- argument checks ------------------------------------------------------------------

@pytest.mark.parametrize("call, words", [
    (lambda: theory.gd_max_stable_lr(0.0), "L must be > 0"),
    (lambda: theory.gd_optimal_lr(2.0, 1.0), "mu must be <= L"),
    (lambda: theory.gd_optimal_rate(-1.0, 1.0), "mu must be > 0"),
    (lambda: theory.gd_contraction(-0.1, [1.0]), "lr must be >= 0"),
    (lambda: theory.gd_contraction(0.1, []), "non-empty"),
    (lambda: theory.descent_lemma_bound(1.0, 1.0, 0.1, float("nan")), "L must be a finite number"),
    (lambda: theory.iterations_to_tolerance(1.0, 1e-3), "rate must be in [0.0, 1.0)"),
    (lambda: theory.iterations_to_tolerance(0.5, 0.0), "tol must be in (0.0, 1.0)"),
    (lambda: theory.empirical_rate([1.0]), "at least 2"),
    (lambda: theory.empirical_rate([1.0, 0.0]), "finite and > 0"),
    (lambda: theory.empirical_rate([1.0, 0.5, 0.25], tail=3), "at most"),
    (lambda: theory.gd_quadratic_iterates([[1.0, 2.0], [0.0, 1.0]], None, [0, 0], 0.1, 3), "symmetric"),
    (lambda: theory.gd_quadratic_iterates([[1.0]], None, [1.0], 0.1, 2.5), "steps must be an integer"),
    (lambda: theory.heavy_ball_contraction(0.1, 1.0, [1.0]), "beta must be in [0.0, 1.0)"),
])
def test_invalid_arguments_raise_value_error(call, words):
    with pytest.raises(ValueError, match=None) as info:
        call()
    assert words in str(info.value)
