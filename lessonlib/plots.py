"""Figures used throughout the book: contours with trajectories, loss curves, schedules.

Each function draws on an ``ax`` (a new figure when none is given), labels its axes,
adds a legend where there are several lines, and returns the axes.

Importing this module (``lessonlib.widgets`` imports it too) applies the book's
figure style, :data:`STYLE`: a figure 10 inches wide is shown about 7 inches wide in
the site's text column, so matplotlib's default 10 pt text (and a legend at
``fontsize="x-small"``, 5.8 pt) would be read at 5-7 px. The style raises every size
relative to which ``"small"`` and ``"x-small"`` are computed.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["STYLE", "use_book_style", "new_axes", "contour_paths", "loss_curves", "schedule_curves",
           "function_1d"]

#: rcParams of every figure of the book (see the module docstring).
STYLE = {
    "font.size": 12.0,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "legend.fontsize": "small",
    "legend.title_fontsize": "small",
    "xtick.labelsize": "small",
    "ytick.labelsize": "small",
    "figure.titlesize": "large",
    "lines.linewidth": 1.6,
}


def use_book_style():
    """Apply :data:`STYLE` to matplotlib's rcParams (done once on import)."""
    mpl.rcParams.update(STYLE)


use_book_style()


def new_axes(ax=None, figsize=(6.4, 4.2)):
    """Return ``ax`` or a fresh axes of a laptop-friendly size."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def contour_paths(objective, paths=None, xlim=(-2, 2), ylim=(-2, 2), levels=20, ax=None, title=None,
                  log_levels=False, resolution=200, mark_min=True):
    """Contours of a 2-D objective with optimizer trajectories on top.

    ``paths`` maps a label to an array of iterates of shape (T + 1, 2) (e.g.
    ``history.thetas``). With ``log_levels`` the contour levels are spaced
    logarithmically above the minimum on the grid, which suits valleys like Rosenbrock's.
    """
    ax = new_axes(ax, figsize=(5.6, 4.6))
    x = np.linspace(*xlim, resolution)
    y = np.linspace(*ylim, resolution)
    X, Y = np.meshgrid(x, y)
    Z = objective.loss(np.stack([X, Y]))
    if log_levels:
        low = Z.min()
        levels = low + np.logspace(-2, np.log10(Z.max() - low), levels)
    ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.8)
    for label, path in (paths or {}).items():
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1.2, label=label)
    if mark_min and hasattr(objective, "minimizer"):
        m = np.asarray(objective.minimizer)
        ax.plot(m[0], m[1], "k*", ms=10, label="minimum")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_aspect("equal")
    if paths:
        ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def loss_curves(curves, ax=None, title=None, logy=True, xlabel="step", ylabel="loss", offset=0.0):
    """Plot several loss curves; ``curves`` maps a label to a History or an array of losses.

    ``offset`` is subtracted first (pass the minimum value to plot the suboptimality
    :math:`J(\\theta_t) - J^*` on log axes).
    """
    ax = new_axes(ax)
    for label, curve in curves.items():
        losses = np.asarray(getattr(curve, "losses", curve), dtype=float) - offset
        ax.plot(np.arange(len(losses)), losses, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if len(curves) > 1:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def schedule_curves(schedules, steps, ax=None, title="Learning-rate schedules", logy=False):
    """Plot learning-rate schedules ``t -> lr`` for t = 0 .. steps - 1; ``schedules`` maps label to callable."""
    ax = new_axes(ax)
    t = np.arange(steps)
    for label, schedule in schedules.items():
        ax.plot(t, [schedule(int(k)) for k in t], label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"learning rate $\eta_t$")
    if len(schedules) > 1:
        ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    return ax


def function_1d(objective, xlim=(-2, 2), paths=None, ax=None, title=None, resolution=400):
    """A 1-D objective with iterates marked on the curve; ``paths`` maps label to an array of θ_t."""
    ax = new_axes(ax)
    x = np.linspace(*xlim, resolution)
    ax.plot(x, objective.loss(x), "k-", lw=1.2, label=r"$J(\theta)$")
    for label, path in (paths or {}).items():
        path = np.asarray(path, dtype=float).ravel()
        ax.plot(path, objective.loss(path), "o-", ms=3.5, lw=0.8, alpha=0.8, label=label)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$J(\theta)$")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return ax
