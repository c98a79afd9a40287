"""The audit trail (操作日志, docs/design.md §10): declared actions, recording and sealing, reading,
verifying."""
