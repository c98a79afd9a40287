"""Each user's to-do (待办) and the office's reminders (催办) to late units (docs/design.md §9.5)."""
