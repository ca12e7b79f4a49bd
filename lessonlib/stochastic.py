r"""Closed-form facts about stochastic gradients, to check simulations against.

A data loss is an average, :math:`J = \frac1n\sum_i J_i`, and a mini-batch
:math:`\mathcal{B}` of :math:`B` indices estimates its gradient by

.. math:: g_{\mathcal B}(\theta) = \frac1B\sum_{i\in\mathcal B}\nabla J_i(\theta),
          \qquad \mathbb{E}[g_{\mathcal B}] = \nabla J(\theta).

Its noise is measured by the spread of the per-sample gradients,

.. math:: \sigma^2 = \frac1n\sum_{i=1}^n \lVert\nabla J_i(\theta) - \nabla J(\theta)\rVert^2 .

The functions below give the variance of the estimate (:func:`minibatch_variance`),
what that noise does to constant-step SGD on a quadratic (:func:`stationary_variance`,
:func:`stationary_loss`, :func:`stationary_covariance`), how a decaying step removes it
(:func:`second_moment`, :func:`inverse_time_limit`), and how
much of a data set one epoch of sampling with replacement sees (:func:`coverage`).
Derivations and checks are in chapter 3 of the book.

References
----------
H. Robbins and S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951.
L. Bottou, F. E. Curtis and J. Nocedal, "Optimization methods for large-scale machine
learning", SIAM Review, 2018, §4.
"""

import numpy as np

from ._validate import check_finite, check_int, check_nonnegative, check_positive

__all__ = [
    "gradient_variance",
    "minibatch_variance",
    "coverage",
    "stationary_variance",
    "stationary_loss",
    "stationary_covariance",
    "averaged_iterate_error",
    "second_moment",
    "inverse_time_limit",
]


def gradient_variance(per_sample_grads):
    r"""The spread :math:`\sigma^2 = \frac1n\sum_i \lVert\nabla J_i - \nabla J\rVert^2` of per-sample gradients.

    ``per_sample_grads`` has one row per sample (as returned by an objective's
    ``per_sample_grads``); :math:`\nabla J` is their mean. This is the variance of
    the gradient of one uniformly drawn sample, summed over the coordinates.
    """
    G = np.asarray(per_sample_grads, dtype=float)
    if G.ndim != 2 or G.shape[0] < 1:
        raise ValueError(f"per_sample_grads must be a 2-D array (n samples, d), got shape {G.shape}")
    return float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))


def minibatch_variance(sigma2, n, batch_size, replacement=False):
    r"""Variance :math:`\mathbb{E}\lVert g_{\mathcal B} - \nabla J\rVert^2` of a mini-batch gradient.

    .. math:: \text{with replacement: } \frac{\sigma^2}{B}, \qquad
              \text{without replacement: } \frac{\sigma^2}{B}\,\frac{n - B}{n - 1} .

    Without replacement two distinct draws are negatively correlated (each one
    excludes itself from the other), which lowers the variance by the
    finite-population factor :math:`(n-B)/(n-1)`: to 0 at :math:`B = n`, where the
    batch is the whole data set.

    Parameters
    ----------
    sigma2 : float
        Per-sample gradient variance :math:`\sigma^2 \ge 0` (see :func:`gradient_variance`).
    n : int
        Number of samples, :math:`n \ge 1`.
    batch_size : int
        :math:`B`, between 1 and :math:`n` (any :math:`B \ge 1` with replacement).
    """
    check_nonnegative("sigma2", sigma2)
    check_int("n", n, 1)
    check_int("batch_size", batch_size, 1)
    if replacement:
        return sigma2 / batch_size
    if batch_size > n:
        raise ValueError(f"batch_size must be at most n={n} without replacement, got {batch_size}")
    if n == 1:
        return 0.0
    return sigma2 / batch_size * (n - batch_size) / (n - 1)


def coverage(n, draws=None):
    r"""Expected fraction of the :math:`n` samples seen at least once in ``draws`` uniform draws with replacement.

    A given sample is missed by one draw with probability :math:`1 - 1/n`, by
    :math:`k` independent draws with probability :math:`(1 - 1/n)^k`, so

    .. math:: \text{coverage} = 1 - \Big(1 - \frac1n\Big)^{k}
              \;\xrightarrow[n\to\infty]{k = n}\; 1 - e^{-1} \approx 0.632 .

    ``draws`` defaults to :math:`n`, one epoch. Without replacement one epoch sees
    every sample exactly once (coverage 1).
    """
    check_int("n", n, 1)
    draws = n if draws is None else draws
    check_int("draws", draws, 0)
    return 1.0 - (1.0 - 1.0 / n) ** draws


def _check_stable(lr, lam):
    check_positive("lr", lr)
    check_positive("lam", lam)
    if not lr * lam < 2:
        raise ValueError(f"constant-step SGD on this quadratic only settles for lr * lam < 2, got "
                         f"lr * lam = {lr * lam:g}; the iterates grow without bound")


def stationary_variance(lr, lam, sigma):
    r"""Variance of constant-step SGD's iterates around the minimum of :math:`J = \tfrac{\lambda}{2}\theta^2`.

    With gradient estimates :math:`\lambda\theta + \sigma\xi`, :math:`\xi` of mean 0 and
    variance 1 independent across steps, the error obeys
    :math:`\theta_{t+1} = (1 - \eta\lambda)\theta_t - \eta\sigma\xi_t`; its second moment
    :math:`q_t = \mathbb{E}[\theta_t^2]` obeys
    :math:`q_{t+1} = (1-\eta\lambda)^2 q_t + \eta^2\sigma^2` (see :func:`second_moment`) and
    settles where :math:`m = (1-\eta\lambda)^2 m + \eta^2\sigma^2`:

    .. math:: q_\infty = \frac{\eta^2\sigma^2}{1 - (1 - \eta\lambda)^2}
                       = \frac{\eta\,\sigma^2}{\lambda\,(2 - \eta\lambda)},
              \qquad 0 < \eta\lambda < 2 .

    It grows with :math:`\eta\sigma^2` and tends to 0 only as :math:`\eta \to 0`.
    """
    _check_stable(lr, lam)
    check_nonnegative("sigma", sigma)
    return lr * sigma**2 / (lam * (2.0 - lr * lam))


def stationary_loss(lr, lam, sigma):
    r"""The noise floor of constant-step SGD on :math:`J = \tfrac{\lambda}{2}\theta^2`, in loss.

    .. math:: \mathbb{E}[J(\theta_\infty)] - J^* = \frac{\lambda}{2}q_\infty
              = \frac{\eta\sigma^2}{2(2 - \eta\lambda)} .

    See :func:`stationary_variance`; for small steps the floor is about :math:`\eta\sigma^2/4`,
    independent of the curvature.
    """
    return 0.5 * lam * stationary_variance(lr, lam, sigma)


def stationary_covariance(lr, H, Sigma):
    r"""Stationary covariance :math:`P` of constant-step SGD on a quadratic with Hessian :math:`H`.

    With gradient noise of covariance :math:`\Sigma` (independent across steps), the
    error :math:`e_{t+1} = (I - \eta H)e_t - \eta\xi_t` has a covariance that settles at
    the solution of the discrete Lyapunov equation

    .. math:: P = (I - \eta H)\,P\,(I - \eta H) + \eta^2\Sigma,

    solved here through :math:`\mathrm{vec}(P) = (I - A\otimes A)^{-1}\mathrm{vec}(\eta^2\Sigma)`,
    :math:`A = I - \eta H`. The expected loss gap is :math:`\tfrac12\mathrm{tr}(HP)`, about
    :math:`\tfrac{\eta}{4}\mathrm{tr}\,\Sigma` for small :math:`\eta`. In 1-D it is
    :func:`stationary_variance`. Meant for small :math:`d` (it builds a :math:`d^2\times d^2` matrix).
    """
    H = np.atleast_2d(np.asarray(H, dtype=float))
    Sigma = np.atleast_2d(np.asarray(Sigma, dtype=float))
    d = H.shape[0]
    if H.shape != (d, d) or Sigma.shape != (d, d):
        raise ValueError(f"H and Sigma must be square matrices of the same size, got {H.shape} and {Sigma.shape}")
    if not (np.allclose(H, H.T) and np.allclose(Sigma, Sigma.T)):
        raise ValueError("H and Sigma must be symmetric")
    eig = np.linalg.eigvalsh(H)
    if eig[0] <= 0:
        raise ValueError(f"H must be positive definite, got smallest eigenvalue {eig[0]:g}")
    _check_stable(lr, eig[-1])
    A = np.eye(d) - lr * H
    P = np.linalg.solve(np.eye(d * d) - np.kron(A, A), (lr**2 * Sigma).reshape(-1)).reshape(d, d)
    return (P + P.T) / 2


def second_moment(lrs, lam, sigma, theta0):
    r"""Exact :math:`\mathbb{E}[\theta_t^2]` of SGD with steps ``lrs`` on :math:`J = \tfrac{\lambda}{2}\theta^2`.

    The noise model is that of :func:`stationary_variance`; with a step size
    :math:`\eta_t` at step :math:`t` the second moment obeys

    .. math:: q_{t+1} = (1 - \eta_t\lambda)^2\, q_t + \eta_t^2\sigma^2, \qquad q_0 = \theta_0^2,

    with :math:`q_t = \mathbb{E}[\theta_t^2]` (chapter 3's name).

    ``lrs`` is the sequence :math:`\eta_0, \dots, \eta_{T-1}` (e.g. ``schedule(np.arange(T))``).
    Returns :math:`m_0, \dots, m_T`, an array of length :math:`T + 1`.
    """
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    if not (np.isfinite(lrs).all() and (lrs >= 0).all()):
        raise ValueError("lrs must be finite and >= 0")
    check_positive("lam", lam)
    check_nonnegative("sigma", sigma)
    check_finite("theta0", theta0)
    lam, sigma, m = float(lam), float(sigma), [float(theta0) ** 2]
    for lr in lrs.tolist():  # Python floats: ~30 times faster than indexing numpy scalars
        m.append((1.0 - lr * lam) ** 2 * m[-1] + (lr * sigma) ** 2)
    return np.array(m)


def inverse_time_limit(lr0, decay_rate, lam, sigma):
    r"""The limit of :math:`t\,\mathbb{E}[\theta_t^2]` for SGD with steps :math:`\eta_t = \eta_0/(1 + \rho t)`.

    The loss and noise are those of :func:`stationary_variance`.

    For large :math:`t`, :math:`\eta_t \approx a/t` with :math:`a = \eta_0/\rho`. Put
    :math:`q_t \approx C/t` into :func:`second_moment`'s recursion and keep the terms
    of order :math:`1/t^2`: :math:`-C = -2a\lambda C + a^2\sigma^2`, so

    .. math:: t\,\mathbb{E}[\theta_t^2] \to C = \frac{a^2\sigma^2}{2a\lambda - 1}, \qquad 2a\lambda > 1 .

    When :math:`2a\lambda \le 1` the decay is too fast and the error falls more slowly
    than :math:`1/t` (as :math:`t^{-2a\lambda}`); this raises a ValueError.
    """
    check_positive("lr0", lr0)
    check_positive("decay_rate", decay_rate)
    check_positive("lam", lam)
    check_nonnegative("sigma", sigma)
    a = lr0 / decay_rate
    if not 2 * a * lam > 1:
        raise ValueError(f"the 1/t rate needs 2 * (lr0 / decay_rate) * lam > 1, got {2 * a * lam:g}: the steps "
                         f"shrink so fast that E[theta_t^2] falls only like t^-{2 * a * lam:.3g}")
    return a**2 * sigma**2 / (2 * a * lam - 1)


def averaged_iterate_error(H, Sigma, T, lr=None):
    r""":math:`\mathbb E\lVert\bar\theta_T - \theta^*\rVert^2` for Polyak–Ruppert averaging of constant-step SGD.

    SGD on a quadratic with Hessian :math:`H` and gradient noise of covariance
    :math:`\Sigma`: summing :math:`e_{t+1} = e_t - \eta(H e_t + \xi_t)` over :math:`t < T`
    gives :math:`\bar e_T = \frac{H^{-1}(e_0 - e_T)}{\eta T} - \frac{H^{-1}}{T}\sum_t \xi_t`
    with :math:`\bar e_T = \frac1T\sum_{t<T} e_t`. Its leading term for large :math:`T`
    (``lr=None``) is

    .. math:: \mathbb E\lVert\bar e_T\rVert^2 \approx \frac{\mathrm{tr}(H^{-1}\Sigma H^{-1})}{T},

    independent of :math:`\eta`. With ``lr`` it is exact for a run started at the
    minimum (:math:`e_0 = 0`): in the eigenbasis of :math:`H`, direction :math:`i` has
    :math:`\bar e_{T,i} = \frac{1}{\lambda_i T}\sum_{t<T}\bigl((1-\eta\lambda_i)^{T-1-t} - 1\bigr)\xi_{t,i}`, so

    .. math:: \mathbb E\lVert\bar e_T\rVert^2 = \sum_i \frac{\Sigma'_{ii}}{\lambda_i^2 T^2}
              \sum_{k=0}^{T-1} \bigl(1 - (1 - \eta\lambda_i)^k\bigr)^2,
              \qquad \Sigma' = V^\top \Sigma V .
    """
    H = np.atleast_2d(np.asarray(H, dtype=float))
    Sigma = np.atleast_2d(np.asarray(Sigma, dtype=float))
    check_int("T", T, 1)
    if lr is None:
        Hinv = np.linalg.inv(H)
        return float(np.trace(Hinv @ Sigma @ Hinv) / T)
    lam, V = np.linalg.eigh(H)
    _check_stable(lr, lam[-1])
    noise = np.diag(V.T @ Sigma @ V)
    k = np.arange(T)[:, None]
    sums = np.sum((1.0 - (1.0 - lr * lam) ** k) ** 2, axis=0)
    return float(np.sum(noise * sums / (lam**2 * T**2)))
