r"""Choosing and monitoring the learning rate: the range test and the sharpness.

:func:`lr_range_test` (Smith 2017) trains once while raising the rate geometrically,

.. math:: \eta_t = \eta_{\min} \Bigl(\frac{\eta_{\max}}{\eta_{\min}}\Bigr)^{t/(T-1)},
          \qquad t = 0, \dots, T - 1,

records each mini-batch's loss, smooths it with a bias-corrected moving average
(chapter 5) and stops once the smoothed loss exceeds ``stop_factor`` times its
minimum. The curve of loss against :math:`\log\eta` falls, flattens and shoots up; a
good rate lies on the falling part. :class:`RangeTest` offers the two usual readings:
the rate where the smoothed loss falls fastest (``steepest``) and a tenth of the rate
where it is lowest (``minimum_over_10``).

:func:`sharpness` estimates :math:`\lambda_{\max}` of the Hessian at a point (Lanczos
iteration on Hessian-vector products by central differences of the gradient), so that
:math:`2/\lambda_{\max}` (chapter 2) can be tracked during training.
"""

import math
from typing import NamedTuple

import numpy as np

from ._validate import check_int, check_interval, check_positive
from .averages import ema, ema_bias_factor
from .train import batches

__all__ = ["RangeTest", "lr_range_test", "smooth", "sharpness"]


def smooth(losses, beta):
    r"""The bias-corrected moving average :math:`\hat m_t = m_t / (1 - \beta^t)` of ``losses``.

    :math:`m_{t+1} = \beta m_t + (1 - \beta)\,\ell_t`, :math:`m_0 = 0`; entry
    :math:`t - 1` of the result is :math:`\hat m_t`, so the first entry is the first loss.
    """
    losses = np.asarray(losses, dtype=float)
    return ema(losses, beta) / ema_bias_factor(beta, np.arange(1, len(losses) + 1))


class RangeTest(NamedTuple):
    """What :func:`lr_range_test` recorded, one entry per step taken.

    lrs : (T,)        the rate of each step
    losses : (T,)     the mini-batch loss before each step
    smoothed : (T,)   its bias-corrected moving average (:func:`smooth`)
    stopped : str     "max_lr" (the ramp ran to lr_max) or "diverged" (the loss shot up)
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped: str

    def minimum_over_10(self):
        """A tenth of the rate at which the smoothed loss is lowest."""
        return float(self.lrs[int(np.argmin(self.smoothed))] / 10)

    def steepest(self, skip=10):
        r"""The rate where the smoothed loss falls fastest against :math:`\log\eta`.

        Only the part before the minimum is a candidate (the rise after it is not), and
        not the first ``skip`` steps, where the moving average still rests on a few
        noisy losses (about its window :math:`1/(1-\beta)`).
        """
        end = int(np.argmin(self.smoothed)) + 1
        if end < skip + 3:
            raise ValueError(f"the smoothed loss is lowest at step {end - 1}, within the first steps: start "
                             f"the range test at a smaller lr_min, or take more steps")
        slope = np.gradient(self.smoothed[skip:end], np.log(self.lrs[skip:end]))
        return float(self.lrs[skip + int(np.argmin(slope))])


def lr_range_test(objective, make_optimizer, theta0, lr_min, lr_max, steps, batch_size, *, seed=0, beta=0.9,
                  stop_factor=4.0):
    r"""Train once with a geometrically rising rate; return a :class:`RangeTest`.

    Parameters
    ----------
    objective
        Has ``n``, ``batch_loss(theta, idx)`` and ``batch_grad(theta, idx)`` (an
        :class:`lessonlib.nn.MLP`, a data objective).
    make_optimizer : callable
        Builds the optimizer from a schedule, e.g. ``lambda lr: Adam(lr)``.
    theta0 : array
        Start (not modified); use the start of the real training.
    lr_min, lr_max : float
        The ramp's first and last rate, :math:`0 < \eta_{\min} < \eta_{\max}`: from a rate
        surely too small to one surely too large.
    steps : int
        :math:`T \ge 10` steps of mini-batches of ``batch_size`` (drawn as :func:`lessonlib.train.batches`).
    beta : float
        Smoothing of the noisy mini-batch losses, :math:`0 \le \beta < 1` (window about :math:`1/(1-\beta)`).
    stop_factor : float
        Stop when the smoothed loss exceeds ``stop_factor`` times its minimum so far, or
        a loss is no longer finite.
    """
    check_positive("lr_min", lr_min)
    check_positive("lr_max", lr_max)
    if not lr_min < lr_max:
        raise ValueError(f"lr_min must be smaller than lr_max, got lr_min={lr_min} and lr_max={lr_max}")
    check_int("steps", steps, 10)
    check_interval("beta", beta, 0.0, 1.0, "[)")
    if not stop_factor > 1:
        raise ValueError(f"stop_factor must be > 1 (the loss may rise that far above its minimum), got {stop_factor}")
    ratio = (lr_max / lr_min) ** (1.0 / (steps - 1))
    optimizer = make_optimizer(lambda t: lr_min * ratio**t)
    theta = np.array(theta0, dtype=float)
    state = optimizer.init(theta)
    sampler = batches(objective.n, batch_size, seed)
    losses, m, best, stopped = [], 0.0, math.inf, "max_lr"
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            idx = next(sampler)
            loss = float(objective.batch_loss(theta, idx))
            m = beta * m + (1 - beta) * loss
            smoothed = m / (1 - beta ** (t + 1))
            if not math.isfinite(smoothed) or smoothed > stop_factor * best:
                stopped = "diverged"
                break
            losses.append(loss)
            best = min(best, smoothed)
            grad = objective.batch_grad(theta, idx)
            if not np.isfinite(grad).all():
                stopped = "diverged"
                break
            theta, state = optimizer.step(theta, grad, state)
    taken = len(losses)
    lrs = lr_min * ratio ** np.arange(taken)
    return RangeTest(lrs, np.array(losses), smooth(losses, beta) if taken else np.array([]), stopped)


def sharpness(objective, theta, h=1e-4, tol=1e-3, seed=0):
    r""":math:`\lambda_{\max}(\nabla^2 J(\theta))`, the largest Hessian eigenvalue, without forming the Hessian.

    Each Hessian-vector product is a central difference of two gradients,
    :math:`H v \approx (\nabla J(\theta + h v) - \nabla J(\theta - h v)) / (2h)` for a unit
    :math:`v` (error :math:`O(h^2)`); Lanczos iteration (``scipy.sparse.linalg.eigsh``)
    finds the largest algebraic eigenvalue to relative accuracy ``tol`` from a few dozen
    products. Gradient descent is stable near :math:`\theta` for :math:`\eta < 2/\lambda_{\max}`.
    """
    from scipy.sparse.linalg import LinearOperator, eigsh

    theta = np.asarray(theta, dtype=float)
    dim = theta.size

    def hvp(v):
        v = np.asarray(v, dtype=float).reshape(theta.shape)
        scale = float(np.linalg.norm(v)) or 1.0
        u = v / scale
        return scale * (objective.grad(theta + h * u) - objective.grad(theta - h * u)).ravel() / (2 * h)

    v0 = np.random.default_rng(seed).standard_normal(dim)
    value = eigsh(LinearOperator((dim, dim), matvec=hvp, dtype=float), k=1, which="LA", v0=v0, tol=tol,
                  return_eigenvectors=False)
    return float(value[0])
