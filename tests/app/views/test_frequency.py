import numpy as np
import pytest

from app.views.frequency import FrequencyView, log_magnitude, mask_levels
from tests.app.conftest import frequency_maps, prediction


@pytest.fixture
def view(qtbot):
    view = FrequencyView()
    qtbot.addWidget(view)
    view.resize(900, 420)
    view.show()
    return view


def test_heatmaps_per_stream_with_axes_in_hz_and_joint_frequency(view):
    maps = frequency_maps()
    view.show_prediction(prediction(frequency=maps))
    assert view.updates == 1 and view.maps is maps
    for m in maps:
        cell = view._cells[(m.stream, "magnitude")]
        np.testing.assert_allclose(cell.values, log_magnitude(m.magnitude))
        rect = cell.image.mapRectToParent(cell.image.boundingRect())
        assert rect.left() == pytest.approx(-0.5 * 15 / 16) and rect.right() == pytest.approx(15 + 0.5 * 15 / 16)
        assert rect.top() == pytest.approx(-8.5) and rect.bottom() == pytest.approx(7.5)
        np.testing.assert_allclose(view._cells[(m.stream, "cos_mask")].values, m.cos_mask)
        np.testing.assert_allclose(view._cells[(m.stream, "sin_mask")].values, m.sin_mask)
        assert view._cells[(m.stream, "magnitude")].plot.getAxis("bottom").labelText == "temporal frequency"
    assert view._magnitude_bars["position"].levels()[1] == pytest.approx(log_magnitude(maps[0].magnitude).max())
    assert view._mask_bars["velocity"].levels() == pytest.approx(mask_levels(maps[1].cos_mask, maps[1].sin_mask))
    hz, joint_frequency, value = view._cells[("velocity", "sin_mask")].value_at(15.2, -7.9)
    assert (hz, joint_frequency) == (15.0, -8.0) and value == pytest.approx(maps[1].sin_mask[16, 0])
    assert view._cells[("velocity", "sin_mask")].value_at(40, 0) is None


def test_mask_colours_stretch_over_the_span_the_masks_use():
    cos, sin = np.full((3, 4), 0.45), np.full((3, 4), 0.5)
    sin[0, 0] = 0.56
    assert mask_levels(cos, sin) == pytest.approx((0.45, 0.56))
    assert mask_levels(np.ones((2, 2)), np.ones((2, 2))) == pytest.approx((0.95, 1.0))  # flat: a small band


def test_predictions_without_maps_leave_the_view_alone_and_freeze_holds_it(view):
    view.show_prediction(prediction(frequency=frequency_maps(0)))
    view.show_prediction(prediction())  # no maps in this one
    assert view.updates == 1
    view.freeze.setChecked(True)
    view.show_prediction(prediction(frequency=frequency_maps(1)))
    assert view.updates == 1
    view.freeze.setChecked(False)
    view.show_prediction(prediction(frequency=frequency_maps(2)))
    assert view.updates == 2


def test_layout_follows_the_panel_shape_and_one_stream_models_get_one_row(view, qtbot):
    view.show_maps(frequency_maps())
    assert view._wide is False
    view.resize(1800, 300)
    qtbot.waitUntil(lambda: view._wide is True)
    view.show_maps(frequency_maps()[:1])
    assert set(view._cells) == {("position", k) for k in ("magnitude", "cos_mask", "sin_mask")}
    view.grab()
