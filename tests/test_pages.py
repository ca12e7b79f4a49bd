"""The markdown pages' code examples run and print what the page says they print.

A page may show a ```python block followed directly by a ```text block with its
output; this test runs the code and compares, so a page can never go stale.
"""

import contextlib
import io
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAIR = re.compile(r"```python\n(?P<code>.*?)```\s*```text\n(?P<output>.*?)```", re.S)
EXAMPLES = [(page, m.group("code"), m.group("output"))
            for page in sorted((ROOT / "book").rglob("*.md"))
            for m in PAIR.finditer(page.read_text(encoding="utf-8"))]


def test_the_pages_have_examples_to_check():
    assert EXAMPLES, "no ```python + ```text example pairs found in book/**/*.md"


@pytest.mark.parametrize("page, code, expected", EXAMPLES,
                         ids=[f"{p.relative_to(ROOT)}#{i}" for i, (p, _, _) in enumerate(EXAMPLES)])
def test_page_example_prints_what_the_page_shows(page, code, expected):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(page), "exec"), {})
    assert out.getvalue().strip() == expected.strip(), f"{page.relative_to(ROOT)}: the example's output changed"
