# Compiled from textrepr/render/evaluation.py: the same interface.
from textrepr.render.evaluation import *  # noqa: F403
