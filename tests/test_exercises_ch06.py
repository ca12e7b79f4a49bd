"""The chapter 6 exercises: solutions pass, stubs are "not attempted", typical mistakes are named."""

import math

import numpy as np
import pytest

from lessonlib.exercises import ch06
from lessonlib.optim import AdaGrad
from exercise_helpers import assert_wrong

SOLVE = ch06.SOLUTIONS


# --- adagrad_step -----------------------------------------------------------------------

def test_adagrad_step_matches_lessonlib():
    rng = np.random.default_rng(3)
    opt = AdaGrad(lr=0.1, eps=1e-10)
    theta = rng.standard_normal(4)
    state = opt.init(theta)
    G = np.zeros(4)
    for _ in range(5):
        grad = rng.standard_normal(4)
        expected, state = opt.step(theta, grad, state)
        theta, G = SOLVE["adagrad_step"](theta, grad, G, 0.1, 1e-10)
        np.testing.assert_allclose(theta, expected, rtol=1e-14)
        np.testing.assert_allclose(G, state.G, rtol=1e-14)


def test_adagrad_step_accepts_a_loop_and_lists():
    def looped(theta, grad, G, lr, eps):
        G_new = [g0 + g * g for g0, g in zip(G, grad)]
        return [t - lr * g / (math.sqrt(s) + eps) for t, g, s in zip(theta, grad, G_new)], G_new
    assert ch06.adagrad_step.verdict(looped).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda theta, grad, G, lr, eps: (theta - lr * grad / (np.sqrt(G) + eps), G + grad**2), "old accumulator"),
    (lambda theta, grad, G, lr, eps: (theta - lr * grad / (G + grad**2 + eps), G + grad**2), "square root"),
    (lambda theta, grad, G, lr, eps: (theta - lr * grad / (np.abs(grad) + eps), grad**2), "forgets the past"),
    (lambda theta, grad, G, lr, eps: (theta - lr * grad / np.sqrt(G + grad**2 + eps), G + grad**2), "inside"),
])
def test_adagrad_step_mistakes_are_named(answer, words):
    assert_wrong(ch06.adagrad_step, answer, words)


def test_adagrad_step_in_place_update_is_caught():
    def in_place(theta, grad, G, lr, eps):
        G += grad**2
        return theta - lr * grad / (np.sqrt(G) + eps), G
    assert_wrong(ch06.adagrad_step, in_place, "modified its input")


# --- effective_steps --------------------------------------------------------------------

def test_effective_steps_matches_lessonlib_accumulator():
    rng = np.random.default_rng(4)
    grads = rng.standard_normal((6, 3))
    opt = AdaGrad(lr=0.2, eps=1e-8)
    state = opt.init(np.zeros(3))
    theta = np.zeros(3)
    rows = []
    for g in grads:
        theta, state = opt.step(theta, g, state)
        rows.append(0.2 / (np.sqrt(state.G) + 1e-8))
    np.testing.assert_allclose(SOLVE["effective_steps"](grads, 0.2, 1e-8), np.array(rows), rtol=1e-14)


def test_effective_steps_loop_version_passes():
    def looped(grads, lr, eps):
        out, G = [], None
        for row in grads:
            sq = [g * g for g in row]
            G = sq if G is None else [a + b for a, b in zip(G, sq)]
            out.append([lr / (math.sqrt(s) + eps) for s in G])
        return out
    assert ch06.effective_steps.verdict(looped).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda grads, lr, eps: lr / (np.sqrt(np.cumsum(np.abs(np.asarray(grads, float)), axis=0)) + eps), "|g|"),
    (lambda grads, lr, eps: lr / (np.cumsum(np.asarray(grads, float) ** 2, axis=0) + eps), "square root"),
    (lambda grads, lr, eps: lr / (np.sqrt(np.asarray(grads, float) ** 2) + eps), "all past"),
])
def test_effective_steps_mistakes_are_named(answer, words):
    assert_wrong(ch06.effective_steps, answer, words)


# --- adagrad_distance -------------------------------------------------------------------

def test_adagrad_distance_matches_a_run_for_any_gradient_scale():
    for c in (1e-3, 1.0, 250.0):
        theta, state = np.zeros(1), AdaGrad(lr=0.1, eps=0.0).init(np.zeros(1))
        opt = AdaGrad(lr=0.1, eps=0.0)
        for _ in range(50):
            theta, state = opt.step(theta, np.array([c]), state)
        assert -theta[0] == pytest.approx(SOLVE["adagrad_distance"](0.1, 50), rel=1e-12)


def test_adagrad_distance_vectorised_passes():
    assert ch06.adagrad_distance.verdict(lambda lr, T: lr * np.sum(1 / np.sqrt(np.arange(1, T + 1)))).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda lr, T: 2 * lr * math.sqrt(T), "integral"),
    (lambda lr, T: lr * T, "SGD"),
    (lambda lr, T: lr * sum(1 / t for t in range(1, T + 1)), "1/t"),
    (lambda lr, T: lr * sum(1 / math.sqrt(t) for t in range(1, T)), "Off by one"),
])
def test_adagrad_distance_mistakes_are_named(answer, words):
    assert_wrong(ch06.adagrad_distance, answer, words)


def test_effective_steps_names_the_accumulator_taken_before_the_update():
    def before_update(grads, lr, eps):
        g2 = np.asarray(grads, dtype=float) ** 2
        G = np.cumsum(g2, axis=0) - g2              # G_k: the squares of the steps before k
        with np.errstate(divide="ignore"):
            return lr / (np.sqrt(G) + eps)

    assert_wrong(ch06.effective_steps, before_update, "G_{k+1}")
