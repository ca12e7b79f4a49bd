"""Tests of lessonlib.objectives: analytic gradients, closed forms, stability, errors."""

import warnings

import numpy as np
import pytest

from lessonlib.gradcheck import check_grad
from lessonlib.objectives import (LinearRegressionMSE, LogisticRegression, NonConvex1D, Quadratic,
                                  Rosenbrock, SoftmaxRegression, Square, sigmoid)

RNG_SEEDS = (0, 1, 2)


def _data(seed=0, n=30, d=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return rng, X


def linreg(seed=0):
    rng, X = _data(seed)
    return LinearRegressionMSE(X, X @ rng.standard_normal(X.shape[1]) + 0.3 * rng.standard_normal(len(X)))


def logreg(seed=0, l2=0.0):
    rng, X = _data(seed)
    return LogisticRegression(X, (rng.random(len(X)) < 0.5).astype(int), l2=l2)


def softmax(seed=0, l2=0.1):
    rng, X = _data(seed)
    return SoftmaxRegression(X, rng.integers(0, 3, size=len(X)), n_classes=3, l2=l2)


OBJECTIVES = {
    "Square": (lambda: Square(), 1),
    "NonConvex1D": (lambda: NonConvex1D(), 1),
    "Quadratic": (lambda: Quadratic([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]], b=[1.0, -2.0, 0.5], c=4.0), 3),
    "Quadratic.from_eigenvalues": (lambda: Quadratic.from_eigenvalues([1.0, 25.0], angle=0.6, minimizer=[1.0, -0.5]), 2),
    "Rosenbrock": (lambda: Rosenbrock(), 2),
    "Rosenbrock(a=2,b=10)": (lambda: Rosenbrock(a=2.0, b=10.0), 2),
    "LinearRegressionMSE": (linreg, 4),
    "LogisticRegression": (lambda: logreg(), 4),
    "LogisticRegression l2": (lambda: logreg(l2=0.3), 4),
    "SoftmaxRegression l2": (lambda: softmax(), 12),
    "SoftmaxRegression": (lambda: softmax(l2=0.0), 12),
}


def _scalar_loss(obj):
    return lambda theta: float(np.sum(obj.loss(theta)))


@pytest.mark.parametrize("name", list(OBJECTIVES))
@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_gradient_matches_finite_differences(name, seed):
    make, d = OBJECTIVES[name]
    obj = make()
    theta = np.random.default_rng(100 + seed).uniform(-1.5, 1.5, size=d)
    result = check_grad(_scalar_loss(obj), obj.grad, theta)
    assert result.rel_error < 1e-6, (name, result)
    assert result.ok


# ---------------------------------------------------------------- Square, NonConvex1D

def test_square_values():
    sq = Square()
    np.testing.assert_array_equal(sq.loss([-2.0, 0.0, 3.0]), [4.0, 0.0, 9.0])
    np.testing.assert_array_equal(sq.grad([-2.0, 0.0, 3.0]), [-4.0, 0.0, 6.0])
    assert (sq.mu, sq.L, sq.minimizer) == (2.0, 2.0, 0.0)


def test_nonconvex_stationary_points():
    f = NonConvex1D()
    pts = f.stationary_points()
    assert pts.shape == (3,)
    np.testing.assert_allclose(f.grad(pts), 0.0, atol=1e-10)
    np.testing.assert_allclose(pts, [-1.30, 0.17, 1.13], atol=0.01)
    # global min lower than the local min, local max above both
    J = f.loss(pts)
    assert J[0] < J[2] < J[1]
    # second derivative 12 t^2 - 6: positive, negative, positive
    assert np.all(np.sign(12 * pts**2 - 6) == [1, -1, 1])


# ---------------------------------------------------------------- Quadratic

def test_quadratic_constants_match_numpy():
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 2.0]])
    b = np.array([1.0, 2.0, -3.0])
    q = Quadratic(A, b, c=0.5)
    eig = np.linalg.eigvalsh(A)
    assert q.dim == 3
    assert q.mu == pytest.approx(eig[0], rel=1e-12)
    assert q.L == pytest.approx(eig[-1], rel=1e-12)
    assert q.kappa == pytest.approx(eig[-1] / eig[0], rel=1e-12)
    x_star = np.linalg.solve(A, b)
    np.testing.assert_allclose(q.minimizer, x_star, rtol=1e-12)
    assert q.min_value == pytest.approx(0.5 - 0.5 * b @ x_star, rel=1e-12)
    np.testing.assert_allclose(q.grad(x_star), 0.0, atol=1e-12)
    np.testing.assert_array_equal(q.hessian(), A)
    theta = np.array([0.3, -1.0, 2.0])
    assert q.loss(theta) == pytest.approx(0.5 * theta @ A @ theta - b @ theta + 0.5, rel=1e-12)
    np.testing.assert_allclose(q.grad(theta), A @ theta - b, rtol=1e-12)


def test_quadratic_from_eigenvalues():
    q = Quadratic.from_eigenvalues([2.0, 50.0], angle=np.pi / 6, minimizer=[1.0, -2.0])
    np.testing.assert_allclose(q.eigenvalues, [2.0, 50.0], rtol=1e-12)
    assert (q.mu, q.L) == (pytest.approx(2.0), pytest.approx(50.0))
    assert q.kappa == pytest.approx(25.0)
    np.testing.assert_allclose(q.minimizer, [1.0, -2.0], atol=1e-12)
    np.testing.assert_allclose(q.grad([1.0, -2.0]), 0.0, atol=1e-12)
    # the eigenvector of the largest eigenvalue is the x axis rotated by the angle
    v = np.array([-np.sin(np.pi / 6), np.cos(np.pi / 6)])
    np.testing.assert_allclose(q.A @ v, 50.0 * v, atol=1e-12)
    # no angle: diagonal
    np.testing.assert_allclose(Quadratic.from_eigenvalues([1.0, 3.0, 5.0]).A, np.diag([1.0, 3.0, 5.0]))
    with pytest.raises(ValueError, match="angle"):
        Quadratic.from_eigenvalues([1.0, 2.0, 3.0], angle=0.3)


def test_quadratic_grid_evaluation_equals_pointwise():
    q = Quadratic.from_eigenvalues([1.0, 10.0], angle=0.4, minimizer=[0.5, -0.3])
    x, y = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    X, Y = np.meshgrid(x, y)
    Z = q.loss(np.stack([X, Y]))
    G = q.grad(np.stack([X, Y]))
    assert Z.shape == X.shape and G.shape == (2,) + X.shape
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            p = np.array([X[i, j], Y[i, j]])
            assert Z[i, j] == pytest.approx(q.loss(p), rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(G[:, i, j], q.grad(p), rtol=1e-12, atol=1e-12)


def test_quadratic_errors():
    with pytest.raises(ValueError, match="symmetric"):
        Quadratic([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="square"):
        Quadratic(np.ones((2, 3)))
    with pytest.raises(ValueError, match="b must have shape"):
        Quadratic(np.eye(2), b=[1.0, 2.0, 3.0])
    q = Quadratic(np.eye(2))
    with pytest.raises(ValueError, match="theta"):
        q.loss([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="theta"):
        q.grad(np.zeros(3))


# ---------------------------------------------------------------- Rosenbrock

@pytest.mark.parametrize("a,b", [(1.0, 100.0), (2.0, 10.0), (-0.5, 3.0)])
def test_rosenbrock_minimum(a, b):
    r = Rosenbrock(a, b)
    np.testing.assert_array_equal(r.minimizer, [a, a**2])
    assert r.loss(r.minimizer) == 0.0
    np.testing.assert_array_equal(r.grad(r.minimizer), [0.0, 0.0])
    # positive definite at the minimum
    assert np.all(np.linalg.eigvalsh(r.hessian(r.minimizer)) > 0)
    assert r.loss(r.minimizer + [0.1, 0.0]) > 0.0


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_rosenbrock_hessian_is_derivative_of_grad(seed):
    r = Rosenbrock()
    theta = np.random.default_rng(seed).uniform(-1.5, 1.5, size=2)
    h = 1e-6
    fd = np.column_stack([(r.grad(theta + h * e) - r.grad(theta - h * e)) / (2 * h) for e in np.eye(2)])
    H = r.hessian(theta)
    np.testing.assert_allclose(H, H.T)
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-6)


def test_rosenbrock_grid_and_shape_error():
    r = Rosenbrock()
    X, Y = np.meshgrid(np.linspace(-1, 1, 4), np.linspace(0, 2, 3))
    Z = r.loss(np.stack([X, Y]))
    assert Z[1, 2] == pytest.approx(r.loss([X[1, 2], Y[1, 2]]))
    with pytest.raises(ValueError, match="theta"):
        r.loss([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="theta"):
        r.grad([1.0])


# ---------------------------------------------------------------- data objectives

DATA_OBJECTIVES = {
    "linreg": linreg,
    "logreg": lambda: logreg(l2=0.2),
    "softmax": lambda: softmax(l2=0.2),
}


def _theta_for(obj, seed=5):
    d = obj.dim if isinstance(obj, SoftmaxRegression) else obj.X.shape[1]
    return np.random.default_rng(seed).standard_normal(d)


@pytest.mark.parametrize("name", list(DATA_OBJECTIVES))
def test_per_sample_grads_average_to_full_gradient(name):
    obj = DATA_OBJECTIVES[name]()
    theta = _theta_for(obj)
    G = obj.per_sample_grads(theta)
    assert G.shape == (obj.n, theta.size)
    np.testing.assert_allclose(G.mean(axis=0), obj.grad(theta), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", list(DATA_OBJECTIVES))
def test_batch_loss_and_grad_are_means_over_rows(name):
    obj = DATA_OBJECTIVES[name]()
    theta = _theta_for(obj)
    idx = np.array([3, 7, 8, 21, 29])
    if isinstance(obj, SoftmaxRegression):
        sub = SoftmaxRegression(obj.X[idx], obj.y[idx], n_classes=obj.k, l2=obj.l2)
    elif isinstance(obj, LogisticRegression):
        sub = LogisticRegression(obj.X[idx], obj.y[idx], l2=obj.l2)
    else:
        sub = LinearRegressionMSE(obj.X[idx], obj.y[idx])
    assert obj.batch_loss(theta, idx) == pytest.approx(sub.loss(theta), rel=1e-12)
    np.testing.assert_allclose(obj.batch_grad(theta, idx), sub.grad(theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(obj.batch_grad(theta, idx), obj.per_sample_grads(theta)[idx].mean(axis=0),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(obj.per_sample_grads(theta, idx), obj.per_sample_grads(theta)[idx], rtol=1e-12)
    # a boolean mask selects the same rows
    mask = np.zeros(obj.n, dtype=bool)
    mask[idx] = True
    np.testing.assert_allclose(obj.batch_grad(theta, mask), obj.batch_grad(theta, idx), rtol=1e-12)
    # the whole data set
    assert obj.batch_loss(theta, np.arange(obj.n)) == pytest.approx(obj.loss(theta), rel=1e-12)


def test_linear_regression_closed_forms():
    obj = linreg(3)
    theta = np.array([0.5, -1.0, 2.0, 0.0])
    r = obj.X @ theta - obj.y
    assert obj.loss(theta) == pytest.approx(np.mean(r**2), rel=1e-12)
    np.testing.assert_allclose(obj.grad(theta), 2 / obj.n * obj.X.T @ r, rtol=1e-12)
    np.testing.assert_allclose(obj.hessian(), 2 / obj.n * obj.X.T @ obj.X, rtol=1e-12)
    theta_star = obj.minimizer
    np.testing.assert_allclose(obj.grad(theta_star), 0.0, atol=1e-12)
    eig = np.linalg.eigvalsh(2 / obj.n * obj.X.T @ obj.X)
    assert (obj.mu, obj.L) == (pytest.approx(eig[0]), pytest.approx(eig[-1]))
    assert obj.loss(theta_star) < obj.loss(theta_star + 0.01)


def test_logistic_loss_is_stable_for_huge_logits():
    obj = logreg(l2=0.0)
    theta = np.random.default_rng(9).standard_normal(obj.X.shape[1])
    z = obj.X @ theta
    y = obj.y
    p = 1 / (1 + np.exp(-z))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert obj.loss(theta) == pytest.approx(naive, rel=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = obj.loss(1e4 * theta)
        g = obj.grad(1e4 * theta)
    assert np.isfinite(big) and big > 0
    assert np.all(np.isfinite(g))
    # with huge logits the loss is the mean hinge-like term max(0, z) - y z for misclassified samples
    zb = obj.X @ (1e4 * theta)
    assert big == pytest.approx(np.mean(np.maximum(zb, 0) - y * zb), rel=1e-8)


def test_logistic_l2_and_predict():
    obj0, obj = logreg(l2=0.0), logreg(l2=0.5)
    theta = np.array([1.0, -2.0, 0.5, 0.0])
    assert obj.loss(theta) == pytest.approx(obj0.loss(theta) + 0.25 * theta @ theta, rel=1e-12)
    np.testing.assert_allclose(obj.grad(theta), obj0.grad(theta) + 0.5 * theta, rtol=1e-12)
    np.testing.assert_array_equal(obj.predict(theta), (obj.X @ theta > 0).astype(int))
    with pytest.raises(ValueError, match="l2"):
        LogisticRegression(obj.X, obj.y, l2=-1.0)
    with pytest.raises(ValueError, match="labels 0 and 1"):
        LogisticRegression(obj.X, obj.y + 1)


def test_softmax_values():
    obj = softmax(l2=0.0)
    theta = np.random.default_rng(4).standard_normal(obj.dim)
    W = theta.reshape(obj.X.shape[1], obj.k)
    z = obj.X @ W
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    assert obj.loss(theta) == pytest.approx(-np.mean(logp[np.arange(obj.n), obj.y]), rel=1e-12)
    np.testing.assert_array_equal(obj.predict(theta), np.argmax(z, axis=1))
    # a list is accepted like an array
    assert obj.loss(list(theta)) == pytest.approx(obj.loss(theta), rel=1e-15)
    np.testing.assert_allclose(softmax(l2=0.3).grad(list(theta)), softmax(l2=0.3).grad(theta))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(obj.loss(1e4 * theta))
        assert np.all(np.isfinite(obj.grad(1e4 * theta)))


def test_sigmoid():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), atol=1e-15)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    assert float(sigmoid(0.0)) == 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise"):
            out = sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_data_objective_shape_errors():
    X = np.ones((5, 2))
    with pytest.raises(ValueError, match="X must be a 2-D"):
        LinearRegressionMSE(np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match=r"y must have shape \(5,\)"):
        LinearRegressionMSE(X, np.ones(4))
    obj = LinearRegressionMSE(X, np.ones(5))
    with pytest.raises(ValueError, match=r"theta must have shape \(2,\)"):
        obj.loss(np.ones(3))
    with pytest.raises(ValueError, match="theta"):
        LogisticRegression(X, np.array([0, 1, 0, 1, 1])).grad(np.ones(3))
    with pytest.raises(ValueError, match=r"theta must have shape \(4,\)"):
        SoftmaxRegression(X, np.array([0, 1, 0, 1, 1])).loss(np.ones(2))


def test_linear_regression_as_quadratic_is_the_same_loss_and_evaluates_grids():
    from lessonlib.data import make_regression
    X, y, _ = make_regression(n=40, d=1, seed=3)
    mse = LinearRegressionMSE(X, y)
    quad = mse.as_quadratic()
    rng = np.random.default_rng(0)
    for theta in rng.standard_normal((5, 2)):
        assert np.isclose(quad.loss(theta), mse.loss(theta), rtol=1e-12)
        np.testing.assert_allclose(quad.grad(theta), mse.grad(theta), rtol=1e-10, atol=1e-12)
    grid = rng.standard_normal((2, 3, 4))
    expected = np.array([[mse.loss(grid[:, i, j]) for j in range(4)] for i in range(3)])
    np.testing.assert_allclose(quad.loss(grid), expected, rtol=1e-12)
    np.testing.assert_allclose(quad.minimizer, mse.minimizer, rtol=1e-10)


def test_logistic_hessian_matches_finite_differences_of_the_gradient():
    from lessonlib.gradcheck import numerical_grad
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 3))
    y = (rng.random(30) < 0.5).astype(int)
    obj = LogisticRegression(X, y, l2=0.2)
    theta = rng.standard_normal(3)
    numeric = np.array([numerical_grad(lambda th: obj.grad(th)[i], theta) for i in range(3)])
    np.testing.assert_allclose(obj.hessian(theta), numeric, rtol=1e-6, atol=1e-8)


def test_logistic_L_bounds_the_hessian_everywhere():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((50, 4))
    obj = LogisticRegression(X, (rng.random(50) < 0.5).astype(int), l2=0.1)
    top = max(np.linalg.eigvalsh(obj.hessian(th))[-1] for th in 0.1 * rng.standard_normal((20, 4)))
    assert top <= obj.L
    assert top > 0.9 * obj.L  # near theta = 0 every p(1-p) is close to 1/4, so the bound is nearly tight


def test_quadratic_with_random_eigenvectors_keeps_its_spectrum():
    eig = np.array([1.0, 3.0, 10.0, 100.0])
    f = Quadratic.from_eigenvalues(eig, seed=0, minimizer=np.arange(4.0))
    np.testing.assert_allclose(f.eigenvalues, eig, rtol=1e-10)
    np.testing.assert_allclose(f.minimizer, np.arange(4.0), rtol=1e-10, atol=1e-12)
    assert not np.allclose(f.A, np.diag(eig))
    with pytest.raises(ValueError, match="angle"):
        Quadratic.from_eigenvalues(eig, angle=0.3)


def test_noisy_gradient_is_unbiased_with_the_stated_variance_and_reproducible():
    from lessonlib.objectives import NoisyGradient
    f = Quadratic.from_eigenvalues([1.0, 4.0])
    noisy = NoisyGradient(f, sigma=0.5, seed=3)
    theta = np.array([1.0, -2.0])
    draws = np.array([noisy.grad(theta) for _ in range(20000)])
    np.testing.assert_allclose(draws.mean(axis=0), f.grad(theta), atol=0.02)
    np.testing.assert_allclose(draws.var(axis=0), 0.25, rtol=0.05)
    noisy.reset()
    first = noisy.grad(theta)
    noisy.reset()
    np.testing.assert_array_equal(noisy.grad(theta), first)
    assert noisy.L == f.L and noisy.loss(theta) == f.loss(theta)
    with pytest.raises(ValueError, match="sigma"):
        NoisyGradient(f, sigma=-1.0)


@pytest.mark.parametrize("objective, points", [
    ("Beale", [(1.0, 1.0), (-2.0, 0.3), (2.0, 0.8), (0.5, -1.5)]),
    ("Saddle", [(1.0, 1.0), (-0.5, 0.2), (0.3, -2.0)]),
])
def test_beale_and_saddle_gradients_and_minima(objective, points):
    from lessonlib import objectives
    from lessonlib.gradcheck import check_grad
    f = getattr(objectives, objective)()
    for point in points:
        assert check_grad(f.loss, f.grad, np.array(point)).ok
    assert np.allclose(f.grad(f.minimizer), 0.0, atol=1e-12)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 4), np.linspace(-1, 1, 3)))
    assert f.loss(grid).shape == (3, 4)        # vectorised over extra axes, for contour plots


def test_saddle_is_a_saddle_at_the_origin():
    from lessonlib.objectives import Saddle
    eigenvalues = np.linalg.eigvalsh(Saddle().hessian(np.zeros(2)))
    assert eigenvalues[0] < 0 < eigenvalues[1]
    assert Saddle().loss(Saddle().minimizer) == pytest.approx(-0.25)
