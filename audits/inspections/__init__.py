"""The scheduled inspections (定期巡查): rules, runs, findings, rectification notices, the daily
schedule (docs/design.md §7)."""
