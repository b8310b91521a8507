"""Narration: descriptions and answers from the engine, with cache and fact-guard policy."""
