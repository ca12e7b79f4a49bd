"""The formula index (book/appendix/formulas.md) lists exactly the chapters' numbered equations."""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "appendix" / "formulas.md"


def _chapter_labels():
    labels = []
    for path in sorted((ROOT / "book").glob("*/[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        labels += re.findall(r"\$\$\s*\((ch\d\d-[\w-]+)\)", text)
    return labels


def test_every_numbered_equation_is_listed_and_every_link_exists():
    listed = re.findall(r"\{eq\}`(ch\d\d-[\w-]+)`", PAGE.read_text())
    labels = _chapter_labels()
    assert len(labels) > 100
    missing = sorted(set(labels) - set(listed))
    gone = sorted(set(listed) - set(labels))
    assert not missing, f"numbered equations the index does not list (run python tools/formula_index.py): {missing}"
    assert not gone, f"the index links to equations that no longer exist: {gone}"
    assert len(listed) == len(set(listed)), "an equation is listed twice"


def test_the_index_page_is_what_the_generator_writes():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "formula_index.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
