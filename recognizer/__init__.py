"""liveaction's recognition library: skeletons, pose, models, training and streaming.

Headless by design: nothing in this package imports Qt (a test checks it), so it runs in
training jobs, the CLI and tests without a display.
"""

__version__ = "0.1.0"
