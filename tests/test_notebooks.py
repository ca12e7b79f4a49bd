"""Structural checks of the chapter notebooks: the conventions nbval and the build cannot see.

- every notebook under book/ is in the table of contents;
- it was executed top to bottom (execution counts 1, 2, 3, ...) and stores no widget state;
- only interactive-explorer cells carry ``nbval-ignore-output``, and they also carry
  ``remove-output`` (the site shows a static figure instead of a dead slider); the one
  exception is a ``scrubber(...)`` cell (pre-rendered frames behind a kernel-free slider),
  which keeps its output for the site but not for nbval;
- the chapter opens with learning goals and ends with at least three exercises, each
  with an auto-check in the notebook and a solution hidden behind a toggle;
- on the site an exercise reads as a task: one "How to do these exercises" note (make lab),
  the check's "not attempted yet" output hidden (remove-output), the hints behind a
  toggle generated from lessonlib (hints_toggle, remove-input);
- an exercise stub never rebinds a name the chapter imported or defined earlier;
- numbered equations are referenced from the text;
- the "Your progress" page is listed, and its stored output is the empty table of the
  build machine, never someone's own progress.
"""

import ast
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.name)]
CHAPTER_IDS = [str(p.relative_to(ROOT)) for p in CHAPTERS]


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    return "".join(cell["source"])


def _markdown(nb):
    return "\n".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_there_are_chapters():
    assert NOTEBOOKS and len(CHAPTERS) >= 4


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


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_only_explorers_escape_nbval(path):
    nb = _load(path)
    explorers = 0
    for cell in nb["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        is_explorer = cell["cell_type"] == "code" and "explorer(" in _source(cell)
        # A scrubber's frames are PNGs whose pixels follow the BLAS kernel's last bits; the
        # site shows them, so it keeps its output but nbval does not compare it.
        # The same holds for an animation (lessonlib.widgets.animation_html, chapter 9).
        is_scrubber = cell["cell_type"] == "code" and ("scrubber(" in _source(cell) or "animation_html(" in _source(cell))
        if is_scrubber:
            assert "nbval-ignore-output" in tags and "remove-output" not in tags, \
                "a scrubber or animation cell needs nbval-ignore-output and shows its output on the site"
            continue
        if "nbval-ignore-output" in tags or "nbval-skip" in tags:
            assert is_explorer, f"only explorer cells may skip nbval's comparison:\n{_source(cell)[:200]}"
        if is_explorer:
            explorers += 1
            assert {"nbval-ignore-output", "remove-output"} <= tags, "explorer cells need both tags"
            views = [o for o in cell.get("outputs", []) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
            assert len(views) == 1, f"a live explorer is shown once, not {len(views)} times (explorer() returns None)"
    assert explorers >= 1, "each chapter has an interactive explorer"


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
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


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_numbered_equations_are_referenced(path):
    text = _markdown(_load(path))
    labels = re.findall(r"\$\$\s*\((ch\d\d-[\w-]+)\)", text)
    assert labels, "derivations use numbered equations"
    unreferenced = [label for label in labels if f"{{eq}}`{label}`" not in text]
    assert not unreferenced, f"equations never referenced from the text: {unreferenced}"


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_exercises_read_as_tasks_on_the_site(path):
    nb = _load(path)
    cells = nb["cells"]
    notes = [c for c in cells if c["cell_type"] == "markdown" and "How to do these exercises" in _source(c)]
    assert len(notes) == 1, "one 'How to do these exercises' note per Exercises section"
    assert "make lab" in _source(notes[0]) and "lessonlib" in _source(notes[0])
    starts = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "{exercise}" in _source(c)]
    assert len(starts) >= 3
    for i in starts:
        label = re.search(r":label:\s*(\S+)", _source(cells[i])).group(1)
        check, hints, solution = cells[i + 1], cells[i + 2], cells[i + 3]
        assert check["cell_type"] == "code" and re.search(r"\bch\d\d\.\w+\.check\(", _source(check)), label
        assert "remove-output" in check["metadata"].get("tags", []), f"{label}: the check cell needs remove-output"
        assert check["outputs"] and "not attempted yet" in "".join(check["outputs"][0].get("text", "")), label
        assert not any(o["output_type"] == "execute_result" for o in check["outputs"]), \
            f"{label}: check() printed its verdict; the returned value must not echo it again"
        assert hints["cell_type"] == "code" and re.fullmatch(r"ch\d\d\.\w+\.hints_toggle\(\)", _source(hints).strip())
        assert "remove-input" in hints["metadata"].get("tags", []), f"{label}: the hints cell needs remove-input"
        html = "".join(hints["outputs"][0]["data"]["text/html"])
        assert html.startswith("<details") and html.count("<li>") >= 2, label
        assert solution["cell_type"] == "markdown"
        assert re.match(rf"::::\{{solution\}}\s*{re.escape(label)}\s*\n:class:\s*dropdown", _source(solution)), label


def _bound_names(tree):
    """Names a cell binds at its top level: imports, defs, classes, assignments, loop targets."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With)):
            targets = (node.targets if isinstance(node, ast.Assign) else
                       [node.target] if not isinstance(node, ast.With) else
                       [item.optional_vars for item in node.items if item.optional_vars is not None])
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def stub_shadowing(cells):
    """(name, cell source) for every exercise stub that rebinds an earlier name."""
    earlier, found = set(), []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = _source(cell)
        tree = ast.parse(source)
        bound = _bound_names(tree)
        if re.search(r"\bch\d\d\.\w+\.check\(", source):
            stubs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            stubs |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                      if isinstance(t, ast.Name)}
            found += [(name, source) for name in sorted(stubs & earlier)]
        earlier |= bound
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_exercise_stubs_do_not_shadow_earlier_names(path):
    shadowed = stub_shadowing(_load(path)["cells"])
    assert not shadowed, f"an exercise stub rebinds a name the chapter imported or defined: {shadowed}"


def test_the_shadowing_check_catches_the_old_chapter_4_stub():
    def cell(source):
        return {"cell_type": "code", "source": [source]}

    cells = [cell("from lessonlib.schedule_theory import exponential_reach\n"),
             cell("def exponential_reach(lr0, gamma, G):\n    raise NotImplementedError\n\n"
                  "ch04.exponential_reach.check(exponential_reach)")]
    assert [name for name, _ in stub_shadowing(cells)] == ["exponential_reach"]
    cells[0] = cell("import numpy as np\n")
    assert stub_shadowing(cells) == []


def test_progress_page_is_listed_and_stores_the_empty_table():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "file: book/appendix/progress" in toc
    nb = _load(ROOT / "book" / "appendix" / "progress.ipynb")
    text = _markdown(nb)
    assert "Run this page locally" in text and "make lab" in text
    [code] = [c for c in nb["cells"] if c["cell_type"] == "code"]
    html = "".join(code["outputs"][0]["data"]["text/html"])
    assert "run it in your own copy" in html and "passed (" not in html
    assert html.count("not yet") >= 17


def test_makefile_gives_build_and_tests_an_empty_progress_file():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("$(SITE):", "test:"):
        recipe = makefile.split(f"\n{target}", 1)[1].split("\n\n", 1)[0]
        assert "LESSONLIB_PROGRESS=" in recipe, f"the {target} recipe must set LESSONLIB_PROGRESS"
