"""Speed, memory, cold start and artifact size of the thumbnail function, beside plain Pillow and libvips."""
