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
               _explain_exception, _type_words, describe)

CHAPTER = "ch03"

__all__ = ["epoch_batches", "minibatch_variance", "stationary_variance", "robbins_monro",
           "EpochBatchesExercise", "ChoiceExercise", "SCHEDULES", "SOLUTIONS"]


SOLUTIONS = {}


# --- Exercise 1: one epoch of mini-batches ---------------------------------------------

def epoch_batches(n, batch_size, rng):
    """One epoch of mini-batch indices of range(n), drawn without replacement."""
    perm = rng.permutation(n)                  # every index exactly once, in random order
    return [perm[start:start + batch_size] for start in range(0, n, batch_size)]


def _partition(batches):
    """The batches as a set of frozensets: the order inside a batch does not matter."""
    return frozenset(frozenset(b.tolist()) for b in batches)


def _is_rotation_window(batch, n):
    """Whether the indices of ``batch`` are consecutive modulo n (a window of a rolled arange)."""
    k = len(batch)
    if k in (0, n):
        return True
    members = set(batch.tolist())
    return any(all((s + j) % n in members for j in range(k)) for s in batch.tolist())


class EpochBatchesExercise(Exercise):
    """Checks a sampler ``f(n, batch_size, rng)`` by the properties an epoch must have.

    The batches are random, so they are not compared with the solution's. On the
    chapter's sizes, on edge cases (one sample, one batch, batches of one) and on
    random sizes, the check verifies that the batches partition range(n) (every index
    exactly once), that all have ``batch_size`` indices except a smaller last one, and
    that the function draws from the ``rng`` it is given (same seed, same batches).
    Where there is more than one batch it also checks the randomness: consecutive
    epochs from one generator differ, the batches are not always the same fixed
    blocks in another order (a block shuffle), and not the windows of a rotated
    0..n-1 (``np.roll``). The order of the indices inside a batch is free (sorted
    batches are fine).
    """

    EXAMPLES = [(10, 3), (12, 4), (7, 7), (5, 1), (1, 1)]

    def __init__(self, name, solution, hints, chapter):
        super().__init__(name, hints, solution, chapter)

    def _run(self, fn, n, batch_size, rng):
        result = fn(n, batch_size, rng)
        if result is None:
            return None
        return [np.asarray(b).reshape(-1) for b in result]

    def _cases(self, seed):
        rng = np.random.default_rng(seed)
        cases = [(n, B, False) for n, B in self.EXAMPLES]
        for _ in range(4):
            n = int(rng.integers(8, 40))
            cases.append((n, int(rng.integers(2, n // 2 + 1)), True))
        return cases, int(rng.integers(0, 10**6))

    def _judge(self, fn, seed):
        if not callable(fn):
            return Verdict(WRONG, f"{self.name}: expected a function, got {_type_words(fn)}.")
        cases, base = self._cases(seed)
        for n, B, is_random in cases:
            where = f"for n={n}, batch_size={B}"
            replay = (f" (random case from seed {seed}: {self.chapter}.{self.name}.check("
                      f"{getattr(fn, '__name__', 'your_function')}, seed={seed}) repeats it)") if is_random else ""
            s = base + 7 * n + B
            try:
                got = self._run(fn, n, B, np.random.default_rng(s))
                if got is None:
                    return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet (your function returned None; "
                                                  "`return` the list of index arrays).")
                again = self._run(fn, n, B, np.random.default_rng(s))
                rng = np.random.default_rng(s + 1)
                epochs = [self._run(fn, n, B, rng) for _ in range(4)]   # four epochs from one generator
            except NotImplementedError:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Replace `raise NotImplementedError` "
                                              "with your code.")
            except Exception as exc:  # the learner's code: report, do not crash the notebook
                return Verdict(ERROR, f"{self.name}: your function raised {_explain_exception(exc)} {where}.{replay}")
            shown = f" Your batches: {describe([b for b in got])}." if n <= 40 else ""
            all_epochs = [got] + epochs
            within = any(len(np.unique(b)) < len(b) for e in all_epochs if e for b in e)
            for epoch in all_epochs:
                message = self._problem(epoch, n, B, within)
                if message:
                    return Verdict(WRONG, f"{self.name}: {where} {message}{shown}{replay}")
            if len(again) != len(got) or not all(np.array_equal(a, b) for a, b in zip(got, again)):
                return Verdict(WRONG, f"{self.name}: {where} two calls with generators of the same seed gave "
                                      "different batches: draw the permutation from the `rng` argument "
                                      f"(rng.permutation(n)), not from np.random or a new generator.{replay}")
            if n // B < 2 or n < 4:
                continue                              # one batch (or two indices): nothing random to see
            if B == 1:      # batches of one: the order of the epoch is all there is to vary
                orders = {tuple(np.concatenate(e).tolist()) for e in epochs}
                if len(orders) == 1:
                    return Verdict(WRONG, f"{self.name}: {where} four epochs drawn from one generator came in "
                                          "the same order: draw a new permutation in every call, from `rng`."
                                          f"{shown}{replay}")
                continue
            if all(np.array_equal(np.concatenate(e), np.arange(n)) for e in all_epochs):
                return Verdict(WRONG, f"{self.name}: {where} the indices come in order 0, 1, 2, ... in every "
                                      "epoch: shuffle them (rng.permutation(n)) so that each batch is a random "
                                      f"sample.{shown}{replay}")
            partitions = [_partition(e) for e in epochs]
            if len(set(partitions)) == 1:
                blocks = all(sorted(b.tolist()) == list(range(b.min(), b.max() + 1)) for b in epochs[0])
                how = ("each batch is always the same run of consecutive indices, only the order of the "
                       "batches changes (a block shuffle)" if blocks else
                       "the same indices always end up together: the epochs do not vary")
                return Verdict(WRONG, f"{self.name}: {where} four epochs drawn from one generator gave the same "
                                      f"batches as sets: {how}. Shuffle the indices themselves, "
                                      f"rng.permutation(n), then cut.{shown}{replay}")
            if n >= 8 and all(all(_is_rotation_window(b, n) for b in e) for e in epochs):
                return Verdict(WRONG, f"{self.name}: {where} in every epoch each batch is a run of consecutive "
                                      "indices (modulo n): that is a rotated 0, 1, ..., n-1 (np.roll), and neighbours "
                                      "always share a batch. Shuffle the indices themselves, rng.permutation(n)."
                                      f"{shown}{replay}")
        return Verdict(CORRECT, f"{self.name}: correct on all {len(cases)} sizes ({len(self.EXAMPLES)} fixed, "
                                f"{len(cases) - len(self.EXAMPLES)} random): each index exactly once per epoch, full "
                                "batches then one smaller, different batches in every epoch.")

    @staticmethod
    def _problem(batches, n, B, within=None):
        """What is wrong with one epoch of ``batches`` (None when nothing is)."""
        if not batches:
            return "your function returned no batches."
        if not all(np.issubdtype(b.dtype, np.integer) for b in batches):
            return ("the batches must hold integer indices (e.g. from rng.permutation(n)), got dtype "
                    f"{[b.dtype for b in batches if not np.issubdtype(b.dtype, np.integer)][0]}.")
        idx = np.concatenate(batches)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            return f"an index is outside range(n) = 0..{n - 1} (got {idx.min()}..{idx.max()})."
        counts = np.bincount(idx, minlength=n)
        repeated = np.flatnonzero(counts > 1)
        if repeated.size:
            if within is None:
                within = any(len(np.unique(b)) < len(b) for b in batches)
            how = ("inside a batch: that is sampling WITH replacement (rng.integers, or rng.choice without "
                   "replace=False)" if within else
                   "across batches: each batch was drawn on its own, so batches overlap")
            return (f"index {repeated[0]} appears {counts[repeated[0]]} times and {np.sum(counts == 0)} indices "
                    f"never appear; the repeats are {how}. Shuffle once and cut the shuffled indices into "
                    "consecutive slices.")
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
                    f"except the last, which holds what is left (np.array_split balances the sizes instead).")
        return None


SOLUTIONS["epoch_batches"] = epoch_batches
epoch_batches = EpochBatchesExercise(
    "epoch_batches",
    solution=SOLUTIONS["epoch_batches"],
    chapter=CHAPTER,
    hints=[
        "An epoch visits every index exactly once, so draw no index twice: put all n indices in a random "
        "order first, then cut.",
        "rng.permutation(n) shuffles 0..n-1 once (from the generator you are given, so the same seed gives "
        "the same epoch). Cut it into consecutive slices of batch_size.",
        "perm = rng.permutation(n); the batches are perm[start:start + batch_size] for start in "
        "range(0, n, batch_size); the last one is shorter when batch_size does not divide n.",
    ],
)


# --- Exercise 2: the variance of a mini-batch gradient ---------------------------------

def minibatch_variance(sigma2, n, batch_size):
    """E|g_B - grad J|^2 for a mini-batch of batch_size samples drawn without replacement."""
    B = batch_size
    return sigma2 / B * (n - B) / (n - 1)     # sigma^2 / B, times the finite-population factor


SOLUTIONS["minibatch_variance"] = minibatch_variance
def _variance_cases(rng):
    cases = []
    for _ in range(5):
        n = int(rng.integers(3, 200))
        cases.append(("random sizes", (int(rng.integers(1, 100)) / 10, n, int(rng.integers(2, n)))))
    return cases


minibatch_variance = FunctionExercise(
    "minibatch_variance",
    solution=SOLUTIONS["minibatch_variance"],
    chapter=CHAPTER,
    examples=[
        ("the chapter's linear regression", (34.7, 100, 20)),
        ("the whole data set as one batch (B = n)", (1.0, 50, 50)),
        ("a single sample per batch", (1.5, 1000, 1)),
        ("two samples, batches of one", (4, 2, 1)),
    ],
    random_cases=_variance_cases,
    hints=[
        "Write the error g_B - grad J as the mean of B deviations u_i = grad J_i - grad J over the drawn "
        "indices, and expand its squared norm into B diagonal terms and B(B - 1) cross terms.",
        "The diagonal terms have mean sigma^2 each. The cross terms: the u_i sum to zero over the whole data "
        "set, so for two DISTINCT draws E[u_I . u_J] = -sigma^2 / (n - 1).",
        "Add up: (1/B^2) (B sigma^2 - B(B - 1) sigma^2 / (n - 1)) = (sigma^2 / B) (n - B) / (n - 1).",
    ],
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
def _stationary_cases(rng):
    cases = []
    for low, high in [(0.02, 0.5), (0.5, 1.2), (1.2, 1.9), (1.2, 1.9)]:
        lam = int(rng.integers(1, 40)) / 10
        lr = round(float(rng.uniform(low, high)) / lam, 3)
        cases.append((f"random, lr * lam = {lr * lam:.2f}", (lr, lam, int(rng.integers(1, 30)) / 10)))
    return cases


stationary_variance = FunctionExercise(
    "stationary_variance",
    solution=SOLUTIONS["stationary_variance"],
    chapter=CHAPTER,
    examples=[
        ("the chapter's J = theta**2 (lam = 2), lr = 0.1, sigma = 1", (0.1, 2.0, 1.0)),
        ("lr * lam = 1.8, close to the stability limit 2", (1.8, 1.0, 2.0)),
        ("integer lam and sigma", (0.25, 2, 3)),
    ],
    random_cases=_stationary_cases,
    hints=[
        "Write one step: theta_{t+1} = (1 - lr*lam) theta_t - lr*sigma*xi_t. Square it and take the "
        "expectation; what happens to the cross term?",
        "The cross term vanishes (xi_t has mean 0 and is independent of theta_t), so the variance obeys "
        "v_{t+1} = (1 - lr*lam)**2 v_t + lr**2 sigma**2. The iterates settle where v stops changing.",
        "Solve the fixed point v = (1 - lr*lam)**2 v + lr**2 sigma**2 and simplify with "
        "1 - (1 - x)**2 = x (2 - x).",
    ],
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

def robbins_monro():
    """The schedules of SCHEDULES with sum eta_t = infinity and sum eta_t**2 < infinity."""
    # eta_t ~ t**-p: sum eta_t diverges iff p <= 1, sum eta_t**2 converges iff 2p > 1.
    # a: p = 0, fails the second; b: p = 1 and f: p = 0.7 pass; c: p = 1/2 fails the second;
    # d: geometric, fails the first; e: p = 2 fails the first.
    return {"b", "f"}


class ChoiceExercise(Exercise):
    """The learner picks a set of options (letters). The right set is never printed.

    Accepts a set, list or tuple of letters, or a string such as ``"bf"``. A wrong
    pick is answered with what the pattern suggests (``patterns``: a list of
    (set of letters, explanation)), else with a nudge; which letters are wrong is
    not said, since that would be the answer.
    """

    def __init__(self, name, expected, options, hints, solution, chapter, patterns=()):
        super().__init__(name, hints, solution, chapter)
        self._expected = frozenset(expected)
        self.options = dict(options)
        self._patterns = tuple((frozenset(p), text) for p, text in patterns)

    def _judge(self, answer, seed):
        if isinstance(answer, str):
            answer = [c for c in answer if not c.isspace() and c not in ",;{}'\""]
        try:
            picked = {str(a).strip().lower() for a in answer}
        except TypeError:
            return Verdict(WRONG, f"{self.name}: give a set of letters such as {{'a', 'c'}}, got {_type_words(answer)}.")
        unknown = sorted(picked - set(self.options))
        if unknown:
            return Verdict(WRONG, f"{self.name}: {unknown} are not options; choose among {sorted(self.options)}.")
        if picked == self._expected:
            return Verdict(CORRECT, f"{self.name}: correct, {sorted(picked)}.")
        for pattern, text in self._patterns:
            if picked == pattern:
                return Verdict(WRONG, f"{self.name}: {sorted(picked)} is not the right set. {text}")
        return Verdict(WRONG, f"{self.name}: {sorted(picked)} is not the right set. Go through the options one "
                              "at a time and decide both conditions for each; "
                              f"{self.chapter}.{self.name}.hint() gives the tools.")


_PATTERNS = [
    ({"a", "b", "c", "f"}, "Your set is every schedule whose sum diverges: the first condition alone. "
                           "Also require the squares to have a finite sum."),
    ({"b", "d", "e", "f"}, "Your set is every schedule whose squares have a finite sum: the second "
                           "condition alone. Also require sum eta_t = infinity."),
    ({"a", "b", "c", "d", "e", "f"}, "Not every step size qualifies: test both conditions on each."),
    (set(), "At least one of the six satisfies both conditions."),
    ({"b"}, "Compare eta_t with t**-p for every option: more than the harmonic one pass."),
    ({"a"}, "A constant step never lets the noise average out: test sum eta_t**2."),
]

SOLUTIONS["robbins_monro"] = robbins_monro
robbins_monro = ChoiceExercise(
    "robbins_monro",
    expected=SOLUTIONS["robbins_monro"](),
    options=SCHEDULES,
    chapter=CHAPTER,
    patterns=_PATTERNS,
    hints=[
        "Two questions per option: does sum eta_t diverge (the steps can travel any distance)? Does "
        "sum eta_t**2 converge (the noise averages out)? Both must hold.",
        "Compare each eta_t with t**-p: sum t**-p diverges exactly when p <= 1. A geometric sequence "
        "c * r**t with r < 1 has a finite sum.",
        "The squares behave like t**-2p, whose sum converges exactly when 2p > 1: so a power-law step "
        "passes both tests exactly when 1/2 < p <= 1.",
    ],
    solution=SOLUTIONS["robbins_monro"],
)
