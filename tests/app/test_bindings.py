"""The Qt binding the app runs on must not corrupt the interpreter.

PySide6 6.12.0 on Python 3.11 loses a reference to None on every Qt call; the app (and this
test suite) then abort with "deallocating None" after a few thousand calls. The other app
tests skip on such a binding (see conftest) so that this is the one failure that says why.
"""

def test_qt_calls_keep_python_none_intact(qt_binding):
    assert qt_binding is None, qt_binding
