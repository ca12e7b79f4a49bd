"""lessonlib.schedule_theory: partial sums, the reach of exponential decay, the noisy-quadratic gap."""

import math

import numpy as np
import pytest

from lessonlib.objectives import LogisticRegression, NoisyGradient, Quadratic
from lessonlib.optim import SGD
from lessonlib.schedule_theory import exponential_reach, noisy_quadratic_gap, robbins_monro_sums
from lessonlib.schedules import (ReduceOnPlateau, constant, cosine_annealing, exponential_decay,
                                 inverse_sqrt_decay, inverse_time_decay, step_decay)
from lessonlib.train import minimize


# --- robbins_monro_sums ----------------------------------------------------------------

def test_sums_match_a_plain_loop():
    schedule = inverse_sqrt_decay(0.3, 0.7)
    lrs = [schedule(t) for t in range(1000)]
    S, Q = robbins_monro_sums(schedule, 1000)
    assert S == pytest.approx(math.fsum(lrs), rel=1e-13)
    assert Q == pytest.approx(math.fsum(lr * lr for lr in lrs), rel=1e-13)
    assert type(S) is float and type(Q) is float


def test_closed_forms():
    S, Q = robbins_monro_sums(constant(0.1), [10, 10**6])
    np.testing.assert_allclose(S, [1.0, 1e5], rtol=1e-12)
    np.testing.assert_allclose(Q, [0.1, 1e4], rtol=1e-12)
    lr0, gamma = 0.5, 0.99
    S, Q = robbins_monro_sums(exponential_decay(lr0, gamma), 10**5)
    assert S == pytest.approx(lr0 / (1 - gamma), rel=1e-12)
    assert Q == pytest.approx(lr0**2 / (1 - gamma**2), rel=1e-12)
    S, _ = robbins_monro_sums(step_decay(1.0, 7, 0.5), 10**4)
    assert S == pytest.approx(7 / (1 - 0.5), rel=1e-12)
    T = 1000
    S, _ = robbins_monro_sums(cosine_annealing(1.0, T), T)
    assert S == pytest.approx((T + 1) / 2, rel=1e-12)   # sum of cos(pi t / T), t < T, is 1


def test_integral_test_brackets_the_inverse_time_sum():
    lr0, rho = 1.0, 0.01
    for T in [10**3, 10**5, 3 * 10**6]:     # the last one spans several chunks
        S, Q = robbins_monro_sums(inverse_time_decay(lr0, rho), T)
        assert lr0 / rho * math.log(1 + rho * T) <= S <= lr0 + lr0 / rho * math.log(1 + rho * (T - 1))
        assert Q <= lr0**2 + lr0**2 / rho


def test_checkpoints_in_any_order():
    schedule = inverse_time_decay(1.0, 0.1)
    S, Q = robbins_monro_sums(schedule, [100, 10, 1000])
    for k, T in enumerate([100, 10, 1000]):
        assert (S[k], Q[k]) == pytest.approx(robbins_monro_sums(schedule, T), rel=1e-13)


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="T must be an integer >= 1"):
        robbins_monro_sums(constant(0.1), 0)
    with pytest.raises(ValueError, match="not vectorised"):
        robbins_monro_sums(ReduceOnPlateau(0.1), 10)
    with pytest.raises(ValueError, match="negative or non-finite"):
        robbins_monro_sums(lambda t: 0.1 - 0.05 * t, 10)


# --- exponential_reach -----------------------------------------------------------------

def test_reach_formula():
    assert exponential_reach(1.0, 0.95, 0.75) == pytest.approx(15.0)
    assert exponential_reach(0.1, 0.9, 2.0, T=1) == pytest.approx(0.2)
    assert exponential_reach(0.1, 0.9, 2.0, T=0) == 0.0
    assert exponential_reach(0.1, 0.9, 2.0, T=10**6) == pytest.approx(exponential_reach(0.1, 0.9, 2.0))
    with pytest.raises(ValueError, match="gamma"):
        exponential_reach(0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="G"):
        exponential_reach(0.1, 0.5, -1.0)


def test_reach_bounds_a_run_and_the_run_stalls_short_of_the_minimum():
    # One logit for a coin with 3 heads in 4: J = softplus(theta) - 0.75 theta, |J'| < 0.75.
    coin = LogisticRegression(np.ones((4, 1)), np.array([1, 1, 1, 0]))
    theta0 = np.array([-30.0])
    run = minimize(coin, SGD(exponential_decay(1.0, 0.95)), theta0, 500)
    reach = exponential_reach(1.0, 0.95, 0.75)
    moved = abs(run.theta[0] - theta0[0])
    assert run.grad_norms.max() <= 0.75
    assert moved <= reach
    assert moved == pytest.approx(reach, rel=1e-6)       # the gradient stays at ~0.75 on the way
    assert math.log(3) - run.theta[0] > 16


# --- noisy_quadratic_gap ---------------------------------------------------------------

def test_noiseless_gap_is_the_deterministic_run():
    eigs = np.array([0.5, 2.0])
    quad = Quadratic.from_eigenvalues(eigs)
    theta0 = np.array([1.0, -2.0])
    schedule = cosine_annealing(0.6, 30)
    run = minimize(quad, SGD(schedule), theta0, 30)
    np.testing.assert_allclose(noisy_quadratic_gap(eigs, theta0, 0.0, run.lrs), run.losses, rtol=1e-12)


def test_constant_rate_reaches_the_stationary_noise_floor():
    lam, lr, sigma = np.array([0.1, 1.0]), 0.5, 2.0
    gaps = noisy_quadratic_gap(lam, np.zeros(2), sigma, np.full(2000, lr))
    floor = np.sum(lr * sigma**2 / (2 * (2 - lr * lam)))
    assert gaps[-1] == pytest.approx(floor, rel=1e-10)


def test_expected_gap_matches_the_average_of_many_runs():
    # 400 independent copies of a 2-D problem in one diagonal quadratic.
    eigs, copies, sigma = np.array([0.2, 1.0]), 400, 0.5
    stacked = NoisyGradient(Quadratic.from_eigenvalues(np.tile(eigs, copies)), sigma, seed=3)
    theta0 = np.tile([3.0, -1.0], copies)
    schedule = exponential_decay(0.8, 0.98)
    run = minimize(stacked, SGD(schedule), theta0, 100)
    theory = noisy_quadratic_gap(eigs, [3.0, -1.0], sigma, run.lrs)
    measured = run.losses / copies
    late = slice(50, None)
    assert np.max(np.abs(measured[late] / theory[late] - 1)) < 0.15


def test_gap_rejects_mismatched_start():
    with pytest.raises(ValueError, match="one entry per eigenvalue"):
        noisy_quadratic_gap([1.0, 2.0], [1.0], 0.1, [0.1])
