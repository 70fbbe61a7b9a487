"""The one error type the library raises for problems a user can cause.

The CLI and the app catch `LiveactionError` and show its message as one line; anything
else is a bug and keeps its traceback.
"""


class LiveactionError(Exception):
    """A user-facing problem (bad file, missing camera, wrong model) with a one-line message."""


class BadFileError(LiveactionError):
    """A file that is missing, unreadable, truncated or not of the expected kind."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
