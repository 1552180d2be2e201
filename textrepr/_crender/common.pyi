# Compiled from textrepr/render/common.py: the same interface.
from textrepr.render.common import *  # noqa: F403
