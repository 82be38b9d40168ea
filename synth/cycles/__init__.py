"""The feedback cycle: review periods, expectations and key steps, self-assessments, feedback."""
