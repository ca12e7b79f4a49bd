"""Argument checks shared by :mod:`lessonlib.optim` and :mod:`lessonlib.schedules`.

Every check raises :class:`ValueError` with a message that names the argument, the
value it got and the range it needs, e.g. ``"lr must be > 0, got -0.1"``.
"""

import math
import numbers

import numpy as np


def check_finite(name, value):
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")


def check_positive(name, value):
    check_finite(name, value)
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")


def check_nonnegative(name, value):
    check_finite(name, value)
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


def check_interval(name, value, low, high, interval):
    """Check ``value`` lies in ``interval``, one of ``"[)"``, ``"(]"``, ``"()"``, ``"[]"``."""
    above = value >= low if interval[0] == "[" else value > low
    below = value <= high if interval[1] == "]" else value < high
    if not (above and below):
        raise ValueError(f"{name} must be in {interval[0]}{low}, {high}{interval[1]}, got {value}")


def check_int(name, value, minimum):
    # bool is an int subclass, but passing True as a step count is a mistake.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def lr_at(lr, t):
    """The learning rate at step ``t``: ``lr`` itself, or ``lr(t)`` for a schedule.

    The one place every optimizer and :func:`lessonlib.train.minimize` read a rate;
    pass ``optimizer.lr``. A rate is a number, or an array of per-coordinate rates
    (chapter 9 trains several copies of a model at once, each with its own rate).
    """
    if not callable(lr):
        return float(lr) if np.ndim(lr) == 0 else np.asarray(lr, dtype=float)
    value = lr(t)
    # 0 is allowed, as in torch: a schedule that anneals to 0 makes its last step a no-op.
    if np.ndim(value) == 0:
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"the lr schedule {lr!r} returned lr={value} at step t={t}; "
                             f"a learning rate must be finite and >= 0 (does the schedule "
                             f"subtract a decay that overtakes lr0?)")
        return float(value)
    value = np.asarray(value, dtype=float)
    if not (np.all(np.isfinite(value)) and np.all(value >= 0)):
        raise ValueError(f"the lr schedule {lr!r} returned per-coordinate rates from {np.min(value)} to "
                         f"{np.max(value)} at step t={t}; every rate must be finite and >= 0")
    return value


def describe_lr(lr):
    """A learning rate for a message: the number, or the range of per-coordinate rates."""
    if np.ndim(lr) == 0:
        return f"{lr:g}"
    return f"{np.min(lr):g} to {np.max(lr):g} (per coordinate)"


def check_lr_value(lr):
    """A fixed learning rate: a number > 0, or an array of them (one per coordinate)."""
    if np.ndim(lr) == 0:
        check_positive("lr", lr)
        return
    rates = np.asarray(lr, dtype=float)
    if rates.size == 0 or not (np.all(np.isfinite(rates)) and np.all(rates > 0)):
        raise ValueError(f"every per-coordinate lr must be finite and > 0, got values from "
                         f"{np.min(rates) if rates.size else 'none'} to {np.max(rates) if rates.size else 'none'}")


def check_step(theta, grad, t, lr):
    """Check one optimizer step's inputs; return ``theta`` and ``grad`` as float arrays.

    The finiteness check computes the squared norm of ``grad`` (one read, no temporary
    array): a finite norm proves every entry finite, and only a non-finite one (a nan
    or inf, or an overflow) needs the exact check.
    """
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    if grad.shape != theta.shape:
        raise ValueError(f"grad has shape {grad.shape} but theta has shape {theta.shape}; "
                         f"pass the gradient of the loss with respect to theta")
    with np.errstate(over="ignore", invalid="ignore"):
        norm2 = np.vdot(grad, grad)
    if not math.isfinite(norm2) and not np.isfinite(grad).all():
        smaller = f"lr={lr / 10:g}" if np.ndim(lr) == 0 else "rates 10 times smaller"
        raise ValueError(f"the run has diverged: grad contains nan/inf at step t={t} "
                         f"(lr={describe_lr(lr)}); try {smaller} or smaller")
    if np.ndim(lr) and np.shape(lr) != theta.shape:
        raise ValueError(f"a per-coordinate lr must have theta's shape {theta.shape}, got {np.shape(lr)}; "
                         f"to give each of K copies its own rate, repeat it: np.repeat(rates, size_of_one_copy)")
    return theta, grad
