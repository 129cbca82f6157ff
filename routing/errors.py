"""Domain exceptions of the planning core.

Each subclasses a builtin so callers that do not know this module still catch
them sensibly. The HTTP layer maps these classes to status codes in one table
(``app/errors.py``); the message of each is safe to show to a client.
"""

from __future__ import annotations


class RelosError(Exception):
    """Base class of every domain error; ``field`` names the offending input, and
    ``candidates`` the ids it may have meant (an unknown or ambiguous name)."""

    def __init__(
        self, message: str, *, field: str | None = None, candidates: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.candidates = candidates or []

    def __reduce__(self) -> tuple[object, ...]:
        # keyword-only fields survive a trip to another process and back (pickle)
        return (_restore, (type(self), self.message), dict(self.__dict__))


def _restore(cls: type[RelosError], message: str) -> RelosError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    return err


class UnknownFacilityError(RelosError, LookupError):
    """A facility id that is not in the catalogue."""


class UnknownAgreementError(RelosError, LookupError):
    """An agreement id that is not in the registry."""


class UnknownPlatformError(RelosError, LookupError):
    """A platform id that is not in the registry."""


class UnknownPassageError(RelosError, ValueError):
    """A passage name that the sea graph does not know."""


class AmbiguousNameError(RelosError, LookupError):
    """A name that fits several records (``"Vladivostok"``: the naval base and the port);
    ``candidates`` lists their ids."""


class InvalidInputError(RelosError, ValueError):
    """A syntactically valid value that makes no sense (empty bbox, latitude 91...)."""


class OnLandError(RelosError, ValueError):
    """A coordinate given as a sea point lies on land.

    ``nearest_sea`` is the nearest sea point (lon, lat) and ``distance_nm`` the
    distance to it.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        nearest_sea: tuple[float, float] | None = None,
        distance_nm: float | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.nearest_sea = nearest_sea
        self.distance_nm = distance_nm


class NoRouteError(RelosError, ValueError):
    """No sea route exists under the given closures; ``closures`` names what cut it off."""

    def __init__(
        self, message: str, *, field: str | None = None, closures: list[str] | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.closures = closures or []


class InfeasiblePlanError(RelosError, ValueError):
    """No deployment plan satisfies the constraints."""


class DataValidationError(RelosError, ValueError):
    """A shipped or user-supplied data file breaks an invariant; the message names the record."""


class UnknownRecordError(RelosError, LookupError):
    """No saved record (scenario, plan) with that id."""


class ConflictError(RelosError, ValueError):
    """A unique value (a scenario's name) that another record already has."""


class BudgetExceededError(RelosError, TimeoutError):
    """A computation that ran past the time budget of its request."""


class StaleVersionError(ConflictError):
    """A write that names a version of a record other than its current one (another
    client changed it in between)."""


class PreconditionRequiredError(RelosError, ValueError):
    """A write that must say which version of a record it replaces, and did not."""


class ServiceUnavailableError(RelosError, RuntimeError):
    """A part of the service this answer needs is not loaded (the sea graph, the store)."""


class UnauthenticatedError(RelosError, PermissionError):
    """A request that needs credentials and came without valid ones (401)."""


class ForbiddenError(RelosError, PermissionError):
    """A caller whose role or ownership does not allow this (403)."""


class RateLimitedError(RelosError, RuntimeError):
    """A caller over its request rate; ``retry_after`` seconds until it may go on (429)."""

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
