"""Text generation: grounded prompts, the engines and their model files."""
