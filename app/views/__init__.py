"""Widgets that show what the workers and the engine emit; each subscribes, none polls."""
