"""Stored notebook outputs must read the same on every machine (CONTRIBUTING.md, "Numbers").

nbval compares every printed character with the stored output, and another CPU, BLAS
kernel, thread count or SIMD level changes the last bits of a computation. So a stored
output must never show a number at round-off scale: a difference that theory says is
zero is printed as a tolerance statement (``agree to 1e-12: yes``, ``< 1e-10: yes``),
never as its value (``8.0e-16`` here, ``8.2e-16`` elsewhere). This static test finds
such numbers in every notebook, whatever machine it runs on; `make test` also re-runs
every notebook under "foreign machine" settings (tests/foreign_machines.py).
"""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]

# A number in scientific notation: 8.2e-16, 1e-13, 0.0e+00, -3.1E-14, 2.2 × 10^-16 is not used.
SCIENTIFIC = re.compile(r"(?<![\w.])[-+]?(\d+(?:\.\d*)?)[eE]([-+]?\d+)\b")
# Below this magnitude a printed number is round-off scale (double precision: eps = 2.2e-16,
# and a difference of two O(1)-O(1000) results is round-off below about 1e-12).
ROUND_OFF = 1e-12
# A number right after one of these is a tolerance or a bound, not a measurement.
TOLERANCE_BEFORE = re.compile(r"(<|≤|<=|agree to|below|within|tol(?:erance)?\s*=?|eps\s*=|h\s*=)\s*$", re.I)


def round_off_numbers(text):
    """The numbers in ``text`` at round-off scale (zeros in scientific notation included)
    that are not stated as a tolerance or bound."""
    found = []
    for match in SCIENTIFIC.finditer(text):
        value = abs(float(match.group(1)) * 10.0 ** int(match.group(2)))
        if value >= ROUND_OFF:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        if TOLERANCE_BEFORE.search(text[line_start:match.start()]):
            continue
        found.append(match.group(0))
    return found


def _outputs(cell):
    for output in cell.get("outputs", []):
        yield "".join(output.get("text", ""))
        for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
            yield "".join(output.get("data", {}).get(mime, ""))


@pytest.mark.parametrize("text, found", [
    ("|grad J| at the solution: 8.2e-16   (theory 0)", ["8.2e-16"]),
    ("max |difference| = 0.0e+00", ["0.0e+00"]),
    ("J = 4.16e-13, distance 9.1e-07", ["4.16e-13"]),
    ("relative error 1.1e-10", []),
    ("closed form vs loop: agree to 1e-12: yes", []),
    ("|grad J| at the solution < 1e-12: yes", []),
    ("rate 0.818182 (within 1e-13 of theory)", []),
    ("lr_T = 8.85e-46", ["8.85e-46"]),
    ("sum = 1e+06, 1.395e+11", []),
])
def test_the_detector(text, found):
    assert round_off_numbers(text) == found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_round_off_number_in_stored_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for k, cell in enumerate(code_cells):
        numbers = [n for text in _outputs(cell) for n in round_off_numbers(text)]
        if numbers:
            problems.append(f"code cell {k} (nbval's 'Cell {k}') prints {', '.join(numbers)}")
    assert not problems, (
        "numbers at round-off scale are printed; another machine prints other digits and nbval "
        "fails there. Print them against a tolerance with lessonlib.report.agree/below "
        "instead:\n  " + "\n  ".join(problems))
