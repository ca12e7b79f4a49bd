r"""Exercises of chapter 4, *Learning-rate schedules*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch04.step_decay_lr.check(step_decay_lr)``. The reference solutions are the
functions defined first under the same names (the book shows them with
``literalinclude``); :data:`SOLUTIONS` keeps them reachable after the names are
bound to the exercises at the bottom of the module.

===========================  ===============================================================
``step_decay_lr``            :math:`\eta_0\,\gamma^{\lfloor t/s\rfloor}`
``cosine_lr``                :math:`\eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})(1 + \cos(\pi\min(t, T)/T))`
``power_decay_sums_finite``  whether :math:`\sum_t (1+t)^{-p}` and :math:`\sum_t (1+t)^{-2p}` are finite
``gamma_for_reach``          the smallest :math:`\gamma` with :math:`G\,\eta_0/(1-\gamma) \ge D`
===========================  ===============================================================
"""

import math

import numpy as np

from . import FunctionExercise

__all__ = ["step_decay_lr", "cosine_lr", "power_decay_sums_finite", "gamma_for_reach",
           "SOLUTIONS"]

CHAPTER = "ch04"


# --- the solutions ---------------------------------------------------------------------

def step_decay_lr(lr0, gamma, step_size, t):
    return lr0 * gamma ** (t // step_size)      # t // step_size decays completed so far


def cosine_lr(lr0, lr_min, total_steps, t):
    t = min(t, total_steps)                     # stay at lr_min after the last step
    return lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * t / total_steps))


def power_decay_sums_finite(p):
    # eta_t = eta0 / (1 + t)**p: by the integral test sum (1+t)**(-q) is finite iff q > 1
    sum_finite = p > 1            # q = p for the rates
    sum_sq_finite = 2 * p > 1     # q = 2p for their squares
    return sum_finite, sum_sq_finite


def gamma_for_reach(lr0, G, distance):
    # exponential decay travels at most G * lr0 / (1 - gamma) (the reach bound);
    # it can still cover `distance` only if G * lr0 / (1 - gamma) >= distance
    return 1 - G * lr0 / distance


SOLUTIONS = {f.__name__: f for f in (step_decay_lr, cosine_lr, power_decay_sums_finite,
                                     gamma_for_reach)}


# --- the exercises ---------------------------------------------------------------------

def _step_cases(rng):
    cases = []
    for _ in range(5):
        step_size = int(rng.integers(2, 20))
        t = int(rng.integers(step_size, 6 * step_size))
        cases.append(("random settings", (int(rng.integers(1, 11)) / 10, int(rng.integers(1, 10)) / 10,
                                          step_size, t)))
    return cases


step_decay_lr = FunctionExercise(
    "step_decay_lr",
    SOLUTIONS["step_decay_lr"],
    chapter=CHAPTER,
    examples=[
        ("the first step", (0.1, 0.5, 10, 0)),
        ("the last step before the first decay", (0.1, 0.5, 10, 9)),
        ("the step of the first decay", (0.1, 0.5, 10, 10)),
        ("divide by 10 every 30 steps, t = 95", (1.0, 0.1, 30, 95)),
        ("a decay every step (step_size = 1)", (0.2, 0.9, 1, 7)),
    ],
    random_cases=_step_cases,
    hints=[
        "How many decays have happened by step t? Count them for step_size = 10 at t = 0, 9, 10, 25.",
        "The number of completed decays is the integer division t // step_size (0 for t = 0 .. step_size - 1).",
        "Multiply lr0 by gamma once per completed decay: lr0 * gamma ** (t // step_size).",
    ],
    mistakes=[
        (lambda lr0, gamma, step_size, t: lr0 - gamma / max(t, 1),
         "That is the source notes' 'step decay' lr0 - rate / max(t, 1): it rises towards lr0 "
         "instead of falling, and goes negative when the rate exceeds lr0."),
        (lambda lr0, gamma, step_size, t: lr0 * gamma ** ((t + 1) // step_size),
         "Off by one: (t + 1) // step_size decays one step early. Steps count from t = 0, so the "
         "first decay happens at t = step_size."),
        (lambda lr0, gamma, step_size, t: lr0 * gamma ** math.ceil(t / step_size),
         "You rounded t / step_size up: the rate decays right after t = 0 instead of staying at lr0 "
         "for the first step_size steps. Use the floor, t // step_size."),
        (lambda lr0, gamma, step_size, t: lr0 * gamma ** t,
         "That is exponential decay, gamma**t: step decay multiplies by gamma only once every "
         "step_size steps."),
        (lambda lr0, gamma, step_size, t: lr0 * gamma ** (t / step_size),
         "You forgot the floor: gamma**(t / step_size) is a smooth exponential decay; step decay "
         "holds the rate constant between decays (t // step_size)."),
        (lambda lr0, gamma, step_size, t: lr0 * gamma ** (t % step_size),
         "You used the remainder t % step_size, which restarts at 0 after every decay: the number of "
         "completed decays is the quotient t // step_size."),
    ],
    rtol=1e-12,
    atol=0.0,
)


def _cosine_cases(rng):
    cases = []
    for fraction in (rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95), rng.uniform(1.05, 2.0),
                     rng.uniform(1.05, 2.0)):
        total = int(rng.integers(10, 200))
        lr0 = int(rng.integers(2, 11)) / 10
        cases.append(("random settings", (lr0, round(lr0 * int(rng.integers(0, 5)) / 10, 3), total,
                                          int(fraction * total))))
    return cases


cosine_lr = FunctionExercise(
    "cosine_lr",
    SOLUTIONS["cosine_lr"],
    chapter=CHAPTER,
    examples=[
        ("the first step", (0.1, 0.0, 100, 0)),
        ("a quarter of the way, with a floor", (0.1, 0.01, 100, 25)),
        ("the last step", (0.5, 0.05, 40, 40)),
        ("after the last step", (0.5, 0.05, 40, 55)),
    ],
    random_cases=_cosine_cases,
    hints=[
        "Cosine annealing follows half a period of a cosine, from its top at t = 0 to its bottom at "
        "t = total_steps. Which angle corresponds to step t?",
        "The angle is pi * t / total_steps, and (1 + cos(angle)) / 2 falls from 1 to 0. Scale that "
        "between lr_min and lr0.",
        "lr_min + (lr0 - lr_min) * (1 + cos(pi * t / total_steps)) / 2, with t replaced by "
        "min(t, total_steps) so the rate stays at lr_min after the budget.",
    ],
    mistakes=[
        (lambda lr0, lr_min, total_steps, t:
            lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * t / total_steps)),
         "Correct up to total_steps, but after it your cosine rises again: clamp t with "
         "min(t, total_steps) so the rate stays at lr_min."),
        (lambda lr0, lr_min, total_steps, t:
            lr_min + (lr0 - lr_min) * math.cos(math.pi * min(t, total_steps) / total_steps),
         "You used cos itself, which runs from 1 to -1: the rate drops below lr_min after half the "
         "budget. Use (1 + cos) / 2, which runs from 1 to 0."),
        (lambda lr0, lr_min, total_steps, t:
            0.5 * lr0 * (1 + math.cos(math.pi * min(t, total_steps) / total_steps)),
         "You ignored lr_min: the curve must end at lr_min, so scale (1 + cos) / 2 by "
         "(lr0 - lr_min) and add lr_min."),
        (lambda lr0, lr_min, total_steps, t:
            lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(2 * math.pi * min(t, total_steps) / total_steps)),
         "Your angle goes up to 2 pi: that is a full period, which comes back to lr0 at the end. "
         "Cosine annealing is half a period, angle pi * t / total_steps."),
        (lambda lr0, lr_min, total_steps, t:
            lr_min + 0.5 * (lr0 - lr_min) * (1 - math.cos(math.pi * min(t, total_steps) / total_steps)),
         "Your curve rises from lr_min to lr0: the sign in front of the cosine is wrong, "
         "use (1 + cos)."),
    ],
    rtol=1e-12,
    atol=1e-15,
)


def _power_cases(rng):
    # one p in each interval where the answer could change, none on the boundaries
    intervals = [(0.01, 0.5), (0.5, 0.75), (0.75, 1.0), (1.0, 1.5), (1.5, 3.0)]
    return [("a random p", (round(float(rng.uniform(low + 0.01, high - 0.01)), 2),)) for low, high in intervals]


power_decay_sums_finite = FunctionExercise(
    "power_decay_sums_finite",
    SOLUTIONS["power_decay_sums_finite"],
    chapter=CHAPTER,
    examples=[
        ("a constant rate (p = 0)", (0.0,)),
        ("inverse square root (p = 1/2)", (0.5,)),
        ("p = 1/2 as a NumPy number", (np.float64(0.5),)),
        ("inverse time (p = 1)", (1.0,)),
        ("inverse time, p = 1 as an integer", (1,)),
    ],
    random_cases=_power_cases,
    hints=[
        "Compare the sum with an integral: sum over t of (1 + t)**(-q) is finite exactly when the integral "
        "of (1 + t)**(-q) from 0 to infinity is.",
        "That integral is finite exactly when q > 1 (q = 1 is the harmonic series, which grows like ln T). "
        "What is q for the rates, and what for their squares?",
        "The rates have q = p, their squares q = 2p: return (p > 1, 2 * p > 1) as booleans.",
    ],
    mistakes=[
        (lambda p: (p >= 1, 2 * p > 1),
         "At p = 1 the rates form the harmonic series 1 + 1/2 + 1/3 + ..., which diverges "
         "(like ln T): the sum is finite only for p > 1."),
        (lambda p: (p > 1, 2 * p >= 1),
         "At p = 1/2 the squares (1 + t)**(-1) form the harmonic series, which diverges: the sum "
         "of squares is finite only for p > 1/2."),
        (lambda p: (p > 1, p > 1),
         "Squaring doubles the exponent: the squares decay like (1 + t)**(-2p)."),
        (lambda p: (p > 0, p > 0),
         "Terms that tend to 0 do not make a sum finite (the harmonic series is the classic "
         "counterexample): compare with an integral."),
        (lambda p: (2 * p > 1, p > 1),
         "You swapped the two answers: the first is about the rates (exponent p), the second "
         "about their squares (exponent 2p)."),
    ],
    show_expected=False,
)


def _reach_cases(rng):
    cases = []
    for _ in range(4):
        lr0, G = int(rng.integers(1, 11)) / 10, int(rng.integers(1, 21)) / 2
        cases.append(("random settings", (lr0, G, round(lr0 * G * float(rng.uniform(1.5, 200)), 1))))
    return cases


gamma_for_reach = FunctionExercise(
    "gamma_for_reach",
    SOLUTIONS["gamma_for_reach"],
    chapter=CHAPTER,
    examples=[
        ("the chapter's coin: lr0 = 1, |g| <= 0.75, a start 31.1 away", (1.0, 0.75, 31.1)),
        ("a reach of exactly 15 for the coin's lr0 and G", (1.0, 0.75, 15.0)),
        ("a distance of 100 with lr0 = 0.1, |g| <= 2", (0.1, 2.0, 100.0)),
        ("integer inputs", (1, 2, 10)),
    ],
    random_cases=_reach_cases,
    hints=[
        "First bound how far exponential decay, lr_t = lr0 * gamma**t, can move theta in total when every "
        "gradient has norm at most G (one step moves at most lr_t * G).",
        "Summing the geometric series gives the reach G * lr0 / (1 - gamma) (the chapter's bound). The run "
        "can cover `distance` only if this reach is at least `distance`.",
        "Solve G * lr0 / (1 - gamma) = distance for gamma: any gamma at least that value leaves enough reach.",
    ],
    mistakes=[
        (lambda lr0, G, distance: 1 - lr0 / distance,
         "You left out the gradient bound: a step moves lr_t * |g_t|, so the reach is G * lr0 / (1 - gamma)."),
        (lambda lr0, G, distance: G * lr0 / distance,
         "That is 1 - gamma, not gamma: the reach G * lr0 / (1 - gamma) = distance gives "
         "1 - gamma = G * lr0 / distance."),
        (lambda lr0, G, distance: distance / (distance + G * lr0),
         "Your series starts at t = 1 (gamma + gamma**2 + ...): the first step, t = 0, already moves "
         "by lr0 * G, so the series is 1 + gamma + gamma**2 + ... = 1 / (1 - gamma)."),
        (lambda lr0, G, distance: math.sqrt(max(0.0, 1 - G * lr0 / distance)),
         "You used 1 / (1 - gamma**2), the sum of the SQUARED rates' factors: the distance adds up the "
         "rates themselves, gamma**t."),
    ],
    rtol=1e-10,
    atol=0.0,
)
