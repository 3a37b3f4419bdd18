"""embedding layers (filled in by the layer-family work)."""
__all__: list[str] = []
