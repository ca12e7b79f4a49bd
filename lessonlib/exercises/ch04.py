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
``exponential_reach``        :math:`G\,\eta_0/(1-\gamma)`
===========================  ===============================================================
"""

import math

from . import FunctionExercise

__all__ = ["step_decay_lr", "cosine_lr", "power_decay_sums_finite", "exponential_reach",
           "SOLUTIONS"]


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


def exponential_reach(lr0, gamma, G):
    # |theta_T - theta_0| <= sum_t lr_t |g_t| <= G * lr0 * (1 + gamma + gamma**2 + ...)
    return G * lr0 / (1 - gamma)


SOLUTIONS = {f.__name__: f for f in (step_decay_lr, cosine_lr, power_decay_sums_finite,
                                     exponential_reach)}


# --- the exercises ---------------------------------------------------------------------

step_decay_lr = FunctionExercise(
    "step_decay_lr",
    SOLUTIONS["step_decay_lr"],
    cases=[
        ("the first step", (0.1, 0.5, 10, 0)),
        ("the middle of the first phase", (0.1, 0.5, 10, 5)),
        ("the last step before the first decay", (0.1, 0.5, 10, 9)),
        ("the step of the first decay", (0.1, 0.5, 10, 10)),
        ("the middle of the third phase", (0.1, 0.5, 10, 25)),
        ("divide by 10 every 30 steps, t = 95", (1.0, 0.1, 30, 95)),
        ("a decay every step (step_size = 1)", (0.2, 0.9, 1, 7)),
    ],
    hint="Count the decays completed by step t: that is the integer division t // step_size "
         "(0 for t = 0 .. step_size - 1). Multiply lr0 by gamma once per completed decay.",
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
    ],
    rtol=1e-12,
    atol=0.0,
)

cosine_lr = FunctionExercise(
    "cosine_lr",
    SOLUTIONS["cosine_lr"],
    cases=[
        ("the first step", (0.1, 0.0, 100, 0)),
        ("a quarter of the way, with a floor", (0.1, 0.01, 100, 25)),
        ("half-way", (0.1, 0.0, 100, 50)),
        ("the last step", (0.5, 0.05, 40, 40)),
        ("after the last step", (0.5, 0.05, 40, 55)),
        ("three quarters of the way", (1.0, 0.2, 8, 6)),
    ],
    hint="Map t to an angle from 0 to pi over the budget (pi * t / total_steps), take "
         "(1 + cos(angle)) / 2, which falls from 1 to 0, and scale it between lr_min and lr0. "
         "After total_steps the rate stays at lr_min.",
    mistakes=[
        (lambda lr0, lr_min, total_steps, t:
            lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * t / total_steps)),
         "Correct up to total_steps, but after it your cosine rises again: clamp t with "
         "min(t, total_steps) so the rate stays at lr_min."),
        (lambda lr0, lr_min, total_steps, t:
            lr_min + (lr0 - lr_min) * math.cos(math.pi * min(t, total_steps) / total_steps),
         "You used cos itself, which runs from 1 to -1: the rate turns negative after half the "
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

power_decay_sums_finite = FunctionExercise(
    "power_decay_sums_finite",
    SOLUTIONS["power_decay_sums_finite"],
    cases=[
        ("a constant rate (p = 0)", (0.0,)),
        ("p = 0.3", (0.3,)),
        ("inverse square root (p = 1/2)", (0.5,)),
        ("p = 0.75", (0.75,)),
        ("inverse time (p = 1)", (1.0,)),
        ("p = 1.5", (1.5,)),
        ("p = 3", (3.0,)),
    ],
    hint="Compare the sum with the integral of (1 + t)**(-q): it is finite exactly when q > 1 "
         "(for q = 1 it is the harmonic series, which grows like ln T). The rates have q = p, "
         "their squares q = 2p. Return the pair (sum_finite, sum_sq_finite) as booleans.",
    mistakes=[
        (lambda p: (p >= 1, 2 * p > 1),
         "At p = 1 the rates form the harmonic series 1 + 1/2 + 1/3 + ..., which diverges "
         "(like ln T): the sum is finite only for p > 1."),
        (lambda p: (p > 1, 2 * p >= 1),
         "At p = 1/2 the squares (1 + t)**(-1) form the harmonic series, which diverges: the sum "
         "of squares is finite only for p > 1/2."),
        (lambda p: (p > 1, p > 1),
         "Squaring doubles the exponent: the squares decay like (1 + t)**(-2p), finite for p > 1/2."),
        (lambda p: (p > 0, p > 0),
         "Terms that tend to 0 do not make a sum finite (the harmonic series is the classic "
         "counterexample): compare with an integral."),
        (lambda p: (2 * p > 1, p > 1),
         "You swapped the two answers: the first is about the rates (exponent p), the second "
         "about their squares (exponent 2p)."),
    ],
)

exponential_reach = FunctionExercise(
    "exponential_reach",
    SOLUTIONS["exponential_reach"],
    cases=[
        ("the notes' 0.1 * 0.9**t with |g| <= 2", (0.1, 0.9, 2.0)),
        ("lr0 = 1, gamma = 0.95, G = 0.75", (1.0, 0.95, 0.75)),
        ("a slow decay", (0.5, 0.999, 3.0)),
        ("a fast decay with large gradients", (0.01, 0.5, 10.0)),
    ],
    hint="Each step moves theta by lr_t * |g_t| <= G * lr0 * gamma**t (triangle inequality). "
         "Add up all steps t = 0, 1, 2, ... with the geometric series 1 + gamma + gamma**2 + ... .",
    mistakes=[
        (lambda lr0, gamma, G: lr0 / (1 - gamma),
         "You summed the learning rates but forgot the gradient bound: a step is lr_t * |g_t|, "
         "so multiply by G."),
        (lambda lr0, gamma, G: G * lr0 * gamma / (1 - gamma),
         "Your sum starts at t = 1: the first step, t = 0, uses lr0 itself, so the series is "
         "1 + gamma + gamma**2 + ... = 1 / (1 - gamma)."),
        (lambda lr0, gamma, G: G * lr0 / (1 - gamma ** 2),
         "1 / (1 - gamma**2) sums gamma**(2t), the squared rates' factors: the distance adds "
         "up the rates themselves, gamma**t."),
        (lambda lr0, gamma, G: G * lr0 * (1 - gamma),
         "You multiplied by (1 - gamma) instead of dividing: 1 + gamma + gamma**2 + ... "
         "= 1 / (1 - gamma), which is large when gamma is close to 1."),
        (lambda lr0, gamma, G: G * lr0 / gamma,
         "The geometric series 1 + gamma + gamma**2 + ... sums to 1 / (1 - gamma), not 1 / gamma."),
    ],
    rtol=1e-10,
    atol=0.0,
)
