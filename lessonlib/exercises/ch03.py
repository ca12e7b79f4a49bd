r"""Exercises of chapter 3, *Stochastic and mini-batch gradient descent*.

Each exercise is defined right after its solution, a function of the same name: the
book shows the solution with ``literalinclude`` (``:pyobject:``), and then the name is
rebound to the exercise, so ``ch03.epoch_batches.check(answer)`` checks an answer.
:data:`SOLUTIONS` keeps the solution functions reachable by name (for the tests).

=======================  ===========================================================================
``epoch_batches``        one epoch of mini-batch indices, sampled without replacement
``floor_ratio``          how the noise floor changes when B doubles: :math:`\frac{n-2B}{2(n-B)}` (transfer)
``lr_for_variance``      the step with a given stationary variance :math:`v`: :math:`\frac{2\lambda v}{\sigma^2+\lambda^2 v}` (transfer)
``robbins_monro``        which of six step-size sequences satisfy :math:`\sum\eta_t=\infty`, :math:`\sum\eta_t^2<\infty`
=======================  ===========================================================================
"""

import numpy as np

from . import (CORRECT, ERROR, NOT_ATTEMPTED, WRONG, Exercise, FunctionExercise, Verdict,
               _explain_exception, _type_words, describe)

CHAPTER = "ch03"

__all__ = ["epoch_batches", "floor_ratio", "lr_for_variance", "robbins_monro",
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


# --- Exercise 2: the noise floor when the batch size doubles (a transfer of the variance formula) ---

def floor_ratio(n, batch_size):
    """Floor with batches of 2B over floor with batches of B, sampling without replacement from n (2B <= n)."""
    B = batch_size
    # the floor is proportional to the mini-batch variance sigma^2 / B * (n - B) / (n - 1); sigma^2 cancels
    return (n - 2 * B) / (2 * B) / ((n - B) / B)


def _ratio_cases(rng):
    cases = []
    for _ in range(5):
        n = int(rng.integers(6, 500))
        cases.append(("random sizes", (n, int(rng.integers(2, n // 2 + 1)))))
    return cases


SOLUTIONS["floor_ratio"] = floor_ratio
floor_ratio = FunctionExercise(
    "floor_ratio",
    solution=SOLUTIONS["floor_ratio"],
    chapter=CHAPTER,
    examples=[
        ("the chapter's linear regression, B = 20 to 40", (100, 20)),
        ("a single sample per batch, B = 1 to 2", (1000, 1)),
        ("doubling to the whole data set", (50, 25)),
    ],
    random_cases=_ratio_cases,
    hints=[
        "At a small constant learning rate the floor is proportional to the variance of the mini-batch "
        "gradient, with everything else unchanged. So compare two variances: batches of B and of 2B.",
        "Use the variance without replacement from the chapter, sigma^2 / B * (n - B) / (n - 1), once with B "
        "and once with 2B, and divide: sigma^2 and n - 1 cancel.",
        "The ratio is [(n - 2B) / (2B)] / [(n - B) / B]; simplify it. It is 1/2 only when n is much larger than B, "
        "and 0 when 2B = n.",
    ],
    mistakes=[
        (lambda n, B: 0.5,
         "1/2 is the answer WITH replacement (or for n much larger than B): without replacement the "
         "finite-population factor (n - B) / (n - 1) changes too."),
        (lambda n, B: (n - 2 * B) / (n - B),
         "You compared the finite-population factors only: the variance also has the factor 1 / B, which halves."),
        (lambda n, B: 2 * (n - B) / (n - 2 * B) if n != 2 * B else float("inf"),
         "Your ratio is upside down: a larger batch LOWERS the floor, so the factor is below 1."),
        (lambda n, B: 0.25 * (n - 2 * B) / (n - B),
         "You divided by B**2: the variance of a mean of B draws falls like 1 / B, so doubling B halves it "
         "(before the finite-population factor)."),
        (lambda n, B: (n - 2 * B) / (2 * (n - B)) ** 0.5,
         "A square root appears only in the standard deviation; the floor is proportional to the variance."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


# --- Exercise 3: the step size for a given stationary variance (a transfer: the noise floor inverted) ---

def lr_for_variance(lam, sigma, variance):
    """The constant step lr at which SGD on lam * theta**2 / 2 with gradient noise sigma settles at `variance`."""
    # invert variance = lr sigma^2 / (lam (2 - lr lam)):  lr (sigma^2 + lam^2 variance) = 2 lam variance
    return 2 * lam * variance / (sigma**2 + lam**2 * variance)


def _lr_cases(rng):
    cases = []
    for _ in range(4):
        lam, sigma = int(rng.integers(1, 40)) / 10, int(rng.integers(1, 30)) / 10
        variance = round(float(rng.uniform(0.02, 3.0)) * sigma**2 / lam, 3) or 0.01
        cases.append(("random settings", (lam, sigma, variance)))
    return cases


SOLUTIONS["lr_for_variance"] = lr_for_variance
lr_for_variance = FunctionExercise(
    "lr_for_variance",
    solution=SOLUTIONS["lr_for_variance"],
    chapter=CHAPTER,
    examples=[
        ("the chapter's J = theta**2 (lam = 2), sigma = 1, variance 0.025", (2.0, 1.0, 0.025)),
        ("a variance that needs lr * lam close to 2", (1.0, 1.0, 10.0)),
        ("integer inputs", (2, 3, 1)),
    ],
    random_cases=_lr_cases,
    hints=[
        "The chapter gives the stationary variance as a function of lr. Here the variance is given: solve that "
        "equation for lr instead.",
        "Start from variance = lr * sigma**2 / (lam * (2 - lr * lam)), multiply out the denominator and collect "
        "the terms with lr on one side. Do not use the small-step approximation: the answer must be exact.",
        "variance * lam * (2 - lr * lam) = lr * sigma**2 gives lr * (sigma**2 + lam**2 * variance) = "
        "2 * lam * variance.",
    ],
    mistakes=[
        (lambda lam, sigma, v: 2 * lam * v / sigma**2,
         "That inverts the small-step approximation lr sigma^2 / (2 lam): exact only when lr * lam is small. "
         "Invert the exact formula, with its (2 - lr * lam)."),
        (lambda lam, sigma, v: lam * v / sigma**2,
         "That inverts lr sigma^2 / lam, without the factor (2 - lr * lam): invert the exact formula."),
        (lambda lam, sigma, v: 2 * lam * v / (sigma + lam**2 * v),
         "Use the noise VARIANCE sigma**2, not the standard deviation sigma."),
        (lambda lam, sigma, v: 2 * lam * v / (sigma**2 - lam**2 * v),
         "A sign slipped when you collected the lr terms: lr * sigma**2 + lr * lam**2 * variance = "
         "2 * lam * variance."),
        (lambda lam, sigma, v: (2 * lam * v / (sigma**2 + lam**2 * v)) ** 0.5,
         "No square root: for small steps the variance is proportional to lr (lr sigma^2 / (2 lam)), so lr is "
         "about proportional to the variance."),
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
