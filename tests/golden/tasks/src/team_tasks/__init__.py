"""TeamTasks: the backend API."""
