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


class ColumnError(RetroError, ValueError):
    """A table function was given a column name its data lack (or data it cannot read); the
    message names the function, the argument, the missing name and the columns there are."""
