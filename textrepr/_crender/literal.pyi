# Compiled from textrepr/render/literal.py: the same interface.
from textrepr.render.literal import *  # noqa: F403
