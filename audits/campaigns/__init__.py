"""The three-step clean-up campaign (清理整顿专项行动): campaigns, applications, meetings and decisions,
closure orders (docs/design.md §1.3)."""
