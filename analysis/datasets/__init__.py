"""Synthetic twins of the shipped studies; not imported by the pipeline stages."""
