"""The service layer: queries and changes, scoped by the caller's access."""
