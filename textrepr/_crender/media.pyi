# Compiled from textrepr/render/media.py: the same interface.
from textrepr.render.media import *  # noqa: F403
