"""linalg kernels (numpy reference)."""
