r"""Momentum in the "velocity" form, next to :class:`lessonlib.optim.SGD`'s buffer form.

:class:`lessonlib.optim.SGD` (like ``torch.optim.SGD``) keeps a buffer of summed
gradients and multiplies it by the *current* learning rate,

.. math:: b_{t+1} = \beta b_t + g_t, \qquad \theta_{t+1} = \theta_t - \eta_t\, b_{t+1}.

Polyak's paper, Sutskever et al. (2013) and Keras's ``SGD`` keep a velocity, a sum of
*steps* that each carries the learning rate of its own step,

.. math:: u_{t+1} = \beta u_t - \eta_t g_t, \qquad \theta_{t+1} = \theta_t + u_{t+1}

(other texts write :math:`v` for the velocity; this course keeps :math:`v` for the
second moment). With a constant :math:`\eta` the two forms give the same iterates,
:math:`u_t = -\eta\, b_t`; once :math:`\eta_t` changes they differ (chapter 5).
"""

from dataclasses import dataclass
from typing import Callable, NamedTuple, Union

import numpy as np

from ._validate import check_interval, check_positive, check_step, lr_at

__all__ = ["VelocitySGD", "VelocityState"]


class VelocityState(NamedTuple):
    """``t`` steps taken; ``u`` the velocity (the sum of past steps, decayed by beta)."""
    t: int
    u: np.ndarray


@dataclass(frozen=True)
class VelocitySGD:
    r"""Heavy-ball or Nesterov momentum in the velocity form (Keras's ``SGD``).

    .. math::

        u_{t+1} &= \beta\, u_t - \eta_t\, g_t, \qquad u_0 = 0 \\
        \theta_{t+1} &= \begin{cases} \theta_t + u_{t+1} & \text{heavy ball} \\
                       \theta_t + \beta\, u_{t+1} - \eta_t\, g_t & \text{Nesterov} \end{cases}

    With a constant learning rate the iterates equal those of
    ``lessonlib.optim.SGD(lr, momentum=beta, nesterov=...)``, with :math:`u_t = -\eta b_t`.

    Parameters
    ----------
    lr : float or callable
        Learning rate :math:`\eta > 0`, or a schedule ``t -> lr``.
    momentum : float, default 0.9
        Momentum :math:`\beta \in [0, 1)`.
    nesterov : bool, default False
        Nesterov's look-ahead form, as in Keras (Sutskever et al. 2013, rewritten in
        the variable :math:`\theta_t` at which gradients are taken).

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of initialization
    and momentum in deep learning", ICML 2013.
    """
    lr: Union[float, Callable[[int], float]]
    momentum: float = 0.9
    nesterov: bool = False

    def __post_init__(self):
        if not callable(self.lr):
            check_positive("lr", self.lr)
        check_interval("momentum", self.momentum, 0.0, 1.0, "[)")

    def init(self, theta):
        """Initial state: ``VelocityState(t=0, u=zeros)``."""
        return VelocityState(0, np.zeros(np.shape(theta)))

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        u = self.momentum * state.u - lr * grad
        if self.nesterov:
            return theta + self.momentum * u - lr * grad, VelocityState(state.t + 1, u)
        return theta + u, VelocityState(state.t + 1, u)
