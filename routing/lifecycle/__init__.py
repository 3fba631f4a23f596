"""The work-order state machine: states, the transition table, guards and transition records."""

from routing.lifecycle.rules import DEFAULT_REVIEW_REASONS, LifecycleRules, OrderFacts, check_reason
from routing.lifecycle.states import OrderState
from routing.lifecycle.transitions import (
    TRANSITIONS,
    Actor,
    ActorNotAllowed,
    InvalidTransition,
    RuleViolation,
    TransitionError,
    UnknownAction,
    allowed_actions,
    apply,
)

__all__ = [
    "DEFAULT_REVIEW_REASONS",
    "TRANSITIONS",
    "Actor",
    "ActorNotAllowed",
    "InvalidTransition",
    "LifecycleRules",
    "OrderFacts",
    "OrderState",
    "RuleViolation",
    "TransitionError",
    "UnknownAction",
    "allowed_actions",
    "apply",
    "check_reason",
]
