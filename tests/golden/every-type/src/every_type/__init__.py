"""every-type: the backend API."""
