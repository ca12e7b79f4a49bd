"""The chapter 8 exercises: solutions pass, stubs are "not attempted", typical mistakes are named."""

import math

import numpy as np
import pytest

from lessonlib.adam_variants import AdamVariant
from lessonlib.exercises import ch08
from lessonlib.optim import Adam, AdamW
from exercise_helpers import assert_wrong

SOLVE = ch08.SOLUTIONS


# --- adam_step --------------------------------------------------------------------------

def test_adam_step_matches_lessonlib():
    rng = np.random.default_rng(3)
    opt = Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    theta = rng.standard_normal(4)
    state = opt.init(theta)
    m, v = np.zeros(4), np.zeros(4)
    for t in range(6):
        grad = rng.standard_normal(4)
        expected, state = opt.step(theta, grad, state)
        theta, m, v = SOLVE["adam_step"](theta, grad, m, v, t, 0.05, 0.8, 0.99, 1e-6)
        np.testing.assert_allclose(theta, expected, rtol=1e-13)
        np.testing.assert_allclose(m, state.m, rtol=1e-13)
        np.testing.assert_allclose(v, state.v, rtol=1e-13)


def test_adam_step_accepts_loops_lists_and_float32():
    def looped(theta, grad, m, v, t, lr, beta1, beta2, eps):
        out = ([], [], [])
        for th, g, mi, vi in zip(theta, grad, m, v):
            mi = beta1 * mi + (1 - beta1) * g
            vi = beta2 * vi + (1 - beta2) * g * g
            step = lr * (mi / (1 - beta1 ** (t + 1))) / (math.sqrt(vi / (1 - beta2 ** (t + 1))) + eps)
            for lst, x in zip(out, (th - step, mi, vi)):
                lst.append(x)
        return out
    assert ch08.adam_step.verdict(looped).status == "correct"

    def as_float32(*args):
        return tuple(np.float32(x) for x in SOLVE["adam_step"](*args))
    assert ch08.adam_step.verdict(as_float32).status == "correct"


def corrected(power_shift=1, correct_v=True, v_beta=None, eps_inside=False, raw=False, correct_m=True):
    def answer(theta, grad, m, v, t, lr, beta1, beta2, eps):
        theta, grad, m, v = (np.asarray(x, float) for x in (theta, grad, m, v))
        b2 = beta1 if v_beta == "beta1" else beta2
        m = beta1 * m + (1 - beta1) * grad
        v = b2 * v + (1 - b2) * grad**2
        k = t + power_shift
        with np.errstate(divide="ignore", invalid="ignore"):
            mh = m / (1 - beta1**k) if correct_m else m
            vh = v / (1 - b2**k) if correct_v else v
            num = grad if raw else mh
            den = np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps
            return theta - lr * num / den, m, v
    return answer


@pytest.mark.parametrize("answer, words", [
    (corrected(correct_m=False, correct_v=False), "left out the bias correction"),
    (corrected(power_shift=0), "wrong power"),
    (corrected(correct_v=False), "corrected m but not v"),
    (corrected(v_beta="beta1"), "beta1"),
    (corrected(eps_inside=True), "inside the square root"),
    (corrected(raw=True), "raw gradient"),
])
def test_adam_step_mistakes_are_named(answer, words):
    assert_wrong(ch08.adam_step, answer, words)


def test_adam_step_in_place_update_is_caught():
    def in_place(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        v_new = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v_new / (1 - beta2 ** (t + 1))) + eps), m, v_new
    assert_wrong(ch08.adam_step, in_place, "modified its input")


def test_adam_step_cannot_be_passed_by_the_printed_values():
    """A function that returns the values printed for the chapter's example fails on the random cases."""
    example = ch08.adam_step.cases[0][1]
    printed = SOLVE["adam_step"](*example)
    assert_wrong(ch08.adam_step, lambda *args: printed)


# --- uncorrected_factors ----------------------------------------------------------------

def test_uncorrected_factors_match_a_run_of_the_uncorrected_variant():
    opt = AdamVariant(lr=1.0, eps=0.0, bias_correction=False)
    x, state, steps = np.zeros(1), opt.init(np.zeros(1)), []
    for _ in range(40):
        new, state = opt.step(x, np.array([0.37]), state)
        steps.append(x[0] - new[0])
        x = new
    np.testing.assert_allclose(SOLVE["uncorrected_factors"](0.9, 0.999, 40), steps, rtol=1e-12)


def test_uncorrected_factors_loop_and_list_pass():
    def looped(beta1, beta2, T):
        return [(1 - beta1**t) / math.sqrt(1 - beta2**t) for t in range(1, T + 1)]
    assert ch08.uncorrected_factors.verdict(looped).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda b1, b2, T: (1 - b1 ** np.arange(1, T + 1)) / (1 - b2 ** np.arange(1, T + 1)), "square root"),
    (lambda b1, b2, T: np.sqrt(1 - b2 ** np.arange(1, T + 1)) / (1 - b1 ** np.arange(1, T + 1)), "upside down"),
    (lambda b1, b2, T: [(1 - b1) / math.sqrt(1 - b2)] * T, "first step only"),
])
def test_uncorrected_factors_mistakes_are_named(answer, words):
    assert_wrong(ch08.uncorrected_factors, answer, words)


def test_uncorrected_factors_message_does_not_show_the_answer():
    verdict = ch08.uncorrected_factors.verdict(lambda b1, b2, T: np.ones(T))
    assert verdict.status == "wrong"
    assert "the right answer" not in verdict.message and "3.162" not in verdict.message, verdict.message


# --- adamw_step -------------------------------------------------------------------------

def test_adamw_step_matches_lessonlib():
    rng = np.random.default_rng(4)
    opt = AdamW(lr=0.05, weight_decay=0.3)
    theta = rng.standard_normal(3)
    state = opt.init(theta)
    m, v = np.zeros(3), np.zeros(3)
    for t in range(5):
        grad = rng.standard_normal(3)
        expected, state = opt.step(theta, grad, state)
        theta, m, v = SOLVE["adamw_step"](theta, grad, m, v, t, 0.05, 0.9, 0.999, 1e-8, 0.3)
        np.testing.assert_allclose(theta, expected, rtol=1e-13)


def test_adamw_step_built_on_adam_step_passes():
    def via_adam(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return SOLVE["adam_step"](np.asarray(theta) * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)
    assert ch08.adamw_step.verdict(via_adam).status == "correct"


@pytest.mark.parametrize("answer, words", [
    (lambda th, g, m, v, t, lr, b1, b2, eps, wd: SOLVE["adam_step"](th, np.asarray(g) + wd * np.asarray(th), m, v, t,
                                                                     lr, b1, b2, eps), "L2 regularisation"),
    (lambda th, g, m, v, t, lr, b1, b2, eps, wd: SOLVE["adam_step"](np.asarray(th) * (1 - wd), g, m, v, t, lr, b1, b2,
                                                                     eps), "ignores the learning rate"),
    (lambda th, g, m, v, t, lr, b1, b2, eps, wd: SOLVE["adam_step"](th, g, m, v, t, lr, b1, b2, eps), "no decay"),
])
def test_adamw_step_mistakes_are_named(answer, words):
    assert_wrong(ch08.adamw_step, answer, words)


def test_adamw_decay_after_the_step_is_rejected():
    def decay_after(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
        theta_new, m_new, v_new = SOLVE["adam_step"](theta, grad, m, v, t, lr, beta1, beta2, eps)
        return theta_new * (1 - lr * weight_decay), m_new, v_new
    assert ch08.adamw_step.verdict(decay_after).status == "wrong"


def test_adam_step_names_the_keras_ordering():
    def keras(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * np.asarray(m, float) + (1 - beta1) * np.asarray(grad, float)
        v = beta2 * np.asarray(v, float) + (1 - beta2) * np.asarray(grad, float) ** 2
        lr_t = lr * (1 - beta2 ** (t + 1)) ** 0.5 / (1 - beta1 ** (t + 1))
        return np.asarray(theta, float) - lr_t * m / (np.sqrt(v) + eps), m, v

    assert_wrong(ch08.adam_step, keras, "Keras")
