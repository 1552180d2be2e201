from typing import Sequence

__all__ = ["estimate_with", "WEIGHT_COUNT"]

WEIGHT_COUNT: int

def estimate_with(text: str, w: Sequence[int]) -> int: ...
