import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.views.attention import AttentionView
from recognizer.maps import AttentionQuery
from tests.app.conftest import T, attention_maps, prediction


@pytest.fixture
def view(qtbot):
    view = AttentionView(window_frames=T)
    qtbot.addWidget(view)
    view.resize(430, 760)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_maps_fill_the_diagram_timeline_and_heatmap(view):
    maps = attention_maps(joint=7, time_index=20)
    view.show_prediction(prediction(attention=maps))
    assert view.updates == 1 and view.diagram.maps is maps
    np.testing.assert_allclose(view._temporal.opts["height"], maps.temporal / maps.temporal.max())
    np.testing.assert_allclose(view._heat.image, maps.spatiotemporal / maps.spatiotemporal.max(), rtol=1e-6)
    view.grab()


def test_clicking_a_joint_on_the_diagram_changes_the_query(view, qtbot):
    view.show_maps(attention_maps(joint=4, time_index=10))
    view.grab()  # paint once so the diagram knows where its joints are
    position = view.diagram.joint_position(7)
    with qtbot.waitSignal(view.query_changed) as signal:
        qtbot.mouseClick(view.diagram, Qt.MouseButton.LeftButton, pos=position.toPoint())
    assert signal.args == [AttentionQuery(7, view.query.time)]
    assert "left wrist" in view.header.text()


def test_the_diagram_can_be_clicked_before_any_maps_arrive(view, qtbot):
    view.grab()
    with qtbot.waitSignal(view.query_changed) as signal:
        qtbot.mouseClick(view.diagram, Qt.MouseButton.LeftButton, pos=view.diagram.joint_position(0).toPoint())
    assert signal.args[0].joint == 0


def test_clicking_the_timeline_picks_a_moment_inside_the_window(view, qtbot):
    plot = view.timeline.getPlotItem()
    with qtbot.waitSignal(view.query_changed) as signal:
        target = plot.vb.mapViewToScene(plot.vb.mapToView(plot.vb.rect().center()))
        point = view.timeline.mapFromScene(target)
        qtbot.mouseClick(view.timeline.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert 0 <= signal.args[0].time < T
    view.set_query_time(10_000)
    assert view.query.time == T - 1


def test_clicking_the_heatmap_picks_joint_and_moment(view, qtbot):
    view.show_maps(attention_maps())
    plot = view.heatmap.getPlotItem()
    scene_point = plot.vb.mapViewToScene(plot.vb.mapToView(plot.vb.rect().center()))
    expected = plot.vb.mapSceneToView(scene_point)
    with qtbot.waitSignal(view.query_changed) as signal:
        qtbot.mouseClick(view.heatmap.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.heatmap.mapFromScene(scene_point))
    assert signal.args[0] == AttentionQuery(int(round(expected.y())), int(round(expected.x())))


def test_a_shorter_model_window_keeps_the_moment_inside_it(view):
    view.set_query_time(30)
    view.set_window_length(16)
    assert view.query.time < 16 and "of 16" in view.header.text()
    view.set_paused(True)
    assert "paused window" in view.header.text()
