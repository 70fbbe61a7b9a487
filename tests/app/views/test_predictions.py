from app.views.predictions import LabelBanner, TopKBars
from tests.app.conftest import LABELS_A, prediction


def test_banner_shows_the_label_big_and_the_states_in_words(qtbot):
    banner = LabelBanner()
    qtbot.addWidget(banner)
    banner.resize(800, 110)
    banner.show_prediction(prediction("squatting"))
    assert banner.text() == "squatting" and "sure" in banner.detail.text()
    assert banner.label.font().pixelSize() >= 40  # readable across a room
    for state, words in (("no person", "no person"), ("warming up", "warming up…"), ("unknown", "unknown")):
        banner.show_prediction(prediction(state=state))
        assert banner.text() == words


def test_banner_shrinks_a_long_label_to_fit(qtbot):
    banner = LabelBanner()
    qtbot.addWidget(banner)
    banner.resize(300, 110)
    banner.show_prediction(prediction("a very long action label that does not fit", labels=(
        "a very long action label that does not fit", "other")))
    assert banner.label.font().pixelSize() < 64


def test_top_k_bars_show_five_labels_in_order_and_no_bars_for_states(qtbot):
    bars = TopKBars()
    qtbot.addWidget(bars)
    bars.resize(260, 320)
    bars.show_prediction(prediction("waving"))
    assert len(bars.rows) == 5 and bars.rows[0][0] == "waving"
    assert [s for _, s in bars.rows] == sorted((s for _, s in bars.rows), reverse=True)
    assert {label for label, _ in bars.rows} == set(LABELS_A)
    bars.grab()
    bars.show_prediction(prediction(state="no person"))
    assert bars.rows == []
