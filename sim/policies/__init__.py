"""Policies: what the authorities do, as registered kinds built from scenario entries."""

from sim.policies import (  # noqa: F401  (register the kinds)
    care,
    contacts,
    economy,
    grid_work,
    isolation,
    mobility,
    response,
    supply,
)
from sim.policies.base import REGISTRY, Policy, build_policy, register
from sim.policies.modifiers import DailyModifiers

__all__ = ["REGISTRY", "DailyModifiers", "Policy", "build_policy", "register"]
