"""Exercises that check themselves, teach without giving the answer away, and remember passes.

Every exercise has ``check(answer, seed=None)``, ``hint(level=1)`` and ``solution()``.

- **Checks test behaviour.** A function exercise runs the learner's function on the
  chapter's own example, on edge cases (integer input, a single sample, ...) and on
  fresh random cases drawn on every run from a private generator. The seed is shown
  when a random case fails, so ``check(fn, seed=1234)`` repeats exactly that run.
  The learner's function runs first, on a deep copy of the inputs; the reference
  values are computed afterwards, and the cases are made inside the check, so nothing
  outside it can read or empty them.
- **Feedback teaches.** A failure says which property failed, on which input (printed
  in full as Python that can be pasted), and what came back; the expected value only
  where it does not give away the exercise's own answer (``show_expected``); a typical
  mistake is named only when the answer matches it on every case and it differs from
  the right answer on at least two; numbers are printed with the digits that show the
  difference; a wrong shape or type is said as such.
- **Hints are graduated:** ``hint()`` is a nudge, ``hint(2)``, ``hint(3)``, ... lead to
  the key step. :meth:`Exercise.hints_toggle` shows all of them behind a toggle (the
  website's view).
- **Progress.** ``check()`` prints the verdict and returns it (a :class:`Verdict`,
  which a notebook does not echo a second time); a pass is recorded on the learner's
  machine by :mod:`lessonlib.exercises.progress`.

The exercises of each chapter live in a module of this package (``ch01``, ``ch02``,
...). Their solutions are ordinary functions in that module, so the book shows them
with ``literalinclude`` and the tests run them: one source for each.
"""

import ast
import copy
import html
import inspect
import math
import os
import re
import textwrap
import types
from typing import NamedTuple

import numpy as np

__all__ = ["Verdict", "Exercise", "FunctionExercise", "ValueExercise", "describe", "new_seed"]

NOT_ATTEMPTED = "not_attempted"
CORRECT = "correct"
WRONG = "wrong"
ERROR = "error"

_MARK = {CORRECT: "✔", WRONG: "✘", ERROR: "✘", NOT_ATTEMPTED: "…"}


class Verdict(NamedTuple):
    """Outcome of a check: ``status`` is "correct", "wrong", "error" or "not_attempted".

    ``check()`` prints it and returns it; in a notebook the returned verdict shows
    nothing more (the message was printed once), in a script ``str(verdict)`` is it.
    """

    status: str
    message: str

    @property
    def ok(self):
        return self.status == CORRECT

    @property
    def passed(self):
        return self.status == CORRECT

    def __str__(self):
        return f"{_MARK[self.status]} {self.message}"

    def _ipython_display_(self):
        # The message was already printed by check(): show nothing as the cell's value.
        return None


def new_seed():
    """A fresh seed for one run of a check's random cases (0 .. 99999, easy to retype)."""
    return int.from_bytes(os.urandom(4), "little") % 100_000


# --- printing values so that a learner can paste them back -----------------------------

def _num(x, digits=None):
    """One number: the shortest repr that round-trips, or ``digits`` significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return repr(bool(x))
    if isinstance(x, (int, np.integer)):
        return repr(int(x))
    x = float(x)
    if math.isnan(x):
        return "np.nan"             # pasteable, as the other numbers are
    if math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    if digits is None:
        return repr(x)
    text = f"{x:.{digits}g}"
    return text if any(c in text for c in ".enai") else text + ".0"


def _nested(values, digits):
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v, digits) for v in values) + "]"
    return _num(values, digits)


def describe(value, digits=None):
    """``value`` as Python a learner can paste: ``np.array([[1.0, 0.5]])``, ``0.25``, ``ch02.grad_square``.

    ``digits`` (significant digits of floats) shortens computed values; inputs are
    printed exactly.
    """
    if isinstance(value, np.ndarray):
        body = _nested(value.tolist(), digits)
        dtype = "" if value.dtype in (np.float64, np.int64, np.bool_) else f", dtype=np.{value.dtype}"
        return f"np.array({body}{dtype})"
    if isinstance(value, (bool, np.bool_, int, np.integer, float, np.floating)):
        text = _num(value, digits)
        if isinstance(value, np.floating) and not isinstance(value, np.float64):
            return f"np.{type(value).__name__}({text})"
        return text
    if isinstance(value, tuple):
        inner = ", ".join(describe(v, digits) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(describe(v, digits) for v in value) + "]"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
        module = getattr(value, "__module__", "") or ""
        name = getattr(value, "__qualname__", getattr(value, "__name__", "a function"))
        if module.startswith("lessonlib.exercises.ch"):
            return f"{module.rsplit('.', 1)[-1]}.{name}"
        return name
    return repr(value)


def _type_words(value):
    """What kind of thing ``value`` is, in words, for shape and type messages."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {bool(value)}"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "a scalar"
    if isinstance(value, np.ndarray):
        return "a scalar (a 0-d array)" if value.ndim == 0 else f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def _differ_digits(a, b, start=4):
    """The fewest significant digits (>= start) at which ``a`` and ``b`` print differently."""
    for digits in range(start, 18):
        if describe(a, digits) != describe(b, digits):
            return digits
    return 17


def _explain_exception(exc):
    text = f"{type(exc).__name__}: {exc}"
    shape_words = ("shapes", "broadcast", "core dimension", "not aligned")
    if "Cannot cast ufunc" in str(exc) or "output from dtype" in str(exc):
        text += (" (an in-place update such as `theta -= ...` on an integer array: numpy cannot store "
                 "floats in it. Start from a float copy, e.g. `theta = np.asarray(theta0, dtype=float)`, "
                 "or write `theta = theta - ...`)")
    elif isinstance(exc, ValueError) and any(word in str(exc) for word in shape_words):
        text += " (two arrays have incompatible shapes: print the shapes of your intermediate arrays)"
    elif isinstance(exc, NameError):
        text += " (a name is used before it is defined: define everything inside the function, or run the cells above)"
    elif isinstance(exc, TypeError) and "argument" in str(exc):
        text += " (your function's arguments differ from the ones the exercise asks for)"
    return text


def _loop_in(fn):
    """The first loop (for, while, comprehension) in ``fn``'s source, as "a `for` loop", else None."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    kinds = {ast.For: "a `for` loop", ast.While: "a `while` loop", ast.ListComp: "a list comprehension",
             ast.GeneratorExp: "a generator expression", ast.SetComp: "a set comprehension",
             ast.DictComp: "a dict comprehension", ast.AsyncFor: "a `for` loop"}
    for node in ast.walk(tree):
        for kind, words in kinds.items():
            if isinstance(node, kind):
                return words
    return None


def halves(rng, shape, low=-3.0, high=3.0):
    """Random multiples of 0.5 in [low, high]: test inputs that print exactly and can be pasted."""
    return rng.integers(int(2 * low), int(2 * high) + 1, size=shape) / 2.0


def _unchanged(before, after):
    """Whether an input array came back as it went in (a nan in it counts as unchanged)."""
    try:
        return np.array_equal(before, after, equal_nan=True)
    except TypeError:           # equal_nan needs numbers
        return np.array_equal(before, after)


def _call_learner(fn, args):
    """Call the learner's function in a frame that holds nothing but its inputs."""
    return fn(*args)


class Exercise:
    """Base class: a name, its chapter, graduated hints and a solution.

    Parameters
    ----------
    name : str
    hints : list of str
        At least two: a nudge first, the key step last.
    solution : callable or str
        A function whose source is the solution (what :meth:`solution` prints), or a text.
    chapter : str
        "ch01", ...: where a pass is recorded.
    """

    def __init__(self, name, hints, solution, chapter):
        if isinstance(hints, str) or len(hints) < 2:
            raise ValueError(f"hints={hints!r}: give a list of at least two hints, a nudge first and the key step last")
        self.name = name
        self.chapter = chapter
        self._hints = tuple(hints)
        self._solution = solution

    # -- judging ---------------------------------------------------------------------

    def verdict(self, answer, seed=None):
        """Judge ``answer`` and return a :class:`Verdict` (prints nothing, records nothing)."""
        if answer is None or answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Fill in your answer and run this cell again.")
        return self._judge(answer, new_seed() if seed is None else int(seed))

    def check(self, answer, seed=None):
        """Judge ``answer``, print the verdict, record a pass; return the :class:`Verdict`.

        ``seed`` repeats the random cases of an earlier run (the failure message gives it).
        """
        result = self.verdict(answer, seed=seed)
        print(result)
        if result.ok:
            from .progress import record_pass
            record_pass(self.chapter, self.name)
        return result

    def _judge(self, answer, seed):
        raise NotImplementedError

    # -- help --------------------------------------------------------------------------

    @property
    def hints(self):
        return self._hints

    def hint(self, level=1):
        """Print hint number ``level`` (1 = a nudge; the last one gives the key step)."""
        n = len(self._hints)
        if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 1:
            raise ValueError(f"level={level!r}: the hints of {self.name} are numbered 1 to {n}; "
                             f"call hint() for the first, hint(2) for the next")
        level = min(int(level), n)
        more = (f" (more: {self.chapter}.{self.name}.hint({level + 1}))" if level < n
                else f" (the last hint; {self.chapter}.{self.name}.solution() prints the solution)")
        print(f"Hint {level} of {n} ({self.name}): {self._hints[level - 1]}{more}")

    def hints_toggle(self):
        """All hints behind a toggle: what the website shows under the exercise."""
        return _HintsToggle(self.name, self._hints)

    def solution(self):
        """Print the solution."""
        if callable(self._solution):
            print(textwrap.dedent(inspect.getsource(self._solution)).rstrip())
        else:
            print(self._solution)

    def __repr__(self):
        return (f"<{type(self).__name__} {self.chapter}.{self.name}: call .check(answer), .hint(), "
                f".hint(2), ... or .solution()>")


class _HintsToggle:
    """Hints in a ``<details>`` element: closed until clicked, in JupyterLab and on the site."""

    def __init__(self, name, hints):
        self.name, self.hints = name, hints

    def _repr_html_(self):
        items = "".join(f"<li>{html.escape(h)}</li>" for h in self.hints)
        return (f'<details class="exercise-hints"><summary>Hints for <code>{html.escape(self.name)}</code> '
                f"({len(self.hints)}, a nudge first)</summary><ol>{items}</ol></details>")

    def __repr__(self):
        return "\n".join([f"Hints for {self.name}:"] + [f"{i}. {h}" for i, h in enumerate(self.hints, 1)])


# --- comparing one returned value with the right one ----------------------------------

def _as_float_array(value):
    if inspect.isgenerator(value) or isinstance(value, (map, filter, range)):
        value = list(value)
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        return None
    return arr


def _is_bool(value):
    """True or False, as a Python or NumPy bool, or a 0-d boolean array."""
    return isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.shape == ()
                                                   and value.dtype == bool)


def _shape_problem(got, expected):
    """Why ``got`` cannot be compared with ``expected`` (a sentence), or None."""
    if isinstance(expected, (bool, np.bool_)):
        if _is_bool(got):
            return None
        return f"expected True or False (a bool), got {_type_words(got)}: return e.g. bool(...)"
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} values, got {_type_words(got)}"
        if isinstance(got, np.ndarray) and any(np.ndim(e) > 0 for e in expected):
            return (f"expected a tuple of {len(expected)} values (return them as value_1, value_2, ...), "
                    f"got one {_type_words(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            if isinstance(e, (bool, np.bool_)):
                if not _is_bool(g):
                    return f"value #{i + 1} of the tuple should be a boolean (True or False), got {_type_words(g)}"
            else:
                problem = _shape_problem(g, e)
                if problem:
                    return f"value #{i + 1} of the tuple: {problem}"
        return None
    arr = _as_float_array(got)
    if arr is None:
        return f"expected numbers, got {_type_words(got)}"
    exp = np.asarray(expected)
    if exp.ndim == 0 and arr.ndim != 0:
        if arr.size == 1:
            return (f"expected a scalar (a single number), got {_type_words(got)}: return the number itself, "
                    f"e.g. float(...) or value[0]")
        return (f"expected a scalar (a single number), got {_type_words(got)}: the exercise asks for one "
                f"number; which entry of your array, or which combination of them, decides it?")
    if exp.ndim != 0 and arr.shape != exp.shape:
        return f"expected an array of shape {exp.shape}, got {_type_words(got)}"
    return None


def _float_tolerance(got, rtol, atol):
    """Tolerances for ``got``: float32/float16 answers get their own precision."""
    arrays = got if isinstance(got, (tuple, list)) else [got]
    low = [np.asarray(a).dtype for a in arrays if np.asarray(a).dtype in (np.float32, np.float16)]
    if not low:
        return rtol, atol, None
    eps = max(np.finfo(d).eps for d in low)
    return max(rtol, 64 * eps), max(atol, 64 * eps * 1e-3), str(np.dtype(low[0]))


def _close(got, expected, rtol, atol):
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != len(expected):
            return False
        return all(_close(g, e, rtol, atol) for g, e in zip(got, expected))
    if isinstance(expected, (bool, np.bool_)):
        return _is_bool(got) and bool(got) == bool(expected)
    arr = _as_float_array(got)
    if arr is None:
        return False
    exp = np.asarray(expected, dtype=float)
    return arr.shape == exp.shape and bool(np.allclose(arr.astype(float), exp, rtol=rtol, atol=atol,
                                                            equal_nan=True))


class FunctionExercise(Exercise):
    """The learner writes a function; it runs on fixed and random cases and is compared with ``solution``.

    Parameters
    ----------
    name : str
    solution : callable
        The reference function (also what :meth:`solution` prints).
    examples : list of (label, args)
        Fixed cases: the chapter's own example and edge cases (integer input, a single
        sample, ...). ``args`` is the tuple of positional arguments.
    random_cases : callable, optional
        ``random_cases(rng)`` returns a list of (label, args) drawn from the numpy
        Generator ``rng``; called on every run with a fresh seed.
    hints, chapter : see :class:`Exercise`.
    mistakes : list of (callable, str)
        Typical wrong functions with an explanation, named when the learner's output
        matches one on every case and it differs from the reference on at least two.
    rtol, atol : float
        Tolerances of the comparison (float32 answers get float32's).
    show_expected : bool
        Print the right value of a failed case (False where it would give the answer away).
    no_loops : bool
        The exercise asks for an answer without loops: a loop in the source is reported.
    arg_names : list of str, optional
        Names of the arguments, for messages (default: the solution's parameters).
    """

    def __init__(self, name, solution, examples, hints, chapter, random_cases=None, mistakes=(), rtol=1e-6,
                 atol=1e-9, show_expected=True, no_loops=False, arg_names=None):
        super().__init__(name, hints, solution, chapter)
        self._examples = tuple((label, tuple(args)) for label, args in examples)
        self._random_cases = random_cases
        self._mistakes = tuple(mistakes)
        self.rtol, self.atol = rtol, atol
        self.show_expected = show_expected
        self.no_loops = no_loops
        self.arg_names = list(arg_names or inspect.signature(solution).parameters)

    @property
    def cases(self):
        """A copy of the cases of one run (seed 0): changing it changes nothing."""
        return self._cases(0)

    @property
    def mistakes(self):
        return list(self._mistakes)

    def _cases(self, seed):
        cases = [(label, copy.deepcopy(args), False) for label, args in self._examples]
        if self._random_cases is not None:
            rng = np.random.default_rng(seed)
            cases += [(label, tuple(args), True) for label, args in self._random_cases(rng)]
        return cases

    def _describe_call(self, args):
        return ", ".join(f"{n}={describe(a)}" for n, a in zip(self.arg_names, args))

    def _where(self, label, args):
        return f"for {label}, {self.name}({self._describe_call(args)})"

    def _replay(self, fn, seed):
        name = getattr(fn, "__name__", "")
        name = name if name.isidentifier() else "your_function"
        return f" (random case from seed {seed}: {self.chapter}.{self.name}.check({name}, seed={seed}) repeats it)"

    def _judge(self, fn, seed):
        if not callable(fn):
            return Verdict(WRONG, f"{self.name}: expected a function, got {_type_words(fn)} ({describe(fn)[:60]}).")
        cases = self._cases(seed)
        # 1. The learner's function runs first, on deep copies; nothing else exists yet.
        outputs = []
        for label, args, is_random in cases:
            learner_args = copy.deepcopy(args)
            try:
                got = _call_learner(fn, learner_args)
            except NotImplementedError:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Replace `raise NotImplementedError` with your code.")
            except Exception as exc:  # the learner's code: report, do not crash the notebook
                replay = self._replay(fn, seed) if is_random else ""
                return Verdict(ERROR, f"{self.name}: your function raised {_explain_exception(exc)} "
                                      f"{self._where(label, args)}.{replay}")
            for arg_name, before, after in zip(self.arg_names, args, learner_args):
                if isinstance(before, np.ndarray) and not (isinstance(after, np.ndarray) and _unchanged(before, after)):
                    return Verdict(WRONG, f"{self.name}: your function modified its input `{arg_name}` "
                                          f"{self._where(label, args)}; work on a copy (e.g. `x = x.copy()` or "
                                          "`x = x - ...` instead of `x -= ...`).")
            if got is None:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet (your function returned None; "
                                              "compute the result and `return` it).")
            if inspect.isgenerator(got):
                got = list(got)
            outputs.append(got)
        # 2. Only now the reference values.
        expected = [self._solution(*copy.deepcopy(args)) for _, args, _ in cases]
        for (label, args, is_random), got, exp in zip(cases, outputs, expected):
            problem = _shape_problem(got, exp)
            where = self._where(label, args)
            replay = self._replay(fn, seed) if is_random else ""
            if problem:
                return Verdict(WRONG, f"{self.name}: {where}: {problem}.{replay}")
            rtol, atol, low = _float_tolerance(got, self.rtol, self.atol)
            if _close(got, exp, rtol, atol):
                continue
            return Verdict(WRONG, self._wrong_message(where, got, exp, low, cases, outputs, expected) + replay)
        if self.no_loops:
            loop = _loop_in(fn)
            if loop:
                return Verdict(WRONG, f"{self.name}: your values are right on all {len(cases)} cases, but your "
                                      f"function uses {loop}; the exercise asks for it without loops: write it with "
                                      "whole-array operations (@, sums over an axis, powers).")
        return Verdict(CORRECT, f"{self.name}: correct on all {len(cases)} cases "
                                f"({len(self._examples)} fixed, {len(cases) - len(self._examples)} random).")

    def _wrong_message(self, where, got, exp, low, cases, outputs, expected):
        if isinstance(exp, tuple):
            wrong = [i for i, (g, e) in enumerate(zip(got, exp)) if not _close(g, e, self.rtol, self.atol)]
            names = ", ".join(f"#{i + 1}" for i in wrong)
            message = (f"{self.name}: {where}: your function returned {describe(tuple(got))}; "
                       f"value {names} of the tuple is not right")
            if self.show_expected:
                digits = _differ_digits(tuple(got), exp)
                message = (f"{self.name}: {where}: your function returned {describe(tuple(got), digits)}, "
                           f"the right answer is {describe(exp, digits)} (value {names} differs)")
        elif isinstance(exp, (bool, np.bool_)):
            message = f"{self.name}: {where}: your function returned {bool(got)}, which is not right"
        else:
            got_arr = np.asarray(got)
            exp_arr = np.asarray(exp, dtype=float)
            if exp_arr.ndim == 0:
                got_show, exp_show = float(got_arr), float(exp_arr)
            else:
                got_show, exp_show = got_arr, exp_arr
            digits = _differ_digits(got_show, exp_show, start=6)
            message = f"{self.name}: {where}: your function returned {describe(got_show, digits)}"
            if self.show_expected:
                message += f", the right answer is {describe(exp_show, digits)}"
            else:
                message += ", which is not right"
        got_kind = None if isinstance(exp, tuple) else np.asarray(got).dtype
        if (got_kind is not None and np.issubdtype(got_kind, np.integer)
                and np.asarray(exp).dtype.kind == "f"):
            message += (" (your result holds integers: an array made like an integer input, e.g. "
                        "np.zeros_like(theta) for an integer theta, truncates every value stored in it; "
                        "make it a float array)")
        if low:
            message += (f" (your result is {low}, good to about {np.finfo(low).precision} digits: "
                        "the difference is larger than that)")
        message += "."
        explanation = self._matching_mistake(cases, outputs, expected)
        if explanation:
            message += f" {explanation}"
        return message

    def _matching_mistake(self, cases, outputs, expected):
        """The explanation of a mistake the learner's outputs match on every case (and that
        differs from the reference on at least two), else None."""
        for wrong_fn, explanation in self._mistakes:
            differs = 0
            for (label, args, _), got, exp in zip(cases, outputs, expected):
                try:
                    with np.errstate(all="ignore"):
                        wrong = wrong_fn(*copy.deepcopy(args))
                except Exception:
                    break
                if _shape_problem(got, wrong) or not _close(got, wrong, self.rtol, self.atol):
                    break
                if not _close(wrong, exp, self.rtol, self.atol):
                    differs += 1
            else:
                if differs >= 2:
                    return explanation
        return None


class ValueExercise(Exercise):
    """The learner computes one number (or array) by hand; it is compared with ``expected``.

    The right value is never printed (it is the exercise's answer). ``mistakes`` is a
    list of (wrong value, explanation): an answer equal to one is explained.
    """

    def __init__(self, name, expected, hints, solution, chapter, mistakes=(), rtol=1e-4, atol=1e-12):
        super().__init__(name, hints, solution, chapter)
        self._expected = copy.deepcopy(expected)
        self._mistakes = tuple(mistakes)
        self.rtol, self.atol = rtol, atol

    @staticmethod
    def _show(value):
        arr = np.asarray(value, dtype=float)
        return describe(float(arr) if arr.ndim == 0 else arr, 6)

    def _judge(self, value, seed):
        if inspect.isgenerator(value):
            value = list(value)
        problem = _shape_problem(value, self._expected)
        if problem:
            return Verdict(WRONG, f"{self.name}: {problem}.")
        if _close(value, self._expected, self.rtol, self.atol):
            return Verdict(CORRECT, f"{self.name}: correct ({self._show(value)}).")
        message = f"{self.name}: {self._show(value)} is not right."
        for wrong, explanation in self._mistakes:
            if _close(value, wrong, self.rtol, self.atol):
                return Verdict(WRONG, f"{message} {explanation}")
        return Verdict(WRONG, f"{message} Check each step; {self.chapter}.{self.name}.hint() gives a first nudge.")
