"""`with` for what holds connections: the clients of this package and the typed clients over them."""

from __future__ import annotations

from typing import TypeVar

Self = TypeVar("Self")


class Closing:
    """`with x:` gives `x` and closes it at the end (`close()`)."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: Self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing:
    """`async with x:` gives `x` and closes it at the end (`await aclose()`)."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self: Self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
