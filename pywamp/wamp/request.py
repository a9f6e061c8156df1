"""``autobahn.wamp.request``: what ``register``, ``subscribe`` and an acknowledged
``publish`` give back."""

from pywamp.handles import Registration, Subscription
from pywamp.wamp.types import Publication

__all__ = ("Publication", "Registration", "Subscription")
