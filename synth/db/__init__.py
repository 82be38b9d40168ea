"""Database: the embedded or configured PostgreSQL, sessions, ORM base and migrations."""
