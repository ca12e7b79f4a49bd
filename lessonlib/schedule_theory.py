r"""What a learning-rate schedule allows, in closed form, to check runs against (chapter 4).

- :func:`robbins_monro_sums`: the partial sums :math:`\sum_{t<T}\eta_t` and
  :math:`\sum_{t<T}\eta_t^2` whose limits decide Robbins and Monro's conditions
  :math:`\sum_t \eta_t = \infty`, :math:`\sum_t \eta_t^2 < \infty`;
- :func:`exponential_reach`: how far exponential decay can still move the parameters;
- :func:`noisy_quadratic_gap`: the expected loss gap of SGD with any schedule on a
  quadratic whose gradients carry Gaussian noise (:class:`lessonlib.objectives.NoisyGradient`).

References
----------
H. Robbins and S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951.
L. Bottou, F. E. Curtis and J. Nocedal, "Optimization methods for large-scale machine
learning", SIAM Review, 2018, §4.
"""

import numpy as np

from ._validate import check_int, check_interval, check_nonnegative, check_positive
from .stochastic import second_moment

__all__ = ["robbins_monro_sums", "exponential_reach", "noisy_quadratic_gap"]

_CHUNK = 1 << 20


def robbins_monro_sums(schedule, T):
    r"""Partial sums :math:`S_T = \sum_{t=0}^{T-1}\eta_t` and :math:`Q_T = \sum_{t=0}^{T-1}\eta_t^2`.

    Parameters
    ----------
    schedule : callable
        A vectorised schedule ``t -> lr`` (every closed-form schedule of
        :mod:`lessonlib.schedules`), evaluated on arrays of up to a million steps at once.
    T : int or sequence of int
        Number of terms :math:`T \ge 1`, or several (the sums are returned at each).

    Returns
    -------
    (S, Q) : two floats, or two arrays with one entry per ``T``.
    """
    scalar = np.ndim(T) == 0
    checkpoints = [T] if scalar else list(T)
    for k in checkpoints:
        check_int("T", k, 1)
    order = np.argsort(checkpoints)
    S, Q = np.empty(len(checkpoints)), np.empty(len(checkpoints))
    total = total_sq = 0.0
    start = 0
    for i in order:
        end = checkpoints[i]
        while start < end:
            stop = min(end, start + _CHUNK)
            lr = np.asarray(schedule(np.arange(start, stop)), dtype=float)
            if lr.shape != (stop - start,):
                raise ValueError(f"schedule {schedule!r} is not vectorised: an array of "
                                 f"{stop - start} steps gave shape {lr.shape}")
            if not (np.isfinite(lr).all() and (lr >= 0).all()):
                raise ValueError(f"schedule {schedule!r} returned a negative or non-finite "
                                 f"learning rate between t = {start} and {stop - 1}")
            total += float(np.sum(lr))          # pairwise summation: error ~1e-16 log T
            total_sq += float(np.sum(lr * lr))
            start = stop
        S[i], Q[i] = total, total_sq
    return (float(S[0]), float(Q[0])) if scalar else (S, Q)


def exponential_reach(lr0, gamma, G, T=None):
    r"""The farthest exponential decay can move the parameters, if gradients are bounded by ``G``.

    With :math:`\eta_t = \eta_0\gamma^t` and :math:`\lVert g_t\rVert \le G` along the
    path, the triangle inequality and the geometric series give

    .. math:: \lVert\theta_T - \theta_0\rVert \le \sum_{t<T}\eta_t\lVert g_t\rVert
              \le G\,\eta_0\,\frac{1 - \gamma^T}{1 - \gamma} < \frac{G\,\eta_0}{1 - \gamma}.

    A minimiser farther than this from :math:`\theta_0` is never reached, however long
    the run. Returns the bound for ``T`` steps, or for :math:`T \to \infty` (the default).
    """
    check_positive("lr0", lr0)
    check_interval("gamma", gamma, 0, 1, "()")
    check_nonnegative("G", G)
    if T is None:
        return G * lr0 / (1 - gamma)
    check_int("T", T, 0)
    return G * lr0 * (1 - gamma**T) / (1 - gamma)


def noisy_quadratic_gap(eigenvalues, z0, sigma, lrs):
    r"""Expected loss gap :math:`\mathbb E[J(\theta_t)] - J^*`, t = 0..T, of SGD on a noisy quadratic.

    For :math:`J = \tfrac12(\theta - \theta^*)^\top A(\theta - \theta^*) + J^*` with
    gradients :math:`A(\theta - \theta^*) + \sigma\xi_t`, :math:`\xi_t \sim N(0, I)`
    (:class:`lessonlib.objectives.NoisyGradient`), each eigen-coordinate
    :math:`z_{t,i}` of the error moves by
    :math:`z_{t+1,i} = (1 - \eta_t\lambda_i)z_{t,i} - \eta_t\sigma\xi'_{t,i}` with
    :math:`\xi'_t = Q^\top\xi_t \sim N(0, I)` independent of :math:`z_t`, so

    .. math:: \mathbb E z_{t+1,i}^2 = (1 - \eta_t\lambda_i)^2\,\mathbb E z_{t,i}^2 + \eta_t^2\sigma^2,
              \qquad \mathbb E[J(\theta_t)] - J^* = \sum_i \tfrac{\lambda_i}{2}\,\mathbb E z_{t,i}^2 ,

    one :func:`lessonlib.stochastic.second_moment` per eigenvalue.

    Parameters
    ----------
    eigenvalues : array (d,)
        Eigenvalues :math:`\lambda_i > 0` of :math:`A`.
    z0 : array (d,)
        The start's error in the same eigenbasis, :math:`Q^\top(\theta_0 - \theta^*)`
        (for a diagonal :math:`A`, simply :math:`\theta_0 - \theta^*`).
    sigma : float
        Noise level :math:`\sigma \ge 0`.
    lrs : array (T,)
        The learning rates :math:`\eta_0, \dots, \eta_{T-1}` (e.g. ``schedule(np.arange(T))``).

    Returns
    -------
    array (T + 1,)
    """
    lam = np.asarray(eigenvalues, dtype=float).reshape(-1)
    z0 = np.asarray(z0, dtype=float).reshape(-1)
    if z0.shape != lam.shape:
        raise ValueError(f"z0 must have one entry per eigenvalue ({lam.size}), got {z0.size}")
    # Each eigen-coordinate is chapter 3's one-dimensional recursion, E z_{t,i}^2.
    second_moments = np.array([second_moment(lrs, lam_i, sigma, z_i) for lam_i, z_i in zip(lam.tolist(), z0.tolist())])
    return 0.5 * lam @ second_moments
