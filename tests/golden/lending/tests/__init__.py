"""The service's own tests; they run against the PostgreSQL in DATABASE_URL."""
