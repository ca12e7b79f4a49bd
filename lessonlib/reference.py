r"""Replay the committed torch.optim reference runs with lessonlib.

``tests/reference/torch_reference.json`` was written by
``tests/reference/make_torch_reference.py`` with PyTorch: for every optimizer case,
the iterates of 40 steps on a fixed 5-D problem whose gradient,
:math:`\nabla J(\theta) = A\theta - b + c\,\theta^3`, is computed in numpy float64 at
each iterate (so the whole trajectory depends on the optimizer), and for every schedule
the rate in force at each step. :func:`replay` runs lessonlib on the same problem, so
anyone can compare the two without installing PyTorch; the test suite does it for every
case, and with PyTorch installed it also runs torch live on a fresh problem.
"""

import json
import pathlib

import numpy as np

from . import optim, schedules

__all__ = ["REFERENCE_PATH", "load", "build_optimizer", "build_schedule", "problem_grad", "replay"]

REFERENCE_PATH = pathlib.Path(__file__).resolve().parents[1] / "tests" / "reference" / "torch_reference.json"


def load(path=REFERENCE_PATH):
    """The reference file as a dict (``optimizers``: the cases, ``problem``, ``n_steps``, versions)."""
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} is not there: the reference values live in the course's repository "
                                f"(tests/reference/), not in an installed copy of lessonlib")
    return json.loads(path.read_text())


def build_schedule(spec):
    """The lessonlib schedule of a reference case's ``schedule`` entry."""
    kwargs = {key: build_schedule(value) if isinstance(value, dict) else value
              for key, value in spec["kwargs"].items()}
    return getattr(schedules, spec["schedule"])(**kwargs)


def build_optimizer(case):
    """The lessonlib optimizer of a reference case (its schedule, if any, as ``lr``)."""
    kwargs = dict(case["kwargs"])
    if case["schedule"] is not None:
        kwargs["lr"] = build_schedule(case["schedule"])
    return getattr(optim, case["optimizer"])(**kwargs)


def problem_grad(problem, theta):
    r""":math:`A\theta - b + c\,\theta^3`, the gradient of the reference problem."""
    return np.array(problem["A"]) @ theta - np.array(problem["b"]) + problem["c"] * theta**3


def replay(optimizer, problem, n_steps):
    """The iterates (n_steps + 1, d) of ``optimizer`` on ``problem`` from its ``theta0``."""
    theta = np.array(problem["theta0"], dtype=float)
    state = optimizer.init(theta)
    iterates = [theta]
    for _ in range(n_steps):
        theta, state = optimizer.step(theta, problem_grad(problem, theta), state)
        iterates.append(theta)
    return np.array(iterates)
