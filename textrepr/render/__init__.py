"""Renderers: one module per event kind, plus the shared message/content/tool machinery.

Every renderer returns a *line list* (``list[str]``; an element may itself contain ``"\\n"``); the
API joins it with ``"\\n"``, finalises markers, numbers lines and samples.
"""
