"""The Twisted face: Autobahn's ``autobahn.twisted`` API (Deferreds, ``inlineCallbacks``)
over the same session layer and native framers as the asyncio face.

Twisted is an optional dependency (``pywamp[twisted]``); only this package imports it.
"""
