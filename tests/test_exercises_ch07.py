"""The chapter 7 exercises: solutions pass, stubs are "not attempted", typical mistakes are named."""

import math

import numpy as np
import pytest

from lessonlib.exercises import ch07
from lessonlib.optim import RMSProp
from exercise_helpers import assert_wrong

SOLVE = ch07.SOLUTIONS


# --- rmsprop_step -----------------------------------------------------------------------

def test_rmsprop_step_matches_lessonlib():
    rng = np.random.default_rng(3)
    opt = RMSProp(lr=0.05, beta=0.9, eps=1e-8)
    theta = rng.standard_normal(4)
    state = opt.init(theta)
    v = np.zeros(4)
    for _ in range(5):
        grad = rng.standard_normal(4)
        expected, state = opt.step(theta, grad, state)
        theta, v = SOLVE["rmsprop_step"](theta, grad, v, 0.05, 0.9, 1e-8)
        np.testing.assert_allclose(theta, expected, rtol=1e-13)
        np.testing.assert_allclose(v, state.v, rtol=1e-13)


def test_rmsprop_step_accepts_a_loop_and_lists():
    def looped(theta, grad, v, lr, beta, eps):
        v_new = [beta * a + (1 - beta) * g * g for a, g in zip(v, grad)]
        return [t - lr * g / (math.sqrt(s) + eps) for t, g, s in zip(theta, grad, v_new)], v_new
    assert ch07.rmsprop_step.verdict(looped).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (np.sqrt(v + grad**2) + eps), v + grad**2),
     "AdaGrad"),
    (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (np.sqrt((1 - beta) * v + beta * grad**2) + eps),
                                            (1 - beta) * v + beta * grad**2), "swapped"),
    (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (np.sqrt(v) + eps), beta * v + (1 - beta) * grad**2),
     "old v"),
    (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / np.sqrt(beta * v + (1 - beta) * grad**2 + eps),
                                            beta * v + (1 - beta) * grad**2), "inside"),
])
def test_rmsprop_step_mistakes_are_named(answer, words):
    assert_wrong(ch07.rmsprop_step, answer, words)


def test_rmsprop_step_in_place_update_is_caught():
    def in_place(theta, grad, v, lr, beta, eps):
        v *= beta
        v += (1 - beta) * grad**2
        return theta - lr * grad / (np.sqrt(v) + eps), v
    assert_wrong(ch07.rmsprop_step, in_place, "modified its input")


# --- transient_length -------------------------------------------------------------------

def test_transient_length_matches_a_run():
    for beta, tol in ((0.9, 0.1), (0.99, 0.05)):
        opt = RMSProp(lr=1.0, beta=beta, eps=0.0)
        x, state, t = np.zeros(1), opt.init(np.zeros(1)), 0
        while True:
            new, state = opt.step(x, np.array([3.0]), state)
            t += 1
            if x[0] - new[0] <= 1 + tol:
                break
            x = new
        assert SOLVE["transient_length"](beta, tol) == t


def test_transient_length_closed_form_passes():
    def closed(beta, tol):
        if beta == 0:
            return 1
        return max(1, math.ceil(math.log(1 - 1 / (1 + tol) ** 2) / math.log(beta)))
    assert ch07.transient_length.verdict(closed).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda beta, tol: next(t for t in range(1, 10**6) if 1 / (1 - beta**t) <= 1 + tol), "square root"),
    (lambda beta, tol: max(1, round(1 / (1 - beta))), "window"),
    (lambda beta, tol: next(t for t in range(1, 10**6) if 1 / math.sqrt(1 - beta**t) <= 1 + tol) - 1, "Off by one"),
])
def test_transient_length_mistakes_are_named(answer, words):
    assert_wrong(ch07.transient_length, answer, words)


def test_transient_length_does_not_print_the_answer():
    verdict = ch07.transient_length.verdict(lambda beta, tol: 5)
    assert verdict.status == "wrong" and "the right answer" not in verdict.message, verdict.message


# --- centred_steps ----------------------------------------------------------------------

def test_centred_steps_match_lessonlib():
    rng = np.random.default_rng(5)
    grads = 1.0 + rng.standard_normal((8, 3))
    opt = RMSProp(lr=0.1, beta=0.9, eps=1e-8, centered=True)
    theta, state, steps = np.zeros(3), opt.init(np.zeros(3)), []
    for g in grads:
        new, state = opt.step(theta, g, state)
        steps.append(new - theta)
        theta = new
    np.testing.assert_allclose(SOLVE["centred_steps"](grads, 0.1, 0.9, 1e-8), np.array(steps), rtol=1e-11)


def test_centred_steps_vectorised_passes():
    def vectorised(grads, lr, beta, eps):
        from lessonlib.averages import ema
        g = np.asarray(grads, float)
        return -lr * g / (np.sqrt(ema(g**2, beta) - ema(g, beta) ** 2) + eps)
    assert ch07.centred_steps.verdict(vectorised).status == "correct"


def _variant(grads, lr, beta, eps, centred=True, root_first=False):
    g = np.asarray(grads, float)
    m, v, out = np.zeros(g.shape[1:]), np.zeros(g.shape[1:]), []
    for row in g:
        m = beta * m + (1 - beta) * row
        v = beta * v + (1 - beta) * row**2
        if not centred:
            denom = np.sqrt(v)
        elif root_first:
            denom = np.sqrt(v) - m
        else:
            denom = np.sqrt(v - m**2)
        out.append(-lr * row / (denom + eps))
    return np.array(out)


@pytest.mark.parametrize("kwargs, words", [({"centred": False}, "not centred"), ({"root_first": True}, "sqrt(v) - m")])
def test_centred_steps_mistakes_are_named(kwargs, words):
    with np.errstate(all="ignore"):
        assert_wrong(ch07.centred_steps, lambda *a: _variant(*a, **kwargs), words)


def test_centred_steps_names_eps_inside_the_root():
    def graves(grads, lr, beta, eps):
        grads = np.asarray(grads, dtype=float)
        m = v = np.zeros(grads.shape[1:])
        out = []
        for g in grads:
            m = beta * m + (1 - beta) * g
            v = beta * v + (1 - beta) * g**2
            out.append(-lr * g / np.sqrt(v - m**2 + eps))
        return np.array(out)

    assert_wrong(ch07.centred_steps, graves, "inside the square root")
