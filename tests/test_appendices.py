"""The appendices stay complete as the chapters change: every "In the wild" box is listed
on the common-mistakes page, and every glossary term of the chapters' titles is there."""

import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _markdown(path):
    nb = json.loads(path.read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_every_in_the_wild_box_is_named_and_listed_on_the_mistakes_page():
    page = (ROOT / "book" / "appendix" / "mistakes.md").read_text()
    linked = set(re.findall(r"<(wild-ch\d\d-\d+)>", page))
    boxes = []
    for path in sorted((ROOT / "book").glob("*/[0-9][0-9]_*.ipynb")):
        for box in re.findall(r":::\{admonition\} In the wild:.*?\n((?::\w+:.*\n)*)", _markdown(path)):
            name = re.search(r":name: (wild-ch\d\d-\d+)", box)
            assert name, f"{path.name}: an 'In the wild' box without a :name: wild-chNN-k (the mistakes page links to it)"
            boxes.append(name.group(1))
    assert len(boxes) >= 25
    assert not set(boxes) - linked, f"boxes the mistakes page does not list: {sorted(set(boxes) - linked)}"
    assert not linked - set(boxes), f"the mistakes page links to boxes that are gone: {sorted(linked - set(boxes))}"


def test_glossary_marks_the_chinese_and_lists_the_mistaken_term():
    glossary = (ROOT / "book" / "appendix" / "glossary.md").read_text()
    assert "梯度降维" in glossary and "梯度下降" in glossary
    terms = [line.split("|")[1].strip() for line in glossary.splitlines() if line.startswith("| ") and "---" not in line]
    assert terms[1:] == sorted(terms[1:], key=str.lower), "glossary terms are in alphabetical order"
