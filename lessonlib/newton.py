r"""Newton's method: the step to the minimum of the local quadratic model.

Around :math:`\theta_t` the second-order Taylor expansion is

.. math:: J(\theta_t + \delta) \approx J(\theta_t) + g_t^\top \delta + \tfrac12 \delta^\top H_t \delta,

with :math:`g_t = \nabla J(\theta_t)` and :math:`H_t = \nabla^2 J(\theta_t)`. Setting its
gradient :math:`g_t + H_t\delta` to zero gives Newton's step

.. math:: \theta_{t+1} = \theta_t - (H_t + \delta_{\mathrm{damp}} I)^{-1} g_t

(``damping`` :math:`\delta_{\mathrm{damp}} = 0` is the pure method). It is computed by
solving the linear system, never by inverting :math:`H_t`. On a quadratic one pure step
lands on the minimum; near a minimum with a positive definite Hessian the error is
squared at every step (quadratic convergence); but the step goes to the stationary
point of the model, which at a saddle or a maximum is not a minimum.
"""

import numpy as np

from ._validate import check_int, check_nonnegative
from .train import History

__all__ = ["newton_step", "newton"]


def newton_step(theta, grad, hessian, damping=0.0):
    r""":math:`\theta - (H + \delta_{\mathrm{damp}} I)^{-1} g`, by solving :math:`(H + \delta_{\mathrm{damp}} I)\,s = g`."""
    check_nonnegative("damping", damping)
    theta, grad, hessian = (np.asarray(a, dtype=float) for a in (theta, grad, hessian))
    d = theta.size
    if grad.shape != theta.shape or hessian.shape != (d, d):
        raise ValueError(f"need theta and grad of the same shape and a {d} x {d} Hessian; got theta {theta.shape}, "
                         f"grad {grad.shape}, hessian {hessian.shape}")
    try:
        step = np.linalg.solve(hessian + damping * np.eye(d), grad)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            "the Hessian (plus damping) is singular here, so Newton's step is undefined: the local "
            "quadratic model has no unique stationary point. Use damping > 0, e.g. damping=1e-3") from None
    return theta - step


def newton(objective, theta0, steps, damping=0.0, grad_tol=None):
    r"""Run Newton's method from ``theta0`` for at most ``steps`` steps; returns a :class:`~lessonlib.train.History`.

    ``objective`` needs ``loss``, ``grad`` and ``hessian``. The history's ``lrs`` are all 1
    (Newton's step has no learning rate); ``stopped`` is "grad_tol" when the gradient
    norm falls to ``grad_tol``, "diverged" when an iterate stops being finite.
    """
    check_int("steps", steps, 0)
    theta = np.array(theta0, dtype=float)
    thetas, losses, norms = [theta], [float(objective.loss(theta))], []
    stopped = "max_steps"
    for _ in range(steps):
        g = np.asarray(objective.grad(theta), dtype=float)
        norm = float(np.linalg.norm(g))
        if grad_tol is not None and norm <= grad_tol:
            stopped = "grad_tol"
            break
        theta = newton_step(theta, g, objective.hessian(theta), damping)
        norms.append(norm)
        thetas.append(theta)
        losses.append(float(objective.loss(theta)))
        if not (np.isfinite(theta).all() and np.isfinite(losses[-1])):
            stopped = "diverged"
            break
    return History(np.array(thetas), np.array(losses), np.ones(len(norms)), np.array(norms), stopped,
                   None, np.arange(len(thetas)))
