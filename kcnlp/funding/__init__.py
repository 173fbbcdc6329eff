"""Funding figures (the record's `state_vnd`, `counterpart_vnd`, `total_vnd` and `funding_checks`):
`splits` finds the amounts a text splits into parts and computes each event's figures; `table`
sums them over many documents (`kcnlp.funding_table`)."""
