"""A SAS transport file (.xpt, XPORT version 5 or 8) checked whole before it is read.

A transport file is a run of 80-byte cards: the library and member headers, one 140-byte
"namestr" per variable, then the observations of the member back to back, the last card padded
with blanks. Version 5 does not say how many observations it holds, and the reader (ReadStat,
through pyreadstat) reads whatever whole observations a cut file still has: a probe's export cut
by 433 bytes was read as 203 patients instead of 208, exit status 0, a different cohort.

So the file is checked first. Its size is whole cards; each member's data section is whole
observations and then fewer than 80 bytes of blanks (the padding); a version 8 member holds the
count its ``OBSV8`` header declares. Anything else is a file cut short, refused with what was
found. One cut cannot be seen: a version 5 file cut exactly where a card and an observation
both end (every lcm(80, observation length) bytes), with nothing after it to compare.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import SourceError

CARD = 80
_HEADER = b"HEADER RECORD*******"
_MEMBER = (b"MEMBER  HEADER", b"MEMBV8  HEADER")
_NAMESTR = (b"NAMESTR HEADER", b"NAMSTV8 HEADER")
_OBS = (b"OBS     HEADER", b"OBSV8   HEADER")


@dataclass(frozen=True)
class XportVariable:
    """One variable of a member: its name, whether it is a number, its width and its offset
    inside an observation."""

    name: str
    is_number: bool
    length: int
    position: int


@dataclass(frozen=True)
class XportMember:
    """One data set of a transport file: its variables, the observation width, where its data
    section starts and ends in the file, and (version 8) the count its header declares."""

    variables: tuple[XportVariable, ...]
    obs_length: int
    start: int
    end: int
    declared: int | None


def _card_kind(data: mmap.mmap | bytes, at: int, kinds: tuple[bytes, ...]) -> bool:
    card = data[at : at + CARD]
    return card.startswith(_HEADER) and card[20:34] in kinds


def _next_card(data: mmap.mmap | bytes, start: int, kinds: tuple[bytes, ...]) -> int:
    """The offset of the next header card of one of ``kinds`` at or after ``start`` (on a card
    boundary), or -1."""
    at = start
    while True:
        at = data.find(_HEADER, at)
        if at < 0:
            return -1
        if at % CARD == 0 and _card_kind(data, at, kinds):
            return at
        at += 1


def xport_members(data: mmap.mmap | bytes) -> list[XportMember]:
    """The members of a transport file's bytes (the first is the one the reader reads)."""
    members = []
    at = _next_card(data, 0, _MEMBER)
    while at >= 0:
        said_length = bytes(data[at + 74 : at + 78])
        namestr_length = int(said_length) if said_length.isdigit() else 140  # 136 on VAX
        names = _next_card(data, at, _NAMESTR)
        obs = _next_card(data, names, _OBS) if names >= 0 else -1
        if obs < 0:
            break
        section = data[names + CARD : obs]
        variables = []
        for i in range(len(section) // namestr_length):
            record = section[i * namestr_length : (i + 1) * namestr_length]
            kind = int.from_bytes(record[0:2], "big")
            if kind not in (1, 2):  # the blank padding after the last namestr
                break
            variables.append(
                XportVariable(
                    name=record[8:16].decode("latin-1").strip(),
                    is_number=kind == 1,
                    length=int.from_bytes(record[4:6], "big"),
                    position=int.from_bytes(record[84:88], "big"),
                )
            )
        following = _next_card(data, obs + CARD, _MEMBER)
        end = following if following >= 0 else len(data)
        said = bytes(data[obs + 48 : obs + CARD]).strip()
        declared = int(said) if said.isdigit() and int(said) > 0 else None
        width = max((v.position + v.length for v in variables), default=0)
        members.append(XportMember(tuple(variables), width, obs + CARD, end, declared))
        at = following
    return members


def refuse_cut_xport(path: Path) -> None:
    """Raise ``SourceError`` when the transport file at ``path`` is not whole (see the module
    doc); a file that is not a transport file is left to the reader's own message."""
    with open(path, "rb") as fh:
        if not fh.read(len(_HEADER)).startswith(_HEADER):
            return
        fh.seek(0)
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            size = len(data)
            members = xport_members(data)
            how = (
                "Export it again from SAS (or copy it again: an interrupted copy or download "
                "cuts a file short) and rerun."
            )
            if size % CARD:
                raise SourceError(
                    f"{path}: the SAS transport file is cut short: it is {size} bytes, not a "
                    f"whole number of its {CARD}-byte records (the last is {size % CARD} bytes "
                    f"long), so records at its end are missing. {how}"
                )
            for number, member in enumerate(members, start=1):
                if member.obs_length <= 0:
                    continue
                length = member.end - member.start
                if _whole_count(data, member, length) is not None:
                    continue
                whole, rest = divmod(length, member.obs_length)
                if (
                    member.declared is not None
                    and _whole_count(data, member, length, any_count=True) is not None
                ):
                    found = f"declares {member.declared} observation(s) but holds {whole}"
                else:
                    found = (
                        f"ends inside an observation (after {whole} whole observation(s) of "
                        f"{member.obs_length} bytes come {rest} bytes of a part of one, where "
                        f"only blank padding to the next {CARD}-byte record may follow)"
                    )
                raise SourceError(
                    f"{path}: the SAS transport file is cut short: data set {number} {found}. {how}"
                )


def _whole_count(
    data: mmap.mmap | bytes, member: XportMember, length: int, *, any_count: bool = False
) -> int | None:
    """The number of observations a data section of ``length`` bytes holds when it is whole
    observations, then blanks up to the end of their last card (an observation narrower than
    a card leaves room for more than one count: the one the header declares, else or with
    ``any_count`` any), or None."""
    width = member.obs_length
    for count in range(length // width, -1, -1):
        rest = length - count * width
        if rest >= CARD:
            return None
        if member.declared is not None and count != member.declared and not any_count:
            continue
        if not bytes(data[member.start + count * width : member.end]).strip(b" "):
            return count
    return None


__all__ = ["XportMember", "XportVariable", "refuse_cut_xport", "xport_members"]
