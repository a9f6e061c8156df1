"""Autobahn's ``autobahn.twisted.util``: ``sleep`` for ``inlineCallbacks`` code."""

from __future__ import annotations

from pywamp.twisted._adapter import sleep

__all__ = ("sleep",)
