# Trained kcnlp models; installed as the package `kcnlp.models` (see pyproject.toml).
# `default/` is what kcnlp.extract uses when no model is named.
