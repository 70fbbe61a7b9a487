"""liveaction's desktop app (PySide6): thin views over what `recognizer` emits.

Depends on `recognizer`, never the other way round. Workers (capture, pose, model
loading) run off the GUI thread and hand plain data (numpy arrays, frozen dataclasses)
to the views through Qt signals; the GUI thread only draws.
"""
