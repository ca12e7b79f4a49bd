r"""Training on several workers, simulated: data-parallel gradients and stale (asynchronous) steps.

**Data parallelism.** :math:`K` workers share the parameters; at every step each takes
its own shard :math:`\mathcal B_k` of the mini-batch, computes the mean gradient of its
shard, and the :math:`K` results are averaged (an all-reduce) before one common step.
With equal shards of :math:`B` samples the average is

.. math:: \frac1K \sum_{k=1}^K \frac1B \sum_{i\in\mathcal B_k} \nabla J_i
          = \frac{1}{KB} \sum_{i \in \mathcal B_1 \cup \dots \cup \mathcal B_K} \nabla J_i ,

the gradient of one batch :math:`K` times larger (:func:`data_parallel_grad`).

**Asynchronous SGD.** Workers that do not wait for each other apply gradients computed
at parameters that are already :math:`\tau` steps old,
:math:`\theta_{t+1} = \theta_t - \eta\,\nabla J(\theta_{t-\tau})` (:func:`stale_gradient_descent`,
a constant delay, the model used for analysis). On a quadratic this is stable for
:math:`0 < \eta\lambda < 2\sin\bigl(\pi / (2(2\tau + 1))\bigr)` (:func:`staleness_bound`).
"""

import math

import numpy as np

from ._validate import check_int

__all__ = ["shard", "worker_gradients", "data_parallel_grad", "stale_gradient_descent", "staleness_bound"]


def shard(idx, workers):
    """Split the mini-batch ``idx`` into ``workers`` consecutive shards (as equal as possible)."""
    check_int("workers", workers, 1)
    idx = np.asarray(idx)
    if workers > len(idx):
        raise ValueError(f"{workers} workers need a mini-batch of at least {workers} samples, got {len(idx)}")
    return np.array_split(idx, workers)


def worker_gradients(objective, theta, idx, workers):
    """The mean gradient of each worker's shard of ``idx``: an array (K, ...) of theta's shape."""
    return np.stack([objective.batch_grad(theta, part) for part in shard(idx, workers)])


def data_parallel_grad(objective, theta, idx, workers):
    r"""The all-reduced gradient: the plain average of the :math:`K` shard means, as DDP computes it.

    It equals ``objective.batch_grad(theta, idx)`` when the shards are equal, i.e. when
    ``workers`` divides ``len(idx)``; with unequal shards it weights the samples of a
    smaller shard more.
    """
    return worker_gradients(objective, theta, idx, workers).mean(axis=0)


def stale_gradient_descent(objective, lrs, theta0, steps, delay, blowup=1e6):
    r"""Gradient descent with a gradient ``delay`` steps old, for several rates at once.

    :math:`\theta_{t+1} = \theta_t - \eta\,\nabla J(\theta_{t-\tau})`, with
    :math:`\theta_s = \theta_0` for :math:`s < 0`. ``objective.grad`` and ``loss`` must accept
    ``theta`` of shape (d, K), one column per rate (e.g. :class:`~lessonlib.objectives.Quadratic`).
    Returns ``(losses, diverged)``: the losses (T+1, K), nan after a run's loss exceeds
    ``blowup`` times the start, and whether each run did.
    """
    check_int("steps", steps, 0)
    check_int("delay", delay, 0)
    lrs = np.asarray(lrs, dtype=float)
    theta0 = np.asarray(theta0, dtype=float)
    theta = np.repeat(theta0[:, None], len(lrs), axis=1)
    past = [theta] * (delay + 1)               # theta_{t - delay}, ..., theta_t
    limit = blowup * max(1.0, abs(float(objective.loss(theta0))))
    losses = np.full((steps + 1, len(lrs)), np.nan)
    losses[0] = objective.loss(theta)
    alive = np.ones(len(lrs), dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            theta = theta - lrs * np.where(alive, objective.grad(past[0]), 0.0)
            past = past[1:] + [theta]
            loss = objective.loss(theta)
            alive &= np.isfinite(loss) & (np.abs(loss) <= limit)
            losses[t + 1] = np.where(alive, loss, np.nan)
    return losses, ~alive


def staleness_bound(delay):
    r"""The largest stable :math:`\eta\lambda` with a gradient ``delay`` steps old: :math:`2\sin\bigl(\pi/(2(2\tau+1))\bigr)`.

    2 without delay, 1 for :math:`\tau = 1`, about :math:`\pi/(2\tau + 1)` for large :math:`\tau`.
    """
    check_int("delay", delay, 0)
    return 2.0 * math.sin(math.pi / (2 * (2 * delay + 1)))
