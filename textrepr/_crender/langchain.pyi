# Compiled from textrepr/render/langchain.py: the same interface.
from textrepr.render.langchain import *  # noqa: F403
