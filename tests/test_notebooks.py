"""Structural checks of the chapter notebooks: the conventions nbval and the build cannot see.

- every notebook under book/ is in the table of contents;
- it was executed top to bottom (execution counts 1, 2, 3, ...) and stores no widget state;
- only interactive-explorer cells carry ``nbval-ignore-output``, and they also carry
  ``remove-output`` (the site shows a static figure instead of a dead slider); the one
  exception is a ``scrubber(...)`` cell (pre-rendered frames behind a kernel-free slider),
  which keeps its output for the site but not for nbval;
- the chapter opens with learning goals and ends with at least three exercises, each
  with an auto-check in the notebook and a solution hidden behind a toggle;
- numbered equations are referenced from the text.
"""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"])


def _markdown(nb):
    return "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_there_are_chapters():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_listed_in_table_of_contents(path):
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    stem = path.relative_to(ROOT).with_suffix("").as_posix()
    assert re.search(rf"file:\s*{re.escape(stem)}\s*$", toc, re.M), f"{stem} is not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_top_to_bottom_without_widget_state(path):
    nb = _load(path)
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code" and _source(c).strip()]
    assert counts == list(range(1, len(counts) + 1)), "re-execute the notebook top to bottom in a fresh kernel"
    assert "widgets" not in nb["metadata"], "drop metadata.widgets: the site never loads widget JavaScript"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_explorers_escape_nbval(path):
    nb = _load(path)
    explorers = 0
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        is_explorer = cell["cell_type"] == "code" and "explorer(" in _source(cell)
        # A scrubber's frames are PNGs whose pixels follow the BLAS kernel's last bits; the
        # site shows them, so it keeps its output but nbval does not compare it.
        is_scrubber = cell["cell_type"] == "code" and "scrubber(" in _source(cell)
        if is_scrubber:
            assert "nbval-ignore-output" in tags and "remove-output" not in tags, \
                "a scrubber cell needs nbval-ignore-output and shows its output on the site"
            continue
        if "nbval-ignore-output" in tags or "nbval-skip" in tags:
            assert is_explorer, f"only explorer cells may skip nbval's comparison:\n{_source(cell)[:200]}"
        if is_explorer:
            explorers += 1
            assert {"nbval-ignore-output", "remove-output"} <= tags, "explorer cells need both tags"
    assert explorers >= 1, "each chapter has an interactive explorer"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_learning_goals_and_self_checking_exercises(path):
    nb = _load(path)
    text = _markdown(nb)
    first = _source(nb["cells"][0]) + _source(nb["cells"][1])
    assert re.search(r"learning goals", first, re.I), "the chapter opens with its learning goals"
    exercises = re.findall(r"\{exercise\}[^\n]*\n:label:\s*(\S+)", text)
    assert len(exercises) >= 3, "each chapter ends with at least three exercises"
    for label in exercises:
        solution = re.search(rf"\{{solution\}}\s*{re.escape(label)}\s*\n:class:\s*dropdown", text)
        assert solution, f"exercise {label} needs a solution with :class: dropdown"
    code = "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "code")
    checks = re.findall(r"\bch\d\d\.\w+\.check\(", code)
    assert len(checks) >= len(exercises), "every exercise has an auto-check in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_numbered_equations_are_referenced(path):
    text = _markdown(_load(path))
    labels = re.findall(r"\$\$\s*\((ch\d\d-[\w-]+)\)", text)
    assert labels, "derivations use numbered equations"
    unreferenced = [label for label in labels if f"{{eq}}`{label}`" not in text]
    assert not unreferenced, f"equations never referenced from the text: {unreferenced}"
