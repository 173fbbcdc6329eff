"""Reading and writing: JSON Lines records (`jsonl`), output formats (`formats`, `views`, `tables`),
the command line's inputs (`extract_files`, `funding_files`), processes, Dask and datasets
(`scale`), and annotation tools (`convert`)."""
