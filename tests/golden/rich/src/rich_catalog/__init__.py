"""RichCatalog: the backend API."""
