"""Text generation: grounded prompts, engines, the fact guard and the description cache."""
