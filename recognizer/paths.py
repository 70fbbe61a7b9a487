"""Where things live: bundled assets, and the user's own data (platformdirs)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
POSE_MODEL = ASSETS / "pose" / "pose_landmarker_full.task"
STARTER_MODEL = ASSETS / "models" / "starter.safetensors"
ICONS = ASSETS / "icons"  # liveaction.svg and its PNG renderings (packaging/render_icons.py)


def user_data() -> Path:
    """The user's liveaction folder (e.g. ~/.local/share/liveaction); created on first use."""
    path = user_data_path("liveaction", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_models() -> Path:
    """Models the user trained or imported."""
    path = user_data() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clip_library() -> Path:
    """Recorded clips: one Kinetics-skeleton JSON (and optional mp4) per clip."""
    path = user_data() / "clips"
    path.mkdir(parents=True, exist_ok=True)
    return path
