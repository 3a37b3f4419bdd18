"""Root conftest: import minitf once before pytest collects doctests from its modules."""
import minitf  # noqa: F401
