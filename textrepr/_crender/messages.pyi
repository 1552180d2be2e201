# Compiled from textrepr/render/messages.py: the same interface.
from textrepr.render.messages import *  # noqa: F403
