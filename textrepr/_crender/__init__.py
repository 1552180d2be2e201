"""The renderers of ``textrepr.render``, compiled by Cython from the very same sources (setup.py).

Each module here is an extension built from ``textrepr/render/<name>.py`` under the name
``textrepr._crender.<name>``; its relative imports resolve to its compiled siblings and to the shared
``textrepr`` modules. In a pure install (no compiler, or ``TEXTREPR_NO_EXTENSIONS=1``) this package is
empty and ``textrepr.renderers`` selects ``textrepr.render`` itself.
"""
