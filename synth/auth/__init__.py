"""API keys, principals and roles."""
