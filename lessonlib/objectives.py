r"""Loss functions with analytic gradients.

Every objective has ``loss(theta)`` and ``grad(theta)``. The two-dimensional test
functions (:class:`Quadratic` in 2-D, :class:`Rosenbrock`) also accept a stack of
points with the coordinates along axis 0, so ``loss(np.stack([X, Y]))`` evaluates a
whole grid at once for contour plots.

Objectives built on data (:class:`LinearRegressionMSE`, :class:`LogisticRegression`,
:class:`SoftmaxRegression`) are averages of per-sample losses,

.. math:: J(\theta) = \frac{1}{n}\sum_{i=1}^{n} J_i(\theta),
          \qquad \nabla J(\theta) = \frac{1}{n}\sum_{i=1}^{n} \nabla J_i(\theta),

and so also offer ``per_sample_grads(theta)`` (one row per sample),
``batch_loss(theta, idx)`` and ``batch_grad(theta, idx)`` (the average over the
samples ``idx``), which is what stochastic and mini-batch methods use.
"""

import numpy as np



def check_shape(name, value, shape):
    """Return ``value`` as a float array, or explain which shape was expected."""
    value = np.asarray(value, dtype=float)
    if value.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {value.shape}")
    return value

__all__ = [
    "Square",
    "NonConvex1D",
    "Quadratic",
    "Rosenbrock",
    "Beale",
    "Saddle",
    "LinearRegressionMSE",
    "LogisticRegression",
    "SoftmaxRegression",
    "NoisyGradient",
    "Recurrence",
    "sigmoid",
]


def _as_float_array(theta):
    return np.asarray(theta, dtype=float)


class Square:
    r"""The one-dimensional example of the notes: :math:`J(\theta) = \theta^2`.

    Like :class:`NonConvex1D` it works elementwise, so ``loss`` of a grid of
    points gives the curve, and ``loss`` of a one-element ``theta`` a one-element array.

    Gradient :math:`J'(\theta) = 2\theta`; smooth with :math:`L = 2` and strongly
    convex with :math:`\mu = 2`. Gradient descent with step ``lr`` multiplies
    :math:`\theta` by :math:`1 - 2\,\mathrm{lr}` each step.
    """

    mu = 2.0
    L = 2.0
    minimizer = 0.0

    def loss(self, theta):
        return _as_float_array(theta) ** 2

    def grad(self, theta):
        return 2.0 * _as_float_array(theta)

    def __repr__(self):
        return "Square()  # J(theta) = theta**2"


class NonConvex1D:
    r"""A tilted double well: :math:`J(\theta) = \theta^4 - 3\theta^2 + \theta`.

    :math:`J'(\theta) = 4\theta^3 - 6\theta + 1` has three roots: a global minimum
    near :math:`-1.30`, a local maximum near :math:`0.17` and a local minimum near
    :math:`1.13`. Which minimum gradient descent finds depends on where it starts.
    """

    def loss(self, theta):
        theta = _as_float_array(theta)
        return theta**4 - 3.0 * theta**2 + theta

    def grad(self, theta):
        theta = _as_float_array(theta)
        return 4.0 * theta**3 - 6.0 * theta + 1.0

    def stationary_points(self):
        """The three roots of :math:`J'`, sorted: (global min, local max, local min)."""
        return np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)

    def __repr__(self):
        return "NonConvex1D()  # J(theta) = theta**4 - 3*theta**2 + theta"


class Quadratic:
    r"""A quadratic :math:`J(\theta) = \tfrac12 \theta^\top A \theta - b^\top \theta + c`.

    With :math:`A` symmetric positive definite, :math:`\nabla J = A\theta - b`,
    the Hessian is :math:`A`, the minimiser is :math:`\theta^* = A^{-1} b`, and the
    smoothness and strong-convexity constants are the extreme eigenvalues
    :math:`L = \lambda_{\max}(A)`, :math:`\mu = \lambda_{\min}(A)`, with condition
    number :math:`\kappa = L/\mu`.

    Parameters
    ----------
    A : array (d, d)
        Symmetric matrix (the Hessian).
    b : array (d,), optional
        Linear term, default zero (minimiser at the origin).
    c : float, optional
        Constant term, default 0.
    """

    def __init__(self, A, b=None, c=0.0):
        A = np.atleast_2d(np.asarray(A, dtype=float))
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square matrix, got shape {A.shape}")
        if not np.allclose(A, A.T):
            raise ValueError("A must be symmetric: a quadratic form only sees (A + A.T)/2; pass that")
        self.A = A
        self.b = np.zeros(A.shape[0]) if b is None else np.asarray(b, dtype=float)
        check_shape("b", self.b, (A.shape[0],))
        self.c = float(c)
        self.eigenvalues = np.linalg.eigvalsh(A)

    @classmethod
    def from_eigenvalues(cls, eigenvalues, angle=0.0, minimizer=None, seed=None):
        """A quadratic with the given Hessian eigenvalues.

        In 2-D, ``angle`` (radians) rotates the eigenvectors away from the axes; in any
        dimension, ``seed`` draws random orthonormal eigenvectors (QR of a Gaussian
        matrix). ``minimizer`` places the minimum (default the origin).
        """
        eigenvalues = np.asarray(eigenvalues, dtype=float)
        d = eigenvalues.size
        if angle and d != 2:
            raise ValueError(f"angle only applies in 2-D, got {d} eigenvalues; use seed= for random eigenvectors")
        if angle and seed is not None:
            raise ValueError("pass angle or seed, not both")
        Q = np.eye(d)
        if seed is not None:
            Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
        if angle:
            cos, sin = np.cos(angle), np.sin(angle)
            Q = np.array([[cos, -sin], [sin, cos]])
        A = (Q * eigenvalues) @ Q.T
        A = (A + A.T) / 2
        b = None if minimizer is None else A @ np.asarray(minimizer, dtype=float)
        return cls(A, b)

    @property
    def dim(self):
        return self.A.shape[0]

    @property
    def L(self):
        """Largest Hessian eigenvalue: the smoothness constant."""
        return float(self.eigenvalues[-1])

    @property
    def mu(self):
        """Smallest Hessian eigenvalue: the strong-convexity constant (if > 0)."""
        return float(self.eigenvalues[0])

    @property
    def kappa(self):
        """Condition number L / mu."""
        return self.L / self.mu

    @property
    def minimizer(self):
        return np.linalg.solve(self.A, self.b)

    @property
    def min_value(self):
        return float(self.loss(self.minimizer))

    def hessian(self, theta=None):
        return self.A.copy()

    def loss(self, theta):
        theta = _as_float_array(theta)
        if theta.shape[:1] != (self.dim,):
            raise ValueError(f"theta must have {self.dim} coordinates along axis 0, got shape {theta.shape}")
        quad = np.einsum("i...,ij,j...->...", theta, self.A, theta)
        return 0.5 * quad - np.einsum("i,i...->...", self.b, theta) + self.c

    def grad(self, theta):
        theta = _as_float_array(theta)
        if theta.shape[:1] != (self.dim,):
            raise ValueError(f"theta must have {self.dim} coordinates along axis 0, got shape {theta.shape}")
        return np.tensordot(self.A, theta, axes=1) - self.b.reshape((-1,) + (1,) * (theta.ndim - 1))

    def __repr__(self):
        eig = ", ".join(f"{e:.4g}" for e in self.eigenvalues)
        return f"Quadratic(d={self.dim}, eigenvalues=[{eig}])"


class Rosenbrock:
    r"""Rosenbrock's banana :math:`J(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Gradient :math:`\big(-2(a - x) - 4b\,x\,(y - x^2),\; 2b\,(y - x^2)\big)`;
    minimum 0 at :math:`(a, a^2)`, at the end of a long curved valley.
    Defaults :math:`a = 1`, :math:`b = 100` (Rosenbrock 1960).
    """

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = float(a), float(b)

    @property
    def minimizer(self):
        return np.array([self.a, self.a**2])

    def _xy(self, theta):
        theta = _as_float_array(theta)
        if theta.shape[:1] != (2,):
            raise ValueError(f"theta must have 2 coordinates along axis 0, got shape {theta.shape}")
        return theta

    def loss(self, theta):
        x, y = self._xy(theta)
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, theta):
        x, y = self._xy(theta)
        return np.stack([-2.0 * (self.a - x) - 4.0 * self.b * x * (y - x**2), 2.0 * self.b * (y - x**2)])

    def hessian(self, theta):
        x, y = self._xy(theta)
        return np.array([[2.0 - 4.0 * self.b * (y - 3.0 * x**2), -4.0 * self.b * x], [-4.0 * self.b * x, 2.0 * self.b]])

    def __repr__(self):
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"


def _two_coordinates(theta):
    theta = _as_float_array(theta)
    if theta.shape[:1] != (2,):
        raise ValueError(f"theta must have 2 coordinates along axis 0, got shape {theta.shape}")
    return theta


class Beale:
    r"""Beale's function :math:`J(x, y) = \sum_{k=1}^{3} (c_k - x + x y^k)^2`, :math:`c = (1.5, 2.25, 2.625)`.

    With :math:`r_k = c_k - x + x y^k` the gradient is
    :math:`\big(2\sum_k r_k (y^k - 1),\; 2\sum_k r_k\, k\, x\, y^{k-1}\big)`; minimum 0 at
    :math:`(3, 0.5)`, in a flat, curved valley between steep walls. Like
    :class:`Rosenbrock`, ``theta`` may carry extra axes after the first (for contour plots).
    """
    C = (1.5, 2.25, 2.625)
    minimizer = np.array([3.0, 0.5])

    def _residuals(self, theta):
        x, y = _two_coordinates(theta)
        return x, y, [c - x + x * y**k for k, c in enumerate(self.C, start=1)]

    def loss(self, theta):
        _, _, r = self._residuals(theta)
        return sum(rk**2 for rk in r)

    def grad(self, theta):
        x, y, r = self._residuals(theta)
        return np.stack([sum(2 * rk * (y**k - 1) for k, rk in enumerate(r, start=1)),
                         sum(2 * rk * k * x * y ** (k - 1) for k, rk in enumerate(r, start=1))])

    def __repr__(self):
        return "Beale()"


class Saddle:
    r"""A saddle between two minima: :math:`J(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2`.

    Gradient :math:`(2x,\; y^3 - y)`. The origin is a saddle point (Hessian
    :math:`\mathrm{diag}(2, -1)`: a valley along :math:`x`, a ridge along :math:`y`); the
    minima are :math:`(0, \pm 1)` with :math:`J = -\tfrac14`. Started near the ridge, a
    method must first notice the small slope that leads off it.
    """
    minimizer = np.array([0.0, 1.0])

    def loss(self, theta):
        x, y = _two_coordinates(theta)
        return x**2 + 0.25 * y**4 - 0.5 * y**2

    def grad(self, theta):
        x, y = _two_coordinates(theta)
        return np.stack([2.0 * x, y**3 - y])

    def hessian(self, theta):
        x, y = _two_coordinates(theta)
        return np.array([[2.0, 0.0], [0.0, 3.0 * y**2 - 1.0]])

    def __repr__(self):
        return "Saddle()"


class Recurrence:
    r"""A gradient that explodes and vanishes: a linear recurrence run for ``depth`` steps.

    :math:`h_0 = 1`, :math:`h_k = w\,h_{k-1}`, so :math:`h_D = w^D`, and the loss is
    :math:`J(w) = \tfrac12 (w^D - y)^2` with ``target`` :math:`y`: the smallest model of a
    recurrent network (or a deep linear network with one tied weight). By the chain rule

    .. math:: J'(w) = D\, w^{D-1}\, (w^D - y),

    a product of :math:`D - 1` factors :math:`w`: for :math:`|w| > 1` it explodes like
    :math:`|w|^{2D}`, for :math:`|w| < 1` it vanishes like :math:`|w|^{D-1}`. The minimum
    :math:`w^* = y^{1/D}` (for :math:`y > 0`) has curvature :math:`J''(w^*) = D^2 y^{2 - 2/D}`
    (``L_at_minimum``). ``theta`` has one coordinate along axis 0 (extra axes are
    evaluated elementwise, e.g. one column per learning rate).
    """

    def __init__(self, depth=20, target=1.0):
        if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
            raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
        if not target > 0:
            raise ValueError(f"target must be > 0 (the minimum is then w = target**(1/depth)), got {target}")
        self.depth, self.target = int(depth), float(target)

    @property
    def minimizer(self):
        return np.array([self.target ** (1.0 / self.depth)])

    @property
    def L_at_minimum(self):
        """Curvature :math:`J''(w^*) = D^2 y^{2 - 2/D}` at the minimum."""
        return self.depth**2 * self.target ** (2.0 - 2.0 / self.depth)

    def _w(self, theta):
        theta = _as_float_array(theta)
        if theta.shape[:1] != (1,):
            raise ValueError(f"theta must have 1 coordinate along axis 0 (the weight w), got shape {theta.shape}")
        return theta[0]

    def loss(self, theta):
        return 0.5 * (self._w(theta) ** self.depth - self.target) ** 2

    def grad(self, theta):
        w = self._w(theta)
        D = self.depth
        return (D * w ** (D - 1) * (w**D - self.target))[None]

    def __repr__(self):
        return f"Recurrence(depth={self.depth}, target={self.target})  # J(w) = (w**{self.depth} - {self.target})**2 / 2"


class _DataObjective:
    """Shared plumbing for losses that average over the rows of ``X``."""

    def __init__(self, X, y):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (n samples, d features), got shape {X.shape}")
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X's {X.shape[0]} rows, got {y.shape}")
        self.X, self.y = X, y

    @property
    def n(self):
        """Number of samples."""
        return self.X.shape[0]

    def loss(self, theta):
        return self.batch_loss(theta, slice(None))

    def grad(self, theta):
        return self.batch_grad(theta, slice(None))

    def batch_grad(self, theta, idx):
        """Average gradient over the samples ``idx`` (indices, a mask or a slice)."""
        return self.per_sample_grads(theta, idx).mean(axis=0)


class LinearRegressionMSE(_DataObjective):
    r"""Mean squared error of a linear model, :math:`J(\theta) = \frac1n \sum_i (x_i^\top\theta - y_i)^2`.

    Per sample :math:`J_i = r_i^2` with residual :math:`r_i = x_i^\top\theta - y_i`,
    so :math:`\nabla J_i = 2 r_i x_i` and :math:`\nabla J = \frac{2}{n} X^\top r`.
    The Hessian is the constant :math:`\frac{2}{n}X^\top X`. Put a column of ones in
    ``X`` for a bias (see :func:`lessonlib.data.make_regression`).
    """

    def batch_loss(self, theta, idx):
        X, y = self.X[idx], self.y[idx]
        r = X @ check_shape("theta", theta, (self.X.shape[1],)) - y
        return float(np.mean(r**2))

    def per_sample_grads(self, theta, idx=slice(None)):
        X, y = self.X[idx], self.y[idx]
        r = X @ check_shape("theta", theta, (self.X.shape[1],)) - y
        return 2.0 * r[:, None] * X

    def batch_grad(self, theta, idx):
        X, y = self.X[idx], self.y[idx]
        r = X @ check_shape("theta", theta, (self.X.shape[1],)) - y
        return (2.0 / X.shape[0]) * (X.T @ r)

    def hessian(self, theta=None):
        return (2.0 / self.n) * (self.X.T @ self.X)

    def as_quadratic(self):
        r"""The same loss as a :class:`Quadratic`, to evaluate it on a grid (e.g. for contours).

        Expanding :math:`\frac1n\lVert X\theta - y\rVert^2` gives
        :math:`\tfrac12\theta^\top(\tfrac2n X^\top X)\theta - (\tfrac2n X^\top y)^\top\theta + \tfrac1n y^\top y`.
        """
        n = self.n
        return Quadratic((2.0 / n) * (self.X.T @ self.X), (2.0 / n) * (self.X.T @ self.y), self.y @ self.y / n)

    @property
    def minimizer(self):
        """The least-squares solution."""
        return np.linalg.lstsq(self.X, self.y.astype(float), rcond=None)[0]

    @property
    def L(self):
        return float(np.linalg.eigvalsh(self.hessian())[-1])

    @property
    def mu(self):
        return float(np.linalg.eigvalsh(self.hessian())[0])

    def __repr__(self):
        return f"LinearRegressionMSE(n={self.n}, d={self.X.shape[1]})"


def sigmoid(z):
    r"""The logistic function :math:`\sigma(z) = 1/(1+e^{-z})`, without overflow."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


class LogisticRegression(_DataObjective):
    r"""Binary cross-entropy of a logistic model, labels :math:`y_i \in \{0, 1\}`.

    With :math:`p_i = \sigma(x_i^\top\theta)`,

    .. math:: J(\theta) = -\frac1n\sum_i \big[y_i \log p_i + (1-y_i)\log(1-p_i)\big]
              + \frac{\lambda_{\mathrm{wd}}}{2}\lVert\theta\rVert^2,

    and since :math:`\sigma' = \sigma(1-\sigma)` the gradient is
    :math:`\nabla J_i = (p_i - y_i)\,x_i + \lambda_{\mathrm{wd}}\theta`. The loss is evaluated as
    :math:`\log(1+e^{z}) - y z` with a stable softplus, so large logits do not overflow.
    The argument ``l2`` is the penalty's coefficient :math:`\lambda_{\mathrm{wd}} \ge 0`: its
    gradient :math:`\lambda_{\mathrm{wd}}\theta` is what an optimizer's ``weight_decay`` adds.
    """

    def __init__(self, X, y, l2=0.0):
        super().__init__(X, y)
        if not np.isin(self.y, (0, 1)).all():
            raise ValueError("y must contain only the labels 0 and 1")
        if l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {l2}")
        self.l2 = float(l2)

    def batch_loss(self, theta, idx):
        theta = check_shape("theta", theta, (self.X.shape[1],))
        z = self.X[idx] @ theta
        softplus = np.logaddexp(0.0, z)
        return float(np.mean(softplus - self.y[idx] * z) + 0.5 * self.l2 * theta @ theta)

    def per_sample_grads(self, theta, idx=slice(None)):
        theta = check_shape("theta", theta, (self.X.shape[1],))
        X = self.X[idx]
        p = sigmoid(X @ theta)
        return (p - self.y[idx])[:, None] * X + self.l2 * theta

    def batch_grad(self, theta, idx):
        theta = check_shape("theta", theta, (self.X.shape[1],))
        X = self.X[idx]
        p = sigmoid(X @ theta)
        return X.T @ (p - self.y[idx]) / X.shape[0] + self.l2 * theta

    @property
    def L(self):
        r"""A smoothness constant: :math:`\lambda_{\max}(X^\top X)/(4n) + \lambda_{\mathrm{wd}}`, since :math:`p(1-p) \le 1/4`."""
        return float(np.linalg.eigvalsh(self.X.T @ self.X)[-1] / (4 * self.n) + self.l2)

    def hessian(self, theta):
        r"""Hessian :math:`\frac1n X^\top \mathrm{diag}(p_i(1-p_i)) X + \lambda_{\mathrm{wd}} I`."""
        theta = check_shape("theta", theta, (self.X.shape[1],))
        p = sigmoid(self.X @ theta)
        return (self.X.T * (p * (1.0 - p))) @ self.X / self.n + self.l2 * np.eye(self.X.shape[1])

    def predict(self, theta, X=None):
        """Predicted labels (0 or 1) for the rows of ``X`` (default: the training data)."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        return (X @ theta > 0).astype(int)

    def __repr__(self):
        return f"LogisticRegression(n={self.n}, d={self.X.shape[1]}, l2={self.l2:g})"


class SoftmaxRegression(_DataObjective):
    r"""Multinomial logistic regression (softmax + cross-entropy), labels ``0..k-1``.

    ``theta`` is the flattened weight matrix :math:`W` of shape ``(d, k)``. With
    logits :math:`z_i = W^\top x_i` and :math:`p_i = \mathrm{softmax}(z_i)`,

    .. math:: J(W) = -\frac1n\sum_i \log p_{i, y_i} + \frac{\lambda_{\mathrm{wd}}}{2}\lVert W\rVert^2,
              \qquad \nabla_W J_i = x_i\,(p_i - e_{y_i})^\top + \lambda_{\mathrm{wd}} W,

    with :math:`\lambda_{\mathrm{wd}} \ge 0` the argument ``l2``.
    """

    def __init__(self, X, y, n_classes=None, l2=0.0):
        super().__init__(X, y)
        self.y = self.y.astype(int)
        self.k = int(self.y.max()) + 1 if n_classes is None else int(n_classes)
        if l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {l2}")
        self.l2 = float(l2)

    @property
    def dim(self):
        return self.X.shape[1] * self.k

    def _probs(self, W, X):
        z = X @ W
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True), z

    def _W(self, theta):
        return check_shape("theta", theta, (self.dim,)).reshape(self.X.shape[1], self.k)

    def batch_loss(self, theta, idx):
        W = self._W(theta)
        theta = W.ravel()
        X, y = self.X[idx], self.y[idx]
        z = X @ W
        logsumexp = np.logaddexp.reduce(z, axis=1)
        return float(np.mean(logsumexp - z[np.arange(len(y)), y]) + 0.5 * self.l2 * theta @ theta)

    def per_sample_grads(self, theta, idx=slice(None)):
        W = self._W(theta)
        theta = W.ravel()
        X, y = self.X[idx], self.y[idx]
        p, _ = self._probs(W, X)
        p[np.arange(len(y)), y] -= 1.0
        return np.einsum("nd,nk->ndk", X, p).reshape(len(y), -1) + self.l2 * theta

    def batch_grad(self, theta, idx):
        W = self._W(theta)
        theta = W.ravel()
        X, y = self.X[idx], self.y[idx]
        p, _ = self._probs(W, X)
        p[np.arange(len(y)), y] -= 1.0
        return (X.T @ p).ravel() / len(y) + self.l2 * theta

    def predict(self, theta, X=None):
        """Predicted class of each row of ``X`` (default: the training data)."""
        X = self.X if X is None else np.asarray(X, dtype=float)
        return np.argmax(X @ self._W(theta), axis=1)

    def __repr__(self):
        return f"SoftmaxRegression(n={self.n}, d={self.X.shape[1]}, classes={self.k}, l2={self.l2:g})"


class NoisyGradient:
    r"""An objective whose gradient comes with additive Gaussian noise.

    ``grad(theta)`` returns :math:`\nabla J(\theta) + \sigma\,\xi`, with
    :math:`\xi \sim N(0, I)` drawn fresh at every call from a generator seeded with
    ``seed``: an unbiased gradient estimate with covariance :math:`\sigma^2 I`, the
    textbook model of a stochastic gradient (``sigma`` may also be an array: one
    standard deviation per coordinate, covariance :math:`\mathrm{diag}(\sigma^2)`). ``loss`` is the exact loss. Everything
    else (``mu``, ``L``, ``minimizer``, ...) is the wrapped objective's.
    """

    def __init__(self, objective, sigma, seed=0):
        sigma = np.asarray(sigma, dtype=float)
        if np.any(sigma < 0):
            raise ValueError(f"sigma must be >= 0, got {sigma}")
        # a scalar, or one standard deviation per coordinate (covariance diag(sigma**2))
        self.objective, self.sigma, self.seed = objective, (float(sigma) if sigma.ndim == 0 else sigma), seed
        self.rng = np.random.default_rng(seed)

    def reset(self, seed=None):
        """Restart the noise sequence (from ``seed``, default the original seed)."""
        self.rng = np.random.default_rng(self.seed if seed is None else seed)

    def loss(self, theta):
        return self.objective.loss(theta)

    def grad(self, theta):
        g = np.asarray(self.objective.grad(theta), dtype=float)
        return g + self.sigma * self.rng.standard_normal(g.shape)

    def __getattr__(self, name):
        return getattr(self.__dict__["objective"], name)

    def __repr__(self):
        sigma = f"{self.sigma:g}" if np.ndim(self.sigma) == 0 else np.array2string(self.sigma, separator=", ")
        return f"NoisyGradient({self.objective!r}, sigma={sigma})"
