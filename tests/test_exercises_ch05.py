"""The chapter 5 exercises: solutions pass (vectorised variants too), typical mistakes are named."""

import numpy as np
import pytest

from lessonlib import theory
from lessonlib.averages import ema, ema_bias_factor
from lessonlib.exercises import ch05
from lessonlib.exercises.ch02 import quadratic_grad
from lessonlib.momentum import VelocitySGD
from exercise_helpers import assert_wrong

SOLVE = ch05.SOLUTIONS


def assert_correct(exercise, answer, seeds=range(25)):
    for seed in seeds:                  # the random cases differ with the seed
        verdict = exercise.verdict(answer, seed=seed)
        assert verdict.status == "correct", (seed, verdict.message)


# --- debiased_ema ------------------------------------------------------------------------

def test_debiased_ema_accepts_vectorised_and_list_answers():
    def vectorised(xs, beta):
        xs = np.asarray(xs, dtype=float)
        t = np.arange(1, xs.size + 1)
        return ema(xs, beta) / ema_bias_factor(beta, t)

    def as_list(xs, beta):
        return list(SOLVE["debiased_ema"](xs, beta))

    assert_correct(ch05.debiased_ema, vectorised)
    assert_correct(ch05.debiased_ema, as_list)


def test_debiased_ema_mistakes_are_named():
    def raw(xs, beta):
        m, out = 0.0, []
        for x in xs:
            m = beta * m + (1 - beta) * x
            out.append(m)
        return out

    def off_by_one(xs, beta):
        m, out = 0.0, []
        for t, x in enumerate(xs):
            m = beta * m + (1 - beta) * x
            out.append(m / (1 - beta ** (t + 2)))
        return out

    def swapped(xs, beta):
        m, out = 0.0, []
        for t, x in enumerate(xs, start=1):
            m = (1 - beta) * m + beta * x
            out.append(m / (1 - (1 - beta) ** t))
        return out

    assert_wrong(ch05.debiased_ema, raw, "biased towards its zero start")
    assert_wrong(ch05.debiased_ema, off_by_one, "beta**(t+1)")
    assert_wrong(ch05.debiased_ema, lambda xs, beta: np.array(raw(xs, beta)) / (1 - beta), "1 - beta")
    assert_wrong(ch05.debiased_ema, swapped, "swapped")


# --- momentum_max_lr ---------------------------------------------------------------------

def test_momentum_max_lr_matches_theory_and_accepts_other_forms():
    A = np.array([[5.0, 2.0], [2.0, 2.0]])
    assert SOLVE["momentum_max_lr"](A, 0.5) == pytest.approx(theory.heavy_ball_max_stable_lr(6.0, 0.5))
    assert_correct(ch05.momentum_max_lr, lambda A, beta: (2 + 2 * beta) / max(np.linalg.eigvals(A).real))


def test_momentum_max_lr_mistakes_are_named():
    L = lambda A: np.linalg.eigvalsh(A)[-1]
    assert_wrong(ch05.momentum_max_lr, lambda A, beta: 2 / L(A), "2/L")
    assert_wrong(ch05.momentum_max_lr, lambda A, beta: 2 * (1 - beta) / L(A), "2(1 - beta)/L")
    assert_wrong(ch05.momentum_max_lr, lambda A, beta: 2 * (1 + beta) / np.linalg.eigvalsh(A)[0], "smallest")
    assert_wrong(ch05.momentum_max_lr, lambda A, beta: 2 * (1 + beta) / ((1 + 2 * beta) * L(A)), "Nesterov")


# --- heavy_ball_rate ---------------------------------------------------------------------

def test_heavy_ball_rate_matches_theory_and_accepts_a_formula():
    for lr, beta, lams in [(0.1, 0.81, [1.0, 4.0, 9.0]), (0.01, 0.5, [0.1, 5.0, 20.0])]:
        assert SOLVE["heavy_ball_rate"](lr, beta, lams) == pytest.approx(
            theory.heavy_ball_contraction(lr, beta, lams), rel=1e-9)

    def by_formula(lr, beta, eigenvalues):
        a = 1 + beta - lr * np.asarray(eigenvalues)
        root = np.sqrt((a * a - 4 * beta).astype(complex))
        return np.max(np.maximum(np.abs(a + root), np.abs(a - root)) / 2)

    assert_correct(ch05.heavy_ball_rate, by_formula)


def test_heavy_ball_rate_mistakes_are_named():
    rate_of = lambda lr, beta, lams: max(np.max(np.abs(np.roots([1, -(1 + beta - lr * l), beta]))) for l in lams)
    assert_wrong(ch05.heavy_ball_rate, lambda lr, beta, lams: np.sqrt(beta), "sqrt(beta)")
    assert_wrong(ch05.heavy_ball_rate, lambda lr, beta, lams: max(abs(1 - lr * l) for l in lams), "gradient descent")
    assert_wrong(ch05.heavy_ball_rate, lambda lr, beta, lams: rate_of(lr, beta, [max(lams)]), "largest eigenvalue only")


def test_heavy_ball_rate_rejects_one_root_of_the_quadratic_formula():
    """Keeping only the '+' root is right except for a flipping eigenvalue (real negative
    roots); an example makes such an eigenvalue decide the rate, so the slip is caught."""
    def plus_root(lr, beta, eigenvalues):
        a = 1 + beta - lr * np.asarray(eigenvalues, dtype=float)
        return np.max(np.abs(a + np.sqrt((a * a - 4 * beta).astype(complex))) / 2)

    assert_wrong(ch05.heavy_ball_rate, plus_root, "other one has the larger modulus")


# --- velocity_momentum -------------------------------------------------------------------

def test_velocity_momentum_agrees_with_lessonlib_and_accepts_arrays():
    lrs = [0.2] * 4 + [0.02] * 6
    grad = quadratic_grad(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0]))
    opt = VelocitySGD(lambda t: lrs[t], momentum=0.8)
    theta, state = np.array([2.0, -1.0]), opt.init(np.zeros(2))
    for _ in lrs:
        theta, state = opt.step(theta, grad(theta), state)
    assert np.allclose(SOLVE["velocity_momentum"](grad, np.array([2.0, -1.0]), lrs, 0.8), theta)

    def with_array_schedule(grad, theta0, lrs, beta):
        lrs = np.asarray(lrs, dtype=float)
        theta, u = np.asarray(theta0, dtype=float), np.zeros(np.shape(theta0))
        for t in range(lrs.size):
            u = beta * u - lrs[t] * grad(theta)
            theta = theta + u
        return theta

    assert_correct(ch05.velocity_momentum, with_array_schedule)


def test_velocity_momentum_mistakes_are_named():
    def buffer_form(grad, theta0, lrs, beta):
        theta, b = theta0.copy(), np.zeros_like(theta0)
        for lr in lrs:
            b = beta * b + grad(theta)
            theta = theta - lr * b
        return theta

    def uphill(grad, theta0, lrs, beta):
        theta, u = theta0.copy(), np.zeros_like(theta0)
        for lr in lrs:
            u = beta * u + lr * grad(theta)
            theta = theta + u
        return theta

    def first_lr_only(grad, theta0, lrs, beta):
        theta, u = theta0.copy(), np.zeros_like(theta0)
        for _ in lrs:
            u = beta * u - lrs[0] * grad(theta)
            theta = theta + u
        return theta

    def in_place(grad, theta0, lrs, beta):
        u = np.zeros_like(theta0)
        for lr in lrs:
            u = beta * u - lr * grad(theta0)
            theta0 += u
        return theta0

    assert_wrong(ch05.velocity_momentum, buffer_form, "buffer form")
    assert_wrong(ch05.velocity_momentum, uphill, "uphill")
    assert_wrong(ch05.velocity_momentum, first_lr_only, "first learning rate")
    assert_wrong(ch05.velocity_momentum, in_place, "modified its input")
