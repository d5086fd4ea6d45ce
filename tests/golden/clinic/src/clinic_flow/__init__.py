"""ClinicFlow: the backend API."""
