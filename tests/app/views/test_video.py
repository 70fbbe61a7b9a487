import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRectF, Qt

from app.sources import LiveFrame
from app.views.video import VideoView, fit_rect, nearest_joint
from tests.app.conftest import waving_skeletons


def live_frame(rgb=True) -> LiveFrame:
    image = np.zeros((120, 160, 3), np.uint8) if rgb else None
    return LiveFrame(0, 0.0, image, waving_skeletons(0.0), (0, None), 30.0, 5.0, 0)


def test_fit_rect_keeps_the_aspect_and_centres():
    rect = fit_rect(400, 100, 4 / 3)
    assert (rect.width(), rect.height()) == pytest.approx((100 * 4 / 3, 100))
    assert rect.x() == (400 - rect.width()) / 2 and rect.y() == 0


def test_nearest_joint_finds_the_clicked_joint_and_ignores_far_clicks_and_unseen_joints():
    skeletons = waving_skeletons(0.0)
    rect = QRectF(0, 0, 100, 100)
    x, y = skeletons[0, 7, :2] * 100
    assert nearest_joint(skeletons, (x + 2, y - 2), rect) == (0, 7)
    assert nearest_joint(skeletons, (x + 60, y + 60), rect, radius_px=10) is None
    skeletons[0, 7, 2] = 0  # not seen: cannot be picked
    assert nearest_joint(skeletons, (x, y), rect) != (0, 7)


def test_clicking_a_joint_on_the_video_emits_it(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    view.show_frame(live_frame())
    position = view.joint_position(0, 4)
    with qtbot.waitSignal(view.joint_clicked) as signal:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=position.toPoint())
    assert signal.args == [4]


def test_the_overlay_draws_persons_on_video_and_on_a_blank_canvas(qtbot):
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(320, 240)
    for frame in (live_frame(rgb=True), live_frame(rgb=False)):
        view.show_frame(frame)
        view.set_actor(0)
        view.set_query_joint(4)
        view.set_overlay("Paused")
        image = view.grab().toImage()
        wrist = view.joint_position(0, 4).toPoint()
        assert image.pixelColor(wrist).lightness() > 150  # a joint is drawn where the wrist is
    corner = view.grab().toImage().pixelColor(QPoint(2, 2))
    assert corner.lightness() < 40  # outside the picture stays dark
