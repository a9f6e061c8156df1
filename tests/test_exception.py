"""The exception hierarchy: Autobahn's names and printing, pywamp's transport errors."""

from autobahn.wamp import exception as autobahn

from pywamp import exception as exc


def test_hierarchy_matches_autobahn() -> None:
    for cls in (
        exc.SessionNotReady,
        exc.SerializationError,
        exc.InvalidUriError,
        exc.ProtocolError,
        exc.TransportLost,
        exc.ApplicationError,
        exc.TransportError,
    ):
        assert issubclass(cls, exc.Error)
    assert issubclass(exc.Error, RuntimeError)
    assert issubclass(exc.HandshakeError, exc.TransportError)


def test_application_error_prints_like_autobahn() -> None:
    ours = exc.ApplicationError("com.myapp.error", 1, "two", detail=3)
    theirs = autobahn.ApplicationError("com.myapp.error", 1, "two", detail=3)
    assert str(ours) == str(theirs)
    assert ours.error_message() == theirs.error_message()
    assert (ours.error, ours.args, ours.kwargs) == (theirs.error, theirs.args, theirs.kwargs)


def test_uri_constants_match_autobahn() -> None:
    names = [n for n in dir(autobahn.ApplicationError) if n.isupper()]
    assert names
    for name in names:
        assert getattr(exc.ApplicationError, name) == getattr(autobahn.ApplicationError, name)


def test_transport_errors_carry_codes() -> None:
    err = exc.HandshakeError("bad magic", code=3)
    assert err.code == 3 and err.messages == [] and err.close_code is None
    assert exc.TransportError("too big", close_code=1009).close_code == 1009
