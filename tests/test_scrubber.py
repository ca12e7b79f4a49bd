"""lessonlib.widgets.scrubber: a kernel-free slider over pre-rendered frames, deterministic for nbval."""

import re

import matplotlib
import pytest

matplotlib.use("Agg")

from lessonlib import widgets  # noqa: E402


def draw(a, ax=None, shift=0.0):
    ax.plot([0, 1], [shift, a])
    return ax


def test_one_frame_per_value_and_only_the_start_one_visible():
    out = widgets.scrubber(draw, "a", [0.0, 0.5, 1.0], key="scrub-test", alt="a line", start=1, shift=0.2)
    html = out.data
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 3
    assert [(" hidden" in img) for img in imgs] == [True, False, True]
    assert 'max="2"' in html and 'value="1"' in html and 'id="scrub-test"' in html
    assert "a line (a = 0.5)" in html and "<output>a = 0.5</output>" in html
    assert "http" not in html and "<script" not in html


def test_deterministic_output():
    kwargs = dict(key="k", alt="x", label="beta")
    assert widgets.scrubber(draw, "a", [0.1, 0.2], **kwargs).data == widgets.scrubber(draw, "a", [0.1, 0.2], **kwargs).data


@pytest.mark.parametrize("kwargs, word", [(dict(values=[]), "values"), (dict(values=[1.0], key="bad key!"), "key"),
                                          (dict(values=[1.0], start=3), "start")])
def test_bad_arguments_are_named(kwargs, word):
    args = dict(values=[1.0], key="k", alt="x") | kwargs
    with pytest.raises(ValueError, match=word):
        widgets.scrubber(draw, "a", **args)


def test_a_caption_makes_it_a_numbered_figure():
    html = widgets.scrubber(draw, "a", [0.0, 1.0], key="k", alt="a line", caption="Two lines.", number="Fig. 9.9").data
    assert html.startswith('<figure class="scrubber"') and html.endswith("</figure>")
    assert '<span class="caption-number">Fig. 9.9 </span><span class="caption-text">Two lines.</span>' in html
