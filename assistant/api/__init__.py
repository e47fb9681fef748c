"""The HTTP API: thin routers over the same functions the CLI calls."""
