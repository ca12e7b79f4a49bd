"""Tests of lessonlib.nn: the MLP's shapes, gradient, stability, errors and a short training run."""

import numpy as np
import pytest

from lessonlib.gradcheck import check_grad
from lessonlib.nn import MLP, cross_entropy, log_softmax, softmax
from lessonlib.objectives import SoftmaxRegression
from lessonlib.optim import SGD, Adam


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 5))
    y = rng.integers(0, 3, size=30)
    return X, y


# ---------------------------------------------------------------- softmax and its logarithm

def test_log_softmax_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [-800.0, -800.0, -800.0]])
    out = log_softmax(z)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out[0], [0.0, -1000.0, -2000.0], atol=1e-12)
    np.testing.assert_allclose(out[1], np.log(1 / 3), rtol=1e-14)
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(np.exp(log_softmax(z)), softmax(z), atol=1e-300)


def test_cross_entropy_of_a_confident_right_and_wrong_answer():
    z = np.array([[50.0, 0.0], [50.0, 0.0]])
    assert cross_entropy(z[:1], np.array([0])) == pytest.approx(np.exp(-50), rel=1e-9)
    assert cross_entropy(z[1:], np.array([1])) == pytest.approx(50.0, rel=1e-12)   # no log(0) = -inf


# ---------------------------------------------------------------- shapes and layout

def test_dim_and_unpack_views(toy):
    X, y = toy
    mlp = MLP(X, y, hidden=(7, 4))
    assert mlp.sizes == (5, 7, 4, 3)
    assert mlp.dim == (5 + 1) * 7 + (7 + 1) * 4 + (4 + 1) * 3
    theta = np.arange(mlp.dim, dtype=float)
    layers = mlp.unpack(theta)
    assert [(W.shape, b.shape) for W, b in layers] == [((5, 7), (7,)), ((7, 4), (4,)), ((4, 3), (3,))]
    assert layers[0][0][0, 0] == 0 and layers[0][1][0] == 35 and layers[1][0][0, 0] == 42
    layers[2][1][...] = -1.0                       # views: writing them writes theta
    assert np.all(theta[-3:] == -1.0)


def test_forward_shapes_and_predict(toy):
    X, y = toy
    mlp = MLP(X, y, hidden=(6,))
    theta = mlp.init(0)
    activations, logits = mlp.forward(theta, X[:4])
    assert [a.shape for a in activations] == [(4, 5), (4, 6)] and logits.shape == (4, 3)
    assert np.all(activations[1] >= 0)            # ReLU
    pred = mlp.predict(theta)
    assert pred.shape == (30,) and set(pred) <= {0, 1, 2}
    assert mlp.accuracy(theta) == pytest.approx(np.mean(pred == y))


def test_init_is_seeded_he_for_relu_glorot_for_tanh():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((10, 400)), np.arange(10) % 2
    relu, tanh = MLP(X, y, hidden=(300,)), MLP(X, y, hidden=(300,), activation="tanh")
    np.testing.assert_array_equal(relu.init(3), relu.init(3))
    assert not np.array_equal(relu.init(3), relu.init(4))
    (W1, b1), _ = relu.unpack(relu.init(0))
    assert np.all(b1 == 0) and W1.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    (W1, _), _ = tanh.unpack(tanh.init(0))
    bound = np.sqrt(6 / (400 + 300))
    assert np.abs(W1).max() <= bound and W1.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)


# ---------------------------------------------------------------- the gradient

@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("hidden", [(), (6,), (5, 4)])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradient_matches_central_differences(toy, activation, hidden, l2):
    X, y = toy
    mlp = MLP(X, y, hidden=hidden, activation=activation, l2=l2)
    theta = mlp.init(2) + 0.1 * np.random.default_rng(3).standard_normal(mlp.dim)
    assert check_grad(mlp.loss, mlp.grad, theta).rel_error < 1e-7
    idx = np.array([3, 0, 17, 17, 9])
    batch = check_grad(lambda th: mlp.batch_loss(th, idx), lambda th: mlp.batch_grad(th, idx), theta)
    assert batch.rel_error < 1e-7


def test_a_wrong_backward_pass_is_caught(toy):
    X, y = toy
    mlp = MLP(X, y, hidden=(6,))
    theta = mlp.init(0)
    wrong = lambda th: mlp.grad(th) * np.r_[np.ones(mlp.dim - 3), 0.5, 0.5, 0.5]  # noqa: E731
    assert not check_grad(mlp.loss, wrong, theta).ok


def test_without_hidden_layers_it_is_softmax_regression(toy):
    X, y = toy
    mlp = MLP(X, y, hidden=(), l2=0.2)
    theta = np.random.default_rng(0).standard_normal(mlp.dim)
    W, b = mlp.unpack(theta)[0]
    # SoftmaxRegression with a column of ones for the bias, which it also penalises:
    soft = SoftmaxRegression(np.hstack([X, np.ones((30, 1))]), y, l2=0.2)
    theta_soft = np.vstack([W, b]).ravel()
    assert mlp.loss(theta) == pytest.approx(soft.loss(theta_soft) - 0.1 * b @ b, rel=1e-12)
    grad_W, grad_b = mlp.unpack(mlp.grad(theta))[0]
    grad_soft = soft.grad(theta_soft).reshape(6, 3)
    np.testing.assert_allclose(grad_W, grad_soft[:5], rtol=1e-12)
    np.testing.assert_allclose(grad_b, grad_soft[5] - 0.2 * b, rtol=1e-10, atol=1e-15)


def test_l2_penalises_weights_not_biases(toy):
    X, y = toy
    plain, decayed = MLP(X, y, hidden=(4,)), MLP(X, y, hidden=(4,), l2=0.5)
    theta = plain.init(0) + 0.2
    weights = sum(float(W.ravel() @ W.ravel()) for W, _ in plain.unpack(theta))
    assert decayed.loss(theta) == pytest.approx(plain.loss(theta) + 0.25 * weights, rel=1e-12)
    diff = decayed.grad(theta) - plain.grad(theta)
    for (dW, db), (W, _) in zip(decayed.unpack(diff), plain.unpack(theta)):
        np.testing.assert_allclose(dW, 0.5 * W, rtol=1e-10)
        np.testing.assert_allclose(db, 0.0, atol=1e-15)


# ---------------------------------------------------------------- errors that explain

@pytest.mark.parametrize("kwargs, message", [
    ({"activation": "sigmoid"}, 'activation must be "relu" or "tanh", got \'sigmoid\''),
    ({"hidden": (4, 0)}, "each hidden layer width must be an integer >= 1, got 0"),
    ({"l2": -0.1}, "l2 must be >= 0, got -0.1"),
    ({"n_classes": 2}, "labels must be below n_classes=2, got a label 2"),
])
def test_bad_arguments_name_the_argument_and_the_range(toy, kwargs, message):
    X, y = toy
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        MLP(X, y, **kwargs)


def test_bad_data_and_theta_explain_the_expected_shape(toy):
    X, y = toy
    with pytest.raises(ValueError, match=r"y must have shape \(30,\)"):
        MLP(X, y[:-1])
    with pytest.raises(ValueError, match="integer labels"):
        MLP(X, y.astype(float))
    with pytest.raises(ValueError, match=r"X must be a 2-D array \(n >= 1 samples"):
        MLP(X[:, 0], y)
    mlp = MLP(X, y, hidden=(4,))
    with pytest.raises(ValueError, match=rf"theta must have shape \({mlp.dim},\) for layer sizes \(5, 4, 3\)"):
        mlp.loss(np.zeros(mlp.dim + 1))


# ---------------------------------------------------------------- every optimizer trains the flat vector

@pytest.mark.parametrize("optimizer", [SGD(0.5, momentum=0.9), Adam(0.05)], ids=repr)
def test_optimizers_train_it_unchanged(toy, optimizer):
    X, y = toy
    mlp = MLP(X, y, hidden=(16,), activation="tanh")
    theta = mlp.init(0)
    state = optimizer.init(theta)
    loss0 = mlp.loss(theta)
    for _ in range(200):
        theta, state = optimizer.step(theta, mlp.grad(theta), state)
    assert mlp.loss(theta) < 0.1 * loss0 and mlp.accuracy(theta) == 1.0   # memorises 30 points


def test_on_keeps_the_architecture(toy):
    X, y = toy
    mlp = MLP(X, y, hidden=(4,), activation="tanh", l2=0.1)
    other = mlp.on(X[:10], y[:10])
    assert (other.sizes, other.activation, other.l2, other.n) == (mlp.sizes, "tanh", 0.1, 10)
    assert "sizes=(5, 4, 3)" in repr(mlp)


def test_negative_labels_are_refused_with_a_fix(toy):
    X, y = toy
    with pytest.raises(ValueError, match=r"integer labels .* from -1 to 1; map the classes to 0..k-1"):
        MLP(X, y - 1)
