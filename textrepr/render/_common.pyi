from textrepr.options import Options

__all__ = ["EQ", "SEP", "tr"]

SEP: str
EQ: str

def tr(s: str, o: Options) -> list[str]: ...
