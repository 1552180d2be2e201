# Compiled from textrepr/render/event.py: the same interface.
from textrepr.render.event import *  # noqa: F403
