"""Pure decisions about what the window opens first (tested without a camera or a window)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.sources import CAMERA, CLIP, STREAM, VIDEO, SourceSpec

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")


@dataclass(frozen=True)
class StartOptions:
    """What the command line asked for (`liveaction app --video … --model … --camera …`)."""

    video: Path | None = None
    model: Path | None = None
    camera: str | None = None  # a camera index ("0") or a stream URL


def requested_source(options: StartOptions, loop: bool, resolution: tuple[int, int] | None) -> SourceSpec | None:
    """The source named on the command line, if any."""
    if options.video is not None:
        return SourceSpec(CLIP if options.video.suffix.lower() == ".json" else VIDEO, str(options.video), loop=loop)
    if options.camera is not None:
        if options.camera.isdigit():
            return SourceSpec.camera(int(options.camera), resolution)
        return SourceSpec(STREAM, options.camera)
    return None


def remembered_source(remembered: SourceSpec | None) -> SourceSpec | None:
    """Last run's source, unless it was a file that is gone (cameras are tried when probed)."""
    if remembered is None or remembered.kind == CAMERA:
        return None
    if remembered.kind in (VIDEO, CLIP) and not Path(remembered.target).is_file():
        return None
    return remembered


def camera_to_open(cameras: list[int], remembered: SourceSpec | None,
                   resolution: tuple[int, int] | None) -> SourceSpec | None:
    """The remembered camera if it is still there, else the first camera found, else None."""
    if not cameras:
        return None
    if remembered is not None and remembered.kind == CAMERA and int(remembered.target) in cameras:
        return SourceSpec.camera(int(remembered.target), resolution)
    return SourceSpec.camera(cameras[0], resolution)


def model_to_load(options: StartOptions, remembered: str | None, starter: Path) -> Path:
    """The command line's model, else last run's model if it still exists, else the starter model."""
    if options.model is not None:
        return options.model
    if remembered is not None and Path(remembered).is_file():
        return Path(remembered)
    return starter


def dropped_kind(path: Path) -> str:
    """What a file dropped on the window is: "model", "clip" or "video"."""
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        return "model"
    if suffix == ".json":
        return "model" if path.with_suffix(".safetensors").is_file() else "clip"
    return "video"
