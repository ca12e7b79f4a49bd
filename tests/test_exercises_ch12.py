"""The chapter 12 exercises: solutions agree with lessonlib, other correct forms pass, mistakes are named."""

import numpy as np
import pytest

from lessonlib.exercises import ch12
from lessonlib.momentum import VelocitySGD
from lessonlib.optim import SGD, RMSProp
from exercise_helpers import assert_wrong

SOLVE = ch12.SOLUTIONS


def test_keras_rmsprop_step_is_lessonlibs_rmsprop_with_eps_in_the_root():
    theta, g = np.array([1.0, -2.0]), np.array([0.3, 4.0])
    opt = RMSProp(lr=0.01, beta=0.9, eps=1e-3, eps_in_sqrt=True)
    expected, state = opt.step(theta, g, opt.init(theta))
    got, velocity = SOLVE["keras_rmsprop_step"](theta, g, np.zeros(2), 0.01, 0.9, 1e-3)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    np.testing.assert_allclose(velocity, state.v, rtol=1e-13)


@pytest.mark.parametrize("index, words", [(0, "inside"), (1, "swapped")])
def test_keras_rmsprop_step_mistakes_are_named(index, words):
    assert_wrong(ch12.keras_rmsprop_step, ch12.keras_rmsprop_step.mistakes[index][0], words)


def test_step_after_lr_change_matches_the_two_momentum_forms():
    # run both forms 5 steps at lr 0.1, then one step at 0.01; compare with the exercise's answer
    g = np.array([1.0, -0.5])
    grads = [g * k for k in (1.0, 0.5, -0.3, 0.8, 1.2, 0.7)]
    schedule = lambda t: 0.1 if t < 5 else 0.01
    torch_opt, keras_opt = SGD(schedule, momentum=0.9), VelocitySGD(schedule, momentum=0.9)
    tt, ts = np.zeros(2), torch_opt.init(np.zeros(2))
    kt, ks = np.zeros(2), keras_opt.init(np.zeros(2))
    for k in range(5):
        tt, ts = torch_opt.step(tt, grads[k], ts)
        kt, ks = keras_opt.step(kt, grads[k], ks)
    torch_step, keras_step = SOLVE["step_after_lr_change"](ts.b, grads[5], 0.9, 0.1, 0.01)
    np.testing.assert_allclose(torch_opt.step(tt, grads[5], ts)[0] - tt, torch_step, rtol=1e-12)
    np.testing.assert_allclose(keras_opt.step(kt, grads[5], ks)[0] - kt, keras_step, rtol=1e-12)


@pytest.mark.parametrize("index, words", [(0, "constant rate only"), (1, "old rate")])
def test_step_after_lr_change_mistakes_are_named(index, words):
    assert_wrong(ch12.step_after_lr_change, ch12.step_after_lr_change.mistakes[index][0], words)


def test_torch_eps_for_keras_makes_the_two_adams_agree():
    from lessonlib.optim import Adam
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((6, 3)) * 1e-6
    beta2, eps = 0.999, 1e-7
    # Keras's Adam, by its own formula
    theta_k, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads):
        m, v = 0.9 * m + 0.1 * g, beta2 * v + (1 - beta2) * g**2
        alpha = 1e-3 * np.sqrt(1 - beta2 ** (t + 1)) / (1 - 0.9 ** (t + 1))
        theta_k = theta_k - alpha * m / (np.sqrt(v) + eps)
    # torch's form with the per-step equivalent epsilon
    theta_t, state = np.zeros(3), Adam(1e-3).init(np.zeros(3))
    for t, g in enumerate(grads):
        theta_t, state = Adam(1e-3, eps=float(SOLVE["torch_eps_for_keras"](eps, beta2, t))).step(theta_t, g, state)
    np.testing.assert_allclose(theta_t, theta_k, rtol=1e-10)


@pytest.mark.parametrize("index, words", [(0, "off by one"), (1, "multiplied"), (2, "square root")])
def test_torch_eps_for_keras_mistakes_are_named(index, words):
    with np.errstate(divide="ignore"):
        assert_wrong(ch12.torch_eps_for_keras, ch12.torch_eps_for_keras.mistakes[index][0], words)
