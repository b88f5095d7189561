"""The one error hierarchy of dbt-cloud, and the exit code each error means.

Every failure a user can cause or meet ends as a `DbtCloudError`: the CLI prints its `message` (and
`hint`, when there is one) as a single line on stderr and exits with `exit_code`. A hint raised from
here is about the library's own terms; what to type on the command line (an option, an environment
variable, another command) is added by the command line (`dbt_cloud/cli/hints.py`), from the
attributes the errors carry. Nothing here may hold
the API token: messages are built from status codes, URLs and the server's own words only.
"""

from __future__ import annotations

EXIT_OK = 0
#: The API refused, the network failed, or a run failed or was cancelled.
EXIT_FAILURE = 1
#: Bad usage or bad input: nothing was sent, or nothing could be sent.
EXIT_USAGE = 2


class DbtCloudError(Exception):
    """Base class: one line for the user and the exit code it stands for."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The error as the CLI prints it: message, then what to do next."""
        text = " ".join(self.message.split())
        if self.hint:
            return f"{text} ({self.hint})"
        return text

    def __str__(self) -> str:
        return self.one_line()


# --- usage: exit 2 -----------------------------------------------------------------------------


class UsageError(DbtCloudError):
    """The command line or its input is wrong; nothing was sent."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A setting such as the token or the account id is missing or malformed."""

    def __init__(self, message: str, *, setting: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        #: The setting at fault (`api_token`, `account_id`, `dbt_cloud_host`, `profile`), so that
        #: the command line can say where to give it.
        self.setting = setting


class InputError(UsageError):
    """An option value failed validation, or a file it names cannot be read."""


# --- the API answered, but refused: exit 1 -----------------------------------------------------


class APIError(DbtCloudError):
    """Anything that went wrong talking to dbt Cloud."""


class APIStatusError(APIError):
    """The server answered with a status code that is not a success."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        url: str,
        body: object = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code
        self.method = method
        self.url = url
        self.body = body


class BadRequestError(APIStatusError):
    """400: the server rejected the request's content."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the token may not do this (often: another account's token)."""


class NotFoundError(APIStatusError):
    """404: no such object, or no such endpoint on this host."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the object's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the server understood the request but will not process it."""


class RateLimitError(APIStatusError):
    """429: too many requests, and retries did not get through."""


class ServerError(APIStatusError):
    """5xx: dbt Cloud failed; retries did not get through."""


class InvalidResponseError(APIError):
    """The server answered, but not with what the API promises (not JSON, no envelope, ...)."""


class NotTheApiError(InvalidResponseError):
    """What answered is not the dbt Cloud API (a web page, JSON without the API's envelope): most
    often the host is not a dbt Cloud host."""


class APIConnectionError(APIError):
    """The server could not be reached: refused, unknown host, TLS failure, reset."""

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        port: int | None = None,
        reason: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.host = host
        self.port = port
        #: "refused", "unknown_host", "tls", "timeout", "broken" or "unconfirmed" (None: other).
        self.reason = reason


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout."""


class RunFailedError(DbtCloudError):
    """A dbt Cloud run ended in error or was cancelled."""


class RunTimeoutError(DbtCloudError):
    """A run did not finish within the time the caller was willing to wait."""

    def __init__(self, message: str, *, run_id: int, last_status: int | None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.run_id = run_id
        self.last_status = last_status


class OutputWriteError(DbtCloudError):
    """The answer could not be written where it was asked for: the disk is full (`/dev/full`), the
    reader of a pipe went away, the file cannot be opened. Exit 1, as a failed download."""


class PartialFailureError(APIError):
    """A command acting on many items (delete-all, cancel-all, several downloads) tried them all,
    and some failed."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class that stands for an HTTP status code."""
    if status_code >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)
