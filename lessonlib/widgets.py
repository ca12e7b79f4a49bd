"""Interactive explorers (ipywidgets) and their static counterparts.

An explorer is a plotting function ``draw(**params, ax=None)``. In a running
notebook :func:`explorer` puts sliders on its parameters; on the static website
(where sliders would be dead) :func:`static_panels` draws the same function for a
few chosen values side by side, so the figure makes the same point, and
:func:`scrubber` gives the page a slider that needs no kernel: it flips through
frames drawn in advance.
"""

import matplotlib.pyplot as plt
import numpy as np

from . import plots  # noqa: F401 - applies the book's figure style (plots.STYLE)

__all__ = ["log_slider", "slider", "explorer", "static_panels", "scrubber"]


def log_slider(value, low, high, description, steps=60):
    """A slider over ``[low, high]`` on a log scale (for learning rates)."""
    import ipywidgets as w

    return w.FloatLogSlider(value=value, base=10, min=np.log10(low), max=np.log10(high),
                            step=(np.log10(high) - np.log10(low)) / steps, description=description,
                            readout_format=".3g", continuous_update=False)


def slider(value, low, high, description, step=None, integer=False):
    """A linear slider (integer-valued with ``integer=True``)."""
    import ipywidgets as w

    if integer:
        return w.IntSlider(value=value, min=low, max=high, step=step or 1, description=description,
                           continuous_update=False)
    return w.FloatSlider(value=value, min=low, max=high, step=step or (high - low) / 100,
                         description=description, readout_format=".3g", continuous_update=False)


def explorer(draw, *, show=True, **controls):
    """Display sliders (``controls``: name -> widget) that redraw ``draw(**values)``.

    Returns None, so that a call on a cell's last line is shown once, not a second
    time as the cell's value. With ``show=False`` it displays nothing and returns the
    ``ipywidgets`` container instead (for tests). Prints a message and returns None
    when ipywidgets is not installed.
    """
    try:
        import ipywidgets as w
        from IPython.display import display
    except ImportError:
        print("Install ipywidgets (it is in requirements.txt) to use this explorer.")
        return None

    def redraw(**values):
        draw(**values)
        plt.show()

    out = w.interactive_output(redraw, controls)
    box = w.VBox([w.HBox(list(controls.values())[i:i + 2]) for i in range(0, len(controls), 2)] + [out])
    if not show:
        return box
    display(box)
    return None


def static_panels(draw, name, values, ncols=None, panel_size=(3.6, 3.2), title=None, **fixed):
    """Call ``draw(**{name: value}, **fixed, ax=ax)`` for each value in its own panel."""
    ncols = ncols or len(values)
    nrows = int(np.ceil(len(values) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             layout="constrained", squeeze=False)
    for ax, value in zip(axes.flat, values):
        draw(**{name: value}, **fixed, ax=ax)
    for ax in axes.flat[len(values):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def scrubber(draw, name, values, key, alt, start=None, figsize=(4.8, 3.6), dpi=72, label=None, caption=None,
             number=None, **fixed):
    """A slider for the static website: ``draw`` for each value, pre-rendered, one frame shown.

    Returns an ``IPython.display.HTML`` object: an ``<input type="range">`` and one PNG
    frame per value (base64, in the page itself: no script file, no network, no kernel).
    Moving the slider shows frame ``i`` and hides the others, in an inline ``oninput``
    handler. The output is deterministic (the element id is ``key``, the PNGs carry no
    date), so nbval can compare it. Each frame costs its PNG's size in page weight:
    keep ``values`` short and ``dpi`` low (see :attr:`HTML.data` for the byte count).

    ``alt`` describes a frame for readers who cannot see it; the value is appended.
    With ``caption`` the slider is a ``<figure>`` with that caption, headed by ``number``
    (e.g. "Fig. 5.6", continuing the page's figure numbers, which Sphinx assigns only to
    its own figures).
    """
    import base64
    import html
    import io

    from IPython.display import HTML

    values = list(values)
    if not values:
        raise ValueError("values must hold at least one parameter value to draw")
    if not key.replace("-", "").isalnum():
        raise ValueError(f"key must be letters, digits and '-', got {key!r}")
    start = len(values) // 2 if start is None else start
    if not 0 <= start < len(values):
        raise ValueError(f"start must be an index into values (0 to {len(values) - 1}), got {start}")
    label = label or name
    texts = [f"{label} = {v:.3g}" if isinstance(v, (int, float, np.number)) else f"{label} = {v}" for v in values]
    frames = []
    for i, (value, text) in enumerate(zip(values, texts)):
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        draw(**{name: value}, **fixed, ax=ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        frames.append(f'<img src="data:image/png;base64,{data}" alt="{html.escape(f"{alt} ({text})")}"'
                      f'{"" if i == start else " hidden"} style="max-width:100%">')
    handler = ("var f=this.parentNode.parentNode.querySelectorAll('img');"
               "for(var i=0;i<f.length;i++){f[i].hidden=(i!=this.value);}"
               "this.nextElementSibling.textContent=this.dataset.labels.split('|')[this.value];")
    labels = html.escape("|".join(texts))
    tag = "figure" if caption else "div"
    figcaption = ""
    if caption:
        figcaption = (f'<figcaption><p><span class="caption-number">{html.escape(number or "")} </span>'
                      f'<span class="caption-text">{html.escape(caption)}</span></p></figcaption>')
    return HTML(f'<{tag} class="scrubber" id="{key}"><p><input type="range" min="0" max="{len(values) - 1}" '
                f'step="1" value="{start}" aria-label="{html.escape(label)}" data-labels="{labels}" '
                f'oninput="{handler}"> <output>{html.escape(texts[start])}</output></p>'
                + "".join(frames) + figcaption + f"</{tag}>")


# matplotlib's player draws its buttons with Font Awesome 4 from a CDN; the book loads
# nothing from another host, so the buttons get plain-text labels instead.
_PLAYER_ICONS = {"fa fa-fast-backward": "|&lt;", "fa fa-step-backward": "&lt;|", "fa fa-play fa-flip-horizontal": "&lt;",
                 "fa fa-pause": "||", "fa fa-play": "&gt;", "fa fa-step-forward": "|&gt;",
                 "fa fa-fast-forward": "&gt;|", "fa fa-minus": "&minus;", "fa fa-plus": "+"}


def animation_html(anim, key, alt, caption=None, number=None):
    """An animation the static site can play: matplotlib's JavaScript player, self-contained.

    ``anim`` is a ``matplotlib.animation.FuncAnimation``; its frames are PNGs inside the
    page and the player is inline JavaScript (``to_jshtml``). This removes the player's
    only request to another host (a Font Awesome stylesheet; the buttons get text labels),
    names the element ``key`` instead of a random id (so re-running gives the same
    output), gives the frame image its ``alt`` text and, with ``caption``, wraps it in a
    ``<figure>`` headed by ``number`` (e.g. "Fig. 9.2"). Keep it to about a dozen small
    frames: each is a PNG in the page.
    """
    import html
    import re

    from IPython.display import HTML

    if not key.replace("-", "").isalnum():
        raise ValueError(f"key must be letters, digits and '-', got {key!r}")
    text = anim.to_jshtml(default_mode="once")
    text = re.sub(r'<link rel="stylesheet"\s*href="https?://[^"]*font-awesome[^"]*">', "", text)
    for icon, label in _PLAYER_ICONS.items():
        text = text.replace(f'<i class="{icon}"></i>', label)
    ids = set(re.findall(r"_anim_img([0-9a-f]{32})", text))
    for uid in ids:
        text = text.replace(uid, key.replace("-", "_"))
    text = text.replace(f'<img id="_anim_img{key.replace("-", "_")}"',
                        f'<img id="_anim_img{key.replace("-", "_")}" alt="{html.escape(alt)}"', 1)
    if re.search(r"(?:src|href)=[\"']https?://", text):
        raise RuntimeError("the animation still loads something from another host; update animation_html")
    if caption:
        figcaption = (f'<figcaption><p><span class="caption-number">{html.escape(number or "")} </span>'
                      f'<span class="caption-text">{html.escape(caption)}</span></p></figcaption>')
        text = f'<figure class="animation" id="{key}">{text}{figcaption}</figure>'
    return HTML(text)
