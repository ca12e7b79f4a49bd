"""lessonlib.averages: the EMA recursion against its unrolled sum, the bias factor, the window."""

import numpy as np
import pytest

from lessonlib.averages import effective_window, ema, ema_bias_factor, ema_weights


def test_ema_recursion_hand_values():
    # m1 = 0.5*0 + 0.5*2 = 1, m2 = 0.5*1 + 0.5*4 = 2.5, m3 = 0.5*2.5 + 0.5*0 = 1.25
    assert np.allclose(ema([2.0, 4.0, 0.0], 0.5), [1.0, 2.5, 1.25])


def test_ema_equals_weighted_sum_with_the_documented_weights():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((30, 3))
    for beta in [0.0, 0.5, 0.9, 0.99]:
        m = ema(xs, beta)
        for t in [1, 7, 30]:
            assert np.allclose(m[t - 1], ema_weights(beta, t) @ xs[:t], rtol=1e-13, atol=1e-15)


def test_weights_sum_to_the_bias_factor_and_newest_weighs_most():
    for beta in [0.1, 0.9, 0.999]:
        for t in [1, 5, 100]:
            w = ema_weights(beta, t)
            assert w.shape == (t,)
            assert w.sum() == pytest.approx(ema_bias_factor(beta, t), rel=1e-12)
            assert w[-1] == pytest.approx(1 - beta) and np.all(np.diff(w) >= 0)
    assert ema_weights(0.9, 0).shape == (0,)


def test_constant_input_is_scaled_by_the_bias_factor_and_correction_removes_it():
    beta, c = 0.9, 3.0
    m = ema(np.full(50, c), beta)
    t = np.arange(1, 51)
    assert np.allclose(m, c * ema_bias_factor(beta, t), rtol=1e-13)
    assert np.allclose(m / ema_bias_factor(beta, t), c, rtol=1e-12)
    assert ema_bias_factor(beta, 0) == 0.0


def test_nonzero_start_decays_geometrically():
    m = ema(np.zeros(10), 0.8, m0=5.0)
    assert np.allclose(m, 5.0 * 0.8 ** np.arange(1, 11))


def test_effective_window():
    assert effective_window(0.9) == pytest.approx(10.0)
    assert effective_window(0.99) == pytest.approx(100.0)
    assert effective_window(0.0) == 1.0
    # values older than the window carry about 1/e of the weight for beta near 1
    beta = 0.999
    assert beta ** effective_window(beta) == pytest.approx(np.exp(-1), rel=1e-3)


@pytest.mark.parametrize("call", [lambda: ema([1.0], 1.0), lambda: ema([1.0], -0.1),
                                  lambda: effective_window(1.0), lambda: ema_weights(0.5, -1),
                                  lambda: ema_bias_factor(0.5, 1.5), lambda: ema([], 0.5)])
def test_bad_arguments_are_named(call):
    with pytest.raises(ValueError, match="beta|t must|xs"):
        call()
