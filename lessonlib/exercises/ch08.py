r"""Exercises of chapter 8, *Adam and its family*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch08.adam_step.check(adam_step)``. The reference solutions are the functions
defined first under the same names (the book shows them with ``literalinclude``);
:data:`SOLUTIONS` keeps them reachable after the names are bound to the exercises.

========================  ==================================================================
``adam_step``             one Adam step with bias correction, from the state ``(m, v, t)``
``uncorrected_factors``   how much larger the steps of Adam without bias correction are, step by step
``adamw_step``            one AdamW step: decoupled weight decay, then the Adam step
========================  ==================================================================
"""

import numpy as np

from . import FunctionExercise, halves

__all__ = ["adam_step", "uncorrected_factors", "adamw_step", "SOLUTIONS"]

CHAPTER = "ch08"


# --- the solutions ---------------------------------------------------------------------

def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    # t steps were taken before this one, so this step's averages hold t + 1 gradients
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad**2
    m_hat = m_new / (1 - beta1 ** (t + 1))
    v_hat = v_new / (1 - beta2 ** (t + 1))
    theta_new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta_new, m_new, v_new


def uncorrected_factors(beta1, beta2, T):
    # constant gradient g: m_t = (1 - beta1^t) g and v_t = (1 - beta2^t) g^2, so without the
    # correction the step is lr * (1 - beta1^t) / sqrt(1 - beta2^t) * sign(g); with it, lr * sign(g)
    t = np.arange(1, T + 1)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


def adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    theta = theta * (1 - lr * weight_decay)            # the decay, on the weights, not on the gradient
    m_new = beta1 * m + (1 - beta1) * grad              # the Adam step from the raw gradient
    v_new = beta2 * v + (1 - beta2) * grad**2
    m_hat = m_new / (1 - beta1 ** (t + 1))
    v_hat = v_new / (1 - beta2 ** (t + 1))
    theta_new = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta_new, m_new, v_new


SOLUTIONS = {f.__name__: f for f in (adam_step, uncorrected_factors, adamw_step)}


# --- the exercises ---------------------------------------------------------------------

def _moments(rng, d):
    return halves(rng, d), np.round(rng.uniform(0.0, 4.0, d), 2)


def _adam_cases(rng):
    cases = []
    for d in (1, 3, 4):
        theta, grad = halves(rng, d), halves(rng, d)
        m, v = _moments(rng, d)
        t = int(rng.integers(1, 30))
        cases.append(("random theta, grad, m, v and t", (theta, grad, m, v, t, float(rng.choice([0.01, 0.1])),
                                                          float(rng.choice([0.5, 0.9])), float(rng.choice([0.9, 0.99])),
                                                          1e-8)))
    return cases


def _with_state(step):
    """Wrap a one-line variant of Adam's step into the exercise's signature."""
    def wrapped(theta, grad, m, v, t, lr, beta1, beta2, eps):
        return step(np.asarray(theta, float), np.asarray(grad, float), np.asarray(m, float), np.asarray(v, float),
                    t, lr, beta1, beta2, eps)
    return wrapped


def _variant(m_hat, v_hat, root=lambda v, eps: np.sqrt(v) + eps, second=lambda g, b2, b1: b2, numerator=None):
    """An Adam step with one piece replaced: how the typical mistakes below are built."""
    def step(theta, grad, m, v, t, lr, beta1, beta2, eps):
        b2 = second(grad, beta2, beta1)
        m_new = beta1 * m + (1 - beta1) * grad
        v_new = b2 * v + (1 - b2) * grad**2
        with np.errstate(divide="ignore", invalid="ignore"):      # the off-by-one mistake divides by 0 at t = 0
            num = m_hat(m_new, beta1, t) if numerator is None else numerator(grad)
            return theta - lr * num / root(v_hat(v_new, b2, t), eps), m_new, v_new
    return _with_state(step)


def _corrected(x, beta, t):
    return x / (1 - beta ** (t + 1))


def _keras_ordering(theta, grad, m, v, t, lr, beta1, beta2, eps):
    theta, grad = np.asarray(theta, dtype=float), np.asarray(grad, dtype=float)
    m_new = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * grad
    v_new = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * grad**2
    lr_t = lr * np.sqrt(1 - beta2 ** (t + 1)) / (1 - beta1 ** (t + 1))
    return theta - lr_t * m_new / (np.sqrt(v_new) + eps), m_new, v_new


_ADAM_MISTAKES = [
    (_keras_ordering,
     "You folded both corrections into the rate and added eps to the uncorrected sqrt(v) (Keras's "
     "ordering, (ch08-eps-keras)): it differs from Adam's by the size of eps. This exercise asks for the "
     "paper's and torch's form: eps added to sqrt(v_hat)."),
    (_variant(lambda m, b, t: m, lambda v, b, t: v),
     "You left out the bias correction: m and v start at 0, so early on they are too small by the factors "
     "1 - beta1^(t+1) and 1 - beta2^(t+1); divide by them before the step."),
    (_variant(lambda m, b, t: m / (1 - b**t), lambda v, b, t: v / (1 - b**t)),
     "Your bias correction uses the wrong power: t counts the steps taken *before* this one, so the averages "
     "now hold t + 1 gradients."),
    (_variant(_corrected, lambda v, b, t: v),
     "You corrected m but not v: both averages start at 0 and both need their own correction."),
    (_variant(_corrected, _corrected, second=lambda g, b2, b1: b1),
     "Your second moment decays with beta1: v has its own rate, beta2."),
    (_variant(_corrected, _corrected, root=lambda v, eps: np.sqrt(v + eps)),
     "You put eps inside the square root: Adam (the paper, torch) adds it to sqrt(v_hat)."),
    (_variant(_corrected, _corrected, numerator=lambda g: g),
     "Your step uses the raw gradient: Adam steps along the (corrected) first moment m_hat, which is what "
     "gives it momentum."),
]

adam_step = FunctionExercise(
    "adam_step",
    SOLUTIONS["adam_step"],
    chapter=CHAPTER,
    examples=[
        ("the first step (t = 0, m = v = 0)", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.zeros(2), np.zeros(2),
                                               0, 0.1, 0.9, 0.999, 1e-8)),
        ("a later step", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.array([0.2, -1.0]), np.array([0.5, 9.0]),
                          4, 0.1, 0.9, 0.999, 1e-8)),
        ("a large eps", (np.array([0.0, 1.0]), np.array([1.0, -1.0]), np.array([0.5, 0.5]), np.array([1.0, 0.25]),
                         2, 0.5, 0.5, 0.9, 1.0)),
        ("integer inputs", (np.array([1, 2]), np.array([3, -1]), np.array([0, 0]), np.array([0, 0]),
                            0, 0.01, 0.9, 0.999, 1e-8)),
    ],
    random_cases=_adam_cases,
    hints=[
        "Three things are new after the step: m, v and theta. m and v are moving averages of what? "
        "And what is wrong with an average that starts at 0?",
        "m_new = beta1 m + (1 - beta1) grad and v_new = beta2 v + (1 - beta2) grad**2; after t + 1 gradients an "
        "average started at 0 carries only the weight 1 - beta^(t+1).",
        "theta_new = theta - lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m_new / (1 - beta1**(t + 1)) and "
        "v_hat = v_new / (1 - beta2**(t + 1)); return (theta_new, m_new, v_new), the uncorrected averages.",
    ],
    mistakes=_ADAM_MISTAKES,
    rtol=1e-10,
    atol=1e-12,
)


def _factor_cases(rng):
    return [("random betas", (float(rng.choice([0.5, 0.8, 0.9, 0.95])), float(rng.choice([0.99, 0.995, 0.999])),
                              int(rng.integers(2, 60)))) for _ in range(4)]


uncorrected_factors = FunctionExercise(
    "uncorrected_factors",
    SOLUTIONS["uncorrected_factors"],
    chapter=CHAPTER,
    examples=[
        ("Adam's defaults, 20 steps", (0.9, 0.999, 20)),
        ("one step", (0.9, 0.99, 1)),
        ("equal betas", (0.9, 0.9, 5)),
        ("beta1 = 0 (RMSProp with Adam's v)", (0.0, 0.999, 3)),
    ],
    random_cases=_factor_cases,
    hints=[
        "Feed a constant gradient g. What are m_t and v_t after t steps, from m_0 = v_0 = 0?",
        "m_t = (1 - beta1^t) g and v_t = (1 - beta2^t) g^2: the corrected step is lr * sign(g) for every t; "
        "divide the uncorrected step by it.",
        "The factor is (1 - beta1**t) / sqrt(1 - beta2**t) for t = 1, ..., T (an array of T numbers).",
    ],
    mistakes=[
        (lambda beta1, beta2, T: (1 - beta1 ** np.arange(1, T + 1)) / (1 - beta2 ** np.arange(1, T + 1)),
         "You divided by 1 - beta2^t itself: the step divides by sqrt(v), so the factor has the square root "
         "of 1 - beta2^t."),
        (lambda beta1, beta2, T: np.sqrt(1 - beta2 ** np.arange(1, T + 1)) / (1 - beta1 ** np.arange(1, T + 1)),
         "Your ratio is upside down: the question is how much larger the uncorrected step is than the corrected "
         "one (at t = 1 with Adam's defaults it is about 3 times larger)."),
        (lambda beta1, beta2, T: (1 - beta1 ** np.arange(0, T)) / np.sqrt(1 - beta2 ** np.arange(0, T) + 1e-300),
         "Off by one: after the first step each average holds one gradient, so t runs from 1 to T."),
        (lambda beta1, beta2, T: (1 - beta1) / np.sqrt(1 - beta2) * np.ones(T),
         "That is the factor of the first step only: m_t and v_t grow with t (as 1 - beta^t)."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-12,
)


def _adamw_cases(rng):
    cases = []
    for d in (1, 2, 4):
        theta, grad = halves(rng, d), halves(rng, d)
        m, v = _moments(rng, d)
        cases.append(("random inputs", (theta, grad, m, v, int(rng.integers(0, 20)), float(rng.choice([0.05, 0.1, 0.5])),
                                        0.9, 0.999, 1e-8, float(rng.choice([0.1, 0.5, 1.0])))))
    return cases


def _adamw_variant(decay):
    def step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
        theta, grad, m, v = (np.asarray(x, float) for x in (theta, grad, m, v))
        return decay(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)
    return step


adamw_step = FunctionExercise(
    "adamw_step",
    SOLUTIONS["adamw_step"],
    chapter=CHAPTER,
    examples=[
        ("the first step", (np.array([2.0, -1.0]), np.array([0.5, 0.5]), np.zeros(2), np.zeros(2), 0, 0.1, 0.9, 0.999,
                            1e-8, 0.5)),
        ("zero gradient: only the decay acts", (np.array([2.0, -1.0]), np.zeros(2), np.zeros(2), np.array([1.0, 1.0]),
                                                3, 0.1, 0.9, 0.999, 1e-8, 0.5)),
        ("a later step", (np.array([1.0, 3.0, -2.0]), np.array([-1.0, 0.5, 2.0]), np.array([0.5, 0.0, 1.0]),
                          np.array([1.0, 0.25, 4.0]), 7, 0.05, 0.9, 0.999, 1e-8, 1.0)),
    ],
    random_cases=_adamw_cases,
    hints=[
        "AdamW changes one thing of Adam: where the weight decay enters. Does lambda_wd * theta go into the "
        "gradient (and so into m and v)?",
        "No: the weights shrink by the factor 1 - lr * weight_decay, and the Adam step (m, v, bias correction) "
        "is computed from the raw gradient.",
        "theta_decayed = theta * (1 - lr * weight_decay); then the Adam step of exercise 1 from theta_decayed, "
        "with the raw grad; return (theta_new, m_new, v_new).",
    ],
    mistakes=[
        (_adamw_variant(lambda th, g, m, v, t, lr, b1, b2, eps, wd:
                        SOLUTIONS["adam_step"](th, g + wd * th, m, v, t, lr, b1, b2, eps)),
         "You added weight_decay * theta to the gradient: that is L2 regularisation inside Adam, whose decay is "
         "then divided by sqrt(v_hat). AdamW applies the decay to the weights directly."),
        (_adamw_variant(lambda th, g, m, v, t, lr, b1, b2, eps, wd:
                        SOLUTIONS["adam_step"](th * (1 - wd), g, m, v, t, lr, b1, b2, eps)),
         "Your decay ignores the learning rate: torch's AdamW (and this book's) shrinks by 1 - lr * weight_decay."),
        (_adamw_variant(lambda th, g, m, v, t, lr, b1, b2, eps, wd:
                        SOLUTIONS["adam_step"](th, g, m, v, t, lr, b1, b2, eps)),
         "There is no decay in your step: AdamW shrinks the weights by 1 - lr * weight_decay as well."),
    ],
    rtol=1e-10,
    atol=1e-12,
)
