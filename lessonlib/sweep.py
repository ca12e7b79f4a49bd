r"""A learning-rate sweep trained as one batched model.

:func:`lr_grid` does the same for a small objective whose functions accept extra axes
(the benchmark functions of :mod:`lessonlib.objectives`): ``theta`` of shape (d, K), one
column per rate.

:func:`lr_sweep` trains K copies of an :class:`~lessonlib.nn.MLP`, copy ``k`` with
learning rate ``lrs[k]``, as ONE :class:`~lessonlib.nn.MLPStack` with a per-coordinate
rate: one optimizer, one gradient call per mini-batch for all copies, the same
mini-batches for every copy. A copy whose loss blows up or whose parameters stop being
finite is *diverged*: it is reset to the start and frozen (its rate set to 0), its
metrics become nan from then on, and the others go on undisturbed.
"""

import math
from typing import NamedTuple

import numpy as np

from ._validate import check_int
from .nn import MLPStack
from .train import batches

__all__ = ["SweepResult", "lr_sweep", "GridRuns", "lr_grid"]


class SweepResult(NamedTuple):
    """What :func:`lr_sweep` recorded; rows are epochs 0..E (0 = the start), columns the K rates.

    lrs : (K,)                 the learning rates
    train_loss : (E+1, K)      loss on the whole training set after each epoch (nan once diverged)
    test_accuracy : (E+1, K)   accuracy on the test set after each epoch (nan once diverged, or no test set)
    diverged_epoch : (K,)      the epoch in which a copy diverged, -1 if it never did
    thetas : (K, P)            each copy's final parameters (the start, for a diverged copy)
    """

    lrs: np.ndarray
    train_loss: np.ndarray
    test_accuracy: np.ndarray
    diverged_epoch: np.ndarray
    thetas: np.ndarray


def lr_sweep(make_optimizer, mlp, lrs, epochs, batch_size, *, test=None, seed=0, theta0=None, blowup=10.0):
    r"""Train ``mlp`` once per rate in ``lrs``, all at once; returns a :class:`SweepResult`.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(lr)`` builds the optimizer from a learning rate, e.g.
        ``lambda lr: SGD(lr, momentum=0.9)``; it receives a schedule ``t -> rates`` whose
        value is the per-coordinate rate of the stack.
    mlp : lessonlib.nn.MLP
        The model and its training data.
    lrs : sequence of float
        The K rates, e.g. ``np.logspace(-3, 0, 7)``.
    epochs, batch_size : int
        Epochs of mini-batches without replacement (as :func:`lessonlib.train.batches`).
    test : (X, y), optional
        Test data for the per-epoch accuracy.
    seed : int
        Seed of the start (``mlp.init(seed)`` unless ``theta0`` is given) and of the batches.
    blowup : float
        A copy whose training loss exceeds ``blowup`` times the starting loss has diverged.
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0 or not np.all(lrs > 0):
        raise ValueError(f"lrs must be a 1-D sequence of rates > 0, got {lrs!r}")
    check_int("epochs", epochs, 0)
    stack = MLPStack(mlp, len(lrs))
    start = mlp.init(seed) if theta0 is None else np.asarray(theta0, dtype=float)
    starts = np.tile(start, stack.copies)
    theta = starts.copy()
    live = _Live(lrs, mlp.dim)
    optimizer = make_optimizer(live.rates_at)
    state = optimizer.init(theta)
    sampler = batches(mlp.n, batch_size, seed)
    steps_per_epoch = math.ceil(mlp.n / batch_size)

    train_loss = np.full((epochs + 1, stack.copies), np.nan)
    test_accuracy = np.full((epochs + 1, stack.copies), np.nan)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss0 = stack.losses(theta)
        _record(stack, theta, live.alive, test, 0, train_loss, test_accuracy)
        for epoch in range(1, epochs + 1):
            for _ in range(steps_per_epoch):
                grad = stack.batch_grad(theta, next(sampler))
                if not np.isfinite(grad).all():          # rare: find the copies, freeze them
                    live.freeze(~np.isfinite(stack.split(grad)).all(axis=1), epoch)
                    grad = np.where(live.mask, grad, 0.0)
                theta, state = optimizer.step(theta, grad, state)
                if not live.alive.all() or not np.isfinite(theta).all():
                    live.freeze(~np.isfinite(stack.split(theta)).all(axis=1), epoch)
                    theta = np.where(live.mask, theta, starts)    # frozen copies wait at the start
            live.freeze(~(stack.losses(theta) <= blowup * loss0), epoch)
            theta = np.where(live.mask, theta, starts)
            _record(stack, theta, live.alive, test, epoch, train_loss, test_accuracy)
    return SweepResult(lrs, train_loss, test_accuracy, live.diverged, stack.split(theta).copy())


class _Live:
    """Which copies still train; their per-coordinate rates (0 for a frozen copy)."""

    def __init__(self, lrs, dim):
        self.dim = dim
        self.alive = np.ones(len(lrs), dtype=bool)
        self.diverged = np.full(len(lrs), -1)
        self.base = np.repeat(lrs, dim)
        self.rates = self.base.copy()
        self.mask = np.ones(len(lrs) * dim, dtype=bool)

    def rates_at(self, t):
        return self.rates

    def freeze(self, bad, epoch):
        newly = bad & self.alive
        if newly.any():
            self.diverged[newly] = epoch
            self.alive[newly] = False
            self.mask = np.repeat(self.alive, self.dim)
            self.rates = np.where(self.mask, self.base, 0.0)


def _record(stack, theta, alive, test, epoch, train_loss, test_accuracy):
    train_loss[epoch] = np.where(alive, stack.losses(theta), np.nan)
    if test is not None:
        test_accuracy[epoch] = np.where(alive, stack.accuracies(theta, *test), np.nan)


class GridRuns(NamedTuple):
    """What :func:`lr_grid` recorded, one column per rate.

    lrs : (K,)             the learning rates
    paths : (T+1, d, K)    the iterates (nan after a run diverged)
    losses : (T+1, K)      their losses (nan after a run diverged)
    diverged : (K,)        whether each run diverged
    """

    lrs: np.ndarray
    paths: np.ndarray
    losses: np.ndarray
    diverged: np.ndarray

    def best(self):
        """Index of the rate with the lowest final loss (diverged runs excluded)."""
        final = np.where(self.diverged, np.inf, self.losses[-1])
        return int(np.argmin(final))


def lr_grid(objective, make_optimizer, theta0, lrs, steps, blowup=1e6):
    r"""Run ``make_optimizer(lr)`` from ``theta0`` for every rate in ``lrs`` at once.

    ``objective.loss`` and ``objective.grad`` must accept ``theta`` of shape (d, K)
    (one column per run); the optimizer gets per-coordinate rates of that shape. A run
    whose loss exceeds ``blowup`` times :math:`\max(1, |J(\theta_0)|)`, or stops being
    finite, is frozen where it was and recorded as diverged.
    """
    lrs = np.asarray(lrs, dtype=float)
    theta0 = np.asarray(theta0, dtype=float)
    check_int("steps", steps, 0)
    theta = np.repeat(theta0[:, None], len(lrs), axis=1)
    rates = np.broadcast_to(lrs, theta.shape).copy()
    optimizer = make_optimizer(lambda t: rates)
    state = optimizer.init(theta)
    limit = blowup * max(1.0, abs(float(objective.loss(theta0))))
    alive = np.ones(len(lrs), dtype=bool)
    paths = np.full((steps + 1,) + theta.shape, np.nan)
    losses = np.full((steps + 1, len(lrs)), np.nan)
    paths[0], losses[0] = theta, objective.loss(theta)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            grad = np.where(alive, objective.grad(theta), 0.0)
            new, state = optimizer.step(theta, np.nan_to_num(grad, nan=0.0, posinf=0.0, neginf=0.0), state)
            loss = objective.loss(new)
            bad = alive & ~(np.isfinite(new).all(axis=0) & (np.abs(loss) <= limit))
            if bad.any():
                alive &= ~bad
                rates[:, bad] = 0.0
            theta = np.where(alive, new, theta)
            paths[t + 1] = np.where(alive, theta, np.nan)
            losses[t + 1] = np.where(alive, loss, np.nan)
    return GridRuns(lrs, paths, losses, ~alive)
