"""Tests of lessonlib.gradcheck."""

import numpy as np
import pytest

from lessonlib.gradcheck import GradCheck, check_grad, numerical_grad


def sum_sq(theta):
    return float(np.sum(np.asarray(theta) ** 2))


def sum_sin(theta):
    return float(np.sum(np.sin(theta)))


def test_numerical_grad_sum_of_squares():
    theta = np.array([1.0, -2.0, 0.5, 3.0])
    np.testing.assert_allclose(numerical_grad(sum_sq, theta), 2 * theta, rtol=1e-8)


def test_numerical_grad_sin_and_matrix_shape():
    theta = np.linspace(-2, 2, 6).reshape(2, 3)
    g = numerical_grad(sum_sin, theta)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g, np.cos(theta), rtol=1e-8, atol=1e-10)


def test_numerical_grad_does_not_modify_input_and_accepts_lists():
    theta = np.array([0.3, 0.7])
    before = theta.copy()
    g = numerical_grad(lambda t: t[0] * t[1] ** 2, theta)
    np.testing.assert_array_equal(theta, before)
    np.testing.assert_allclose(g, [0.49, 2 * 0.3 * 0.7], rtol=1e-8)
    np.testing.assert_allclose(numerical_grad(sum_sq, [1.0, 2.0]), [2.0, 4.0], rtol=1e-8)


def test_error_is_second_order_in_h():
    theta = np.array([0.7, -1.1, 2.0])
    exact = np.cos(theta)
    err = {h: np.abs(numerical_grad(sum_sin, theta, h=h) - exact).max() for h in (1e-2, 5e-3, 2.5e-3)}
    # error ~ h^2 |f'''| / 6 = h^2 |cos| / 6
    assert err[1e-2] == pytest.approx(1e-4 * np.abs(np.cos(theta)).max() / 6, rel=0.01)
    assert err[1e-2] / err[5e-3] == pytest.approx(4.0, rel=0.02)
    assert err[5e-3] / err[2.5e-3] == pytest.approx(4.0, rel=0.02)


@pytest.mark.parametrize("h", [0.0, -1e-6])
def test_invalid_h_raises(h):
    with pytest.raises(ValueError, match="h must be > 0"):
        numerical_grad(sum_sq, np.ones(2), h=h)
    with pytest.raises(ValueError, match="h must be > 0"):
        check_grad(sum_sq, lambda t: 2 * t, np.ones(2), h=h)


def test_check_grad_accepts_correct_gradient():
    theta = np.array([0.1, -0.4, 1.3])
    res = check_grad(sum_sin, np.cos, theta)
    assert isinstance(res, GradCheck)
    assert res.ok is True
    assert res.rel_error < 1e-8
    np.testing.assert_array_equal(res.analytic, np.cos(theta))
    np.testing.assert_allclose(res.numeric, np.cos(theta), rtol=1e-8)


def test_check_grad_detects_sign_error():
    theta = np.array([1.0, -2.0, 0.5])
    res = check_grad(sum_sq, lambda t: -2 * t, theta)
    assert res.ok is False
    assert res.rel_error == pytest.approx(1.0, abs=1e-8)


def test_check_grad_detects_factor_two():
    theta = np.array([1.0, -2.0, 0.5])
    res = check_grad(sum_sq, lambda t: 4 * t, theta)  # twice the true gradient
    assert res.ok is False
    assert res.rel_error == pytest.approx(1 / 3, rel=1e-6)


def test_check_grad_tolerance_and_zero_gradient():
    theta = np.array([1.0, 2.0])
    slightly_off = lambda t: 2 * t * (1 + 1e-5)  # noqa: E731
    assert check_grad(sum_sq, slightly_off, theta).ok is False
    assert check_grad(sum_sq, slightly_off, theta, tol=1e-4).ok is True
    # both gradients zero: no division by zero, passes
    res = check_grad(sum_sq, lambda t: 2 * t, np.zeros(3))
    assert res.rel_error == 0.0 and res.ok


def test_check_grad_wrong_shape_raises():
    with pytest.raises(ValueError, match=r"grad returned shape \(2,\) but theta has shape \(3,\)"):
        check_grad(sum_sq, lambda t: 2 * t[:2], np.ones(3))
