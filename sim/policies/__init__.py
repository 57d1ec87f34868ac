"""Policies: what the authorities do, as registered kinds built from scenario entries."""

from sim.policies import care, contacts, isolation, response  # noqa: F401  (register the kinds)
from sim.policies.base import REGISTRY, DailyModifiers, Policy, build_policy, register

__all__ = ["REGISTRY", "DailyModifiers", "Policy", "build_policy", "register"]
