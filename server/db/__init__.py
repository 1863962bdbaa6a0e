"""Database helpers that differ per backend live here, one function per dialect."""
