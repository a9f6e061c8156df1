"""Sans-IO WAMP client peer state: phase, request ids, request and handler tables, roles.

The session layer (``pywamp.session``) drives it and owns futures and I/O.
"""

from pywamp.protocol.peer import MAX_ID, ClientPeer, Phase
from pywamp.protocol.requests import PendingCall, PendingRequest
from pywamp.protocol.roles import CLIENT_ROLES, client_roles

__all__ = (
    "CLIENT_ROLES",
    "MAX_ID",
    "ClientPeer",
    "PendingCall",
    "PendingRequest",
    "Phase",
    "client_roles",
)
