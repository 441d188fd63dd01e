"""The connectors that ship with unsilo, one module per network (found through the entry
points in pyproject.toml, like any other plug-in), and the demo connector."""
