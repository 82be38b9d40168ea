"""Column types shared by the capability models."""

import enum
from typing import Any

from sqlalchemy import Enum


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """A VARCHAR + CHECK enum column: adding a value later is a plain migration."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


def enum_values(enum_cls: type[enum.StrEnum]) -> list[Any]:
    """The stored values of an enum, for messages."""
    return [m.value for m in enum_cls]
