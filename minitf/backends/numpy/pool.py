"""pool kernels (numpy reference)."""
