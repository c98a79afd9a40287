"""The campaign in the browser, one module per step (DESIGN.md §1 "三个步骤")."""
