"""The exceptions of pywamp.wamp.exception against autobahn.wamp.exception."""

from __future__ import annotations

from autobahn.wamp import exception as ab

from pywamp import exception as core
from pywamp.wamp import exception


def test_every_autobahn_exception_name_exists() -> None:
    for name in ab.__all__:
        assert hasattr(exception, name), name
    for name in ("Error", "ApplicationError", "InvalidUri", "ProtocolError", "TransportLost"):
        assert getattr(exception, name) is getattr(core, name)  # one hierarchy, re-exported


def test_uri_mapped_exceptions_carry_autobahn_uris() -> None:
    for name in ("NotAuthorized", "InvalidPayload", "InvalidUri"):
        ours = getattr(exception, name)._wampuris
        theirs = getattr(ab, name)._wampuris
        assert [p.uri() for p in ours] == [p.uri() for p in theirs]
        assert ours[0].is_exception()
    assert issubclass(exception.NotAuthorized, Exception)


def test_type_check_error_like_autobahn() -> None:
    ours = exception.TypeCheckError("bad type for x", expected="int")
    theirs = ab.TypeCheckError("bad type for x", expected="int")
    assert str(ours) == str(theirs) and ours.error == theirs.error
    assert isinstance(ours, exception.ApplicationError)


def test_canceled_error_is_the_canceled_application_error() -> None:
    err = exception.CanceledError("call was canceled", reason="timeout")
    theirs = ab.ApplicationError(
        ab.ApplicationError.CANCELED, "call was canceled", reason="timeout"
    )
    assert isinstance(err, exception.ApplicationError)
    assert err.error == "wamp.error.canceled" == exception.ApplicationError.CANCELED
    assert str(err) == str(theirs)
    assert err.args == ("call was canceled",) and err.kwargs == {"reason": "timeout"}
    assert exception.CanceledError().error_message() == "wamp.error.canceled: "
