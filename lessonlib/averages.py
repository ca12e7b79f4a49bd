r"""Exponential moving averages (EMAs): the memory of momentum, RMSProp and Adam.

An EMA of a sequence :math:`x_0, x_1, \dots` with decay rate :math:`\beta \in [0, 1)`,
started at zero, is

.. math:: m_{t+1} = \beta\, m_t + (1 - \beta)\, x_t, \qquad m_0 = 0,

so :math:`m_t` averages the first :math:`t` values (the notation page's convention:
an average is indexed by the number of values it contains). Unrolled,

.. math:: m_t = (1 - \beta) \sum_{k=0}^{t-1} \beta^{\,t-1-k}\, x_k :

the value :math:`k` steps old weighs :math:`(1-\beta)\beta^k`, the weights add up to
:math:`1 - \beta^t` (not 1: the zero start pulls :math:`m_t` towards 0, which Adam's
bias correction :math:`m_t / (1 - \beta^t)` undoes), and the average remembers about
:math:`1/(1-\beta)` values. Derivations in chapter 5.
"""

import numpy as np

from ._validate import check_int, check_interval

__all__ = ["ema", "ema_weights", "ema_bias_factor", "effective_window", "iterate_average"]


def _check_beta(beta):
    check_interval("beta", beta, 0.0, 1.0, "[)")


def ema(xs, beta, m0=0.0):
    r"""All the averages :math:`m_1, \dots, m_T` of :math:`m_{t+1} = \beta m_t + (1-\beta) x_t`.

    ``xs`` holds :math:`x_0, \dots, x_{T-1}` along its first axis (scalars or arrays);
    the result has the same shape, row ``t - 1`` being :math:`m_t`. ``m0`` is the
    start :math:`m_0` (0 in momentum, RMSProp and Adam). Use
    ``ema(xs, beta) / ema_bias_factor(beta, t)`` for the bias-corrected average.
    """
    _check_beta(beta)
    xs = np.asarray(xs, dtype=float)
    if xs.ndim == 0 or xs.shape[0] == 0:
        raise ValueError(f"xs must hold at least one value along its first axis, got shape {xs.shape}")
    out = np.empty_like(xs)
    m = np.broadcast_to(np.asarray(m0, dtype=float), xs.shape[1:]).copy()
    for t, x in enumerate(xs):
        m = beta * m + (1.0 - beta) * x
        out[t] = m
    return out


def ema_weights(beta, t):
    r"""The weights of :math:`x_0, \dots, x_{t-1}` in :math:`m_t`: :math:`(1-\beta)\beta^{\,t-1-k}`, :math:`k = 0, \dots, t-1`.

    The newest value gets the largest weight :math:`1 - \beta`; they sum to
    :func:`ema_bias_factor`.
    """
    _check_beta(beta)
    check_int("t", t, 0)
    return (1.0 - beta) * beta ** np.arange(t - 1, -1, -1, dtype=float)


def ema_bias_factor(beta, t):
    r"""The total weight :math:`\sum_k (1-\beta)\beta^k = 1 - \beta^t` of an EMA started at 0 after :math:`t` values.

    For a constant input :math:`x`, :math:`m_t = (1 - \beta^t)\,x`: dividing by this
    factor is Adam's bias correction. ``t`` may be an array of step counts.
    """
    _check_beta(beta)
    t_arr = np.asarray(t)
    if not np.issubdtype(t_arr.dtype, np.integer) or np.any(t_arr < 0):
        raise ValueError(f"t must be an integer >= 0 (or an array of them), got {t!r}")
    return 1.0 - beta ** t_arr.astype(float)


def effective_window(beta):
    r"""The number of recent values an EMA effectively averages, :math:`N = 1/(1-\beta)`.

    Three readings give the same :math:`N`: a plain mean of :math:`N` values puts
    :math:`1/N = 1-\beta` on the newest one, as the EMA does; the weights
    :math:`(1-\beta)\beta^k` sum to :math:`N(1-\beta) = 1` over all ages; and the values
    older than :math:`N` carry :math:`\beta^N \approx e^{-1}` of the weight for
    :math:`\beta` near 1. Examples: :math:`\beta = 0.9 \to 10`, :math:`0.99 \to 100`,
    :math:`0.999 \to 1000`.
    """
    _check_beta(beta)
    return 1.0 / (1.0 - beta)


def iterate_average(thetas, burn_in=0):
    r"""Polyak–Ruppert averages :math:`\bar\theta_t = \frac{1}{t - s + 1}\sum_{k=s}^{t} \theta_k` of a run's iterates.

    ``thetas`` holds :math:`\theta_0, \theta_1, \dots` along its first axis; row ``t - s``
    of the result is :math:`\bar\theta_t` for :math:`t \ge s` = ``burn_in`` (the first
    iterates, far from the minimum, are usually left out). Unlike an exponential moving
    average, every iterate gets the same weight, so the noise averages out like
    :math:`1/t` instead of settling at a floor.
    """
    check_int("burn_in", burn_in, 0)
    thetas = np.asarray(thetas, dtype=float)
    if thetas.ndim == 0 or thetas.shape[0] <= burn_in:
        raise ValueError(f"need more than burn_in={burn_in} iterates along the first axis, got shape {thetas.shape}")
    kept = thetas[burn_in:]
    counts = np.arange(1, kept.shape[0] + 1).reshape((-1,) + (1,) * (kept.ndim - 1))
    return np.cumsum(kept, axis=0) / counts
