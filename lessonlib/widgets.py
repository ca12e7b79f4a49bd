"""Interactive explorers (ipywidgets) and their static counterparts.

An explorer is a plotting function ``draw(**params, ax=None)``. In a running
notebook :func:`explorer` puts sliders on its parameters; on the static website
(where sliders would be dead) :func:`static_panels` draws the same function for a
few chosen values side by side, so the figure makes the same point.
"""

import matplotlib.pyplot as plt
import numpy as np

from . import plots  # noqa: F401 - applies the book's figure style (plots.STYLE)

__all__ = ["log_slider", "slider", "explorer", "static_panels"]


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


def explorer(draw, **controls):
    """Display sliders (``controls``: name -> widget) that redraw ``draw(**values)``.

    Returns the ``ipywidgets`` container, or None (with a message) when
    ipywidgets is not installed.
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
    display(box)
    return box


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
