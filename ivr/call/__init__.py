"""Calls on a menu: one shared state machine per menu, one session per caller, typed events out."""

from ivr.call.clock import SimClock
from ivr.call.engine import Caller, Engine
from ivr.call.session import Call, CallOver

__all__ = ["Call", "CallOver", "Caller", "Engine", "SimClock"]
