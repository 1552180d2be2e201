# Compiled from textrepr/render/tools.py: the same interface.
from textrepr.render.tools import *  # noqa: F403
