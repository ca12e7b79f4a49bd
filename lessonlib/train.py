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
"""

import numbers
from typing import NamedTuple, Optional

import numpy as np

__all__ = ["History", "DivergenceError", "minimize", "minimize_adjusting_lr", "batches", "lr_at"]


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


def lr_at(optimizer, t):
    """The learning rate ``optimizer`` uses at step ``t`` (its ``lr``, or ``lr(t)`` for a schedule)."""
    lr = optimizer.lr
    return float(lr(t)) if callable(lr) else float(lr)


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


def _divergence_message(t, loss0, loss, lr, objective):
    msg = (f"The run diverged at step {t}: the loss went from {loss0:.4g} to {loss:.4g} "
           f"with learning rate {lr:.4g}. The learning rate is too large for this problem; "
           f"try {lr / 10:.4g} or smaller.")
    L = getattr(objective, "L", None)
    if L is not None and not callable(L):
        msg += f" Here L = {L:.4g}, and gradient descent is only guaranteed to descend for lr < 2/L = {2 / L:.4g}."
    return msg


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
    """
    if on_divergence not in ("raise", "stop"):
        raise ValueError(f'on_divergence must be "raise" or "stop", got {on_divergence!r}')
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if isinstance(record_every, bool) or not isinstance(record_every, numbers.Integral) or record_every < 1:
        raise ValueError(f"record_every must be an integer >= 1, got {record_every!r}")
    if loss_tol is not None and record_every != 1:
        raise ValueError("loss_tol compares the losses of consecutive steps, so it needs record_every=1, "
                         f"got record_every={record_every}")
    theta = np.array(theta0, dtype=float)
    state = optimizer.init(theta)
    sampler = None if batch_size is None else batches(objective.n, batch_size, seed, replacement)
    full_cost = getattr(objective, "n", 1)  # samples touched by one full gradient
    thetas, losses, lrs, grad_norms = [theta], [np.asarray(objective.loss(theta), dtype=float).item()], [], []
    evals, recorded_steps, spent = [0], [0], 0
    limit = blowup * max(1.0, abs(losses[0]))
    stopped = "max_steps"

    def record(t):
        if recorded_steps[-1] != t:
            thetas.append(theta)
            losses.append(np.asarray(objective.loss(theta), dtype=float).item())
            evals.append(spent)
            recorded_steps.append(t)

    for t in range(steps):
        if sampler is None:
            grad = objective.grad(theta)
            spent += full_cost
        else:
            idx = next(sampler)
            grad = objective.batch_grad(theta, idx)
            spent += len(idx)
        grad_norms.append(float(np.linalg.norm(grad)))
        if not np.isfinite(grad_norms[-1]):
            message = _divergence_message(t, losses[0], losses[-1], lr_at(optimizer, t), objective)
            if on_divergence == "raise":
                raise DivergenceError(message + " (The gradient itself is no longer finite.)")
            grad_norms.pop()
            spent -= len(idx) if sampler is not None else full_cost
            record(t)
            stopped = "diverged"
            break
        if grad_tol is not None and grad_norms[-1] <= grad_tol:
            grad_norms.pop()
            spent -= len(idx) if sampler is not None else full_cost
            record(t)
            stopped = "grad_tol"
            break
        lrs.append(lr_at(optimizer, t))
        theta, state = optimizer.step(theta, grad, state)
        finite = bool(np.isfinite(theta).all())
        if (t + 1) % record_every and t + 1 < steps and finite:
            continue
        record(t + 1)
        loss = losses[-1]
        if not np.isfinite(loss) or abs(loss) > limit or not finite:
            if on_divergence == "raise":
                raise DivergenceError(_divergence_message(t + 1, losses[0], loss, lrs[-1], objective))
            stopped = "diverged"
            break
        if loss_tol is not None and abs(losses[-1] - losses[-2]) <= loss_tol * max(1.0, abs(losses[-2])):
            stopped = "loss_tol"
            break
    return History(np.array(thetas), np.array(losses), np.array(lrs), np.array(grad_norms), stopped,
                   np.array(evals), np.array(recorded_steps))


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
