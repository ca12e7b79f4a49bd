r"""Exercises of chapter 12, *From lessonlib to the frameworks*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch12.keras_rmsprop_step.check(keras_rmsprop_step)``. The reference solutions are the
functions defined first under the same names (the book shows them with
``literalinclude``); :data:`SOLUTIONS` keeps them reachable after the names are bound
to the exercises.

========================  ==================================================================
``keras_rmsprop_step``    one step of Keras's RMSprop (its names, :math:`\varepsilon` inside the root)
``step_after_lr_change``  torch's and Keras's momentum steps when the rate changes
``torch_eps_for_keras``   the :math:`\varepsilon` that makes torch's Adam take Keras's step at step t
========================  ==================================================================
"""

import numpy as np

from . import FunctionExercise, halves

__all__ = ["keras_rmsprop_step", "step_after_lr_change", "torch_eps_for_keras", "SOLUTIONS"]

CHAPTER = "ch12"


# --- the solutions ---------------------------------------------------------------------

def keras_rmsprop_step(theta, grad, velocity, learning_rate, rho, epsilon):
    # Keras: velocity <- rho velocity + (1 - rho) g^2; theta <- theta - lr g / sqrt(velocity + epsilon)
    theta, grad, velocity = (np.asarray(a, dtype=float) for a in (theta, grad, velocity))
    velocity = rho * velocity + (1 - rho) * grad**2
    return theta - learning_rate * grad / np.sqrt(velocity + epsilon), velocity


def step_after_lr_change(b, grad, momentum, lr_old, lr_new):
    # torch keeps a buffer of gradients, b' = momentum b + g, and steps -lr_new b';
    # Keras keeps a velocity of steps, u = -lr_old b (built with the old rate), and steps momentum u - lr_new g
    b, grad = np.asarray(b, dtype=float), np.asarray(grad, dtype=float)
    torch_step = -lr_new * (momentum * b + grad)
    keras_step = momentum * (-lr_old * b) - lr_new * grad
    return torch_step, keras_step


def torch_eps_for_keras(epsilon, beta2, t):
    # Keras adds epsilon to sqrt(v) before the bias correction: in torch's form it is
    # epsilon / sqrt(1 - beta2^(t+1)) at step t (t counted from 0)
    return epsilon / np.sqrt(1 - beta2 ** (np.asarray(t, dtype=float) + 1))


SOLUTIONS = {f.__name__: f for f in (keras_rmsprop_step, step_after_lr_change, torch_eps_for_keras)}


# --- the exercises ---------------------------------------------------------------------

def _rms_cases(rng):
    cases = []
    for d in (2, 3, 4):
        cases.append(("random state", (halves(rng, d), halves(rng, d), np.round(rng.uniform(0, 2, d), 2),
                                       float(rng.choice([0.01, 0.001])), float(rng.choice([0.9, 0.5])),
                                       float(rng.choice([1e-7, 0.1])))))
    return cases


keras_rmsprop_step = FunctionExercise(
    "keras_rmsprop_step",
    SOLUTIONS["keras_rmsprop_step"],
    chapter=CHAPTER,
    examples=[
        ("a first step", (np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.zeros(2), 0.01, 0.9, 1e-7)),
        ("a large epsilon shows where it goes", (np.array([0.0]), np.array([1.0]), np.array([0.5]), 0.1, 0.9, 0.5)),
        ("lists", ([1.0, 2.0], [1.0, 1.0], [0.25, 4.0], 0.1, 0.5, 0.01)),
    ],
    random_cases=_rms_cases,
    hints=[
        "Keras's RMSprop keeps a `velocity` (the book's v, with rho as the book's beta). Update it first, "
        "then step. Where does Keras add epsilon?",
        "velocity = rho * velocity + (1 - rho) * grad**2; the step divides by sqrt(velocity + epsilon): "
        "epsilon is inside the square root, unlike torch. Return the new theta and the new velocity.",
        "v = rho * v + (1 - rho) * g**2; return theta - learning_rate * g / np.sqrt(v + epsilon), v",
    ],
    mistakes=[
        (lambda th, g, v, lr, rho, eps: (np.asarray(th, float) - lr * np.asarray(g, float) / (
            np.sqrt(rho * np.asarray(v, float) + (1 - rho) * np.asarray(g, float) ** 2) + eps),
            rho * np.asarray(v, float) + (1 - rho) * np.asarray(g, float) ** 2),
         "You added epsilon outside the square root, as torch does: Keras adds it inside, sqrt(velocity + epsilon)."),
        (lambda th, g, v, lr, rho, eps: (np.asarray(th, float) - lr * np.asarray(g, float) / np.sqrt(
            (1 - rho) * np.asarray(v, float) + rho * np.asarray(g, float) ** 2 + eps),
            (1 - rho) * np.asarray(v, float) + rho * np.asarray(g, float) ** 2),
         "Your weights are swapped: rho multiplies the old velocity, 1 - rho the new squared gradient."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


def _lr_change_cases(rng):
    cases = []
    for d in (1, 2, 3):
        cases.append(("random buffer and rates", (halves(rng, d), halves(rng, d), float(rng.choice([0.5, 0.9])),
                                                  float(rng.choice([0.1, 0.05])), float(rng.choice([0.01, 0.2])))))
    return cases


step_after_lr_change = FunctionExercise(
    "step_after_lr_change",
    SOLUTIONS["step_after_lr_change"],
    chapter=CHAPTER,
    examples=[
        ("the rate drops tenfold", (np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.9, 0.1, 0.01)),
        ("the rate does not change", (np.array([1.0]), np.array([1.0]), 0.9, 0.1, 0.1)),
        ("lists", ([2.0, 0.0], [1.0, -1.0], 0.5, 0.2, 0.1)),
    ],
    random_cases=_lr_change_cases,
    hints=[
        "torch's buffer b sums gradients (b' = momentum b + g) and the step is -lr b'. Keras's velocity sums "
        "steps that already contain the rate. What is Keras's velocity u, in terms of b, if the rate was lr_old "
        "until now?",
        "u = -lr_old b. Keras's step is u' = momentum u - lr_new g; torch's is -lr_new (momentum b + g). "
        "Return both, torch's first.",
        "return -lr_new * (momentum * b + g), momentum * (-lr_old * b) - lr_new * g",
    ],
    mistakes=[
        (lambda b, g, beta, old, new: (-new * (beta * np.asarray(b, float) + np.asarray(g, float)),
                                       -new * (beta * np.asarray(b, float) + np.asarray(g, float))),
         "Your two steps are the same: the forms agree for a constant rate only. Keras's velocity was built with "
         "the old rate, so its memory carries lr_old."),
        (lambda b, g, beta, old, new: (-old * (beta * np.asarray(b, float) + np.asarray(g, float)),
                                       beta * (-old * np.asarray(b, float)) - old * np.asarray(g, float)),
         "You used the old rate for the new step: the step after the change uses lr_new (only Keras's memory "
         "keeps lr_old)."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


def _eps_cases(rng):
    return [("random constants", (float(rng.choice([1e-7, 1e-8, 1e-3])), float(rng.choice([0.9, 0.99, 0.999])),
                                  np.sort(rng.integers(0, 2000, 4))))
            for _ in range(3)]


torch_eps_for_keras = FunctionExercise(
    "torch_eps_for_keras",
    SOLUTIONS["torch_eps_for_keras"],
    chapter=CHAPTER,
    examples=[
        ("the first step", (1e-7, 0.999, 0)),
        ("after 1000 steps", (1e-7, 0.999, 1000)),
        ("an array of steps", (1e-7, 0.999, np.array([0, 9, 99, 999]))),
        ("beta2 = 0.9", (1e-3, 0.9, np.array([0, 1, 2]))),
        ("a list of steps", (1e-8, 0.99, [0, 10])),
    ],
    random_cases=_eps_cases,
    hints=[
        "Keras folds both bias corrections into the rate and adds epsilon to sqrt(v) before correcting. Write "
        "Keras's step in torch's form m_hat / (sqrt(v_hat) + eps'): what is eps'?",
        "sqrt(v) = sqrt(v_hat) * sqrt(1 - beta2^(t+1)), so dividing by sqrt(v) + epsilon is dividing by "
        "sqrt(v_hat) + epsilon / sqrt(1 - beta2^(t+1)), up to the factor that goes into the rate.",
        "return epsilon / np.sqrt(1 - beta2 ** (np.asarray(t) + 1))",
    ],
    mistakes=[
        (lambda eps, b2, t: eps / np.sqrt(1 - b2 ** np.asarray(t, dtype=float)),
         "Your step count is off by one: at step t (from 0) Adam has seen t + 1 gradients, so the correction is "
         "1 - beta2^(t+1)."),
        (lambda eps, b2, t: eps * np.sqrt(1 - b2 ** (np.asarray(t, dtype=float) + 1)),
         "You multiplied by the correction: epsilon is added to the uncorrected sqrt(v), which is SMALLER than "
         "sqrt(v_hat), so in torch's form epsilon grows: divide."),
        (lambda eps, b2, t: eps / (1 - b2 ** (np.asarray(t, dtype=float) + 1)),
         "You divided by 1 - beta2^(t+1) without the square root: epsilon is compared with sqrt(v), so the "
         "factor is the square root of v's correction."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-30,
)
