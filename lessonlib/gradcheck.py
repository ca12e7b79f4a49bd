r"""Finite-difference gradient checking.

The central difference

.. math:: \frac{\partial J}{\partial \theta_j} \approx
          \frac{J(\theta + h e_j) - J(\theta - h e_j)}{2h}

has error :math:`O(h^2)` (the :math:`h^2 J'''/6` term of Taylor's expansion) plus a
rounding error of order :math:`\epsilon_{\text{mach}}|J|/h`; :math:`h \approx 10^{-5}`
to :math:`10^{-6}` balances the two in float64, giving about 10 correct digits.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["numerical_grad", "check_grad", "GradCheck"]


def numerical_grad(f, theta, h=1e-6):
    """Central-difference estimate of the gradient of the scalar function ``f`` at ``theta``."""
    theta = np.array(theta, dtype=float)
    if h <= 0:
        raise ValueError(f"h must be > 0, got {h}")
    grad = np.empty_like(theta)
    flat, gflat = theta.reshape(-1), grad.reshape(-1)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + h
        f_plus = np.asarray(f(theta), dtype=float).item()
        flat[j] = old - h
        f_minus = np.asarray(f(theta), dtype=float).item()
        flat[j] = old
        gflat[j] = (f_plus - f_minus) / (2.0 * h)
    return grad


class GradCheck(NamedTuple):
    """Result of :func:`check_grad`: the two gradients and how far apart they are."""

    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: float
    ok: bool


def check_grad(f, grad, theta, h=1e-6, tol=1e-6):
    r"""Compare an analytic gradient with a central difference.

    The relative error is
    :math:`\lVert g_a - g_n\rVert / \max(\lVert g_a\rVert + \lVert g_n\rVert, 10^{-12})`,
    and the check passes when it is below ``tol``.
    """
    theta = np.asarray(theta, dtype=float)
    analytic = np.asarray(grad(theta), dtype=float)
    if analytic.shape != theta.shape:
        raise ValueError(f"grad returned shape {analytic.shape} but theta has shape {theta.shape}")
    numeric = numerical_grad(f, theta, h)
    denom = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
    rel = float(np.linalg.norm(analytic - numeric) / denom)
    return GradCheck(analytic, numeric, rel, rel < tol)
