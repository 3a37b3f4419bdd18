"""nn kernels (numpy reference)."""
