"""Training: dataset, LoRA/QLoRA tuning, evaluation and model selection for the guide's SLM."""
