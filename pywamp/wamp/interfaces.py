"""``autobahn.wamp.interfaces.ISession`` for type hints and ``isinstance``: pywamp's one
session class, from which the sessions of every face (asyncio, Twisted) derive."""

from pywamp.session import Session as ISession

__all__ = ("ISession",)
