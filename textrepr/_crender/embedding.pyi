# Compiled from textrepr/render/embedding.py: the same interface.
from textrepr.render.embedding import *  # noqa: F403
