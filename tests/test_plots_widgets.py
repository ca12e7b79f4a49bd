"""Tests of lessonlib.plots and lessonlib.widgets (Agg backend, no display)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessonlib import plots, widgets  # noqa: E402
from lessonlib.objectives import NonConvex1D, Quadratic, Rosenbrock, Square  # noqa: E402
from lessonlib.optim import SGD  # noqa: E402
from lessonlib.train import minimize  # noqa: E402

w = pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_labels(ax):
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


@pytest.fixture
def quad():
    return Quadratic.from_eigenvalues([1.0, 10.0], angle=0.3, minimizer=[0.5, -0.5])


def test_contour_paths(quad):
    h1 = minimize(quad, SGD(lr=0.1), [1.5, 1.5], steps=20)
    h2 = minimize(quad, SGD(lr=0.18), [-1.5, 1.0], steps=20)
    ax = plots.contour_paths(quad, {"lr=0.1": h1.thetas, "lr=0.18": h2.thetas}, title="GD")
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.lines) == 3  # two paths and the minimum
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), h1.thetas[:, 0])
    np.testing.assert_allclose(ax.lines[2].get_xdata(), [0.5])
    assert legend_labels(ax) == ["lr=0.1", "lr=0.18", "minimum"]
    assert ax.get_xlabel() == r"$\theta_1$" and ax.get_ylabel() == r"$\theta_2$"
    assert ax.get_title() == "GD"
    assert ax.get_xlim() == (-2.0, 2.0)
    assert len(ax.collections) >= 1  # the contour set


def test_contour_paths_without_paths_and_log_levels():
    ax = plots.contour_paths(Rosenbrock(), xlim=(-2, 2), ylim=(-1, 3), log_levels=True, resolution=50)
    assert len(ax.lines) == 1  # only the minimum marker
    assert ax.get_legend() is None
    assert ax.get_ylim() == (-1.0, 3.0)
    ax = plots.contour_paths(Rosenbrock(), mark_min=False, resolution=30)
    assert len(ax.lines) == 0


def test_contour_paths_draws_on_given_axes(quad):
    fig, axes = plt.subplots(1, 2)
    ax = plots.contour_paths(quad, ax=axes[1], resolution=20)
    assert ax is axes[1]
    assert len(fig.axes) == 2


def test_loss_curves_history_and_arrays(quad):
    hist = minimize(quad, SGD(lr=0.1), [1.0, 1.0], steps=15)
    raw = np.array([4.0, 2.0, 1.0, 0.5])
    ax = plots.loss_curves({"GD": hist, "array": raw}, title="losses")
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), hist.losses)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(16))
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), raw)
    assert legend_labels(ax) == ["GD", "array"]
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss"
    assert ax.get_title() == "losses"


def test_loss_curves_offset_single_curve(quad):
    hist = minimize(quad, SGD(lr=0.1), [1.0, 1.0], steps=10)
    ax = plots.loss_curves({"GD": hist}, offset=quad.min_value, logy=False, ylabel="suboptimality")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), hist.losses - quad.min_value)
    assert ax.get_legend() is None  # one curve: no legend
    assert ax.get_yscale() == "linear"
    assert ax.get_ylabel() == "suboptimality"


def test_schedule_curves():
    scheds = {"constant": lambda t: 0.1, "decay": lambda t: 0.1 / (1 + t)}
    ax = plots.schedule_curves(scheds, steps=50, logy=True)
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(50))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.1 / (1 + np.arange(50)))
    assert legend_labels(ax) == ["constant", "decay"]
    assert ax.get_xlabel() == "step t" and "eta" in ax.get_ylabel()
    assert ax.get_title() == "Learning-rate schedules"
    assert ax.get_yscale() == "log"


def test_function_1d():
    path = minimize(NonConvex1D(), SGD(lr=0.01), [2.0], steps=30).thetas
    ax = plots.function_1d(NonConvex1D(), paths={"GD": path}, title="double well")
    assert len(ax.lines) == 2
    assert len(ax.lines[0].get_xdata()) == 400
    np.testing.assert_allclose(ax.lines[1].get_xdata(), path.ravel())
    np.testing.assert_allclose(ax.lines[1].get_ydata(), NonConvex1D().loss(path.ravel()))
    assert legend_labels(ax) == [r"$J(\theta)$", "GD"]
    assert ax.get_xlabel() == r"$\theta$" and ax.get_ylabel() == r"$J(\theta)$"
    ax = plots.function_1d(Square())
    assert len(ax.lines) == 1 and legend_labels(ax) == [r"$J(\theta)$"]


def test_new_axes():
    ax = plots.new_axes()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert plots.new_axes(ax) is ax


# ---------------------------------------------------------------- widgets

def _draw_square(lr, ax=None, steps=5):
    hist = minimize(Square(), SGD(lr=lr), [1.5], steps=steps)
    return plots.function_1d(Square(), paths={f"lr={lr}": hist.thetas}, ax=ax)


@pytest.mark.parametrize("values,ncols,rows,cols", [([0.1, 0.4, 0.9], None, 1, 3), ([0.1, 0.4, 0.9], 2, 2, 2),
                                                     ([0.2, 0.5], 1, 2, 1)])
def test_static_panels(values, ncols, rows, cols):
    fig = widgets.static_panels(_draw_square, "lr", values, ncols=ncols, title="panels", steps=3)
    assert len(fig.axes) == rows * cols
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(values)
    for ax, value in zip(visible, values):
        assert legend_labels(ax)[-1] == f"lr={value}"
        assert len(ax.lines[1].get_xdata()) == 4  # steps=3 passed through
    assert fig.get_suptitle() == "panels"


def test_log_slider():
    s = widgets.log_slider(0.1, 1e-3, 1.0, "lr")
    assert isinstance(s, w.FloatLogSlider)
    assert s.min == pytest.approx(-3.0) and s.max == pytest.approx(0.0)
    assert s.value == pytest.approx(0.1)
    assert s.base == 10
    assert s.step == pytest.approx(3.0 / 60)
    assert s.description == "lr"
    assert s.continuous_update is False


def test_slider_float_and_int():
    s = widgets.slider(0.5, 0.0, 2.0, "x")
    assert isinstance(s, w.FloatSlider)
    assert (s.min, s.max, s.value) == (0.0, 2.0, 0.5)
    assert s.step == pytest.approx(0.02)
    s = widgets.slider(0.5, 0.0, 2.0, "x", step=0.25)
    assert s.step == 0.25
    i = widgets.slider(3, 1, 10, "n", integer=True)
    assert isinstance(i, w.IntSlider)
    assert (i.min, i.max, i.value, i.step) == (1, 10, 3, 1)


def test_explorer_returns_vbox_and_redraws():
    calls = []

    def draw(lr, steps, ax=None):
        calls.append((lr, steps))
        return _draw_square(lr, ax=ax, steps=steps)

    lr = widgets.log_slider(0.1, 1e-3, 1.0, "lr")
    steps = widgets.slider(3, 1, 10, "steps", integer=True)
    box = widgets.explorer(draw, show=False, lr=lr, steps=steps)
    assert isinstance(box, w.VBox)
    assert isinstance(box.children[0], w.HBox)
    assert list(box.children[0].children) == [lr, steps]
    assert isinstance(box.children[-1], w.Output)
    assert calls == [(pytest.approx(0.1), 3)]
    steps.value = 5
    assert calls[-1] == (pytest.approx(0.1), 5)


def test_explorer_lays_out_two_sliders_per_row():
    controls = {f"p{i}": widgets.slider(0.5, 0.0, 1.0, f"p{i}") for i in range(3)}
    box = widgets.explorer(lambda **kw: None, show=False, **controls)
    assert len(box.children) == 3  # two rows of sliders and the output
    assert len(box.children[0].children) == 2 and len(box.children[1].children) == 1


def test_book_style_is_applied_on_import_and_legends_are_readable():
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    mpl.rcParams["font.size"] = 10.0
    plots.use_book_style()
    assert mpl.rcParams["font.size"] == plots.STYLE["font.size"]
    # An "x-small" legend must still be at least 8 pt (it is 5.8 pt with matplotlib's defaults).
    assert FontProperties(size="x-small").get_size_in_points() >= 8.0
    assert FontProperties(size=mpl.rcParams["legend.fontsize"]).get_size_in_points() >= 9.5


def test_animation_html_is_self_contained_and_deterministic():
    import re

    from matplotlib import animation

    from lessonlib.widgets import animation_html

    def make():
        fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
        line, = ax.plot([], [])
        anim = animation.FuncAnimation(fig, lambda t: (line.set_data([0, t], [0, t]), line)[1:], frames=[1, 2, 3],
                                       blit=True)
        html = animation_html(anim, "anim-test", alt="a line that grows, frame by frame", caption="A test.",
                              number="Animation 1.1").data
        plt.close(fig)
        return html
    first, second = make(), make()
    assert first == second, "the same animation gives the same HTML"
    assert not re.search(r"https?://", first), "no request to another host"
    assert 'alt="a line that grows, frame by frame"' in first and "fa fa-" not in first
    assert '<span class="caption-number">Animation 1.1 </span>' in first
    with pytest.raises(ValueError, match="key"):
        animation_html(None, "bad key!", alt="x")


def test_explorer_is_displayed_once(monkeypatch):
    """A call on a cell's last line shows one explorer: it displays the widget itself and
    returns None, which Jupyter does not display again."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects, **kw: shown.extend(objects))
    result = widgets.explorer(lambda **kw: None, p=widgets.slider(0.5, 0.0, 1.0, "p"))
    assert result is None and len(shown) == 1
