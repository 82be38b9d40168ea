"""Idempotency keys: a retried POST replays the first response instead of writing twice."""
