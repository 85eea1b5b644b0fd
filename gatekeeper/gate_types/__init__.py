"""Built-in gate types, one module per type (module name == function name == type name).

gatekeeper/run/registry.py finds them by listing this folder (a new module needs no reinstall);
modules without a function of their own name declared with ``@gate_type`` are helpers.
"""
