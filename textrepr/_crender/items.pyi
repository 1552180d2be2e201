# Compiled from textrepr/render/items.py: the same interface.
from textrepr.render.items import *  # noqa: F403
