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


# The words a label's section must contain when the glossary's term is not spelled out
# there in full (a heading names "Heavy ball", the term is "heavy-ball method").
_SPELLED_THERE = {
    "centred RMSProp": "centred", "convergence": "converg", "decoupled weight decay": "decoupl",
    "divergence": "diverg", "gradient clipping": "clipping", "heavy-ball method": "heavy ball",
    "L2 regularisation": "l2 (penalty|regulari)", "learning-rate sweep": "sweep", "loss function": "loss",
    "Nesterov accelerated gradient": "nesterov", "Newton's method": "newton",
    "Polyak–Ruppert averaging": "averag", "Robbins–Monro conditions": "robbins", "saddle point": "saddle",
    "gradient checking": "checking gradients", "Lipschitz continuous": "lipschitz",
    "contraction factor": "contraction", "sampling with replacement": "with replacement",
    "sampling without replacement": "without replacement", "inverse-time decay": "inverse time",
    "linear decay": "linear", "one-hot encoding": "one hot", "training set / test set": "training .*test",
    "Rosenbrock function": "rosenbrock", "Beale function": "beale",
    "oscillating regime": "oscillat", "effective window": "window", "vanishing gradients": "vanishing",
}


def _plain(text):
    text = text.replace("*", "").replace("`", "").replace("–", " ").replace("-", " ").lower()
    return re.sub(r"\s+", " ", text)


def _spelling(term):
    """A pattern for the term in running text: each word may be inflected ("epoch" in
    "epochs", "stochastic" in "stochastically"; a word longer than six letters may lose its
    last three); alternatives are split at " / "."""
    if term in _SPELLED_THERE:
        return _SPELLED_THERE[term]
    words_of = [_plain(a).split() for a in re.sub(r"\s*\(.*?\)", "", term).split(" / ")]
    return "|".join(r"\s".join(re.escape(w if len(w) <= 6 else w[:-3]) + r"\w*" for w in words) for words in words_of)


def _glossary_labels():
    """Every (gl-...)= label of the chapters: {label: (chapter number, the text after it up to
    the next heading, at most 3000 characters)}."""
    found = {}
    for path in sorted((ROOT / "book").glob("*/[0-9][0-9]_*.ipynb")):
        text = _markdown(path)
        for m in re.finditer(r"^\((gl-[a-z0-9-]+)\)=\n", text, re.M):
            assert m.group(1) not in found, f"label {m.group(1)} is defined twice"
            after = re.sub(r"^\(gl-[a-z0-9-]+\)=\n", "", text[m.end():m.end() + 4000], flags=re.M)
            start = after.find("\n") + 1 if after.startswith("#") else 0  # the label's own heading
            heading = re.compile(r"^#", re.M).search(after, start)
            end = heading.start() if heading else len(after)
            found[m.group(1)] = (int(path.name[:2]), after[: min(end, 3000)])
    return found


def test_every_glossary_term_links_to_where_a_chapter_introduces_it():
    glossary = (ROOT / "book" / "appendix" / "glossary.md").read_text()
    rows = [line for line in glossary.splitlines() if line.startswith("| ") and "---" not in line][1:]
    labels = _glossary_labels()
    assert len(rows) >= 100
    used = set()
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"glossary row without its four columns: {row[:60]}"
        term, link = cells[0], cells[3]
        m = re.fullmatch(r"\{ref\}`ch\. (\d+) <(gl-[a-z0-9-]+)>`", link)
        assert m, f"{term}: the last column should be {{ref}}`ch. N <gl-...>`, not {link!r}"
        chapter, label = int(m.group(1)), m.group(2)
        assert label in labels, f"{term}: no chapter has the label ({label})="
        where, text = labels[label]
        assert where == chapter, f"{term}: the link says chapter {chapter}, the label is in chapter {where}"
        assert re.search(_spelling(term), _plain(text)), (
            f"{term}: the section after ({label})= in chapter {where} does not mention the term")
        used.add(label)
    assert not set(labels) - used, f"chapter labels no glossary row links to: {sorted(set(labels) - used)}"


def test_the_term_check_is_not_trivially_satisfied():
    assert re.search(_spelling("stochastic gradient descent"), _plain("Stochastic gradient-descent runs"))
    assert re.search(_spelling("epoch"), _plain("two **epochs**"))
    assert not re.search(_spelling("stochastic gradient descent"), _plain("gradient descent, stochastic"))
    assert not re.search(_spelling("regret"), _plain("logistic regression"))
    assert re.search(_spelling("mini-batch"), _plain("two mini batches"))
