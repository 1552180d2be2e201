#!/usr/bin/env python3
"""Developer view of the conformance suite: every failing golden/adversarial case with a diff.

    python scripts/check_goldens.py [SUBSTRING ...]   # only cases whose id contains a substring
    python scripts/check_goldens.py --list            # ids of failing cases only
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import conformance as c  # noqa: E402


def main(argv: list[str]) -> int:
    only_list = "--list" in argv
    filters = [a for a in argv if not a.startswith("--")]
    files = [(p, c.check_golden) for p in c.golden_files()] + [(p, c.check_adversarial) for p in c.adversarial_files()]
    failed = 0
    total = 0
    for path, check in files:
        cid = c.case_id(path)
        if filters and not any(f in cid for f in filters):
            continue
        total += 1
        try:
            problems = check(path)
        except Exception:
            problems = ["EXCEPTION\n" + traceback.format_exc(limit=6)]
        if problems:
            failed += 1
            if only_list:
                print(cid)
            else:
                print(f"=== FAIL {cid}")
                for p in problems[:5]:
                    print(p)
    print(f"{total - failed} passed, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
