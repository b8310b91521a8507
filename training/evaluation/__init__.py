"""Evaluation: five criteria with bootstrap intervals, BLEU/ROUGE-L, reports and charts."""
