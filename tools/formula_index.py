"""Write book/appendix/formulas.md: every numbered formula of the chapters, linked.

    python tools/formula_index.py           # rewrite the page
    python tools/formula_index.py --check   # exit 1 if the page is out of date

Reads the markdown cells of every chapter notebook (book/<part>/<nn>_<topic>.ipynb) in
reading order and lists each numbered equation, ``$$ ... $$ (label)``, under its
chapter and the section it appears in, as the formula itself next to a link to the
place where it is derived. tests/test_formula_index.py fails when the page is out of
date, i.e. when a chapter gains a numbered equation the index does not list or the
index links to one that is gone.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "appendix" / "formulas.md"
LABEL_AFTER = re.compile(r"[ \t]*\((ch\d\d-[\w-]+)\)")


class _Equation:
    """A numbered display: ``group(1)`` its LaTeX, ``group(2)`` its label, ``start()`` its position."""

    def __init__(self, start, latex, label):
        self._start, self._groups = start, (latex, label)

    def start(self):
        return self._start

    def group(self, k):
        return self._groups[k - 1]


def numbered_displays(text):
    """The numbered displays of a markdown text: ``$$`` delimiters paired in order, each
    pair followed by ``(label)`` on the closing line."""
    marks = [m.start() for m in re.finditer(r"\$\$", text)]
    found = []
    for open_at, close_at in zip(marks[0::2], marks[1::2]):
        label = LABEL_AFTER.match(text, close_at + 2)
        if label:
            found.append(_Equation(open_at, text[open_at + 2:close_at].strip(), label.group(1)))
    return found
HEADING = re.compile(r"^(#{1,2}) (.+)$", re.M)

INTRO = """# Formula index

Every numbered formula of the course, chapter by chapter and section by section, in the
order in which the chapters derive them. Each number is a link to the derivation, where
the text around it says what the symbols mean (see also {doc}`/book/front/notation`) and
the next cell checks it numerically.

This page is generated from the chapters by `tools/formula_index.py`; the test suite
fails when it is out of date.
"""


def chapters():
    """The chapter notebooks in reading order (the _toc.yml order is part/number order)."""
    toc = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"file:\s*(book/[^/\s]+/\d\d_[\w]+)", toc)
    return [ROOT / f"{f}.ipynb" for f in files]


def entries(path):
    """(chapter title, [(section, [(label, latex), ...]), ...]) of one notebook."""
    nb = json.loads(path.read_text())
    title, sections = None, []
    section = None
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        # walk headings and equations in the order they appear in the cell
        events = [(m.start(), "h", m) for m in HEADING.finditer(text)]
        events += [(m.start(), "e", m) for m in numbered_displays(text)]
        for _, kind, m in sorted(events, key=lambda e: e[0]):
            if kind == "h":
                if m.group(1) == "#":
                    title = m.group(2).strip()
                else:
                    section = m.group(2).strip()
            else:
                name = section or "Introduction"
                if not sections or sections[-1][0] != name:
                    sections.append((name, []))
                sections[-1][1].append((m.group(2), m.group(1).strip()))
    return title, sections


def render():
    lines = [INTRO]
    for number, path in enumerate(chapters(), start=1):
        title, sections = entries(path)
        doc = "/" + str(path.relative_to(ROOT).with_suffix(""))
        lines.append(f"## {number}. {title}\n")
        lines.append(f"Chapter: {{doc}}`{doc}`.\n")
        for section, equations in sections:
            lines.append(f"### {section}\n" if section != title else "")
            for label, latex in equations:
                lines.append(f"Equation {{eq}}`{label}`:\n\n$$\n{latex}\n$$\n")
    return "\n".join(lines).rstrip() + "\n"


def main(argv):
    page = render()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text() != page:
            print(f"{PAGE.relative_to(ROOT)} is out of date: run python tools/formula_index.py")
            return 1
        return 0
    PAGE.write_text(page)
    print(f"wrote {PAGE.relative_to(ROOT)}: {page.count('{eq}')} formulas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
