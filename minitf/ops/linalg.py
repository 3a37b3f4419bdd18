"""linalg ops (filled in by the op-family work)."""
__all__: list[str] = []
