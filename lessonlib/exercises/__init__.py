"""Exercises that check themselves.

Every exercise has ``check(answer)``, ``hint()`` and ``solution()``. A check runs
the learner's function (or looks at their value) on several cases, edge cases
included, and prints either a short success message or the first thing that is
wrong, in plain words: the input, what was expected and what came back. It catches
exceptions raised by the learner's code and explains them, recognises typical
mistakes (a sign error, a missing bias correction, ...) and names them, and says
"not attempted yet" for an untouched stub instead of failing the notebook.

The exercises of each chapter live in a module of this package (``ch01``,
``ch02``, ...). Their solutions are ordinary functions in that module, so the book
shows them with ``literalinclude`` and the tests run them: one source for each.

:meth:`Exercise.verdict` returns a :class:`Verdict` instead of printing, for tests.
"""

import copy
import inspect
import textwrap
from typing import NamedTuple

import numpy as np

__all__ = ["Verdict", "Exercise", "FunctionExercise", "ValueExercise", "describe"]

NOT_ATTEMPTED = "not_attempted"
CORRECT = "correct"
WRONG = "wrong"
ERROR = "error"

_MARK = {CORRECT: "✔", WRONG: "✘", ERROR: "✘", NOT_ATTEMPTED: "…"}


class Verdict(NamedTuple):
    """Outcome of a check: ``status`` is "correct", "wrong", "error" or "not_attempted"."""

    status: str
    message: str

    @property
    def ok(self):
        return self.status == CORRECT

    def __str__(self):
        return f"{_MARK[self.status]} {self.message}"


def describe(value, max_items=8):
    """A short readable description of an input or output for feedback messages."""
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float, np.number)) for v in value):
        arr = np.asarray(value)
        if arr.size <= max_items:
            # One line, even for a 2-D array, so the message stays readable.
            return np.array2string(arr, precision=6, separator=", ", max_line_width=10**6).replace("\n", "")
        return f"an array of shape {arr.shape}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if callable(value):
        return getattr(value, "__name__", "a function")
    return repr(value)


def _copy(value):
    return copy.deepcopy(value)


def _explain_exception(exc):
    text = f"{type(exc).__name__}: {exc}"
    shape_words = ("shapes", "broadcast", "core dimension", "not aligned")
    if isinstance(exc, ValueError) and any(word in str(exc) for word in shape_words):
        text += " (two arrays have incompatible shapes: print the shapes of your intermediate arrays)"
    elif isinstance(exc, NameError):
        text += " (a name is used before it is defined: define everything inside the function, or run the cells above)"
    elif isinstance(exc, TypeError) and "argument" in str(exc):
        text += " (your function's arguments differ from the ones the exercise asks for)"
    return text


class Exercise:
    """Base class: a name, a hint, and a solution (a function whose source is the solution).

    Subclasses implement :meth:`_judge`, which returns a :class:`Verdict`.
    """

    def __init__(self, name, hint, solution):
        self.name = name
        self._hint = hint
        self._solution = solution

    def verdict(self, answer):
        """Judge ``answer`` and return a :class:`Verdict` (does not print)."""
        if answer is None or answer is Ellipsis:
            return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Fill in your answer and run this cell again.")
        return self._judge(answer)

    def check(self, answer):
        """Judge ``answer`` and print the verdict."""
        print(self.verdict(answer))

    def hint(self):
        """Print a hint."""
        print(f"Hint ({self.name}): {self._hint}")

    def solution(self):
        """Print the solution."""
        if callable(self._solution):
            print(textwrap.dedent(inspect.getsource(self._solution)).rstrip())
        else:
            print(self._solution)

    def _judge(self, answer):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}: call .check(answer), .hint() or .solution()>"


class FunctionExercise(Exercise):
    """The learner writes a function; it is run on ``cases`` and compared with ``solution``.

    Parameters
    ----------
    name : str
    solution : callable
        The reference function (also what :meth:`solution` prints).
    cases : list of tuple or (label, tuple)
        Positional arguments for each test call, optionally labelled
        (e.g. ``("an edge case: theta = 0", (np.zeros(2), X, y))``).
    hint : str
    mistakes : list of (callable, str)
        Typical wrong functions with an explanation; when the learner's output
        matches one where the reference differs, the explanation is shown.
    rtol, atol : float
        Tolerances of the comparison.
    arg_names : list of str, optional
        Names of the arguments, for messages (default: the solution's parameters).
    """

    def __init__(self, name, solution, cases, hint, mistakes=(), rtol=1e-6, atol=1e-9, arg_names=None):
        super().__init__(name, hint, solution)
        self.cases = [c if isinstance(c[0], str) else (None, c) for c in cases]
        self.mistakes = list(mistakes)
        self.rtol, self.atol = rtol, atol
        self.arg_names = arg_names or list(inspect.signature(solution).parameters)

    def _describe_call(self, args):
        return ", ".join(f"{n}={describe(a)}" for n, a in zip(self.arg_names, args))

    def _close(self, got, expected):
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False
        expected = np.asarray(expected, dtype=float)
        return got_arr.shape == expected.shape and np.allclose(got_arr, expected, rtol=self.rtol, atol=self.atol)

    def _judge(self, fn):
        if not callable(fn):
            return Verdict(WRONG, f"{self.name}: expected a function, got {describe(fn)}.")
        for label, args in self.cases:
            where = f"for {label} ({self._describe_call(args)})" if label else f"for {self._describe_call(args)}"
            expected = self._solution(*[_copy(a) for a in args])
            learner_args = [_copy(a) for a in args]
            try:
                got = fn(*learner_args)
            except NotImplementedError:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet. Replace `raise NotImplementedError` with your code.")
            except Exception as exc:  # the learner's code: report, do not crash the notebook
                return Verdict(ERROR, f"{self.name}: your function raised {_explain_exception(exc)} {where}.")
            for name, before, after in zip(self.arg_names, args, learner_args):
                if isinstance(before, np.ndarray) and not np.array_equal(before, after):
                    return Verdict(WRONG, f"{self.name}: your function modified its input `{name}` {where}; "
                                          "work on a copy (e.g. `x = x.copy()` or `x = x - ...` instead of `x -= ...`).")
            if got is None:
                return Verdict(NOT_ATTEMPTED, f"{self.name}: not attempted yet (your function returned None; "
                                              "compute the result and `return` it).")
            if self._close(got, expected):
                continue
            got_shape, exp_shape = np.shape(got), np.shape(expected)
            if got_shape != exp_shape:
                return Verdict(WRONG, f"{self.name}: {where} your function returned shape {got_shape}, "
                                      f"but the answer has shape {exp_shape}.")
            message = f"{self.name}: {where} expected {describe(expected)}, got {describe(got)}."
            for wrong_fn, explanation in self.mistakes:
                wrong = wrong_fn(*[_copy(a) for a in args])
                if self._close(got, wrong) and not self._close(wrong, expected):
                    message += f" {explanation}"
                    break
            return Verdict(WRONG, message)
        return Verdict(CORRECT, f"{self.name}: correct on all {len(self.cases)} test cases.")


class ValueExercise(Exercise):
    """The learner computes a number (or array); it is compared with ``expected``.

    ``mistakes`` is a list of (wrong value, explanation) pairs recognised and named.
    ``solution`` may be a function computing the answer (its source is the solution)
    or a text.
    """

    def __init__(self, name, expected, hint, solution, mistakes=(), rtol=1e-4, atol=1e-12):
        super().__init__(name, hint, solution)
        self.expected = expected
        self.mistakes = list(mistakes)
        self.rtol, self.atol = rtol, atol

    def _close(self, got, expected):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False
        expected = np.asarray(expected, dtype=float)
        return got.shape == expected.shape and np.allclose(got, expected, rtol=self.rtol, atol=self.atol)

    def _judge(self, value):
        if self._close(value, self.expected):
            return Verdict(CORRECT, f"{self.name}: correct ({describe(np.asarray(value, dtype=float))}).")
        message = f"{self.name}: expected {describe(np.asarray(self.expected, dtype=float))}, got {describe(value)}."
        for wrong, explanation in self.mistakes:
            if self._close(value, wrong):
                message += f" {explanation}"
                break
        return Verdict(WRONG, message)
