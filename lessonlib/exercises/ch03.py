r"""Exercises of chapter 3, *Stochastic and mini-batch gradient descent*.

Each exercise is defined right after its solution, a function of the same name: the
book shows the solution with ``literalinclude`` (``:pyobject:``), and then the name is
rebound to the exercise, so ``ch03.epoch_batches.check(answer)`` checks an answer.
:data:`SOLUTIONS` keeps the solution functions reachable by name (for the tests).

=======================  ===========================================================================
``epoch_batches``        one epoch of mini-batch indices, sampled without replacement
``minibatch_variance``   :math:`\frac{\sigma^2}{B}\,\frac{n-B}{n-1}`
``stationary_variance``  :math:`\frac{\eta\sigma^2}{\lambda(2-\eta\lambda)}`
``robbins_monro``        which of six step-size sequences satisfy :math:`\sum\eta_t=\infty`, :math:`\sum\eta_t^2<\infty`
=======================  ===========================================================================
"""

import numpy as np

from . import (CORRECT, ERROR, NOT_ATTEMPTED, WRONG, Exercise, FunctionExercise, Verdict,
               _explain_exception)

__all__ = ["epoch_batches", "minibatch_variance", "stationary_variance", "robbins_monro",
           "EpochBatchesExercise", "ChoiceExercise", "SCHEDULES", "SOLUTIONS"]

SOLUTIONS = {}


# --- Exercise 1: one epoch of mini-batches ---------------------------------------------

def epoch_batches(n, batch_size, rng):
    """One epoch of mini-batch indices of range(n), drawn without replacement."""
    perm = rng.permutation(n)                  # every index exactly once, in random order
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


class EpochBatchesExercise(Exercise):
    """Checks a sampler ``f(n, batch_size, rng)`` by the properties an epoch must have.

    The batches are random, so they are not compared with the solution's: the check
    runs the learner's function on several ``(n, batch_size)`` and verifies that the
    batches together hold every index exactly once, that all have ``batch_size``
    indices except a smaller last one, that the order is shuffled, and that the
    function draws from the ``rng`` it is given (same seed, same batches).
    """

    CASES = [(10, 3), (12, 4), (7, 7), (5, 1), (100, 32)]

    def __init__(self, name, solution, hint):
        super().__init__(name, hint, solution)

    def _run(self, fn, n, batch_size, seed):
        rng = np.random.default_rng(seed)
        result = fn(n, batch_size, rng)
        if result is None:
            return None
        return [np.asarray(b).reshape(-1) for b in result]

    def _judge(self, fn):
        if not callable(fn):
            return Verdict(WRONG, f"{self.name}: expected a function, got {type(fn).__name__}.")
        for n, B in self.CASES:
            where = f"for n={n}, batch_size={B}"
            try:
                got = self._run(fn, n, B, seed=n + B)
                again = self._run(fn, n, B, seed=n + B)
                other = self._run(fn, n, B, seed=n + B + 1)
            except NotImplementedError:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Replace `raise NotImplementedError` "
                                              "with your code.")
            except Exception as exc:  # the learner's code: report, do not crash the notebook
                return Verdict(ERROR, f"{self.name}: your function raised {_explain_exception(exc)} {where}.")
            if got is None:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet (your function returned None; "
                                              "`return` the list of index arrays).")
            message = self._problem(got, n, B)
            if message:
                return Verdict(WRONG, f"{self.name}: {where} {message}")
            if len(again) != len(got) or not all(np.array_equal(a, b) for a, b in zip(got, again)):
                return Verdict(WRONG, f"{self.name}: {where} two calls with generators of the same seed gave "
                                      "different batches: draw the permutation from the `rng` argument "
                                      "(rng.permutation(n)), not from np.random or a new generator.")
            if n >= 10 and all(np.array_equal(a, b) for a, b in zip(got, other)):
                return Verdict(WRONG, f"{self.name}: {where} generators with different seeds gave the same "
                                      "batches: the order must come from the `rng` argument.")
        return Verdict(CORRECT, f"{self.name}: correct on all {len(self.CASES)} test cases "
                                "(each index exactly once per epoch, full batches then one smaller, shuffled).")

    @staticmethod
    def _problem(batches, n, B):
        """What is wrong with one epoch of ``batches`` (None when nothing is)."""
        if not batches:
            return "your function returned no batches."
        if not all(np.issubdtype(b.dtype, np.integer) for b in batches):
            return ("the batches must hold integer indices (e.g. from rng.permutation(n)), got dtype "
                    f"{batches[0].dtype}.")
        idx = np.concatenate(batches)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            return f"an index is outside range(n) = 0..{n - 1} (got {idx.min()}..{idx.max()})."
        counts = np.bincount(idx, minlength=n)
        repeated = np.flatnonzero(counts > 1)
        if repeated.size:
            within = any(len(np.unique(b)) < len(b) for b in batches)
            how = ("inside a batch: that is sampling WITH replacement (rng.integers, or rng.choice without "
                   "replace=False)" if within else
                   "across batches: each batch was drawn on its own, so batches overlap")
            return (f"index {repeated[0]} appears {counts[repeated[0]]} times and {np.sum(counts == 0)} indices "
                    f"never appear; the repeats are {how}. Shuffle once, rng.permutation(n), and cut that "
                    "permutation into consecutive slices.")
        expected_count = -(-n // B)
        if np.sum(counts == 0):
            if len(batches) == n // B and n % B:
                left = "the index" if n % B == 1 else f"the {n % B} indices"
                return (f"you returned {len(batches)} batches and dropped the last partial batch: {left} "
                        f"left after the full batches form a final, smaller batch, so an epoch has "
                        f"ceil(n / B) = {expected_count} batches.")
            return f"{np.sum(counts == 0)} indices never appear: one epoch must visit every index once."
        sizes = [len(b) for b in batches]
        expected = [B] * (n // B) + ([n % B] if n % B else [])
        if sizes != expected:
            return (f"the batch sizes are {sizes}, expected {expected}: every batch has batch_size indices "
                    f"except the last, which holds what is left (np.array_split balances the sizes instead; "
                    f"slice perm[start:start + batch_size]).")
        if n >= 5 and np.array_equal(idx, np.arange(n)):
            return ("the indices come in order 0, 1, 2, ...: shuffle them (rng.permutation(n)) so that "
                    "each batch is a random sample.")
        return None


SOLUTIONS["epoch_batches"] = epoch_batches
epoch_batches = EpochBatchesExercise(
    "epoch_batches",
    solution=SOLUTIONS["epoch_batches"],
    hint="rng.permutation(n) shuffles 0..n-1 once; the batches are the consecutive slices "
         "perm[0:B], perm[B:2B], ..., the last one shorter when B does not divide n "
         "(range(0, n, batch_size) gives the start of each slice).",
)


# --- Exercise 2: the variance of a mini-batch gradient ---------------------------------

def minibatch_variance(sigma2, n, batch_size):
    """E|g_B - grad J|^2 for a mini-batch of batch_size samples drawn without replacement."""
    B = batch_size
    return sigma2 / B * (n - B) / (n - 1)     # sigma^2 / B, times the finite-population factor


SOLUTIONS["minibatch_variance"] = minibatch_variance
minibatch_variance = FunctionExercise(
    "minibatch_variance",
    solution=SOLUTIONS["minibatch_variance"],
    cases=[
        ("a small data set", (2.0, 10, 3)),
        ("the chapter's linear regression", (34.7, 100, 20)),
        ("the whole data set as one batch (B = n)", (1.0, 50, 50)),
        ("one sample of many", (1.5, 1000, 1)),
        ("two samples, batches of one", (4.0, 2, 1)),
    ],
    hint="Expand |(1/B) sum_k u_{I_k}|^2 with u_i = grad J_i - grad J: B diagonal terms of mean sigma^2, "
         "and B(B - 1) cross terms. Two distinct draws without replacement have E[u_I . u_J] = "
         "-sigma^2 / (n - 1), because the u_i sum to zero.",
    mistakes=[
        (lambda sigma2, n, B: sigma2 / B,
         "That is sigma^2 / B, the variance WITH replacement: without replacement the draws are negatively "
         "correlated, which multiplies it by the finite-population factor (n - B) / (n - 1)."),
        (lambda sigma2, n, B: sigma2 / B * (n - B) / n,
         "Your factor is (n - B) / n: the cross terms give 1 - (B - 1) / (n - 1) = (n - B) / (n - 1), with "
         "n - 1 in the denominator."),
        (lambda sigma2, n, B: sigma2 * (n - B) / (n - 1),
         "You forgot to divide by B: averaging B draws divides the variance by B (before the "
         "finite-population factor)."),
        (lambda sigma2, n, B: sigma2 / B * (n - 1) / (n - B) if n != B else np.inf,
         "Your factor is upside down: without replacement the variance is SMALLER, (n - B) / (n - 1) <= 1, "
         "and 0 when the batch is the whole data set."),
        (lambda sigma2, n, B: sigma2 / np.sqrt(B) * (n - B) / (n - 1),
         "You divided by sqrt(B): that is how the STANDARD DEVIATION of the mean scales; the variance "
         "falls like 1/B."),
        (lambda sigma2, n, B: sigma2 / B**2 * (n - B) / (n - 1),
         "You divided by B**2: the 1/B**2 from the mean multiplies a sum of B variance terms, leaving 1/B."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


# --- Exercise 3: the stationary variance of constant-step SGD ---------------------------

def stationary_variance(lr, lam, sigma):
    """Variance of the iterates of SGD with step lr on lam * theta**2 / 2, gradient noise sigma."""
    # fixed point of v = (1 - lr*lam)**2 v + lr**2 sigma**2, and 1 - (1 - x)**2 = x (2 - x)
    return lr * sigma**2 / (lam * (2.0 - lr * lam))


SOLUTIONS["stationary_variance"] = stationary_variance
stationary_variance = FunctionExercise(
    "stationary_variance",
    solution=SOLUTIONS["stationary_variance"],
    cases=[
        ("the chapter's J = theta**2 (lam = 2), lr = 0.1, sigma = 1", (0.1, 2.0, 1.0)),
        ("a small step", (0.01, 2.0, 1.0)),
        ("lr * lam = 1.5, beyond the small-step regime", (0.5, 3.0, 0.5)),
        ("lr * lam = 1.8, close to the stability limit 2", (1.8, 1.0, 2.0)),
    ],
    hint="Write theta_{t+1} = (1 - lr*lam) theta_t - lr*sigma*xi_t, square it and take expectations "
         "(the cross term vanishes: xi_t has mean 0 and is independent of theta_t). The stationary "
         "variance is the fixed point v = (1 - lr*lam)**2 v + lr**2 sigma**2.",
    mistakes=[
        (lambda lr, lam, sigma: lr * sigma**2 / (2 * lam),
         "That is the small-step approximation lr sigma^2 / (2 lam): you dropped the lr*lam in "
         "(2 - lr*lam), which matters when lr*lam is not small."),
        (lambda lr, lam, sigma: lr * sigma**2 / lam,
         "The factor (2 - lr*lam) is missing from the denominator: 1 - (1 - lr*lam)**2 = lr*lam (2 - lr*lam)."),
        (lambda lr, lam, sigma: lr**2 * sigma**2 / (lam * (2 - lr * lam)),
         "One lr too many: the fixed point is lr**2 sigma**2 / (1 - (1 - lr*lam)**2), and the denominator "
         "lr*lam (2 - lr*lam) cancels one factor lr."),
        (lambda lr, lam, sigma: lr**2 * sigma**2,
         "lr**2 sigma**2 is the variance one noisy step adds; the stationary variance accumulates all past "
         "kicks, each shrunk by (1 - lr*lam)**2 per step since."),
        (lambda lr, lam, sigma: lr * sigma / (lam * (2 - lr * lam)),
         "Use the variance sigma**2 of the noise, not its standard deviation sigma."),
        (lambda lr, lam, sigma: lr * sigma**2 / (2 * (2 - lr * lam)),
         "That is the noise floor of the LOSS, E[J] - J* = (lam / 2) v; the exercise asks for the variance "
         "v of theta itself."),
    ],
    rtol=1e-9,
    atol=1e-14,
)


# --- Exercise 4: the Robbins-Monro conditions --------------------------------------------

SCHEDULES = {
    "a": "eta_t = 0.1 (constant)",
    "b": "eta_t = 0.1 / (1 + t)",
    "c": "eta_t = 0.1 / sqrt(1 + t)",
    "d": "eta_t = 0.1 * 0.99**t",
    "e": "eta_t = 0.1 / (1 + t)**2",
    "f": "eta_t = 0.1 / (1 + t)**0.7",
}

_REASONS = {
    "a": "(a) the constant step has sum eta_t**2 = infinity: the noise never averages out (the noise floor).",
    "b": "(b) 0.1 / (1 + t) satisfies both: the harmonic series diverges, sum 1/(1 + t)**2 = pi**2 / 6 converges.",
    "c": "(c) 0.1 / sqrt(1 + t) fails the second condition: eta_t**2 = 0.01 / (1 + t) is harmonic, its sum diverges.",
    "d": "(d) 0.1 * 0.99**t fails the first condition: a geometric series, its sum is 0.1 / 0.01 = 10, so the "
         "iterates can travel only a bounded distance.",
    "e": "(e) 0.1 / (1 + t)**2 fails the first condition: its sum converges (to 0.1 pi**2 / 6), the steps die "
         "out too fast.",
    "f": "(f) 0.1 / (1 + t)**0.7 satisfies both: sum t**-p diverges for p <= 1 and sum t**-2p converges for "
         "2p > 1, and p = 0.7 is in (1/2, 1].",
}


def robbins_monro():
    """The schedules of SCHEDULES with sum eta_t = infinity and sum eta_t**2 < infinity."""
    # eta_t ~ t**-p: sum eta_t diverges iff p <= 1, sum eta_t**2 converges iff 2p > 1.
    # a: p = 0, fails the second; b: p = 1 and f: p = 0.7 pass; c: p = 1/2 fails the second;
    # d: geometric, fails the first; e: p = 2 fails the first.
    return {"b", "f"}


class ChoiceExercise(Exercise):
    """The learner picks a set of options (letters); each wrong pick or omission is explained.

    Accepts a set, list or tuple of letters, or a string such as ``"bf"``.
    """

    def __init__(self, name, expected, reasons, hint, solution):
        super().__init__(name, hint, solution)
        self.expected = set(expected)
        self.reasons = dict(reasons)

    def _judge(self, answer):
        if isinstance(answer, str):
            answer = [c for c in answer if not c.isspace() and c not in ",;"]
        try:
            picked = {str(a).strip().lower() for a in answer}
        except TypeError:
            return Verdict(WRONG, f"{self.name}: give a set of letters such as {{'a', 'c'}}, got {answer!r}.")
        unknown = sorted(picked - set(self.reasons))
        if unknown:
            return Verdict(WRONG, f"{self.name}: {unknown} are not options; choose among {sorted(self.reasons)}.")
        if picked == self.expected:
            return Verdict(CORRECT, f"{self.name}: correct, {sorted(picked)}.")
        wrong_in = sorted(picked - self.expected)
        missing = sorted(self.expected - picked)
        parts = []
        if wrong_in:
            verb = "fails" if len(wrong_in) == 1 else "fail"
            parts.append(f"You included {', '.join(wrong_in)}, which {verb}: "
                         + " ".join(self.reasons[k] for k in wrong_in))
        if missing:
            parts.append("You left out " + ", ".join(missing) + ": "
                         + " ".join(self.reasons[k] for k in missing))
        return Verdict(WRONG, f"{self.name}: not quite. " + " ".join(parts))


SOLUTIONS["robbins_monro"] = robbins_monro
robbins_monro = ChoiceExercise(
    "robbins_monro",
    expected=SOLUTIONS["robbins_monro"](),
    reasons=_REASONS,
    hint="Compare each eta_t with t**-p: sum t**-p diverges exactly when p <= 1, and sum eta_t**2 behaves "
         "like sum t**-2p, which converges exactly when 2p > 1. A geometric sequence has a finite sum.",
    solution=SOLUTIONS["robbins_monro"],
)
