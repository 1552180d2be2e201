# Compiled from textrepr/render/trace.py: the same interface.
from textrepr.render.trace import *  # noqa: F403
