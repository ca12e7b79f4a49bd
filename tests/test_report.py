"""lessonlib.report: comparison lines that never print round-off."""

import doctest
import re

import numpy as np
import pytest

import lessonlib.report as report
from lessonlib.report import agree, below, compare, fmt


def test_docstring_examples():
    assert doctest.testmod(report).failed == 0


@pytest.mark.parametrize("x, digits, text", [
    (0.818181818, 4, "0.8182"), (123.456, 3, "123"), (1234.5, 4, "1234"), (0.0012345, 3, "0.00123"),
    (1.23456e-7, 3, "1.23e-07"), (2.5e6, 2, "2.5e+06"), (0.0, 4, "0"), (-0.5, 2, "-0.50"),
    (float("inf"), 3, "inf"),
])
def test_fmt(x, digits, text):
    assert fmt(x, digits) == text


def test_fmt_rejects_bad_digits():
    with pytest.raises(ValueError, match="digits"):
        fmt(1.0, 0)


def test_compare_is_stable_under_round_off():
    theory = 9 / 11
    lines = {compare("rate", theory * (1 + s * 1e-13), theory) for s in (-3, -1, 0, 1, 3)}
    assert len(lines) == 1
    assert next(iter(lines)).ok


def test_compare_verdict_and_tolerance():
    good = compare("rate", 0.9049, 0.9048)
    assert good.ok and "✓" in good and "0.1%" in good
    bad = compare("rate", 0.92, 0.9048)
    assert not bad.ok and "✗" in bad
    assert compare("rate", 0.92, 0.9048, rtol=0.05).ok


def test_compare_arrays_and_shape_error():
    line = compare("rates", [0.5, 0.25], np.array([0.5, 0.25]), digits=2)
    assert line.ok and "[0.50, 0.25]" in line
    with pytest.raises(ValueError, match="shape"):
        compare("x", [1.0, 2.0], 1.0)


def test_agree_hides_round_off_and_reports_real_differences():
    a = np.array([1.0, 2.0])
    yes = agree("same", a, a + 3e-16)
    assert yes.ok and yes == "same: agree to 1e-12: yes"
    no = agree("same", a, a + np.array([0.0, 1e-6]))
    assert not no.ok and "NO" in no and "1.0e-06" in no
    assert agree("rel", 1e6, 1e6 + 1e-4, atol=0, rtol=1e-9) == "rel: agree to 1e-9 relative: yes"
    assert "1e-12 + 1e-9 relative" in agree("both", 1.0, 1.0, atol=1e-12, rtol=1e-9)


def test_agree_checks_arguments():
    with pytest.raises(ValueError, match="shape"):
        agree("x", [1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="atol"):
        agree("x", 1.0, 1.0, atol=-1)


def test_below():
    assert below("|g|", 8.2e-16, 1e-12) == "|g| < 1e-12: yes"
    line = below("|g|", [1e-3, 2e-16], 1e-12)
    assert not line.ok and "NO" in line
    with pytest.raises(ValueError):
        below("|g|", 1.0, 0)


def test_lines_contain_no_round_off_scale_number():
    lines = [compare("r", 0.5 + 1e-15, 0.5), agree("a", 1.0, 1.0 + 1e-15), below("b", 1e-17, 1e-12)]
    for line in lines:
        assert not re.search(r"e-1[3-9]|e-[2-9]\d", line), line
