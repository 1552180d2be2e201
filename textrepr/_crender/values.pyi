# Compiled from textrepr/render/values.py: the same interface.
from textrepr.render.values import *  # noqa: F403
