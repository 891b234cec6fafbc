"""Exceptions raised for bad input. Each message says what, where, expected vs found, and the fix."""

from __future__ import annotations


class RetroError(Exception):
    """Base class of every error this toolkit raises on purpose."""


class ConfigError(RetroError):
    """The study YAML is unreadable, unsafe or does not match the config schema."""


class SourceError(RetroError):
    """A raw file cannot be read as configured (missing, empty, wrong encoding, missing sheet or column)."""


class UnmappedValuesError(RetroError):
    """Raw labels that no vocabulary synonym covers; lists every one with counts and rows."""

    def __init__(self, message: str, table: object = None) -> None:
        super().__init__(message)
        self.table = table


class PipelineError(RetroError):
    """A pipeline stage failed; the message names the stage."""


class ArgumentError(RetroError, ValueError):
    """A table or statistics function was given an argument its data cannot take: a level that
    is not there, a test that does not fit the groups, an unknown option. The message names
    the argument, what it got and what it takes."""


class UnknownNameError(RetroError, KeyError):
    """A table, figure or result looked up by a name the study does not have; the message lists
    the names there are."""

    def __str__(self) -> str:  # a KeyError shows its argument quoted, as a repr
        return str(self.args[0]) if self.args else ""


class ColumnError(RetroError, ValueError):
    """A table function was given a column name its data lack (or data it cannot read); the
    message names the function, the argument, the missing name and the columns there are."""
