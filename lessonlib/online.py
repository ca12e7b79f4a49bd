r"""Online optimisation on a box: the losses change with the step, the iterate is projected.

Reddi, Kale and Kumar (2018) use this setting to show that Adam can converge to the
*worst* point of a simple convex problem. At step :math:`t = 0, 1, \dots` the learner
plays :math:`x_t \in [-1, 1]`, then sees the gradient of

.. math::

    f_t(x) = \begin{cases} C x & t \bmod 3 = 0 \\ -x & \text{otherwise} \end{cases}
    \qquad (C > 2),

and steps, :math:`x_{t+1} = \Pi_{[-1,1]}\bigl(\text{step}(x_t)\bigr)`, with
:math:`\Pi` the projection (a clip). Over every three steps the losses add up to
:math:`(C - 2)x`, so the best fixed point is :math:`x = -1`. (The paper counts from
:math:`t = 1` and puts :math:`Cx` at :math:`t \bmod 3 = 1`: the same sequence.)
"""

from dataclasses import dataclass

import numpy as np

from ._validate import check_int

__all__ = ["ReddiProblem", "projected_run", "average_regret"]


@dataclass(frozen=True)
class ReddiProblem:
    """The losses :math:`f_t` of Reddi et al.'s counterexample, with constant ``C > 2``.

    ``period`` generalises the 3 of the paper's first example: the gradient is ``C``
    when ``t % period == 0`` and -1 otherwise, and x = -1 is best when
    ``C > period - 1`` (the construction of their Theorem 2).
    """
    C: float = 3.0
    period: int = 3

    def __post_init__(self):
        check_int("period", self.period, 2)
        if not self.C > self.period - 1:
            raise ValueError(f"C must be > period - 1 = {self.period - 1} (then x = -1 is the best point), "
                             f"got C={self.C}")

    def grad(self, x, t):
        """:math:`f_t'(x)`: ``C`` on every third step (t = 0, 3, 6, ...), else ``-1``."""
        return np.full(np.shape(x), self.C if t % self.period == 0 else -1.0)

    def loss(self, x, t):
        """:math:`f_t(x)`."""
        return (self.C if t % self.period == 0 else -1.0) * np.asarray(x, dtype=float)

    def coefficients(self, T):
        """:math:`c_t` for t < T, where :math:`f_t(x) = c_t x`."""
        return np.where(np.arange(T) % self.period == 0, self.C, -1.0)

    def best_point(self):
        """The minimiser of the summed losses over [-1, 1]: -1."""
        return -1.0


def projected_run(optimizer, problem, x0, steps, low=-1.0, high=1.0):
    r"""Iterates :math:`x_0, \dots, x_T` of ``optimizer`` on ``problem``, projected on [low, high].

    ``problem.grad(x, t)`` gives the gradient at step ``t``; the projection is applied
    after every step, as in projected online gradient methods (for one coordinate the
    paper's weighted projection is this clip).
    """
    check_int("steps", steps, 0)
    x = np.clip(np.asarray(x0, dtype=float), low, high)
    state = optimizer.init(x)
    xs = [x]
    for t in range(steps):
        x, state = optimizer.step(x, problem.grad(x, t), state)
        x = np.clip(x, low, high)
        xs.append(x)
    return np.array(xs)


def average_regret(problem, xs):
    r""":math:`R_T / T`, with :math:`R_T = \sum_{t<T} f_t(x_t) - \min_{x} \sum_{t<T} f_t(x)`.

    ``xs`` holds :math:`x_0, \dots, x_T` of one coordinate (as :func:`projected_run`
    returns them); the last iterate is not played. An algorithm that learns has
    :math:`R_T / T \to 0`.
    """
    xs = np.asarray(xs, dtype=float).reshape(len(xs), -1)
    if xs.shape[1] != 1:
        raise ValueError(f"average_regret takes the iterates of one coordinate, got shape {xs.shape}")
    c = problem.coefficients(len(xs) - 1)
    return float(c @ xs[:-1, 0] + abs(c.sum())) / len(c)
