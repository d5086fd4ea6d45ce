"""Mail: the outbox the app writes to, the tokens its links carry, the worker that sends."""
