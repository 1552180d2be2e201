# Compiled from textrepr/render/span.py: the same interface.
from textrepr.render.span import *  # noqa: F403
