"""ignition-workflows 0.3.6's ``exchange.workflows.is88`` package, kept at the
same path so its users' imports work (docs/migrating-from-0.3.md)."""
