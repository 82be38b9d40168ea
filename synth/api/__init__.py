"""The HTTP face: FastAPI app, versioned under /v1. Parsing and formatting only."""
