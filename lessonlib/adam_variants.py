r"""Adam as it is often written wrong, and as the libraries write it differently.

:class:`AdamVariant` is :class:`lessonlib.optim.Adam` with one switch per line of
the algorithm, so that each mistake of chapter 8 is *one* changed switch and runs
next to the real Adam on the same problem. With every switch at its default it is
Adam exactly (the tests check it against :class:`~lessonlib.optim.Adam`).

.. math::

    m_{t+1} &= \beta_1 m_t + (1-\beta_1)\, g_t
        &&\text{first\_moment="sum": } m_{t+1} = m_t + g_t \\
    v_{t+1} &= \beta_2 v_t + (1-\beta_2)\, g_t^2
        &&\text{second\_moment="belief": } (g_t - m_{t+1})^2 \text{ instead of } g_t^2 \\
    \hat m &= m_{t+1} / (1-\beta_1^{t+1}), \quad \hat v = v_{t+1} / (1-\beta_2^{t+1})
        &&\text{bias\_correction=False: } \hat m = m_{t+1},\ \hat v = v_{t+1} \\
    \theta_{t+1} &= \theta_t - \eta_t\, \frac{\hat m}{\sqrt{\hat v + \epsilon_{\text{root}}} + \epsilon}
        &&\text{numerator="grad": } g_t \text{ instead of } \hat m

``eps_where`` moves :math:`\epsilon`: ``"after"`` (torch, optax, the paper's
Algorithm 1) adds it to :math:`\sqrt{\hat v}`; ``"before"`` (Keras, TensorFlow 1,
the paper's "efficient version") adds it to :math:`\sqrt{v}` *before* the bias
correction, which is the same as adding :math:`\epsilon / \sqrt{1-\beta_2^{t+1}}`
after it. ``eps_root`` is optax's second constant, inside the root.

The source notes' two Adams are ``SOURCE_NOTE_VARIANTS`` below.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_interval, check_nonnegative, check_positive, check_step, lr_at
from .optim import AdamState, LearningRate

__all__ = ["AdamVariant", "SOURCE_NOTE_VARIANTS", "FLAWS", "decoupled_decay_fixed_point"]

_CHOICES = {
    "first_moment": ("average", "sum"),
    "second_moment": ("square", "belief"),
    "numerator": ("m", "grad"),
    "eps_where": ("after", "before"),
}


@dataclass(frozen=True)
class AdamVariant:
    """Adam with switches (see the module docstring); the defaults are Adam.

    Parameters
    ----------
    lr, beta1, beta2, eps
        As in :class:`lessonlib.optim.Adam`.
    bias_correction : bool, default True
        Divide the moments by :math:`1-\\beta^{t+1}`.
    first_moment : {"average", "sum"}
        ``"sum"`` accumulates :math:`m \\leftarrow m + g` (no decay, no averaging).
    second_moment : {"square", "belief"}
        ``"belief"`` averages :math:`(g - m_{t+1})^2`, the spread of the gradient
        around its average (AdaBelief's idea), instead of :math:`g^2`.
    numerator : {"m", "grad"}
        ``"grad"`` steps with the raw gradient instead of the first moment.
    eps_where : {"after", "before"}
        Add :math:`\\epsilon` to the root after (torch) or before (Keras) the bias correction.
    eps_root : float, default 0.0
        optax's :math:`\\epsilon_{\\text{root}} \\ge 0` inside the square root.
    """
    lr: LearningRate = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = True
    first_moment: str = "average"
    second_moment: str = "square"
    numerator: str = "m"
    eps_where: str = "after"
    eps_root: float = 0.0

    def __post_init__(self):
        if not callable(self.lr):
            check_positive("lr", self.lr)
        check_interval("beta1", self.beta1, 0, 1, "[)")
        check_interval("beta2", self.beta2, 0, 1, "[)")
        check_nonnegative("eps", self.eps)
        check_nonnegative("eps_root", self.eps_root)
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")

    def init(self, theta):
        """Initial state: ``AdamState(t=0, m=0, v=0)``."""
        return AdamState(0, np.zeros(np.shape(theta)), np.zeros(np.shape(theta)))

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        t = state.t + 1
        if self.first_moment == "sum":
            m = state.m + grad
        else:
            m = self.beta1 * state.m + (1 - self.beta1) * grad
        square = (grad - m) ** 2 if self.second_moment == "belief" else grad**2
        v = self.beta2 * state.v + (1 - self.beta2) * square
        c1, c2 = (1 - self.beta1**t, 1 - self.beta2**t) if self.bias_correction else (1.0, 1.0)
        eps = self.eps / math.sqrt(c2) if self.eps_where == "before" else self.eps
        numerator = grad if self.numerator == "grad" else m / c1
        theta_new = theta - lr * numerator / (np.sqrt(v / c2 + self.eps_root) + eps)
        return theta_new, AdamState(t, m, v)


#: The source notes' two versions of Adam, as :class:`AdamVariant` switches (hyperparameters
#: not included). "S3.5": the second moment of (m - g), no bias correction. "S4.3": the step
#: uses the raw gradient and the second moment decays with beta1 (pass ``beta2=beta1``); its
#: first moment, accumulated or averaged, never reaches the step.
SOURCE_NOTE_VARIANTS = {
    "S3.5": dict(second_moment="belief", bias_correction=False),
    "S4.3": dict(numerator="grad", bias_correction=False),
}

#: One mistake at a time, each a single switch away from Adam.
FLAWS = {
    "no bias correction": dict(bias_correction=False),
    "beta1 for the second moment": dict(beta2=0.9),
    "raw gradient in the step": dict(numerator="grad"),
    "summed first moment": dict(first_moment="sum"),
    "(m - g)^2 second moment": dict(second_moment="belief"),
}


def decoupled_decay_fixed_point(weight_decay, sigma, target=1.0):
    r"""Where AdamW settles on :math:`J = \tfrac12\lVert\theta - \theta^*\rVert^2` with gradient noise ``sigma``.

    With :math:`\hat v_i \approx \mathbb E[g_i^2] = \sigma_i^2 + (\theta_i - \theta^*_i)^2` and
    :math:`\mathbb E[\hat m_i] = \theta_i - \theta^*_i`, AdamW's expected update vanishes where

    .. math:: \theta_i - \theta^*_i = -\lambda_{\mathrm{wd}}\,\theta_i\,\sqrt{\sigma_i^2 + (\theta_i - \theta^*_i)^2},

    solved here by bisection between 0 and :math:`\theta^*_i > 0` (the left side minus the
    right is increasing there). ``sigma`` may be an array: one root per coordinate.
    An approximation (it treats :math:`\hat m` and :math:`\hat v` as independent); chapter 8
    measures it within a few per cent.
    """
    check_nonnegative("weight_decay", weight_decay)
    if not target > 0:
        raise ValueError(f"target must be > 0 (the fixed point lies between 0 and target), got {target}")
    sigma = np.asarray(sigma, dtype=float)
    low, high = np.zeros_like(sigma), np.full_like(sigma, float(target))
    for _ in range(60):                    # 60 halvings: the interval is below 1e-17 * target
        mid = (low + high) / 2
        residual = (mid - target) + weight_decay * mid * np.sqrt(sigma**2 + (mid - target) ** 2)
        low, high = np.where(residual > 0, low, mid), np.where(residual > 0, mid, high)
    return (low + high) / 2
