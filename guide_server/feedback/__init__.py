"""Visitors' ratings and curators' corrections, stored for the next round of training."""
