"""lessonlib.momentum.VelocitySGD: equal to SGD's buffer form for a constant lr, different under a schedule."""

import numpy as np
import pytest

from lessonlib.momentum import VelocitySGD, VelocityState
from lessonlib.objectives import Quadratic
from lessonlib.optim import SGD
from lessonlib.train import minimize

F = Quadratic.from_eigenvalues([1.0, 20.0], angle=0.4, minimizer=[1.0, -2.0])
THETA0 = np.array([3.0, 1.0])


@pytest.mark.parametrize("nesterov", [False, True])
def test_same_iterates_as_buffer_form_for_constant_lr(nesterov):
    a = minimize(F, SGD(0.04, momentum=0.8, nesterov=nesterov), THETA0, 60).thetas
    b = minimize(F, VelocitySGD(0.04, momentum=0.8, nesterov=nesterov), THETA0, 60).thetas
    assert np.allclose(a, b, rtol=1e-12, atol=1e-12)


def test_velocity_is_minus_lr_times_buffer():
    lr, beta = 0.05, 0.9
    sgd, vel = SGD(lr, momentum=beta), VelocitySGD(lr, momentum=beta)
    s1, s2 = sgd.init(THETA0), vel.init(THETA0)
    th1 = th2 = THETA0
    for _ in range(10):
        th1, s1 = sgd.step(th1, F.grad(th1), s1)
        th2, s2 = vel.step(th2, F.grad(th2), s2)
    assert np.allclose(s2.u, -lr * s1.b, rtol=1e-12)


def test_hand_computed_steps_with_a_schedule():
    # lr 1 then 0.1, beta 0.5, gradients 1 and 1 (theta fed a constant gradient)
    opt = VelocitySGD(lambda t: 1.0 if t == 0 else 0.1, momentum=0.5)
    state = opt.init(np.zeros(1))
    theta, state = opt.step(np.zeros(1), np.ones(1), state)   # u = -1, theta = -1
    assert state == VelocityState(1, state.u) and np.allclose([theta[0], state.u[0]], [-1.0, -1.0])
    theta, state = opt.step(theta, np.ones(1), state)         # u = -0.5 - 0.1 = -0.6
    assert np.allclose([theta[0], state.u[0]], [-1.6, -0.6])
    # the buffer form rescales the whole buffer by the new lr: b = 1.5, step 0.15
    sgd = SGD(lambda t: 1.0 if t == 0 else 0.1, momentum=0.5)
    s = sgd.init(np.zeros(1))
    th, s = sgd.step(np.zeros(1), np.ones(1), s)
    th, s = sgd.step(th, np.ones(1), s)
    assert th[0] == pytest.approx(-1.15)


def test_forms_differ_after_a_learning_rate_drop():
    schedule = lambda t: 0.04 if t < 20 else 0.004
    a = minimize(F, SGD(schedule, momentum=0.9), THETA0, 40).thetas
    b = minimize(F, VelocitySGD(schedule, momentum=0.9), THETA0, 40).thetas
    assert np.allclose(a[:21], b[:21], rtol=1e-12, atol=1e-12)
    assert np.max(np.abs(a[21:] - b[21:])) > 1e-3


def test_inputs_untouched_and_bad_arguments_named():
    opt = VelocitySGD(0.1)
    theta, grad = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    state = opt.init(theta)
    opt.step(theta, grad, state)
    assert np.array_equal(theta, [1.0, 2.0]) and np.array_equal(grad, [0.5, 0.5])
    with pytest.raises(ValueError, match="momentum"):
        VelocitySGD(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="lr"):
        VelocitySGD(-0.1)
