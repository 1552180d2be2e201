# Compiled from textrepr/render/generation.py: the same interface.
from textrepr.render.generation import *  # noqa: F403
