"""Events for other tools: a transactional outbox and signed webhook deliveries."""
