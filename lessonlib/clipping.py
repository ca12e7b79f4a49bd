r"""Gradient clipping: cap a gradient's length before the optimizer sees it.

Clipping by norm keeps the direction and caps the length at ``max_norm`` (:math:`c_{\mathrm{clip}}`):

.. math:: \operatorname{clip}(g) = \min\Bigl(1, \frac{c_{\mathrm{clip}}}{\lVert g\rVert}\Bigr)\, g

It is the Euclidean projection of :math:`g` onto the ball :math:`\lVert g\rVert \le c_{\mathrm{clip}}`,
so a step :math:`\eta\,\operatorname{clip}(g)` is never longer than :math:`\eta\, c_{\mathrm{clip}}`, and
a gradient already inside the ball is left exactly as it is. Clipping by value,
:math:`\max(-c_{\mathrm{clip}}, \min(c_{\mathrm{clip}}, g_i))` in each coordinate, caps every coordinate instead and so
turns the gradient's direction towards the diagonal.

Clipping bounds *exploding* gradients. It does nothing for vanishing ones: a gradient
shorter than :math:`c_{\mathrm{clip}}` passes unchanged.

:class:`Clipped` wraps any :mod:`lessonlib.optim` optimizer, as
``torch.nn.utils.clip_grad_norm_`` before ``optimizer.step()`` or
``optax.chain(optax.clip_by_global_norm(max_norm), ...)`` do.
"""

from dataclasses import dataclass

import numpy as np

from ._validate import check_positive

__all__ = ["clip_by_norm", "clip_by_value", "Clipped"]


def clip_by_norm(grad, max_norm):
    r""":math:`\min(1, c_{\mathrm{clip}}/\lVert g\rVert)\, g`: the direction kept, the length at most ``max_norm``."""
    check_positive("max_norm", max_norm)
    grad = np.asarray(grad, dtype=float)
    norm = float(np.linalg.norm(grad))
    if norm <= max_norm:
        return grad.copy()
    return grad * (max_norm / norm)


def clip_by_value(grad, max_value):
    r""":math:`\max(-c_{\mathrm{clip}}, \min(c_{\mathrm{clip}}, g_i))` in every coordinate (changes the direction when it acts)."""
    check_positive("max_value", max_value)
    return np.clip(np.asarray(grad, dtype=float), -max_value, max_value)


@dataclass(frozen=True)
class Clipped:
    r"""``optimizer`` stepping along :func:`clip_by_norm` of each gradient.

    .. math:: \theta_{t+1} = \text{step}\bigl(\theta_t, \operatorname{clip}(g_t)\bigr)

    Parameters
    ----------
    optimizer
        Any :mod:`lessonlib.optim` optimizer; its state is the wrapper's state.
    max_norm : float
        :math:`c_{\mathrm{clip}} > 0`. A good value is a little above the gradient norms of a healthy
        run (look at ``History.grad_norms``): then only the rare explosions are cut.
    """

    optimizer: object
    max_norm: float

    def __post_init__(self):
        check_positive("max_norm", self.max_norm)

    @property
    def lr(self):
        """The wrapped optimizer's learning rate (read by the training loops)."""
        return self.optimizer.lr

    def init(self, theta):
        return self.optimizer.init(theta)

    def step(self, theta, grad, state):
        return self.optimizer.step(theta, clip_by_norm(grad, self.max_norm), state)
