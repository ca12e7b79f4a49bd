r"""Gradient-based optimizers: SGD (with momentum), AdaGrad, RMSProp, Adam and AdamW.

Each optimizer is built from its hyperparameters and has two pure methods, in the
style of optax::

    opt = Adam(lr=1e-3)
    state = opt.init(theta)                          # AdamState(t=0, m=..., v=...)
    theta, state = opt.step(theta, grad, state)      # new arrays, inputs untouched

``state.t`` counts the steps taken so far, from 0. ``lr`` is a float or a schedule,
any callable ``t -> lr`` (see :mod:`lessonlib.schedules`), evaluated at
``t = state.t``, so the first step uses ``lr(0)``. It may also be an array of
theta's shape, one rate per coordinate: chapter 9 trains K copies of a model as one
vector, each copy with its own rate (:class:`lessonlib.nn.MLPStack`).

For the same hyperparameters every optimizer produces the same iterates as its
``torch.optim`` counterpart (checked to 1e-10 relative in float64 by the tests).

Notation: :math:`\theta_t` parameters, :math:`g_t` gradient, :math:`\eta_t`
learning rate, all at step :math:`t = 0, 1, \dots`; squares, square roots and
divisions of vectors are elementwise. Papers count steps from 1; their
:math:`t` is our :math:`t + 1`.

About the code: ``step`` must not modify its inputs, so it returns new arrays.
:class:`SGD` is written as its formula, ``theta - lr * direction``; its
temporaries cost little (numpy reuses them in a chained expression), measured
within 1.3 times the same step written with ``out=`` buffers. The adaptive
methods, with more passes per step, write each result into a freshly allocated
array (``np.empty_like``) with ``out=`` and in-place operators, which makes no
other temporary arrays; they stay within about 1.5 times the time of ``torch.optim``.
"""

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional, Union

import numpy as np

from ._validate import (check_interval, check_lr_value, check_nonnegative, check_positive, check_step,
                        lr_at)

__all__ = ["SGD", "AdaGrad", "RMSProp", "Adam", "AdamW",
           "SGDState", "AdaGradState", "RMSPropState", "AdamState", "AMSGradState"]

LearningRate = Union[float, Callable[[int], float]]


class SGDState(NamedTuple):
    """``t`` steps taken; ``b`` the momentum buffer (``None`` without momentum)."""
    t: int
    b: Optional[np.ndarray]


class AdaGradState(NamedTuple):
    """``t`` steps taken; ``G`` the running sum of squared gradients."""
    t: int
    G: np.ndarray


class RMSPropState(NamedTuple):
    """``t`` steps taken; ``v`` the moving average of squared gradients, ``m`` that of
    gradients (``None`` unless centered), ``b`` the momentum buffer (``None`` without momentum)."""
    t: int
    v: np.ndarray
    m: Optional[np.ndarray]
    b: Optional[np.ndarray]


class AdamState(NamedTuple):
    """``t`` steps taken; ``m`` and ``v`` the moving averages of gradients and squared gradients."""
    t: int
    m: np.ndarray
    v: np.ndarray


class AMSGradState(NamedTuple):
    """:class:`AdamState` plus ``v_max``, the elementwise maximum of every ``v`` so far."""
    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray


def _check_lr(lr):
    if not callable(lr):
        check_lr_value(lr)


def _add_weight_decay(grad, weight_decay, theta):
    """:math:`g + \\lambda_{\\mathrm{wd}}\\theta` (L2 regularisation folded into the gradient), in a new array."""
    out = np.multiply(theta, weight_decay, out=np.empty_like(theta))
    out += grad
    return out


def _ema(avg, x, beta):
    r""":math:`\beta\,\mathrm{avg} + (1-\beta)\,x` in a new array, computed as torch's
    ``lerp``: :math:`\mathrm{avg} + (1-\beta)(x - \mathrm{avg})`."""
    out = np.subtract(x, avg, out=np.empty_like(avg))
    out *= 1 - beta
    out += avg
    return out


def _ema_of_square(avg, g, beta):
    r""":math:`\beta\,\mathrm{avg} + (1-\beta)\,g^2` in a new array."""
    out = np.square(g, out=np.empty_like(avg))
    out -= avg
    out *= 1 - beta
    out += avg
    return out


@dataclass(frozen=True)
class SGD:
    r"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay.

    .. math::

        g_t &\leftarrow g_t + \lambda_{\mathrm{wd}}\,\theta_t \\
        b_{t+1} &= \beta\, b_t + g_t, \qquad b_0 = 0 \ (\text{so } b_1 = g_0) \\
        d_t &= \begin{cases} g_t & \beta = 0 \\ b_{t+1} & \text{momentum} \\
              g_t + \beta\, b_{t+1} & \text{Nesterov} \end{cases} \\
        \theta_{t+1} &= \theta_t - \eta_t\, d_t

    This is ``torch.optim.SGD`` with ``dampening=0``: its momentum buffer starts as
    the first gradient, which is what :math:`b_0 = 0` gives.

    Parameters
    ----------
    lr : float or callable
        Learning rate :math:`\eta > 0`, or a schedule ``t -> lr``. Required: no value
        suits every problem (for an :math:`L`-smooth objective, gradient descent
        decreases the loss for :math:`\eta < 2/L`).
    momentum : float, default 0.0
        Momentum :math:`\beta \ge 0`; 0 is plain SGD, 0.9 is a common choice.
    nesterov : bool, default False
        Use Nesterov's look-ahead form (needs ``momentum > 0``).
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda_{\mathrm{wd}} \ge 0` added to the gradient.

    Defaults follow ``torch.optim.SGD``.

    References
    ----------
    H. Robbins and S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951.
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    Y. Nesterov, "A method for solving the convex programming problem with convergence
    rate O(1/k^2)", 1983.
    I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of initialization
    and momentum in deep learning", ICML 2013 (the form of Nesterov momentum used here).
    """
    lr: LearningRate
    momentum: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0

    def __post_init__(self):
        _check_lr(self.lr)
        check_nonnegative("momentum", self.momentum)
        check_nonnegative("weight_decay", self.weight_decay)
        if self.nesterov and self.momentum == 0:
            raise ValueError(f"nesterov=True needs momentum > 0, got momentum={self.momentum}")

    def init(self, theta):
        """Initial state: ``SGDState(t=0, b=zeros)`` (``b=None`` without momentum)."""
        b = np.zeros(np.shape(theta)) if self.momentum else None
        return SGDState(0, b)

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        if self.weight_decay:
            grad = grad + self.weight_decay * theta
        b = None
        direction = grad
        if self.momentum:
            b = self.momentum * state.b + grad
            direction = grad + self.momentum * b if self.nesterov else b
        theta_new = theta - lr * direction
        # np.asarray: numpy returns a 0-d array's arithmetic as a scalar, and step returns arrays.
        return np.asarray(theta_new), SGDState(state.t + 1, b)


@dataclass(frozen=True)
class AdaGrad:
    r"""AdaGrad: per-coordinate steps shrinking with the sum of past squared gradients.

    .. math::

        g_t &\leftarrow g_t + \lambda_{\mathrm{wd}}\,\theta_t \\
        G_{t+1} &= G_t + g_t^2, \qquad G_0 = \text{initial\_accumulator\_value} \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{1 + t\,\delta}\,
                        \frac{g_t}{\sqrt{G_{t+1}} + \epsilon}

    with :math:`\delta` = ``lr_decay``. As in ``torch.optim.Adagrad`` (and Duchi et
    al.'s :math:`\delta I`), :math:`\epsilon` is outside the square root. Rescaling
    one coordinate's gradients by a constant leaves the iterates unchanged (for
    :math:`\epsilon = 0`, :math:`G_0 = 0`).

    Parameters
    ----------
    lr : float or callable, default 1e-2
        Learning rate :math:`\eta > 0`, or a schedule ``t -> lr``.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, keeps the division finite while :math:`G` is 0.
    initial_accumulator_value : float, default 0.0
        :math:`G_0 \ge 0` for every coordinate.
    lr_decay : float, default 0.0
        :math:`\delta \ge 0` in :math:`\eta_t / (1 + t\delta)`; a torch addition, not
        in the paper.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda_{\mathrm{wd}} \ge 0` added to the gradient.

    The paper tunes :math:`\eta` per problem and gives no default for it or for
    :math:`\epsilon` (its :math:`\delta \ge 0`), so every default here is torch's.

    References
    ----------
    J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for online learning
    and stochastic optimization", JMLR 12, 2011.
    """
    lr: LearningRate = 1e-2
    eps: float = 1e-10
    initial_accumulator_value: float = 0.0
    lr_decay: float = 0.0
    weight_decay: float = 0.0

    def __post_init__(self):
        _check_lr(self.lr)
        check_nonnegative("eps", self.eps)
        check_nonnegative("initial_accumulator_value", self.initial_accumulator_value)
        check_nonnegative("lr_decay", self.lr_decay)
        check_nonnegative("weight_decay", self.weight_decay)

    def init(self, theta):
        """Initial state: ``AdaGradState(t=0, G=initial_accumulator_value)``."""
        return AdaGradState(0, np.full(np.shape(theta), float(self.initial_accumulator_value)))

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        if self.weight_decay:
            grad = _add_weight_decay(grad, self.weight_decay, theta)
        lr = lr / (1 + state.t * self.lr_decay)
        G = np.square(grad, out=np.empty_like(theta))
        G += state.G
        denom = np.sqrt(G, out=np.empty_like(theta))
        denom += self.eps
        theta_new = np.divide(grad, denom, out=denom)
        theta_new *= -lr
        theta_new += theta
        return theta_new, AdaGradState(state.t + 1, G)


@dataclass(frozen=True)
class RMSProp:
    r"""RMSProp: divide the gradient by a moving average of its recent magnitude.

    .. math::

        g_t &\leftarrow g_t + \lambda_{\mathrm{wd}}\,\theta_t \\
        v_{t+1} &= \beta\, v_t + (1-\beta)\, g_t^2, \qquad v_0 = 0 \\
        m_{t+1} &= \beta\, m_t + (1-\beta)\, g_t, \qquad m_0 = 0
                   \quad \text{(centered only)} \\
        \tilde g_t &= g_t \,/\, \bigl(\sqrt{v_{t+1}} + \epsilon\bigr)
               \quad\text{or, centered,}\quad
               g_t \,/\, \bigl(\sqrt{v_{t+1} - m_{t+1}^2} + \epsilon\bigr) \\
        b_{t+1} &= \beta_{\mathrm{mom}}\, b_t + \tilde g_t, \qquad b_0 = 0 \\
        \theta_{t+1} &= \theta_t - \eta_t\, b_{t+1}
                        \quad (\theta_t - \eta_t \tilde g_t \text{ when } \beta_{\mathrm{mom}} = 0)

    This is ``torch.optim.RMSprop`` with ``alpha=beta``; as there, :math:`\epsilon`
    is outside the square root and there is no bias correction. ``eps_in_sqrt=True``
    puts it inside, :math:`\sqrt{v_{t+1} + \epsilon}`, as Keras and optax (by default) do.

    Parameters
    ----------
    lr : float or callable, default 1e-2
        Learning rate :math:`\eta > 0`, or a schedule ``t -> lr``. The lecture gives
        none; this is torch's default.
    beta : float, default 0.9
        Decay :math:`\beta \in [0, 1)` of the moving averages. 0.9 is the value in
        Tieleman and Hinton's lecture; **torch's default is** ``alpha=0.99``.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0` added to the root (torch's default; the lecture has none).
    centered : bool, default False
        Divide by an estimate of the standard deviation :math:`\sqrt{v - m^2}`
        instead of the root mean square (Graves 2013, who puts :math:`\epsilon`
        inside the root; torch and this class put it outside).
    momentum : float, default 0.0
        Momentum :math:`\beta_{\mathrm{mom}} \ge 0` applied to the normalised step :math:`\tilde g_t`.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda_{\mathrm{wd}} \ge 0` added to the gradient.
    eps_in_sqrt : bool, default False
        Add :math:`\epsilon` inside the square root instead of after it.

    References
    ----------
    T. Tieleman and G. Hinton, "Lecture 6.5 - rmsprop: Divide the gradient by a running
    average of its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012.
    A. Graves, "Generating sequences with recurrent neural networks", arXiv:1308.0850,
    2013 (the centered variant with momentum).
    """
    lr: LearningRate = 1e-2
    beta: float = 0.9
    eps: float = 1e-8
    centered: bool = False
    momentum: float = 0.0
    weight_decay: float = 0.0
    eps_in_sqrt: bool = False

    def __post_init__(self):
        _check_lr(self.lr)
        check_interval("beta", self.beta, 0, 1, "[)")
        check_nonnegative("eps", self.eps)
        check_nonnegative("momentum", self.momentum)
        check_nonnegative("weight_decay", self.weight_decay)

    def init(self, theta):
        """Initial state: ``RMSPropState(t=0, v=0, m=0 or None, b=0 or None)``."""
        shape = np.shape(theta)
        return RMSPropState(0, np.zeros(shape),
                            np.zeros(shape) if self.centered else None,
                            np.zeros(shape) if self.momentum else None)

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        if self.weight_decay:
            grad = _add_weight_decay(grad, self.weight_decay, theta)
        v = _ema_of_square(state.v, grad, self.beta)
        m = b = None
        if self.centered:
            m = _ema(state.m, grad, self.beta)
            denom = np.square(m, out=np.empty_like(theta))
            np.subtract(v, denom, out=denom)
        else:
            denom = v.copy()
        if self.eps_in_sqrt:
            denom += self.eps
            np.sqrt(denom, out=denom)
        else:
            np.sqrt(denom, out=denom)
            denom += self.eps
        u = np.divide(grad, denom, out=denom)
        if self.momentum:
            b = np.multiply(state.b, self.momentum, out=np.empty_like(theta))
            b += u
        theta_new = np.multiply(b if self.momentum else u, -lr, out=u)
        theta_new += theta
        return theta_new, RMSPropState(state.t + 1, v, m, b)


def _adam_update(theta, grad, state, lr, beta1, beta2, eps, amsgrad):
    r"""The Adam step shared by :class:`Adam` and :class:`AdamW`:
    :math:`\theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)` with updated moments."""
    t = state.t + 1
    m = _ema(state.m, grad, beta1)
    v = _ema_of_square(state.v, grad, beta2)
    v_max = np.maximum(state.v_max, v, out=np.empty_like(theta)) if amsgrad else None
    bias1, bias2 = 1 - beta1 ** t, 1 - beta2 ** t
    # m_hat / (sqrt(v_hat) + eps) = (sqrt(bias2) / bias1) * m / (sqrt(v) + eps * sqrt(bias2)):
    # the same number, with the bias corrections moved onto scalars (two passes fewer).
    denom = np.sqrt(v_max if amsgrad else v, out=np.empty_like(theta))
    denom += eps * math.sqrt(bias2)
    theta_new = np.divide(m, denom, out=denom)
    theta_new *= -lr * math.sqrt(bias2) / bias1
    theta_new += theta
    state = AMSGradState(t, m, v, v_max) if amsgrad else AdamState(t, m, v)
    return theta_new, state


def _adam_init(theta, amsgrad):
    shape = np.shape(theta)
    if amsgrad:
        return AMSGradState(0, np.zeros(shape), np.zeros(shape), np.zeros(shape))
    return AdamState(0, np.zeros(shape), np.zeros(shape))


def _check_adam_args(opt):
    _check_lr(opt.lr)
    check_interval("beta1", opt.beta1, 0, 1, "[)")
    check_interval("beta2", opt.beta2, 0, 1, "[)")
    check_nonnegative("eps", opt.eps)
    check_nonnegative("weight_decay", opt.weight_decay)


@dataclass(frozen=True)
class Adam:
    r"""Adam: momentum on the gradient, scaled per coordinate by its root mean square.

    .. math::

        g_t &\leftarrow g_t + \lambda_{\mathrm{wd}}\,\theta_t \\
        m_{t+1} &= \beta_1 m_t + (1-\beta_1)\, g_t, \qquad m_0 = 0 \\
        v_{t+1} &= \beta_2 v_t + (1-\beta_2)\, g_t^2, \qquad v_0 = 0 \\
        \hat m &= \frac{m_{t+1}}{1-\beta_1^{t+1}}, \qquad
        \hat v = \frac{v_{t+1}}{1-\beta_2^{t+1}}
        \quad\Bigl(\text{AMSGrad: } \hat v = \frac{v^{\max}_{t+1}}{1-\beta_2^{t+1}},\
        v^{\max}_{t+1} = \max(v^{\max}_t, v_{t+1})\Bigr) \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    This is ``torch.optim.Adam``: :math:`\epsilon` is added after the bias
    correction, outside the root; AMSGrad keeps the maximum of the raw :math:`v` and
    applies the bias correction afterwards; ``weight_decay`` is L2 added to the
    gradient (for decoupled decay use :class:`AdamW`). With :math:`\epsilon = 0`
    the first step is :math:`-\eta_0\,\mathrm{sign}(g_0)`, and rescaling one
    coordinate's gradients by a constant leaves the iterates unchanged.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        Learning rate :math:`\eta > 0` (the paper's :math:`\alpha`), or a schedule ``t -> lr``.
    beta1 : float, default 0.9
        Decay :math:`\beta_1 \in [0, 1)` of the first-moment average.
    beta2 : float, default 0.999
        Decay :math:`\beta_2 \in [0, 1)` of the second-moment average.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0` added to :math:`\sqrt{\hat v}`.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda_{\mathrm{wd}} \ge 0` added to the gradient (not in the paper).
    amsgrad : bool, default False
        Use the AMSGrad variant (Reddi et al. 2018); the state is then an
        :class:`AMSGradState`.

    The defaults are the paper's (Kingma and Ba, Algorithm 1), which torch also uses.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.
    S. J. Reddi, S. Kale and S. Kumar, "On the convergence of Adam and beyond", ICLR 2018.
    """
    lr: LearningRate = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False

    def __post_init__(self):
        _check_adam_args(self)

    def init(self, theta):
        """Initial state: ``AdamState(t=0, m=0, v=0)`` (``AMSGradState`` with ``v_max=0``)."""
        return _adam_init(theta, self.amsgrad)

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        if self.weight_decay:
            grad = _add_weight_decay(grad, self.weight_decay, theta)
        return _adam_update(theta, grad, state, lr, self.beta1, self.beta2, self.eps, self.amsgrad)


@dataclass(frozen=True)
class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay.

    .. math::

        \theta_t &\leftarrow (1 - \eta_t \lambda_{\mathrm{wd}})\, \theta_t \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    with :math:`\hat m, \hat v` (and AMSGrad) exactly as in :class:`Adam`, computed
    from the raw gradient: the decay shrinks the weights directly instead of
    passing through the adaptive scaling, which is what L2 regularisation in Adam
    does. This is ``torch.optim.AdamW``: the decay uses the current (scheduled)
    learning rate :math:`\eta_t`.

    Parameters
    ----------
    lr : float or callable, default 1e-3
        Learning rate :math:`\eta > 0`, or a schedule ``t -> lr``.
    beta1, beta2, eps, amsgrad
        As in :class:`Adam`, with the same defaults (the paper keeps Adam's).
    weight_decay : float, default 1e-2
        Decoupled decay :math:`\lambda_{\mathrm{wd}} \ge 0`. The paper writes the decay as
        :math:`\eta_t \lambda_{\text{paper}} \theta` with :math:`\eta_t` the schedule
        multiplier, so :math:`\lambda_{\text{paper}} = \text{lr} \cdot \lambda_{\mathrm{wd}}` for a
        constant lr. It tunes :math:`\lambda_{\mathrm{wd}}` per problem and gives no default; 1e-2
        is torch's.

    References
    ----------
    I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.
    """
    weight_decay: float = 1e-2

    def step(self, theta, grad, state):
        """One update; returns ``(theta, state)`` as new objects."""
        lr = lr_at(self.lr, state.t)
        theta, grad = check_step(theta, grad, state.t, lr)
        if self.weight_decay:
            theta = np.multiply(theta, 1 - lr * self.weight_decay, out=np.empty_like(theta))
        return _adam_update(theta, grad, state, lr, self.beta1, self.beta2, self.eps, self.amsgrad)
