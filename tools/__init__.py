"""The agent's tools: each declared once (typed arguments, docstring, typed result) in its module,
listed in :mod:`tools.registry`, and served to the offline planner and to LangChain alike."""
