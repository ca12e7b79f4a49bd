"""Momentum on a quadratic (lessonlib.theory): matrices, roots, regimes, Nesterov, against runs."""

import math

import numpy as np
import pytest

from lessonlib import theory
from lessonlib.objectives import Quadratic
from lessonlib.optim import SGD
from lessonlib.train import minimize


@pytest.mark.parametrize("nesterov", [False, True])
def test_matrix_advances_a_1d_run(nesterov):
    lam, lr, beta = 3.0, 0.2, 0.7
    f = Quadratic([[lam]])
    opt = SGD(lr, momentum=beta, nesterov=nesterov)
    theta, state = np.array([1.0]), opt.init(np.array([1.0]))
    M = theory.momentum_matrix(lr, beta, lam, nesterov)
    zb = np.array([1.0, 0.0])
    for _ in range(15):
        theta, state = opt.step(theta, f.grad(theta), state)
        zb = M @ zb
        assert np.allclose(zb, [theta[0], state.b[0]], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_roots_are_the_matrix_eigenvalues(nesterov):
    rng = np.random.default_rng(1)
    for _ in range(20):
        lr, beta, lam = rng.uniform(0, 1), rng.uniform(0, 0.99), rng.uniform(0.1, 5)
        z = theory.momentum_roots(lr, beta, lam, nesterov)
        ev = np.linalg.eigvals(theory.momentum_matrix(lr, beta, lam, nesterov))
        assert np.allclose(np.sort_complex(z), np.sort_complex(ev.astype(complex)), atol=1e-7)
        assert abs(z[0]) >= abs(z[1])


def test_heavy_ball_roots_multiply_to_beta():
    for h in [0.001, 0.5, 2.0, 3.5]:
        z = theory.momentum_roots(h, 0.8, 1.0)
        assert (z[0] * z[1]).real == pytest.approx(0.8) and abs((z[0] * z[1]).imag) < 1e-12


def test_regimes_at_hand_picked_points():
    beta = 0.81                                        # sqrt(beta) = 0.9: band (0.01, 3.61)
    assert theory.momentum_regime(0.005, beta, 1.0) == "over-damped"
    assert theory.momentum_regime(0.01, beta, 1.0) == "critically damped"
    assert theory.momentum_regime(1.0, beta, 1.0) == "oscillating"
    assert theory.momentum_regime(3.61, beta, 1.0) == "critically damped"
    assert theory.momentum_regime(3.615, beta, 1.0) == "flipping"
    assert theory.momentum_regime(3.62, beta, 1.0) == "unstable"   # 2 + 2 beta = 3.62
    assert theory.momentum_regime(0.0, beta, 1.0) == "unstable"


def test_regimes_match_the_roots():
    rng = np.random.default_rng(2)
    for _ in range(200):
        beta, h = rng.uniform(0.05, 0.95), rng.uniform(0.0, 4.5)
        z = theory.momentum_roots(h, beta, 1.0)
        regime = theory.momentum_regime(h, beta, 1.0)
        if regime == "unstable":
            assert abs(z[0]) >= 1 - 1e-12
        elif regime == "oscillating":
            assert abs(z[0].imag) > 0 and abs(z[0]) == pytest.approx(math.sqrt(beta))
        elif regime == "over-damped":
            assert np.all(np.abs(z.imag) < 1e-12) and np.all(z.real > 0) and abs(z[0]) < 1
        elif regime == "flipping":
            assert np.all(np.abs(z.imag) < 1e-12) and np.all(z.real < 0) and abs(z[0]) < 1


def test_stability_boundary_2_plus_2_beta_in_runs():
    f = Quadratic([[1.0]])
    for beta in [0.0, 0.5, 0.9]:
        edge = theory.heavy_ball_max_stable_lr(1.0, beta)
        inside = minimize(f, SGD(0.98 * edge, momentum=beta), np.array([1.0]), 3000, on_divergence="stop")
        outside = minimize(f, SGD(1.02 * edge, momentum=beta), np.array([1.0]), 3000, on_divergence="stop")
        assert abs(inside.theta[0]) < 1e-3
        assert not np.isfinite(outside.losses[-1]) or abs(outside.theta[0]) > 1e3


@pytest.mark.parametrize("lr, beta", [(0.005, 0.5), (0.01, 0.9), (0.02, 0.3)])
def test_nesterov_contraction_matches_runs(lr, beta):
    f = Quadratic.from_eigenvalues([1.0, 60.0], angle=0.3)
    run = minimize(f, SGD(lr, momentum=beta, nesterov=True), np.array([1.0, 1.0]), 800)
    errors = np.linalg.norm(run.thetas - f.minimizer, axis=1)
    assert theory.empirical_rate(errors, tail=600) == pytest.approx(
        theory.nesterov_contraction(lr, beta, f.eigenvalues), rel=5e-3)


def test_nesterov_stability_boundary():
    for beta in [0.0, 0.5, 0.9]:
        edge = theory.nesterov_max_stable_lr(2.0, beta)
        assert theory.nesterov_contraction(0.99 * edge, beta, [2.0]) < 1
        assert theory.nesterov_contraction(1.01 * edge, beta, [2.0]) > 1
    assert theory.nesterov_max_stable_lr(1.0, 0.0) == pytest.approx(2.0)
    assert theory.nesterov_max_stable_lr(1.0, 0.9) == pytest.approx(3.8 / 2.8)
    assert theory.nesterov_contraction(0.1, 0.0, [1.0, 5.0]) == pytest.approx(theory.gd_contraction(0.1, [1.0, 5.0]))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="beta"):
        theory.momentum_regime(0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="lr"):
        theory.momentum_roots(-0.1, 0.5, 1.0)
    with pytest.raises(ValueError, match="L"):
        theory.nesterov_max_stable_lr(0.0, 0.5)


def test_envelope_rate_reads_the_modulus_of_an_oscillation():
    t = np.arange(400)
    e = 0.95**t * np.abs(np.cos(0.3 * t + 0.2))
    assert theory.envelope_rate(e, window=30, span=300) == pytest.approx(0.95, rel=1e-3)
    assert theory.envelope_rate(0.5**np.arange(20), window=1, span=10) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="window"):
        theory.envelope_rate(e, window=300, span=200)


def test_envelope_rate_of_oscillating_heavy_ball_run_is_sqrt_beta():
    f = Quadratic([[1.0]])
    run = minimize(f, SGD(0.5, momentum=0.81), np.array([1.0]), 400)
    assert theory.envelope_rate(run.thetas[:, 0], window=40, span=300) == pytest.approx(0.9, rel=1e-3)
