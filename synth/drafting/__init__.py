"""Drafting: syntheses, SMART expectation suggestions and evidence checklists, behind approval."""
