r"""The training loop: run an optimizer on an objective and record what happened.

:func:`minimize` repeats

.. math:: g_t = \nabla J_{B_t}(\theta_t), \qquad \theta_{t+1} = \text{step}(\theta_t, g_t)

where :math:`B_t` is the whole data set (full-batch gradient descent) or, with
``batch_size``, a mini-batch drawn by :func:`batches`. It returns a
:class:`History` of the iterates, losses, learning rates and gradient norms, and
stops with a :class:`DivergenceError` that says what to change when a run blows up.

Evaluating the full loss :math:`J(\theta_t)` touches all :math:`n` samples, while a
mini-batch step touches only :math:`B`; on a large data set recording the loss at
every step would cost more than the training itself. ``record_every=k`` records the
iterate and its loss every :math:`k` steps only, and the history counts the
per-sample gradient evaluations spent, the fair clock for comparing batch sizes.

:func:`train_epochs` is the loop for training a model on data: epochs of
shuffled mini-batches, with the training and test loss and accuracy recorded after
each epoch in an :class:`EpochHistory`.
"""

import math
import numbers
from typing import NamedTuple, Optional

import numpy as np

from ._validate import check_int, lr_at

__all__ = ["History", "DivergenceError", "minimize", "minimize_adjusting_lr", "batches",
           "EpochHistory", "train_epochs"]


class DivergenceError(FloatingPointError):
    """A run's loss or parameters became non-finite or exploded."""


class History(NamedTuple):
    """What :func:`minimize` recorded.

    thetas : array (T + 1, ...)   iterates :math:`\\theta_0, \\dots, \\theta_T`
    losses : array (T + 1,)       full loss :math:`J(\\theta_t)` at each iterate
    lrs : array (T,)              learning rate used at step t
    grad_norms : array (T,)       :math:`\\lVert g_t\\rVert` of the gradient used at step t
    stopped : str                 why the run ended: "max_steps", "grad_tol", "loss_tol" or "diverged"
    grad_evals : array (R,)       per-sample gradient evaluations spent before each recorded iterate
                                  (:math:`B` per mini-batch step, :math:`n` per full-batch step on a data
                                  objective, 1 per step on an objective without data)
    recorded_steps : array (R,)   the step :math:`t` of each recorded iterate

    With the default ``record_every=1`` of :func:`minimize` every iterate is recorded
    (R = T + 1 and ``recorded_steps`` is ``0, 1, ..., T``); with ``record_every=k``
    ``thetas`` and ``losses`` hold every k-th iterate and the last one. The last two
    fields default to None, for histories built by hand.
    """

    thetas: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    grad_norms: np.ndarray
    stopped: str
    grad_evals: Optional[np.ndarray] = None
    recorded_steps: Optional[np.ndarray] = None

    @property
    def steps(self):
        """Number of optimizer steps taken."""
        return len(self.lrs)

    @property
    def theta(self):
        """The last iterate."""
        return self.thetas[-1]


def batches(n, batch_size, seed=0, replacement=False):
    """Yield index arrays of mini-batches of ``range(n)``, forever.

    Without replacement (the default, what deep-learning data loaders do) each epoch
    is a fresh permutation cut into consecutive batches; the last batch of an epoch
    is smaller when ``batch_size`` does not divide ``n``. With replacement every
    batch is ``batch_size`` independent uniform draws.
    """
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and n={n}, got {batch_size}")
    # Checked here, not in the generator, so a bad batch_size raises at the call.
    return _batches(n, batch_size, seed, replacement)


def _batches(n, batch_size, seed, replacement):
    rng = np.random.default_rng(seed)
    while True:
        if replacement:
            yield rng.integers(0, n, size=batch_size)
        else:
            perm = rng.permutation(n)
            for start in range(0, n, batch_size):
                yield perm[start:start + batch_size]


def _divergence_message(t, log, lr, objective):
    """What went wrong at step ``t`` and what to change; ``log`` holds the losses so far."""
    msg = (f"The run diverged at step {t}: the loss went from {log.losses[0]:.4g} to {log.losses[-1]:.4g} "
           f"with learning rate {lr:.4g}. The learning rate is too large for this problem; "
           f"try {lr / 10:.4g} or smaller.")
    L = getattr(objective, "L", None)
    if L is not None and not callable(L):
        msg += f" Here L = {L:.4g}, and gradient descent is only guaranteed to descend for lr < 2/L = {2 / L:.4g}."
    return msg


class _Log:
    """The lists a run fills: one entry per step (``lrs``, ``grad_norms``) and one per
    recorded iterate (``thetas``, ``losses``, ``grad_evals``, ``recorded_steps``)."""

    def __init__(self, objective, theta):
        self.objective = objective
        self.thetas, self.losses, self.grad_evals, self.recorded_steps = [], [], [], []
        self.lrs, self.grad_norms = [], []
        self.spent = 0                      # per-sample gradient evaluations so far
        self.record(0, theta)

    def step(self, lr, grad_norm, cost):
        """Log one step taken with ``lr`` along a gradient of norm ``grad_norm`` costing ``cost``."""
        self.lrs.append(lr)
        self.grad_norms.append(grad_norm)
        self.spent += cost

    def record(self, t, theta):
        """Record the iterate after ``t`` steps and its full loss (once per ``t``)."""
        if self.recorded_steps and self.recorded_steps[-1] == t:
            return
        self.thetas.append(theta)
        self.losses.append(np.asarray(self.objective.loss(theta), dtype=float).item())
        self.grad_evals.append(self.spent)
        self.recorded_steps.append(t)

    def history(self, stopped):
        return History(np.array(self.thetas), np.array(self.losses), np.array(self.lrs),
                       np.array(self.grad_norms), stopped, np.array(self.grad_evals),
                       np.array(self.recorded_steps))


def _check_minimize_args(steps, on_divergence, record_every, loss_tol):
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f'on_divergence must be "raise" or "stop", got {on_divergence!r}')
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if isinstance(record_every, bool) or not isinstance(record_every, numbers.Integral) or record_every < 1:
        raise ValueError(f"record_every must be an integer >= 1, got {record_every!r}")
    if loss_tol is not None and record_every != 1:
        raise ValueError("loss_tol compares the losses of consecutive steps, so it needs record_every=1, "
                         f"got record_every={record_every}")


def _gradient(objective, theta, sampler):
    """The gradient for the next step and its cost in per-sample gradient evaluations."""
    if sampler is None:
        return objective.grad(theta), getattr(objective, "n", 1)
    idx = next(sampler)
    return objective.batch_grad(theta, idx), len(idx)


def _stop_before_step(grad_norm, grad_tol):
    """Why the run must end before stepping along a gradient of this norm, or None."""
    if not math.isfinite(grad_norm):
        return "diverged"
    if grad_tol is not None and grad_norm <= grad_tol:
        return "grad_tol"
    return None


def _stop_after_step(log, theta_finite, limit, loss_tol):
    """Why the run must end after the step just recorded, or None."""
    loss = log.losses[-1]
    if not (theta_finite and math.isfinite(loss) and abs(loss) <= limit):
        return "diverged"
    if loss_tol is not None and abs(loss - log.losses[-2]) <= loss_tol * max(1.0, abs(log.losses[-2])):
        return "loss_tol"
    return None


def minimize(objective, optimizer, theta0, steps, *, batch_size=None, replacement=False, seed=0,
             grad_tol=None, loss_tol=None, on_divergence="raise", blowup=1e10, record_every=1):
    r"""Run ``optimizer`` on ``objective`` from ``theta0`` for at most ``steps`` steps.

    Parameters
    ----------
    objective
        Anything with ``loss(theta)`` and ``grad(theta)`` (see :mod:`lessonlib.objectives`);
        with ``batch_size`` it also needs ``n`` and ``batch_grad(theta, idx)``.
    optimizer
        A :mod:`lessonlib.optim` optimizer (``init``/``step``).
    theta0 : array
        Starting point (not modified).
    steps : int
        Maximum number of optimizer steps.
    batch_size : int, optional
        Mini-batch size; ``None`` uses the full gradient.
    replacement, seed
        How mini-batches are drawn (see :func:`batches`).
    grad_tol : float, optional
        Stop when :math:`\lVert g_t\rVert \le` ``grad_tol``.
    loss_tol : float, optional
        Stop when :math:`|J_{t+1} - J_t| \le` ``loss_tol`` :math:`\cdot \max(1, |J_t|)`
        (needs ``record_every=1``).
    on_divergence : {"raise", "stop"}
        When the loss becomes non-finite or exceeds ``blowup`` times
        :math:`\max(1, |J(\theta_0)|)`: raise :class:`DivergenceError`, or stop and
        return the history so far with ``stopped="diverged"``.
    record_every : int
        Record the iterate and its full loss every ``record_every`` steps (and at the
        end of the run) rather than at every step. The loss is then only checked for
        divergence at recorded steps; non-finite parameters are caught at every step.

    A gradient that ends the run (non-finite, or below ``grad_tol``) is not a step:
    it adds nothing to ``lrs``, ``grad_norms`` or the count of gradient evaluations.
    """
    _check_minimize_args(steps, on_divergence, record_every, loss_tol)
    theta = np.array(theta0, dtype=float)
    state = optimizer.init(theta)
    sampler = None if batch_size is None else batches(objective.n, batch_size, seed, replacement)
    log = _Log(objective, theta)
    limit = blowup * max(1.0, abs(log.losses[0]))

    for t in range(steps):
        grad, cost = _gradient(objective, theta, sampler)
        grad_norm = float(np.linalg.norm(grad))
        stopped = _stop_before_step(grad_norm, grad_tol)
        if stopped:
            if stopped == "diverged" and on_divergence == "raise":
                raise DivergenceError(_divergence_message(t, log, lr_at(optimizer.lr, t), objective)
                                      + " (The gradient itself is no longer finite.)")
            log.record(t, theta)
            return log.history(stopped)
        log.step(lr_at(optimizer.lr, t), grad_norm, cost)
        theta, state = optimizer.step(theta, grad, state)
        theta_finite = bool(np.isfinite(theta).all())
        if theta_finite and (t + 1) % record_every and t + 1 < steps:
            continue                        # not a recorded step
        log.record(t + 1, theta)
        stopped = _stop_after_step(log, theta_finite, limit, loss_tol)
        if stopped:
            if stopped == "diverged" and on_divergence == "raise":
                raise DivergenceError(_divergence_message(t + 1, log, log.lrs[-1], objective))
            return log.history(stopped)
    return log.history("max_steps")


def minimize_adjusting_lr(objective, lr0, theta0, steps, every, next_lr, seed=0, **kwargs):
    r"""SGD whose learning rate is decided again every ``every`` steps from the loss.

    Runs :func:`minimize` with ``SGD(lr)`` for ``every`` steps at a time; after each
    chunk the rate becomes ``next_lr(loss, lr)``, with ``loss`` the full loss at the
    chunk's last iterate. With ``next_lr = lambda loss, lr: plateau.step(loss)`` for a
    :class:`lessonlib.schedules.ReduceOnPlateau` this is reduce-on-plateau checked
    every ``every`` steps. Chunk :math:`k` draws its mini-batches with seed
    ``seed + k``; ``kwargs`` go to :func:`minimize`. Returns one :class:`History` of
    ``steps // every`` chunks.
    """
    from .optim import SGD

    if not (isinstance(every, numbers.Integral) and 1 <= every <= steps):
        raise ValueError(f"every must be an integer between 1 and steps={steps}, got {every!r}")
    lr, theta, parts = lr0, np.asarray(theta0, dtype=float), []
    for k in range(steps // every):
        part = minimize(objective, SGD(lr), theta, every, seed=seed + k, **kwargs)
        parts.append(part)
        theta, lr = part.theta, next_lr(part.losses[-1], lr)
    evals_before = np.cumsum([0] + [p.grad_evals[-1] for p in parts[:-1]])
    return History(
        np.concatenate([parts[0].thetas[:1]] + [p.thetas[1:] for p in parts]),
        np.concatenate([parts[0].losses[:1]] + [p.losses[1:] for p in parts]),
        np.concatenate([p.lrs for p in parts]),
        np.concatenate([p.grad_norms for p in parts]),
        parts[-1].stopped,
        np.concatenate([parts[0].grad_evals[:1]] + [p.grad_evals[1:] + e for p, e in zip(parts, evals_before)]),
        np.concatenate([parts[0].recorded_steps[:1]] + [p.recorded_steps[1:] + k * every for k, p in enumerate(parts)]),
    )


class EpochHistory(NamedTuple):
    r"""What :func:`train_epochs` recorded, at the start (epoch 0) and after each epoch.

    epochs : array (E + 1,)          0, 1, ..., E
    train_loss, test_loss : array    the full loss of ``objective`` and of ``test`` (``test_*`` are
                                     None without ``test``)
    train_accuracy, test_accuracy    the fraction classified correctly, for objectives with
                                     ``predict`` (otherwise None)
    theta : array                    the parameters after the last epoch
    steps : int                      optimizer steps taken, :math:`E\lceil n/B\rceil` for a full run
    stopped : str                    "max_epochs" or "diverged"
    """

    epochs: np.ndarray
    train_loss: np.ndarray
    test_loss: Optional[np.ndarray]
    train_accuracy: Optional[np.ndarray]
    test_accuracy: Optional[np.ndarray]
    theta: np.ndarray
    steps: int
    stopped: str


def _metrics(objective, theta):
    """The full loss of ``objective`` at ``theta`` and its accuracy (None without ``predict``)."""
    loss = np.asarray(objective.loss(theta), dtype=float).item()
    if not hasattr(objective, "predict"):
        return loss, None
    return loss, float(np.mean(objective.predict(theta) == objective.y))


def train_epochs(objective, optimizer, theta0, epochs, batch_size, *, test=None, seed=0,
                 on_divergence="raise"):
    r"""Train for ``epochs`` passes over the data in shuffled mini-batches; record metrics per epoch.

    Each epoch draws a fresh permutation of the :math:`n` samples (from a generator
    seeded with ``seed``, see :func:`batches`) and takes one step per mini-batch of
    ``batch_size`` consecutive indices, :math:`\lceil n/B\rceil` steps (the last batch
    smaller when :math:`B` does not divide :math:`n`). Before the first epoch and after
    each one it records the full loss of ``objective`` (the training data) and of
    ``test`` (an objective on held-out data, e.g. ``mlp.on(X_test, y_test)``), with
    their accuracies if they have ``predict`` and ``y``. Each loss includes its
    objective's penalty (e.g. ``l2``): ``mlp.on`` keeps it, so the two are comparable.

    Parameters
    ----------
    objective
        Has ``n``, ``loss(theta)`` and ``batch_grad(theta, idx)``, e.g. a
        :class:`lessonlib.nn.MLP` or :class:`lessonlib.objectives.SoftmaxRegression`.
    optimizer
        A :mod:`lessonlib.optim` optimizer; a schedule's ``t`` counts steps, not epochs.
    theta0 : array
        Starting point (not modified).
    epochs : int
        Number of passes over the data, >= 0.
    batch_size : int
        :math:`B`, between 1 and ``objective.n``.
    test : objective, optional
        The same model on test data.
    on_divergence : {"raise", "stop"}
        On a non-finite gradient or training loss: raise :class:`DivergenceError`, or
        stop and return what was recorded with ``stopped="diverged"``.

    For step-level control (stopping rules, every iterate) use :func:`minimize`.
    """
    check_int("epochs", epochs, 0)
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f'on_divergence must be "raise" or "stop", got {on_divergence!r}')
    sampler = batches(objective.n, batch_size, seed)   # checks batch_size
    steps_per_epoch = -(-objective.n // batch_size)
    theta = np.array(theta0, dtype=float)
    state = optimizer.init(theta)
    records = [_epoch_metrics(objective, test, theta)]
    for epoch in range(1, epochs + 1):
        theta, state, finite = _one_epoch(objective, optimizer, theta, state, sampler, steps_per_epoch)
        metrics = _epoch_metrics(objective, test, theta) if finite else None
        if metrics is None or not math.isfinite(metrics[0][0]):
            if on_divergence == "raise":
                raise DivergenceError(
                    f"The run diverged in epoch {epoch}: the training loss or a gradient is no longer "
                    f"finite, with learning rate {lr_at(optimizer.lr, state.t):.4g}. The learning rate "
                    f"is too large for this problem; try {lr_at(optimizer.lr, state.t) / 10:.4g} or smaller.")
            return _epoch_history(records, test is not None, theta, state.t, "diverged")
        records.append(metrics)
    return _epoch_history(records, test is not None, theta, state.t, "max_epochs")


def _one_epoch(objective, optimizer, theta, state, sampler, steps):
    """``steps`` optimizer steps on mini-batches from ``sampler``; ``finite`` is False if a gradient was not."""
    for _ in range(steps):
        grad = objective.batch_grad(theta, next(sampler))
        if not math.isfinite(np.vdot(grad, grad)):
            return theta, state, False
        theta, state = optimizer.step(theta, grad, state)
    return theta, state, True


def _epoch_metrics(objective, test, theta):
    return _metrics(objective, theta), None if test is None else _metrics(test, theta)


def _epoch_history(records, has_test, theta, steps, stopped):
    train = np.array([r[0] for r in records], dtype=float)             # (E + 1, 2): loss, accuracy
    test = np.array([r[1] for r in records], dtype=float) if has_test else None
    with_accuracy = records[0][0][1] is not None
    return EpochHistory(np.arange(len(records)), train[:, 0], None if test is None else test[:, 0],
                        train[:, 1] if with_accuracy else None,
                        test[:, 1] if with_accuracy and test is not None else None,
                        theta, steps, stopped)
