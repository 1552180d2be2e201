# Compiled from textrepr/render/content.py: the same interface.
from textrepr.render.content import *  # noqa: F403
