"""Reading, writing, augmenting and generating skeleton sequences `float32 (C, T, V, M)`."""
