__all__ = ["cut_chars", "scan_template", "OPEN", "CLOSE"]

OPEN: str
CLOSE: str

def cut_chars(texts: list[str], prefixes: list[int], cap: int, numbered: bool) -> tuple[int, int, int, int]: ...
def scan_template(template: str, count: int) -> tuple[list[str], list[str], list[str], int, int]: ...
