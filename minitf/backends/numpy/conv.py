"""conv kernels (numpy reference)."""
