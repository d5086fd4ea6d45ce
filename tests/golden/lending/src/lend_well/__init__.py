"""LendWell: the backend API."""
