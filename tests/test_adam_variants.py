"""AdamVariant: the defaults are Adam, each switch changes exactly its line of the algorithm."""

import numpy as np
import pytest

from lessonlib.adam_variants import FLAWS, SOURCE_NOTE_VARIANTS, AdamVariant, decoupled_decay_fixed_point
from lessonlib.optim import Adam, RMSProp


def run(opt, grads, theta0):
    theta, state = np.asarray(theta0, float), opt.init(theta0)
    for g in grads:
        theta, state = opt.step(theta, g, state)
    return theta, state


@pytest.fixture
def grads():
    return np.random.default_rng(0).standard_normal((20, 4)) * np.array([10.0, 1.0, 0.1, 1e-3])


def test_defaults_are_adam(grads):
    theta0 = np.array([1.0, -1.0, 0.5, 2.0])
    for kwargs in ({}, {"lr": 0.05, "beta1": 0.5, "beta2": 0.99, "eps": 1e-3}):
        a, sa = run(Adam(**kwargs), grads, theta0)
        b, sb = run(AdamVariant(**kwargs), grads, theta0)
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(sb.m, sa.m, rtol=1e-12)
        np.testing.assert_allclose(sb.v, sa.v, rtol=1e-12)


def by_hand(grads, theta0, lr=0.1, b1=0.9, b2=0.999, eps=1e-8, correct=True, first="average", second="square",
            numerator="m", eps_where="after", eps_root=0.0):
    theta, m, v = np.array(theta0, float), np.zeros_like(theta0), np.zeros_like(theta0)
    for t, g in enumerate(grads, start=1):
        m = m + g if first == "sum" else b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * ((g - m) ** 2 if second == "belief" else g**2)
        c1, c2 = (1 - b1**t, 1 - b2**t) if correct else (1.0, 1.0)
        if eps_where == "before":          # Keras: lr_t = lr sqrt(c2) / c1, eps added to the raw sqrt(v)
            theta = theta - lr * np.sqrt(c2) / c1 * (g if numerator == "grad" else m) / (np.sqrt(v) + eps)
        else:
            theta = theta - lr * (g if numerator == "grad" else m / c1) / (np.sqrt(v / c2 + eps_root) + eps)
    return theta


@pytest.mark.parametrize("switches, hand", [
    ({"bias_correction": False}, {"correct": False}),
    ({"first_moment": "sum"}, {"first": "sum"}),
    ({"second_moment": "belief"}, {"second": "belief"}),
    ({"numerator": "grad"}, {"numerator": "grad"}),
    ({"eps_where": "before", "eps": 1e-3}, {"eps_where": "before", "eps": 1e-3}),
    ({"eps_root": 1e-4}, {"eps_root": 1e-4}),
])
def test_each_switch_changes_its_line(grads, switches, hand):
    theta0 = np.array([1.0, -1.0, 0.5, 2.0])
    got, _ = run(AdamVariant(lr=0.1, **switches), grads, theta0)
    np.testing.assert_allclose(got, by_hand(grads, theta0, **hand), rtol=1e-11, atol=1e-13)
    adam, _ = run(Adam(lr=0.1), grads, theta0)
    assert not np.allclose(got, adam, rtol=1e-6, atol=0), "the switch must change the iterates"


def test_keras_eps_is_torch_eps_over_sqrt_of_the_correction():
    g = np.array([1e-6, 3.0])
    keras = AdamVariant(lr=0.1, eps=1e-7, eps_where="before")
    torch_like = Adam(lr=0.1, eps=1e-7 / np.sqrt(1 - 0.999))
    np.testing.assert_allclose(keras.step(np.zeros(2), g, keras.init(np.zeros(2)))[0],
                               torch_like.step(np.zeros(2), g, torch_like.init(np.zeros(2)))[0], rtol=1e-12)


def test_note_s43_is_uncorrected_rmsprop_with_beta1(grads):
    theta0 = np.zeros(4)
    note, _ = run(AdamVariant(lr=0.01, beta2=0.9, **SOURCE_NOTE_VARIANTS["S4.3"]), grads, theta0)
    rms, _ = run(RMSProp(lr=0.01, beta=0.9), grads, theta0)
    np.testing.assert_allclose(note, rms, rtol=1e-11, atol=1e-14)


def test_first_steps_of_the_flaws():
    g = np.array([2.0, -0.003])
    first = {name: AdamVariant(lr=1.0, eps=0.0, **s).step(np.zeros(2), g, AdamVariant(**s).init(np.zeros(2)))[0]
             for name, s in FLAWS.items()}
    np.testing.assert_allclose(first["no bias correction"], -np.sign(g) * 0.1 / np.sqrt(0.001))
    np.testing.assert_allclose(first["summed first moment"], -np.sign(g) / 0.1 * 1.0, rtol=1e-12)
    np.testing.assert_allclose(first["(m - g)^2 second moment"], -np.sign(g) / 0.9, rtol=1e-12)
    np.testing.assert_allclose(first["raw gradient in the step"], -np.sign(g), rtol=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": -1.0}, "lr must be > 0"),
    ({"beta1": 1.0}, "beta1 must be in [0, 1)"),
    ({"beta2": -0.1}, "beta2 must be in [0, 1)"),
    ({"eps_root": -1.0}, "eps_root must be >= 0"),
    ({"first_moment": "ema"}, "first_moment must be one of ('average', 'sum'), got 'ema'"),
    ({"eps_where": "inside"}, "eps_where must be one of"),
])
def test_bad_arguments_say_what_is_allowed(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        AdamVariant(**kwargs)


def test_decoupled_decay_fixed_point_solves_its_equation():
    sigma = np.array([0.0, 0.1, 3.0, 100.0])
    x = decoupled_decay_fixed_point(0.1, sigma)
    np.testing.assert_allclose((x - 1) + 0.1 * x * np.sqrt(sigma**2 + (x - 1) ** 2), 0.0, atol=1e-12)
    assert np.all(np.diff(x) < 0), "more noise, more decay"
    assert decoupled_decay_fixed_point(0.0, 3.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="target must be > 0"):
        decoupled_decay_fixed_point(0.1, 1.0, target=-1.0)
