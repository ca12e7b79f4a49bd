r"""Learning-rate schedules: callables ``t -> lr``, with ``t`` counting optimizer steps from 0.

Pass one wherever a learning rate goes, e.g. ``Adam(lr=cosine_annealing(1e-3, 1000))``;
the optimizer evaluates it at ``t = state.t``, so its first step uses ``schedule(0)``.
Each schedule matches its ``torch.optim.lr_scheduler`` counterpart: the value at ``t = k``
is the learning rate in force at the k-th optimizer step (k from 0), i.e. after k calls
of ``scheduler.step()``.

A schedule returns a Python ``float`` for an integer ``t``. All schedules here except
:class:`ReduceOnPlateau` are closed-form and also accept an array of steps, returning an
array (handy for plotting): ``cosine_annealing(0.1, 100)(np.arange(100))``.
:func:`warmup` is vectorised when the schedule it wraps is.

Optimizers reject a learning rate that is not > 0. Schedules that end at 0
(``lr_min=0``) reach it at ``t = total_steps``, so run them for at most
``total_steps`` steps or give them a positive floor.
"""

import math

import numpy as np

from ._validate import check_int, check_interval, check_nonnegative, check_positive

__all__ = ["Schedule", "constant", "exponential_decay", "step_decay", "inverse_time_decay",
           "inverse_sqrt_decay", "linear_decay", "polynomial_decay", "cosine_annealing",
           "cosine_warm_restarts", "warmup", "ReduceOnPlateau"]


class Schedule:
    """A learning-rate schedule: ``schedule(t)`` is the learning rate at step ``t``.

    Wraps a formula of ``t`` (an integer or an array of steps) together with the
    arguments it was built from, so that it prints as the call that made it.
    """

    def __init__(self, formula, name, **args):
        self.formula, self.name, self.args = formula, name, args

    def __call__(self, t):
        lr = self.formula(np.asarray(t))
        return float(lr) if np.ndim(lr) == 0 else lr

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.args.items())
        return f"{self.name}({args})"


def _check_lr0(lr0):
    check_positive("lr0", lr0)


def _check_floor(name, value, lr0):
    check_nonnegative(name, value)
    if value > lr0:
        raise ValueError(f"{name} must be in [0, lr0] = [0, {lr0}], got {value}")


def constant(lr):
    r"""The same learning rate at every step: :math:`\eta_t = \eta`.

    ``torch``: no scheduler (or ``ConstantLR(factor=1)``).
    """
    check_positive("lr", lr)
    return Schedule(lambda t: np.full(np.shape(t), float(lr)), "constant", lr=lr)


def exponential_decay(lr0, gamma):
    r"""Multiply by ``gamma`` every step: :math:`\eta_t = \eta_0\, \gamma^t`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    gamma : float
        Decay per step, in (0, 1]; the learning rate halves every
        :math:`\ln 2 / \ln(1/\gamma)` steps.

    ``torch``: ``ExponentialLR(gamma=gamma)``.
    """
    _check_lr0(lr0)
    check_interval("gamma", gamma, 0, 1, "(]")
    return Schedule(lambda t: lr0 * gamma ** t, "exponential_decay", lr0=lr0, gamma=gamma)


def step_decay(lr0, step_size, gamma):
    r"""Multiply by ``gamma`` every ``step_size`` steps:
    :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    step_size : int
        :math:`s \ge 1`, steps between two decays.
    gamma : float
        Factor in (0, 1] applied at each decay (0.1 divides by 10).

    ``torch``: ``StepLR(step_size=step_size, gamma=gamma)``.

    References
    ----------
    K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition",
    CVPR 2016 (learning rate divided by 10 at fixed iterations).
    """
    _check_lr0(lr0)
    check_int("step_size", step_size, 1)
    check_interval("gamma", gamma, 0, 1, "(]")
    return Schedule(lambda t: lr0 * gamma ** (t // step_size), "step_decay",
                    lr0=lr0, step_size=step_size, gamma=gamma)


def inverse_time_decay(lr0, decay_rate):
    r"""Decay as :math:`1/t`: :math:`\eta_t = \eta_0 / (1 + \rho t)`.

    For :math:`\rho > 0` these steps satisfy Robbins and Monro's conditions
    :math:`\sum_t \eta_t = \infty`, :math:`\sum_t \eta_t^2 < \infty`, under which SGD
    converges to a minimum despite its gradient noise.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    decay_rate : float
        :math:`\rho \ge 0`; the rate halves at :math:`t = 1/\rho`.

    ``torch``: ``LambdaLR(lambda t: 1 / (1 + decay_rate * t))``.

    References
    ----------
    H. Robbins and S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951.
    """
    _check_lr0(lr0)
    check_nonnegative("decay_rate", decay_rate)
    return Schedule(lambda t: lr0 / (1 + decay_rate * t), "inverse_time_decay", lr0=lr0,
                    decay_rate=decay_rate)


def inverse_sqrt_decay(lr0, decay_rate):
    r"""Decay as :math:`1/\sqrt t`: :math:`\eta_t = \eta_0 / \sqrt{1 + \rho t}`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    decay_rate : float
        :math:`\rho \ge 0`; the rate halves at :math:`t = 3/\rho`.

    ``torch``: ``LambdaLR(lambda t: 1 / math.sqrt(1 + decay_rate * t))``.

    References
    ----------
    M. Zinkevich, "Online convex programming and generalized infinitesimal gradient
    ascent", ICML 2003 (steps :math:`\propto 1/\sqrt t`).
    A. Vaswani et al., "Attention is all you need", NeurIPS 2017 (warm-up, then
    :math:`1/\sqrt t`).
    """
    _check_lr0(lr0)
    check_nonnegative("decay_rate", decay_rate)
    return Schedule(lambda t: lr0 / np.sqrt(1 + decay_rate * t), "inverse_sqrt_decay", lr0=lr0,
                    decay_rate=decay_rate)


def linear_decay(lr0, lr_min, total_steps):
    r"""Straight line from ``lr0`` to ``lr_min`` over ``total_steps`` steps, then constant:
    :math:`\eta_t = (1 - s)\,\eta_0 + s\,\eta_{\min}` with :math:`s = \min(t, T)/T`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    lr_min : float
        Final learning rate :math:`\eta_{\min} \in [0, \eta_0]` (torch: ``end_factor * lr0``).
    total_steps : int
        :math:`T \ge 1`; :math:`\eta_T = \eta_{\min}`.

    ``torch``: ``LinearLR(start_factor=1, end_factor=lr_min / lr0, total_iters=total_steps)``.

    References
    ----------
    I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press, 2016, section 8.3.1.
    """
    _check_lr0(lr0)
    _check_floor("lr_min", lr_min, lr0)
    check_int("total_steps", total_steps, 1)

    def formula(t):
        s = np.minimum(t, total_steps) / total_steps
        return (1 - s) * lr0 + s * lr_min
    return Schedule(formula, "linear_decay", lr0=lr0, lr_min=lr_min, total_steps=total_steps)


def polynomial_decay(lr0, lr_min, power, total_steps):
    r"""Polynomial decay from ``lr0`` to ``lr_min`` over ``total_steps`` steps, then constant:
    :math:`\eta_t = (\eta_0 - \eta_{\min})(1 - \min(t, T)/T)^p + \eta_{\min}`.

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    lr_min : float
        Final learning rate :math:`\eta_{\min} \in [0, \eta_0]` (torch: ``end_factor * lr0``).
    power : float
        :math:`p > 0`; 1 is :func:`linear_decay`, 0.9 is DeepLab's "poly" policy.
    total_steps : int
        :math:`T \ge 1`.

    ``torch``: ``PolynomialLR(total_iters=total_steps, power=power)`` when ``lr_min = 0``.

    References
    ----------
    L.-C. Chen, G. Papandreou, I. Kokkinos, K. Murphy and A. L. Yuille, "DeepLab: semantic
    image segmentation with deep convolutional nets, atrous convolution, and fully
    connected CRFs", IEEE TPAMI, 2018.
    """
    _check_lr0(lr0)
    _check_floor("lr_min", lr_min, lr0)
    check_positive("power", power)
    check_int("total_steps", total_steps, 1)
    return Schedule(
        lambda t: (lr0 - lr_min) * (1 - np.minimum(t, total_steps) / total_steps) ** power + lr_min,
        "polynomial_decay", lr0=lr0, lr_min=lr_min, power=power, total_steps=total_steps)


def cosine_annealing(lr0, total_steps, lr_min=0.0):
    r"""Half a cosine from ``lr0`` down to ``lr_min`` over ``total_steps`` steps, then ``lr_min``:

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
                 \bigl(1 + \cos(\pi \min(t, T) / T)\bigr)

    Parameters
    ----------
    lr0 : float
        Initial learning rate :math:`\eta_0 > 0`.
    total_steps : int
        :math:`T \ge 1`; :math:`\eta_T = \eta_{\min}`.
    lr_min : float, default 0.0
        Final learning rate, in :math:`[0, \eta_0]`.

    ``torch``: ``CosineAnnealingLR(T_max=total_steps, eta_min=lr_min)``, equal for
    :math:`t \le T`. Past :math:`T` torch's recursive form rises again (a period of
    :math:`2T`); this schedule stays at ``lr_min`` (for restarts use
    :func:`cosine_warm_restarts`).

    References
    ----------
    I. Loshchilov and F. Hutter, "SGDR: Stochastic gradient descent with warm restarts",
    ICLR 2017.
    """
    _check_lr0(lr0)
    check_int("total_steps", total_steps, 1)
    _check_floor("lr_min", lr_min, lr0)

    def formula(t):
        t = np.minimum(t, total_steps)
        return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * t / total_steps)) / 2
    return Schedule(formula, "cosine_annealing", lr0=lr0, total_steps=total_steps, lr_min=lr_min)


def cosine_warm_restarts(lr0, period, period_mult=1, lr_min=0.0):
    r"""Cosine annealing restarted from ``lr0`` every period, periods growing by ``period_mult``:

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
                 \bigl(1 + \cos(\pi\, T_{\text{cur}} / T_i)\bigr)

    where :math:`T_i = T_0 m^i` is the length of the current cycle :math:`i` (cycles
    start at :math:`t = T_0 (m^i - 1)/(m - 1)`, or :math:`i T_0` when :math:`m = 1`)
    and :math:`T_{\text{cur}}` the steps since it started.

    Parameters
    ----------
    lr0 : float
        Learning rate :math:`\eta_0 > 0` at the start of each cycle.
    period : int
        :math:`T_0 \ge 1`, the length of the first cycle.
    period_mult : int, default 1
        :math:`m \ge 1`, each cycle is :math:`m` times longer than the one before.
    lr_min : float, default 0.0
        Learning rate approached at the end of each cycle, in :math:`[0, \eta_0]`.

    ``torch``: ``CosineAnnealingWarmRestarts(T_0=period, T_mult=period_mult, eta_min=lr_min)``
    stepped once per optimizer step.

    References
    ----------
    I. Loshchilov and F. Hutter, "SGDR: Stochastic gradient descent with warm restarts",
    ICLR 2017.
    L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017
    (another periodic schedule).
    """
    _check_lr0(lr0)
    check_int("period", period, 1)
    check_int("period_mult", period_mult, 1)
    _check_floor("lr_min", lr_min, lr0)

    def formula(t):
        T_cur = np.array(t, dtype=float)
        T_i = np.full(np.shape(t), float(period))
        if period_mult == 1:
            T_cur %= period
        else:
            restart = T_cur >= T_i
            while restart.any():
                T_cur = np.where(restart, T_cur - T_i, T_cur)
                T_i = np.where(restart, T_i * period_mult, T_i)
                restart = T_cur >= T_i
        return lr_min + (lr0 - lr_min) * (1 + np.cos(np.pi * T_cur / T_i)) / 2
    return Schedule(formula, "cosine_warm_restarts",
                    lr0=lr0, period=period, period_mult=period_mult, lr_min=lr_min)


def warmup(schedule, warmup_steps):
    r"""Linear warm-up for ``warmup_steps`` steps, then ``schedule`` from its start:

    .. math::

        \eta_t = \begin{cases}
            \eta'_0\, \dfrac{t + 1}{W + 1} & t < W \\
            \eta'_{t - W} & t \ge W
        \end{cases}

    with :math:`\eta'` = ``schedule`` and :math:`W` = ``warmup_steps``. The ramp
    climbs in equal steps of :math:`\eta'_0 / (W + 1)` from :math:`\eta'_0/(W+1)` (never
    0, which would waste a step) and meets the schedule at :math:`t = W`, where it gives
    :math:`\eta'_0`; the wrapped schedule then runs unchanged, so the whole run is
    ``warmup_steps`` longer than it.

    Parameters
    ----------
    schedule : callable
        Any schedule ``t -> lr`` (a float learning rate is accepted too).
    warmup_steps : int
        :math:`W \ge 1`.

    ``torch``: ``SequentialLR([LinearLR(start_factor=1 / (W + 1), total_iters=W), scheduler],
    milestones=[W])``; for a constant schedule, ``LinearLR`` alone.

    References
    ----------
    P. Goyal et al., "Accurate, large minibatch SGD: training ImageNet in 1 hour",
    arXiv:1706.02677, 2017 (gradual warm-up).
    """
    check_int("warmup_steps", warmup_steps, 1)
    if not callable(schedule):
        schedule = constant(schedule)

    def formula(t):
        if t.ndim == 0:
            return schedule(0) * (t + 1) / (warmup_steps + 1) if t < warmup_steps \
                else schedule(t.item() - warmup_steps)
        after = np.asarray(schedule(np.maximum(t - warmup_steps, 0)), dtype=float)
        return np.where(t < warmup_steps, schedule(0) * (t + 1) / (warmup_steps + 1), after)
    return Schedule(formula, "warmup", schedule=schedule, warmup_steps=warmup_steps)


class ReduceOnPlateau:
    r"""Divide the learning rate by ``1/factor`` when the loss stops improving.

    Call :meth:`step` once per evaluation (e.g. per epoch) with the loss; it returns the
    learning rate to use next. A loss improves on the best so far when
    :math:`\text{loss} < \text{best} - \text{threshold}\cdot|\text{best}|`. After more than
    ``patience`` evaluations in a row without improvement the rate becomes
    :math:`\max(\text{factor}\cdot\eta, \text{min\_lr})` (skipped if that changes it by
    less than ``eps = 1e-8``), and the next ``cooldown`` evaluations count no bad epochs.

    The object is also a schedule: ``plateau(t)`` returns the current rate whatever
    ``t``, so ``SGD(lr=plateau)`` follows it. Unlike the other schedules it has state
    and is not vectorised.

    Parameters
    ----------
    lr0 : float
        Initial learning rate, > 0.
    factor : float, default 0.1
        Multiplier in (0, 1) applied at each reduction.
    patience : int, default 10
        Evaluations without improvement (>= 0) tolerated before reducing.
    threshold : float, default 1e-4
        Relative improvement in [0, 1) needed to count as better.
    cooldown : int, default 0
        Evaluations (>= 0) after a reduction during which bad epochs are not counted.
    min_lr : float, default 0.0
        Floor in [0, lr0] for the learning rate.

    Attributes
    ----------
    lr : float
        The current learning rate.
    best : float
        The best loss so far (``inf`` before the first call of :meth:`step`).
    num_bad_epochs : int
        Evaluations since the last improvement (reset by a reduction and in cooldown).
    cooldown_counter : int
        Evaluations of cooldown left.

    ``torch``: ``ReduceLROnPlateau(mode="min", factor, patience, threshold,
    threshold_mode="rel", cooldown, min_lr, eps=1e-8)``; ``step(loss)`` returns the
    learning rate torch's optimizer holds after ``scheduler.step(loss)``. All defaults are
    torch's. One deliberate difference: torch's test
    :math:`\text{loss} < \text{best}\,(1 - \text{threshold})` is the same for a positive
    best, but for a negative one (a loss with :math:`J^* < 0`) it moves the bar *above*
    the best, and a slightly worse loss counts as an improvement that postpones every
    reduction; the threshold on :math:`|\text{best}|` always asks for a lower loss.

    References
    ----------
    A. Krizhevsky, I. Sutskever and G. Hinton, "ImageNet classification with deep
    convolutional neural networks", NeurIPS 2012 (divide by 10 when the validation
    error stops improving).
    """

    eps = 1e-8  # torch's: a reduction smaller than this is skipped

    def __init__(self, lr0, factor=0.1, patience=10, threshold=1e-4, cooldown=0, min_lr=0.0):
        _check_lr0(lr0)
        check_interval("factor", factor, 0, 1, "()")
        check_int("patience", patience, 0)
        check_interval("threshold", threshold, 0, 1, "[)")
        check_int("cooldown", cooldown, 0)
        _check_floor("min_lr", min_lr, lr0)
        self.lr0, self.factor, self.patience = lr0, factor, patience
        self.threshold, self.cooldown, self.min_lr = threshold, cooldown, min_lr
        self.lr = float(lr0)
        self.best = float("inf")
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def step(self, loss):
        """Record one evaluation's ``loss``; return the learning rate to use next."""
        loss = float(loss)
        if self._improves(loss):
            self.best = loss
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr

    def _improves(self, loss):
        """Whether ``loss`` beats the best so far by the relative threshold."""
        if math.isinf(self.best):           # the first evaluation (best = inf)
            return loss < self.best
        return loss < self.best - self.threshold * abs(self.best)

    def __call__(self, t):
        return self.lr

    def __repr__(self):
        return (f"ReduceOnPlateau(lr0={self.lr0!r}, factor={self.factor!r}, "
                f"patience={self.patience!r}, threshold={self.threshold!r}, "
                f"cooldown={self.cooldown!r}, min_lr={self.min_lr!r}; lr={self.lr!r}, "
                f"best={self.best!r}, num_bad_epochs={self.num_bad_epochs}, "
                f"cooldown_counter={self.cooldown_counter})")
