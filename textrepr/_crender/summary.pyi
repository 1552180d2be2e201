# Compiled from textrepr/render/summary.py: the same interface.
from textrepr.render.summary import *  # noqa: F403
