"""Passwords, sessions and CSRF protection."""
