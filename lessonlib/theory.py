r"""Closed-form convergence results for gradient methods, to check runs against.

Most results are for the quadratic

.. math:: J(\theta) = \tfrac12 \theta^\top A \theta - b^\top\theta, \qquad
          A = Q \Lambda Q^\top, \quad 0 < \mu = \lambda_{\min} \le \lambda_i \le \lambda_{\max} = L,

where gradient descent with step :math:`\eta` moves the error
:math:`e_t = \theta_t - \theta^*` by :math:`e_{t+1} = (I - \eta A)\,e_t`: each
eigen-coordinate of the error is multiplied by :math:`1 - \eta\lambda_i` per step.
Everything else follows from that line (derivations in chapter 2; momentum in
chapter 5). :func:`descent_lemma_bound` holds for any :math:`L`-smooth function and
:func:`empirical_rate` measures a linear rate from any run.

References
----------
Y. Nesterov, *Introductory Lectures on Convex Optimization*, Springer 2004, §1.2.3 and §2.1.5.
J. Nocedal and S. Wright, *Numerical Optimization*, 2nd ed., Springer 2006, §3.3.
B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. Math. Phys., 1964.
"""

import math

import numpy as np

from ._validate import check_finite, check_int, check_interval, check_nonnegative, check_positive

__all__ = [
    "gd_contraction",
    "gd_max_stable_lr",
    "gd_stable",
    "gd_optimal_lr",
    "gd_optimal_rate",
    "gd_quadratic_iterates",
    "descent_lemma_bound",
    "iterations_to_tolerance",
    "empirical_rate",
    "envelope_rate",
    "heavy_ball_contraction",
    "heavy_ball_max_stable_lr",
    "heavy_ball_optimal",
    "momentum_matrix",
    "momentum_roots",
    "momentum_regime",
    "nesterov_contraction",
    "nesterov_max_stable_lr",
]


def _eigenvalues(eigenvalues):
    lam = np.atleast_1d(np.asarray(eigenvalues, dtype=float))
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D array, got shape {lam.shape}")
    if not np.isfinite(lam).all():
        raise ValueError("eigenvalues must be finite")
    return lam


def _mu_L(mu, L):
    check_positive("mu", mu)
    check_positive("L", L)
    if mu > L:
        raise ValueError(f"mu must be <= L (mu is the smallest eigenvalue, L the largest), got mu={mu}, L={L}")


def gd_contraction(lr, eigenvalues):
    r"""Per-step contraction of gradient descent's error on a quadratic.

    .. math:: \rho(\eta) = \max_i \lvert 1 - \eta\lambda_i \rvert
              = \max(\lvert 1 - \eta\mu\rvert, \lvert 1 - \eta L\rvert),

    so :math:`\lVert e_t\rVert \le \rho^t \lVert e_0\rVert`, with equality in the
    limit for a start that has a component along the worst eigenvector. A value
    :math:`\ge 1` means the run does not converge from every start.

    ``eigenvalues`` are the Hessian's (any sign; a negative one gives :math:`\rho > 1`).
    """
    check_nonnegative("lr", lr)
    return float(np.max(np.abs(1.0 - lr * _eigenvalues(eigenvalues))))


def gd_max_stable_lr(L):
    r"""The stability threshold :math:`2/L` of gradient descent.

    On a quadratic with largest eigenvalue :math:`L`, every start converges iff
    :math:`0 < \eta < 2/L`; at :math:`\eta = 2/L` the stiffest coordinate flips sign
    with constant amplitude, above it grows by :math:`\eta L - 1` per step. On any
    :math:`L`-smooth function, :math:`\eta < 2/L` guarantees descent (see
    :func:`descent_lemma_bound`).
    """
    check_positive("L", L)
    return 2.0 / L


def gd_stable(lr, eigenvalues):
    r"""Whether gradient descent converges from every start: :math:`\max_i\lvert 1 - \eta\lambda_i\rvert < 1`.

    For positive eigenvalues this is :math:`0 < \eta < 2/L`.
    """
    return gd_contraction(lr, eigenvalues) < 1.0


def gd_optimal_lr(mu, L):
    r"""The step minimising :func:`gd_contraction`: :math:`\eta^* = 2/(L + \mu)`.

    It balances the two ends of the spectrum, :math:`1 - \eta\mu = -(1 - \eta L)`.
    """
    _mu_L(mu, L)
    return 2.0 / (L + mu)


def gd_optimal_rate(mu, L):
    r"""The contraction at :math:`\eta^* = 2/(L+\mu)`: :math:`\rho^* = \frac{L - \mu}{L + \mu} = \frac{\kappa - 1}{\kappa + 1}`.

    Exact on quadratics; for every :math:`\mu`-strongly convex, :math:`L`-smooth
    function it bounds the error, :math:`\lVert e_t\rVert \le (\rho^*)^t\lVert e_0\rVert`
    (Nesterov 2004, Theorem 2.1.15). The loss gap contracts by :math:`(\rho^*)^2`.
    """
    _mu_L(mu, L)
    return (L - mu) / (L + mu)


def gd_quadratic_iterates(A, b, theta0, lr, steps):
    r"""All iterates :math:`\theta_0, \dots, \theta_T` of gradient descent on :math:`\tfrac12\theta^\top A\theta - b^\top\theta`, in closed form.

    .. math:: \theta_t = \theta^* + Q\,\mathrm{diag}\big((1 - \eta\lambda_i)^t\big)\,Q^\top(\theta_0 - \theta^*),
              \qquad \theta^* = A^{-1}b.

    For :math:`J = \tfrac{a}{2}\theta^2` (``A = [[a]]``, ``b = [0]``) this is
    :math:`\theta_t = (1 - \eta a)^t\theta_0`; the notes' :math:`J = \theta^2` is :math:`a = 2`.

    Returns an array of shape ``(steps + 1, d)``.
    """
    A = np.atleast_2d(np.asarray(A, dtype=float))
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
        raise ValueError(f"A must be a symmetric square matrix, got shape {A.shape}")
    d = A.shape[0]
    b = np.zeros(d) if b is None else np.asarray(b, dtype=float).reshape(-1)
    theta0 = np.asarray(theta0, dtype=float).reshape(-1)
    if b.shape != (d,) or theta0.shape != (d,):
        raise ValueError(f"b and theta0 must have {d} entries, got shapes {b.shape} and {theta0.shape}")
    check_nonnegative("lr", lr)
    check_int("steps", steps, 0)
    lam, Q = np.linalg.eigh(A)
    if np.any(lam == 0):
        raise ValueError("A is singular: the quadratic has no unique minimiser")
    theta_star = np.linalg.solve(A, b)
    z0 = Q.T @ (theta0 - theta_star)
    factors = (1.0 - lr * lam)[None, :] ** np.arange(steps + 1)[:, None]
    return theta_star + (factors * z0) @ Q.T


def descent_lemma_bound(loss, grad_norm, lr, L):
    r"""The descent lemma's upper bound on the loss after one gradient step.

    For an :math:`L`-smooth :math:`J` and :math:`g = \nabla J(\theta)`,

    .. math:: J(\theta - \eta g) \le J(\theta) - \eta\big(1 - \tfrac{L\eta}{2}\big)\lVert g\rVert^2 .

    The guaranteed decrease is positive for :math:`0 < \eta < 2/L` and largest,
    :math:`\lVert g\rVert^2/(2L)`, at :math:`\eta = 1/L` (Nesterov 2004, §1.2.3).
    """
    check_finite("loss", loss)
    check_nonnegative("grad_norm", grad_norm)
    check_positive("lr", lr)
    check_positive("L", L)
    return loss - lr * (1.0 - 0.5 * L * lr) * grad_norm**2


def iterations_to_tolerance(rate, tol):
    r"""Smallest :math:`T` with :math:`\rho^T \le \varepsilon`: :math:`\lceil \ln(1/\varepsilon) / \ln(1/\rho)\rceil`.

    At the optimal gradient-descent rate :math:`\rho^* = (\kappa-1)/(\kappa+1)`,
    :math:`\ln(1/\rho^*) = 2/\kappa + O(\kappa^{-3})`, so :math:`T \approx \tfrac{\kappa}{2}\ln(1/\varepsilon)`.
    """
    check_interval("rate", rate, 0.0, 1.0, "[)")
    check_interval("tol", tol, 0.0, 1.0, "()")
    if rate == 0:
        return 1
    T = math.log(tol) / math.log(rate)
    # Guard against a ratio like 9.999999999999998 that is 10 in exact arithmetic.
    return max(1, math.ceil(T - 1e-9 * T))


def empirical_rate(errors, tail=None):
    r"""A linear rate measured from a run: the geometric mean of :math:`e_{t+1}/e_t` over the tail.

    .. math:: \hat\rho = \Big(\frac{e_T}{e_{T-k}}\Big)^{1/k}

    with :math:`k` = ``tail`` (default: the last half of the sequence). ``errors``
    are positive numbers such as :math:`\lVert\theta_t - \theta^*\rVert` or
    :math:`J(\theta_t) - J^*`. Stop the run before the errors reach rounding
    level (about 1e-16 relative), or the measurement reads rounding noise.
    """
    e = np.asarray(errors, dtype=float).reshape(-1)
    if e.size < 2:
        raise ValueError(f"errors needs at least 2 values, got {e.size}")
    k = e.size // 2 if tail is None else tail
    check_int("tail", k, 1)
    if k > e.size - 1:
        raise ValueError(f"tail must be at most len(errors) - 1 = {e.size - 1}, got {k}")
    first, last = e[-k - 1], e[-1]
    if not (np.isfinite(first) and np.isfinite(last) and first > 0 and last > 0):
        raise ValueError(f"errors must be finite and > 0 over the tail, got {first:g} ... {last:g}")
    return float(np.exp((np.log(last) - np.log(first)) / k))


def envelope_rate(errors, window, span):
    r"""A linear rate measured from an oscillating run: compare the peaks of two windows.

    .. math:: \hat\rho = \Big(\frac{\max_{T-w < t \le T} e_t}{\max_{T-s-w < t \le T-s} e_t}\Big)^{1/s}

    with :math:`w` = ``window`` and :math:`s` = ``span``. A run with complex roots
    :math:`\rho e^{\pm i\omega}` has :math:`e_t = \rho^t\lvert c\cos(\omega t + \varphi)\rvert`,
    whose step-to-step ratio swings wildly (:func:`empirical_rate` then reads the
    phase); the peak of a window longer than the half-period :math:`\pi/\omega` is
    :math:`\rho^t\lvert c\rvert` to first order, so the ratio of peaks is :math:`\rho^s`.
    ``errors`` must be positive and finite over both windows.
    """
    e = np.abs(np.asarray(errors, dtype=float).reshape(-1))
    check_int("window", window, 1)
    check_int("span", span, 1)
    if window + span > e.size:
        raise ValueError(f"window + span must be at most len(errors) = {e.size}, got {window} + {span}")
    last, first = e[e.size - window:].max(), e[e.size - window - span:e.size - span].max()
    if not (np.isfinite(first) and np.isfinite(last) and first > 0 and last > 0):
        raise ValueError(f"errors must be finite and > 0 in both windows, got peaks {first:g} and {last:g}")
    return float(np.exp((np.log(last) - np.log(first)) / span))


def heavy_ball_contraction(lr, beta, eigenvalues):
    r"""Asymptotic per-step contraction of heavy-ball momentum on a quadratic.

    Heavy ball, :math:`\theta_{t+1} = \theta_t - \eta\nabla J(\theta_t) + \beta(\theta_t - \theta_{t-1})`
    (``SGD(lr, momentum=beta)`` in :mod:`lessonlib.optim`), acts on each
    eigen-coordinate through the matrix :math:`\begin{pmatrix} 1 + \beta - \eta\lambda & -\beta \\ 1 & 0\end{pmatrix}`,
    whose eigenvalues solve :math:`z^2 - (1 + \beta - \eta\lambda)z + \beta = 0`.
    The contraction is the largest root modulus over the spectrum,

    .. math:: \rho = \max_i \max\lvert z_{\pm}(\lambda_i)\rvert, \qquad
              z_\pm = \tfrac12\big(1 + \beta - \eta\lambda \pm \sqrt{(1 + \beta - \eta\lambda)^2 - 4\beta}\big),

    equal to :math:`\sqrt\beta` when the roots are complex. With :math:`\beta = 0` it
    is :func:`gd_contraction`. Near a double root (:math:`(1 + \beta - \eta\lambda)^2 = 4\beta`,
    as at :func:`heavy_ball_optimal`) rounding of 1e-16 in the inputs moves the result
    by about 1e-8.
    """
    check_nonnegative("lr", lr)
    check_interval("beta", beta, 0.0, 1.0, "[)")
    a = 1.0 + beta - lr * _eigenvalues(eigenvalues)
    disc = a * a - 4.0 * beta
    root = np.sqrt(np.abs(disc))
    real_roots = np.maximum(np.abs(a + root), np.abs(a - root)) / 2.0
    return float(np.max(np.where(disc >= 0, real_roots, math.sqrt(beta))))


def heavy_ball_max_stable_lr(L, beta):
    r"""Heavy ball converges on every quadratic with :math:`\lambda \in (0, L]` iff :math:`0 < \eta < 2(1 + \beta)/L`."""
    check_positive("L", L)
    check_interval("beta", beta, 0.0, 1.0, "[)")
    return 2.0 * (1.0 + beta) / L


def heavy_ball_optimal(mu, L):
    r"""Polyak's optimal heavy-ball parameters for eigenvalues in :math:`[\mu, L]`.

    .. math:: \eta^* = \frac{4}{(\sqrt L + \sqrt\mu)^2}, \qquad
              \beta^* = \Big(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Big)^2, \qquad
              \rho^* = \sqrt{\beta^*} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}.

    Returns ``(lr, beta, rate)`` (Polyak 1964).
    """
    _mu_L(mu, L)
    sq_mu, sq_L = math.sqrt(mu), math.sqrt(L)
    rate = (sq_L - sq_mu) / (sq_L + sq_mu)
    return 4.0 / (sq_L + sq_mu) ** 2, rate**2, rate


def momentum_matrix(lr, beta, lam, nesterov=False):
    r"""The 2×2 matrix that advances one eigen-coordinate of momentum on a quadratic.

    In ``SGD(lr, momentum=beta)``'s form, with :math:`z` the error's eigen-coordinate
    along eigenvalue :math:`\lambda` and :math:`b` the buffer's, one step is
    :math:`(z_{t+1}, b_{t+1})^\top = M\,(z_t, b_t)^\top` with

    .. math:: M_{\mathrm{HB}} = \begin{pmatrix} 1 - \eta\lambda & -\eta\beta \\ \lambda & \beta \end{pmatrix},
              \qquad
              M_{\mathrm{N}} = \begin{pmatrix} 1 - \eta\lambda(1+\beta) & -\eta\beta^2 \\ \lambda & \beta \end{pmatrix}.

    Heavy ball: trace :math:`1 + \beta - \eta\lambda`, determinant :math:`\beta`;
    Nesterov: trace :math:`(1+\beta)(1-\eta\lambda)`, determinant :math:`\beta(1-\eta\lambda)`.
    """
    check_nonnegative("lr", lr)
    check_interval("beta", beta, 0.0, 1.0, "[]")
    check_finite("lam", lam)
    h = lr * lam
    if nesterov:
        return np.array([[1.0 - h * (1.0 + beta), -lr * beta**2], [lam, beta]])
    return np.array([[1.0 - h, -lr * beta], [lam, beta]])


def momentum_roots(lr, beta, lam, nesterov=False):
    r"""The two eigenvalues of :func:`momentum_matrix`, largest modulus first (complex array).

    They solve :math:`\zeta^2 - (1 + \beta - \eta\lambda)\zeta + \beta = 0` for heavy ball and
    :math:`\zeta^2 - (1+\beta)(1 - \eta\lambda)\zeta + \beta(1 - \eta\lambda) = 0` for Nesterov.
    The eigen-coordinate's error shrinks like :math:`\max\lvert \zeta\rvert^t`.
    """
    check_nonnegative("lr", lr)
    check_interval("beta", beta, 0.0, 1.0, "[]")
    check_finite("lam", lam)
    h = lr * lam
    trace, det = ((1 + beta) * (1 - h), beta * (1 - h)) if nesterov else (1 + beta - h, beta)
    root = np.sqrt(complex(trace * trace - 4 * det))
    z = np.array([(trace + root) / 2, (trace - root) / 2])
    return z[np.argsort(-np.abs(z), kind="stable")]


def momentum_regime(lr, beta, lam, rtol=1e-9):
    r"""How heavy ball moves one eigen-coordinate: read off the roots of its matrix.

    In terms of the product :math:`\eta\lambda` (the discriminant of the characteristic
    polynomial is :math:`(1 + \beta - \eta\lambda)^2 - 4\beta`):

    - ``"unstable"``: :math:`\eta\lambda \le 0` or :math:`\eta\lambda \ge 2 + 2\beta` (a root on or outside the unit circle);
    - ``"over-damped"``: :math:`\eta\lambda < (1 - \sqrt\beta)^2`, two positive real roots: a slow monotone creep;
    - ``"critically damped"``: :math:`\eta\lambda = (1 \mp \sqrt\beta)^2`, a double root :math:`\pm\sqrt\beta`;
    - ``"oscillating"``: :math:`(1-\sqrt\beta)^2 < \eta\lambda < (1+\sqrt\beta)^2`, complex roots of modulus :math:`\sqrt\beta`;
    - ``"flipping"``: :math:`(1+\sqrt\beta)^2 < \eta\lambda < 2 + 2\beta`, two negative real roots: the sign alternates.

    ``rtol`` is the relative width around :math:`\eta\lambda = (1 \mp \sqrt\beta)^2` counted as critical.
    """
    check_nonnegative("lr", lr)
    check_interval("beta", beta, 0.0, 1.0, "[)")
    check_finite("lam", lam)
    h = lr * lam
    if h <= 0 or h >= 2 + 2 * beta:
        return "unstable"
    low, high = (1 - math.sqrt(beta)) ** 2, (1 + math.sqrt(beta)) ** 2
    if abs(h - low) <= rtol * high or abs(h - high) <= rtol * high:
        return "critically damped"
    if h < low:
        return "over-damped"
    return "oscillating" if h < high else "flipping"


def nesterov_contraction(lr, beta, eigenvalues):
    r"""Asymptotic per-step contraction of Nesterov momentum (``SGD(lr, beta, nesterov=True)``) on a quadratic.

    The largest root modulus of :math:`\zeta^2 - (1+\beta)(1-\eta\lambda)\zeta + \beta(1-\eta\lambda) = 0`
    over the spectrum (see :func:`momentum_roots`). With :math:`\beta = 0` it is
    :func:`gd_contraction`.
    """
    check_nonnegative("lr", lr)
    check_interval("beta", beta, 0.0, 1.0, "[)")
    return float(max(np.abs(momentum_roots(lr, beta, lam, nesterov=True)[0])
                     for lam in _eigenvalues(eigenvalues)))


def nesterov_max_stable_lr(L, beta):
    r"""Nesterov momentum converges for every :math:`\lambda \in (0, L]` iff :math:`0 < \eta < \frac{2(1+\beta)}{(1+2\beta)L}`.

    From the root conditions :math:`p(1) = \eta\lambda > 0` and
    :math:`p(-1) = 1 + (1 + 2\beta)(1 - \eta\lambda) > 0` of its characteristic polynomial.
    Narrower than heavy ball's :math:`2(1+\beta)/L` (:func:`heavy_ball_max_stable_lr`):
    at :math:`\beta = 0.9`, :math:`1.36/L` against :math:`3.8/L`.
    """
    check_positive("L", L)
    check_interval("beta", beta, 0.0, 1.0, "[)")
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * L)
