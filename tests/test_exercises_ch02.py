"""The chapter 2 exercises: solutions pass, stubs are "not attempted", typical mistakes are named."""

import numpy as np
import pytest

from lessonlib.exercises import ch02
from exercise_helpers import assert_wrong

SOLVE = ch02.SOLUTIONS


# --- gradient_descent ------------------------------------------------------------------

def test_gradient_descent_mistakes_are_named():
    def ascent(grad, theta0, lr, steps):
        theta = np.array(theta0, dtype=float)
        for _ in range(steps):
            theta = theta + lr * grad(theta)
        return theta

    def one_short(grad, theta0, lr, steps):
        theta = np.array(theta0, dtype=float)
        for _ in range(steps - 1):
            theta = theta - lr * grad(theta)
        return theta

    def one_extra(grad, theta0, lr, steps):
        theta = np.array(theta0, dtype=float)
        for _ in range(steps + 1):
            theta = theta - lr * grad(theta)
        return theta

    def frozen_gradient(grad, theta0, lr, steps):
        g = grad(theta0)
        theta = np.array(theta0, dtype=float)
        for _ in range(steps):
            theta = theta - lr * g
        return theta

    def no_lr(grad, theta0, lr, steps):
        theta = np.array(theta0, dtype=float)
        for _ in range(steps):
            theta = theta - grad(theta)
        return theta

    def in_place(grad, theta0, lr, steps):
        for _ in range(steps):
            theta0 -= lr * grad(theta0)
        return theta0

    assert_wrong(ch02.gradient_descent, ascent, "uphill")
    assert_wrong(ch02.gradient_descent, one_short, "one step too few")
    assert_wrong(ch02.gradient_descent, one_extra, "one step too many")
    assert_wrong(ch02.gradient_descent, frozen_gradient, "gradient at theta0")
    assert_wrong(ch02.gradient_descent, no_lr, "forgot the learning rate")
    assert_wrong(ch02.gradient_descent, in_place, "modified its input `theta0`")


def test_gradient_descent_solution_matches_lessonlib_sgd():
    from lessonlib.objectives import Quadratic
    from lessonlib.optim import SGD
    from lessonlib.train import minimize

    f = Quadratic(np.array([[3.0, 1.0], [1.0, 2.0]]), b=np.array([1.0, -1.0]))
    hist = minimize(f, SGD(0.2), np.array([2.0, -1.0]), 5)
    np.testing.assert_allclose(SOLVE["gradient_descent"](ch02.grad_quadratic, np.array([2.0, -1.0]), 0.2, 5),
                               hist.theta, rtol=1e-14)


# --- max_stable_lr ---------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda A: 1.0 / np.linalg.eigvalsh(A)[-1], "1/L"),
    (lambda A: 2.0 / np.linalg.eigvalsh(A)[0], "smallest eigenvalue"),
    (lambda A: 2.0 / (np.linalg.eigvalsh(A)[0] + np.linalg.eigvalsh(A)[-1]), "*fastest* step"),
    (lambda A: 2.0 / np.linalg.eigvalsh(A).sum(), None),     # 2/(L + mu) only in 2-D: not named
    (lambda A: 2.0 / A.max(), "diagonal entry"),
    (lambda A: 2.0 / np.linalg.norm(A), None),               # Frobenius norm: wrong, no named mistake
])
def test_max_stable_lr_mistakes_are_named(answer, words):
    verdict = ch02.max_stable_lr.verdict(answer)
    assert verdict.status == "wrong", verdict.message
    if words:
        assert words in verdict.message
    else:
        assert verdict.message.endswith(".") and "the right answer is" in verdict.message


# --- rate_at_lr (transfer: the contraction on a given three-eigenvalue quadratic) ------------

@pytest.mark.parametrize("answer, words", [
    (lambda eig, lr: max(1 - lr * lam for lam in eig), "absolute value"),
    (lambda eig, lr: abs(1 - lr * max(eig)), "only at the largest"),
    (lambda eig, lr: abs(1 - lr * min(eig)), "only at the smallest"),
    (lambda eig, lr: (max(eig) - min(eig)) / (max(eig) + min(eig)), "BEST step"),
    (lambda eig, lr: max(abs(1 - lr * lam) for lam in eig) ** 2, "squared the factor"),
    (lambda eig, lr: abs(1 - lr * sorted(eig)[1]), "middle eigenvalue"),
    (lambda eig, lr: max(abs(1 - lr * lam) for lam in eig) + 0.01, None),
])
def test_rate_at_lr_mistakes_are_named(answer, words):
    for seed in range(10):
        verdict = ch02.rate_at_lr.verdict(answer, seed=seed)
        assert verdict.status == "wrong", verdict.message
        if words:
            assert words in verdict.message, verdict.message


def test_rate_at_lr_is_the_measured_contraction():
    # the worst start (an eigenvector of the binding eigenvalue) shrinks by exactly that factor per step
    for eigenvalues, lr in [(np.array([1.0, 4.0, 10.0]), 0.1), (np.array([1.0, 4.0, 10.0]), 0.19), ([2, 3, 5], 0.25)]:
        A = np.diag(np.asarray(eigenvalues, dtype=float))
        rate = SOLVE["rate_at_lr"](eigenvalues, lr)
        worst = max(range(3), key=lambda i: abs(1 - lr * A[i, i]))
        theta = np.eye(3)[worst]
        after = SOLVE["gradient_descent"](lambda th: A @ th, theta, lr, 5)
        assert np.linalg.norm(after) == pytest.approx(rate**5, rel=1e-12)


def test_rate_at_lr_returns_a_scalar_not_an_array():
    verdict = ch02.rate_at_lr.verdict(lambda eig, lr: np.abs(1 - lr * np.asarray(eig)).max(keepdims=True))
    assert verdict.status == "wrong" and "expected a scalar" in verdict.message


# --- square_closed_form ----------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda theta0, lr, a, T: (1 - lr) ** T * theta0, "dropped the curvature"),
    (lambda theta0, lr, a, T: (1 - lr * a) ** (T - 1) * theta0, "exponent is T - 1"),
    (lambda theta0, lr, a, T: (1 - 2 * lr * a) ** T * theta0, "2*a*theta"),
    (lambda theta0, lr, a, T: (1 - T * lr * a) * theta0, "factors multiply"),
    (lambda theta0, lr, a, T: abs(1 - lr * a) ** T * theta0, "sign"),
])
def test_square_closed_form_mistakes_are_named(answer, words):
    assert_wrong(ch02.square_closed_form, answer, words)


def test_square_closed_form_matches_a_run_of_the_notes_example():
    from lessonlib.objectives import Square
    from lessonlib.optim import SGD
    from lessonlib.train import minimize

    hist = minimize(Square(), SGD(0.01), np.array([1.0]), 1000)
    assert SOLVE["square_closed_form"](1.0, 0.01, 2.0, 1000) == pytest.approx(hist.theta[0], rel=1e-12)
