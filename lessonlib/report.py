"""Printing theory next to measurement so that the line reads the same on every machine.

Another CPU, BLAS kernel or thread count changes the last bits of a computation. A
printed number must therefore never show those bits:

- a quantity that theory says is **zero** (two formulas that must agree, a gradient at a
  minimiser) is printed as a *tolerance statement*, never as its round-off value::

      >>> print(agree("closed form vs loop", [1.0, 2.0], [1.0, 2.0 + 1e-15], atol=1e-12))
      closed form vs loop: agree to 1e-12: yes

- a **measured** quantity is printed to a few significant digits, next to its
  prediction, with a verdict at a stated relative tolerance::

      >>> print(compare("rate", 0.818181, 9 / 11, digits=4))
      rate: measured 0.8182   theory 0.8182   ✓ (within 0.1%)

- a quantity that must be **small** is printed against its bound::

      >>> print(below("|grad J| at the minimiser", 3e-16, 1e-12))
      |grad J| at the minimiser < 1e-12: yes

Each function returns a :class:`Check`, a ``str`` with an ``ok`` attribute, so a
notebook prints it and a test asserts on it.
"""

from __future__ import annotations

import math
import re

import numpy as np

__all__ = ["Check", "fmt", "compare", "agree", "below"]

_YES, _NO = "✓", "✗"


class Check(str):
    """A printable comparison line; ``ok`` tells whether it held."""

    ok: bool

    def __new__(cls, text: str, ok: bool) -> "Check":
        line = super().__new__(cls, text)
        line.ok = bool(ok)
        return line


def fmt(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits: fixed notation for 1e-3 <= |x| < 1e5, else scientific."""
    if not isinstance(digits, (int, np.integer)) or digits < 1:
        raise ValueError(f"digits must be a positive integer, got {digits!r}")
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0.0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
        return f"{x:.{decimals}f}"
    return f"{x:.{digits - 1}e}"


def _tol(t: float) -> str:
    """A tolerance as people write it: 1e-12, 0.001, 5e-8, 1e+20."""
    return re.sub(r"e([-+])0*(\d)", r"e\1\2", f"{t:g}")


def _percent(rtol: float) -> str:
    return f"{rtol * 100:g}%"


def compare(label: str, measured, theory, digits: int = 4, rtol: float | None = None) -> Check:
    """``label: measured … theory …`` to ``digits`` significant digits, with a verdict.

    The verdict is ✓ when ``|measured - theory| <= rtol * |theory|``; the default ``rtol``
    is ``10**(1 - digits)``, the last printed digit. Arrays compare elementwise and
    print as lists. Choose ``digits`` so that the printed value does not depend on
    round-off: a rate measured from a 1000-step run on an ill-conditioned problem keeps
    fewer stable digits than a closed form.
    """
    if rtol is None:
        rtol = 10.0 ** (1 - digits)
    if not rtol >= 0:
        raise ValueError(f"rtol must be >= 0, got {rtol!r}")
    m = np.asarray(measured, dtype=float)
    t = np.asarray(theory, dtype=float)
    if m.shape != t.shape:
        raise ValueError(f"measured has shape {m.shape} but theory has shape {t.shape}: compare like with like")
    ok = bool(np.all(np.abs(m - t) <= rtol * np.abs(t)))
    show = (lambda a: fmt(a, digits)) if m.ndim == 0 else (
        lambda a: "[" + ", ".join(fmt(v, digits) for v in a.ravel()) + "]")
    verdict = f"{_YES} (within {_percent(rtol)})" if ok else f"{_NO} (differ by more than {_percent(rtol)})"
    return Check(f"{label}: measured {show(m)}   theory {show(t)}   {verdict}", ok)


def agree(label: str, a, b, atol: float = 1e-12, rtol: float = 0.0) -> Check:
    """``label: agree to <atol>: yes`` when every ``|a - b| <= atol + rtol * |b|``.

    For results that theory says are equal; the round-off difference itself is never
    printed. When they disagree, the size of the largest difference is shown to two
    digits (it is then far above round-off, so it is a stable number).
    """
    if not (atol >= 0 and rtol >= 0):
        raise ValueError(f"atol and rtol must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}: compare like with like")
    gap = np.abs(a - b)
    ok = bool(np.all(gap <= atol + rtol * np.abs(b)))
    if rtol == 0:
        bound = _tol(atol)
    elif atol == 0:
        bound = f"{_tol(rtol)} relative"
    else:
        bound = f"{_tol(atol)} + {_tol(rtol)} relative"
    if ok:
        return Check(f"{label}: agree to {bound}: yes", True)
    return Check(f"{label}: agree to {bound}: NO (largest difference {float(np.max(gap)):.1e})", False)


def below(label: str, value, bound: float) -> Check:
    """``label < bound: yes`` when every ``|value| < bound`` (for residuals that should vanish)."""
    if not bound > 0:
        raise ValueError(f"bound must be > 0, got {bound!r}")
    worst = float(np.max(np.abs(np.asarray(value, dtype=float))))
    ok = worst < bound
    if ok:
        return Check(f"{label} < {_tol(bound)}: yes", True)
    return Check(f"{label} < {_tol(bound)}: NO ({worst:.1e})", False)
