"""People, the org chart and the leveling framework."""
