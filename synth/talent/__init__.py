"""Talent mapping: private assessments by the management chain, pressure-tested by a partner."""
