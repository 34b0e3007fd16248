"""Controllers: the optional Python behaviour of a built-in DocType, called by the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from school_logistics.core.document import Doc


class Controller:
    """Lifecycle hooks; each runs inside the saving transaction, so raising undoes the save."""

    def validate(self, doc: Doc) -> None:
        """Compute derived values and check rules before every save."""

    def before_send(self, doc: Doc) -> None:
        """Check what a draft needs to be complete, which a draft being filled in may lack:
        when it is sent into its approval flow, and again when it is submitted."""

    def before_submit(self, doc: Doc) -> None:
        """Check rules that only apply when the document is submitted."""

    def on_submit(self, doc: Doc) -> None:
        """Post ledger entries and link documents after submission."""

    def on_cancel(self, doc: Doc) -> None:
        """Reverse what on_submit did."""


_controllers: dict[str, Controller] = {}
_default = Controller()


C = TypeVar("C", bound="Controller")


def register(doctype: str) -> Callable[[type[C]], type[C]]:
    """Class decorator: use this controller for a DocType (domain apps call it in ready())."""

    def wrap(cls: type[C]) -> type[C]:
        _controllers[doctype] = cls()
        return cls

    return wrap


def get_controller(doctype: str) -> Controller:
    return _controllers.get(doctype, _default)
