"""The instruction dataset: examples composed from the catalogue, split by exhibit."""
