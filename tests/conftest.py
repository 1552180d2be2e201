from __future__ import annotations

import sys
from pathlib import Path

# conformance.py is a shared helper module, not a test file.
sys.path.insert(0, str(Path(__file__).parent))
