# Compiled from textrepr/render/error_body.py: the same interface.
from textrepr.render.error_body import *  # noqa: F403
