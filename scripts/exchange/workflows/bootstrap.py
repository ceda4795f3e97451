"""What workflow modules import: ``from exchange.workflows.bootstrap import workflow, step``."""
from exchange.workflows.engine.instance import getWorkflows  # noqa: F401
from exchange.workflows.engine.registry import step, workflow  # noqa: F401

__all__ = ["workflow", "step", "getWorkflows"]
