"""FastAPI application: thin routes over the domain services."""
