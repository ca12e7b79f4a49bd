"""MLPStack and lr_sweep: a batched sweep equals the separate runs, and a diverging copy does not stop the others."""

import numpy as np
import pytest

from lessonlib.data import load_digits
from lessonlib.nn import MLP, MLPStack
from lessonlib.optim import SGD, Adam
from lessonlib.sweep import lr_sweep
from lessonlib.train import batches


@pytest.fixture(scope="module")
def small():
    d = load_digits(seed=0, bias=False)
    return d, MLP(d.X_train[:200], d.y_train[:200], hidden=(16,), activation="tanh", l2=1e-3)


def test_stack_gradient_is_the_copies_gradients_side_by_side(small):
    _, mlp = small
    stack = MLPStack(mlp, 3)
    thetas = [mlp.init(seed) for seed in range(3)]
    idx = np.arange(25)
    np.testing.assert_allclose(stack.batch_grad(np.concatenate(thetas), idx),
                               np.concatenate([mlp.batch_grad(t, idx) for t in thetas]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(stack.batch_losses(np.concatenate(thetas), idx),
                               [mlp.batch_loss(t, idx) for t in thetas], rtol=1e-12)


def test_stack_checks_the_shape(small):
    with pytest.raises(ValueError, match="3 copies"):
        MLPStack(small[1], 3).unpack(np.zeros(5))


def test_sweep_equals_separate_runs(small):
    d, mlp = small
    lrs = [0.01, 0.1]
    result = lr_sweep(lambda lr: Adam(lr), mlp, lrs, epochs=2, batch_size=50, test=(d.X_test, d.y_test), seed=4)
    for k, lr in enumerate(lrs):
        opt, theta = Adam(lr), mlp.init(4)
        state, sampler = opt.init(theta), batches(mlp.n, 50, 4)
        for _ in range(2 * 4):
            theta, state = opt.step(theta, mlp.batch_grad(theta, next(sampler)), state)
        np.testing.assert_allclose(result.thetas[k], theta, rtol=1e-10, atol=1e-12)
        assert result.train_loss[-1, k] == pytest.approx(mlp.loss(theta), rel=1e-10)
        assert result.test_accuracy[-1, k] == pytest.approx(mlp.on(d.X_test, d.y_test).accuracy(theta))
    assert list(result.diverged_epoch) == [-1, -1]


def test_a_diverging_copy_is_frozen_and_the_others_go_on(small):
    _, mlp = small
    result = lr_sweep(lambda lr: SGD(lr), mlp, [0.05, 1e4], epochs=3, batch_size=50, seed=0)
    assert result.diverged_epoch[0] == -1 and result.diverged_epoch[1] == 1
    assert np.isfinite(result.train_loss[:, 0]).all()
    assert np.isnan(result.train_loss[1:, 1]).all()
    assert result.train_loss[-1, 0] < result.train_loss[0, 0]


def test_bad_rates_are_refused(small):
    with pytest.raises(ValueError, match="lrs must be"):
        lr_sweep(lambda lr: SGD(lr), small[1], [0.1, -1.0], epochs=1, batch_size=10)


def test_per_coordinate_rates_in_the_optimizers():
    theta, grad = np.array([1.0, 1.0]), np.array([1.0, 1.0])
    new, _ = SGD(np.array([0.1, 0.5])).step(theta, grad, SGD(0.1).init(theta))
    np.testing.assert_allclose(new, [0.9, 0.5])
    with pytest.raises(ValueError, match="theta's shape"):
        SGD(np.array([0.1, 0.2, 0.3])).step(theta, grad, SGD(0.1).init(theta))
    with pytest.raises(ValueError, match="finite and > 0"):
        SGD(np.array([0.1, 0.0]))
