"""The notation page is the single reference for symbols and their names in code.

Two checks keep the book and lessonlib on it:

- every hyperparameter of an optimizer or a schedule in lessonlib (an argument a learner
  sets) is listed in the notation page's "Name in code" column, so a new one cannot
  appear without a symbol and a meaning;
- the notebooks' text does not use a symbol the page has retired or reserved for
  something else (a list of patterns, each with the reason and the right form).
"""

import inspect
import json
import re
from pathlib import Path

import pytest

from lessonlib import adam_variants, momentum, optim, schedules

ROOT = Path(__file__).resolve().parents[1]
NOTATION = ROOT / "book" / "front" / "notation.md"
NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))

# Arguments that are not hyperparameters (what to optimize, bookkeeping, switches named
# in the text where they are used).
NOT_HYPERPARAMETERS = {"self", "schedule", "mode", "threshold", "threshold_mode", "first_moment",
                       "second_moment", "numerator", "eps_where", "bias_correction", "centered",
                       "nesterov", "amsgrad", "eps_in_sqrt"}


def code_names(page_text):
    """Every identifier inside backticks in the last column of the page's tables."""
    names = set()
    for line in page_text.splitlines():
        if not line.startswith("|") or line.startswith("| ---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for code in re.findall(r"`([^`]*)`", cells[-1]):
            names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    return names


def hyperparameters():
    """(owner, argument) for every argument of lessonlib's optimizers and schedules."""
    owners = [getattr(optim, name) for name in optim.__all__ if not name.endswith("State")]
    owners += [momentum.VelocitySGD, adam_variants.AdamVariant]
    owners += [getattr(schedules, name) for name in schedules.__all__ if name != "Schedule"]
    for owner in owners:
        for arg in inspect.signature(owner).parameters:
            if arg not in NOT_HYPERPARAMETERS:
                yield owner.__name__, arg


@pytest.mark.parametrize("owner, arg", sorted(set(hyperparameters())))
def test_every_hyperparameter_is_on_the_notation_page(owner, arg):
    if arg not in code_names(NOTATION.read_text()):
        pytest.fail(f"{owner}({arg}=...) is not in the 'Name in code' column of book/front/notation.md: "
                    f"add a row with its symbol and meaning (or add it to NOT_HYPERPARAMETERS if it is not one)")


# (pattern in a markdown cell, why it is wrong, what to write instead)
RETIRED = [
    (r"\\eta_\{\\(?:mathrm|text)\{end\}\}", "one floor, one symbol", r"\eta_{\min}"),
    (r"1\s*\+\s*\\beta\s*t\b", "beta is the momentum / moving-average decay", r"\rho for inverse-time decay"),
    (r"\\epsilon(?!_\{\\mathrm\{(?:mach|tol)\}\})", "the page writes the adaptive methods' constant as varepsilon "
     "and keeps epsilon for eps_mach and eps_tol", r"\varepsilon"),
    (r"\\frac(?:\\lambda2|\{\\lambda\}\{2\})\s*\\(?:lVert|\|)", "a penalty's coefficient is lambda_wd (lambda alone is an "
     "eigenvalue, as in the curvature of lambda/2 theta^2)",
     r"\frac{\lambda_{\mathrm{wd}}}{2}"),
]
# A quotation of a source note may keep its own letters: such a cell says so.
QUOTES = ("source note calls", "One source note", "the notes' ", "In the wild:")


def violations(markdown):
    """The retired symbols in one markdown text, except inside a quotation of a source note."""
    found = []
    for pattern, why, instead in RETIRED:
        for match in re.finditer(pattern, markdown):
            line = markdown[markdown.rfind("\n", 0, match.start()) + 1:markdown.find("\n", match.end())]
            if any(q in line for q in QUOTES):
                continue
            found.append(f"{match.group(0)!r} ({why}; write {instead})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_text_follows_the_notation_page(path):
    cells = json.loads(path.read_text())["cells"]
    problems = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            problems += [f"cell {i}: {v}" for v in violations("".join(cell["source"]))]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_checker_catches_each_retired_symbol():
    bad = [r"the floor $\eta_{\mathrm{end}}$", r"$\eta_0/(1 + \beta t)$", r"$\sqrt{v} + \epsilon$",
           r"a penalty $\frac\lambda2\lVert\theta\rVert^2$"]
    for text in bad:
        assert violations(text), text
    good = [r"the floor $\eta_{\min}$", r"$\eta_0/(1 + \rho t)$", r"$\sqrt{v} + \varepsilon$",
            r"$\epsilon_{\mathrm{mach}}$", r"One source note calls $\alpha/\sqrt{1+\beta t}$ dynamic",
            r"$b_{t+1} = \beta b_t + g_t$", r"$J(\theta) = \frac\lambda2\theta^2$"]
    for text in good:
        assert not violations(text), text


def test_the_page_lists_names_the_checker_relies_on():
    names = code_names(NOTATION.read_text())
    assert {"theta", "grad", "lr", "beta1", "beta2", "eps", "momentum", "weight_decay", "decay_rate",
            "lr_min"} <= names
