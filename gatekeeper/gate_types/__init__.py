"""Built-in gate types, one module per type (module name == function name == type name).

They are registered through the ``gatekeeper.gate_types`` entry points in pyproject.toml.
"""
