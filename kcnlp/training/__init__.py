"""Training and evaluation: `train` (the model directory), `scoring` (the scores of
`corpus/GUIDELINES.md` §10), `evaluate` (reports with errors by class)."""
