"""Nothing silent: study and claims files that lie or hang are refused with a message naming the
file, key and line; nothing is written among the raw exports; outputs are written whole or not at
all. Each case asserts the exact user-facing message."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

import analysis.write.atomic as atomic
from analysis.errors import ConfigError
from analysis.report import build, pdf
from analysis.report.claims import load_claims
from analysis.report.manifest import write_manifest
from analysis.studyfile.config import StudyConfig
from analysis.studyfile.yaml_lines import MAX_EXPANDED_VALUES, safe_load_with_lines
from analysis.write.atomic import write_text_atomic
from tests.conftest import MINI_YAML

REPO = Path(__file__).resolve().parents[2]


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first ``needle`` at or after character ``start``."""
    return text[: text.index(needle, start)].count("\n") + 1


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as exc:
        StudyConfig.load(path)
    return str(exc.value)


# ------------------------------------------------------------------ repeated keys
def test_repeated_vocabulary_is_refused_with_both_lines(mini_study):
    text = MINI_YAML.replace(
        "  baseline_grade:\n", "  sex:\n    levels: [male, female]\n  baseline_grade:\n", 1
    )
    path = mini_study(yaml=text)
    first = line_of(text, "  sex:\n    levels: [female")
    second = line_of(text, "  sex:\n    levels: [male, female]")
    assert load_error(path) == (
        f"{path}: key `vocabularies.sex` is given twice (lines {first} and {second}); YAML would "
        f"silently keep only the second. Merge the two into one or delete one of them."
    )


def test_two_derive_blocks_are_refused(mini_study):
    text = MINI_YAML + "derive:\n  schedule_months: [1, 3]\n"
    path = mini_study(yaml=text)
    first = line_of(text, "derive:")
    second = line_of(text, "derive:", text.index("derive:") + 1)
    assert (first, second) == (first, text.count("\n") - 1)
    assert load_error(path) == (
        f"{path}: key `derive` is given twice (lines {first} and {second}); YAML would silently "
        f"keep only the second. Merge the two into one or delete one of them."
    )


def test_repeated_key_inside_a_list_item_names_its_index():
    text = "inclusion:\n  - id: a\n    label: A\n    id: b\n"
    with pytest.raises(ConfigError) as exc:
        safe_load_with_lines(text, Path("s.yaml"))
    assert str(exc.value) == (
        "s.yaml: key `inclusion[0].id` is given twice (lines 2 and 4); YAML would silently keep "
        "only the second. Merge the two into one or delete one of them."
    )


def test_keys_spelled_differently_but_read_alike_are_one_key():
    with pytest.raises(ConfigError) as exc:
        safe_load_with_lines("levels:\n  1: a\n  0x1: b\n", Path("s.yaml"))
    assert str(exc.value) == (
        "s.yaml: key `levels.0x1` is given twice (lines 2 and 3); YAML would silently keep only "
        "the second. Merge the two into one or delete one of them."
    )


def test_repeated_key_in_a_claims_file_is_refused(tmp_path):
    path = tmp_path / "x.claims.yaml"
    path.write_text("study: x\nclaims: []\nstudy: y\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_claims(path)
    assert str(exc.value) == (
        f"{path}: key `study` is given twice (lines 1 and 3); YAML would silently keep only the "
        f"second. Merge the two into one or delete one of them."
    )


# ------------------------------------------------------------------ anchors and aliases
LAUGHS = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 10)
)


def test_billion_laughs_is_refused_quickly(mini_study):
    path = mini_study(yaml=MINI_YAML + LAUGHS)
    line = line_of(MINI_YAML + LAUGHS, "lol9:")
    assert load_error(path) == (
        f"{path}, line {line}: aliases expand to more than {MAX_EXPANDED_VALUES:,} values "
        f"(`*l8` alone to 1,111,111,111); a study file needs far fewer. Use anchors only to "
        f"repeat a short list or mapping, and do not nest aliases of aliases."
    )
    assert MAX_EXPANDED_VALUES == 100_000


def test_billion_laughs_in_a_claims_file_is_refused(tmp_path):
    path = tmp_path / "x.claims.yaml"
    path.write_text("study: x\nclaims: []\n" + LAUGHS, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_claims(path)
    assert str(exc.value).startswith(f"{path}, line 12: aliases expand to more than 100,000")


def test_anchor_that_contains_itself_is_refused(mini_study):
    text = MINI_YAML + "extra: &loop\n  - a\n  - *loop\n"
    path = mini_study(yaml=text)
    assert load_error(path) == (
        f"{path}, line {line_of(text, '*loop')}: alias `*loop` is used inside the value its "
        f"anchor `&loop` names, so the value would contain itself without end. Write the value "
        f"out instead of the alias."
    )


def test_mapping_anchor_that_contains_itself_is_refused():
    with pytest.raises(ConfigError) as exc:
        safe_load_with_lines("a: &m\n  b: 1\n  c: *m\n", Path("s.yaml"))
    assert str(exc.value) == (
        "s.yaml, line 3: alias `*m` is used inside the value its anchor `&m` names, so the value "
        "would contain itself without end. Write the value out instead of the alias."
    )


def test_ordinary_anchors_still_work(mini_study):
    text = MINI_YAML.replace("levels: [female, male]", "levels: &sexes [female, male]").replace(
        "levels: [cost, other]", "levels: [cost, other]\n  sex_copy:\n    levels: *sexes"
    )
    cfg = StudyConfig.load(mini_study(yaml=text))
    assert cfg.vocabularies["sex_copy"].levels == ["female", "male"]
    assert cfg.vocabularies["sex"].levels == ["female", "male"]


def test_the_shipped_study_shares_its_baseline_variables_by_anchor():
    cfg = StudyConfig.load(REPO / "studies" / "dutasteride_mesotherapy.yaml")
    tables = cfg.analysis.tables
    by_sex, by_group = tables["baseline_sex"], tables["baseline_therapy_group"]
    assert by_sex.variables == by_group.variables
    assert len(by_sex.variables) == 14


def test_repeated_aliases_below_the_limit_are_fine():
    text = "a: &a [1, 2, 3]\n" + "".join(f"b{i}: *a\n" for i in range(100))
    data, lines = safe_load_with_lines(text, Path("s.yaml"))
    assert data["b99"] == [1, 2, 3]
    assert lines[("b99",)] == 101


# ------------------------------------------------------------------ not UTF-8
def test_latin1_study_file_is_refused_with_line_and_offset(mini_study):
    path = mini_study()
    raw = MINI_YAML.encode("latin-1")
    path.write_bytes(raw)
    offset = raw.index("Varón".encode("latin-1")) + 3
    assert raw[offset] == 0xF3
    assert load_error(path) == (
        f"{path}, line {line_of(MINI_YAML, 'Varón')}: the study file is not UTF-8 text (byte "
        f"0xf3 at offset {offset} cannot be read). Save the file with the encoding UTF-8 (in "
        f"most editors: Save As > Encoding > UTF-8)."
    )


def test_latin1_claims_file_is_refused(tmp_path):
    path = tmp_path / "x.claims.yaml"
    path.write_bytes("study: x\nclaims: []\n# Mejoría\n".encode("latin-1"))
    with pytest.raises(ConfigError) as exc:
        load_claims(path)
    assert str(exc.value) == (
        f"{path}, line 3: the claims file is not UTF-8 text (byte 0xed at offset 27 cannot be "
        f"read). Save the file with the encoding UTF-8 (in most editors: Save As > Encoding > "
        f"UTF-8)."
    )


# ------------------------------------------------------------------ outputs outside raw/
def paths_yaml(processed: str, reports: str) -> str:
    return MINI_YAML.replace(
        "  processed: processed\n  reports: reports\n",
        f"  processed: {processed}\n  reports: {reports}\n",
    )


def test_processed_inside_raw_is_refused(mini_study, tmp_path):
    path = mini_study(yaml=paths_yaml("raw/processed", "reports"))
    root = tmp_path.resolve()
    assert load_error(path) == (
        f"{path.resolve()}: `paths.processed` (line 7, {root / 'raw' / 'processed'}) is inside "
        f"`paths.raw` (line 6, {root / 'raw'}); the run would write among the raw exports, "
        f"which must stay untouched. Give `paths.processed` a folder that neither is nor holds "
        f"nor lies inside `paths.raw` (e.g. data/processed/<study>)."
    )


def test_processed_equal_to_raw_is_refused(mini_study, tmp_path):
    path = mini_study(yaml=paths_yaml("./raw", "reports"))
    root = tmp_path.resolve()
    assert load_error(path) == (
        f"{path.resolve()}: `paths.processed` (line 7, {root / 'raw'}) is the same folder as "
        f"`paths.raw` (line 6, {root / 'raw'}); the run would write among the raw exports, "
        f"which must stay untouched. Give `paths.processed` a folder that neither is nor holds "
        f"nor lies inside `paths.raw` (e.g. data/processed/<study>)."
    )


def test_reports_holding_raw_is_refused(mini_study, tmp_path):
    path = mini_study(yaml=paths_yaml("processed", "."))
    root = tmp_path.resolve()
    assert load_error(path) == (
        f"{path.resolve()}: `paths.reports` (line 8, {root}) contains `paths.raw` (line 6, "
        f"{root / 'raw'}); the run would write among the raw exports, which must stay "
        f"untouched. Give `paths.reports` a folder that neither is nor holds nor lies inside "
        f"`paths.raw` (e.g. reports/<study>)."
    )


def test_sibling_folders_with_a_common_prefix_are_fine(mini_study, tmp_path):
    cfg = StudyConfig.load(mini_study(yaml=paths_yaml("raw_processed", "raw-reports")))
    assert cfg.processed_dir.resolve() == tmp_path.resolve() / "raw_processed"


# ------------------------------------------------------------------ atomic outputs
class _Interrupted(Exception):
    pass


def _failing_open(real_open):
    """``open`` whose files write the first 10 characters, then fail (a full disk, Ctrl-C)."""

    def fake(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        real_write = fh.write

        def write(data):
            real_write(data[:10])
            fh.flush()
            raise _Interrupted("disk full")

        fh.write = write
        return fh

    return fake


def _left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_text_written_atomically_replaces_the_previous_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    assert write_text_atomic(target, "new ✓") == target
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert _left_in(tmp_path) == ["report.html"]


def test_interrupted_text_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("previous report", encoding="utf-8")
    monkeypatch.setattr(atomic, "open", _failing_open(open), raising=False)
    with pytest.raises(_Interrupted):
        write_text_atomic(target, "<html>" + "x" * 1000)
    assert target.read_text(encoding="utf-8") == "previous report"
    assert _left_in(tmp_path) == ["report.html"]


def test_interrupted_manifest_keeps_the_previous_manifest(mini_study, tmp_path, monkeypatch):
    cfg = StudyConfig.load(mini_study())
    target = write_manifest(cfg, [], "retro run studies/mini.yaml")
    before = target.read_bytes()
    assert target == cfg.reports_dir / "manifest.json"
    monkeypatch.setattr(atomic, "open", _failing_open(open), raising=False)
    with pytest.raises(_Interrupted):
        write_manifest(cfg, [], "a different command")
    assert target.read_bytes() == before
    assert _left_in(cfg.reports_dir) == ["manifest.json"]


def test_interrupted_pdf_keeps_the_previous_pdf(tmp_path, monkeypatch):
    weasyprint = pytest.importorskip("weasyprint")
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF previous")

    def half_pdf(self, path, **kwargs):
        Path(path).write_bytes(b"%PDF-1.7 half")
        raise _Interrupted("killed")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", half_pdf)
    with pytest.raises(_Interrupted):
        pdf.html_to_pdf("<p>report</p>", target)
    assert target.read_bytes() == b"%PDF previous"
    assert _left_in(tmp_path) == ["report.pdf"]


def test_interrupted_docx_keeps_the_previous_docx(tmp_path, monkeypatch):
    target = tmp_path / "tables.docx"
    target.write_bytes(b"PK previous")
    written: list[Path] = []

    def half_docx(tables, path, **kwargs):
        written.append(Path(path))
        Path(path).write_bytes(b"PK half")
        raise _Interrupted("killed")

    monkeypatch.setattr(build, "write_docx", half_docx)
    study = SimpleNamespace(
        tables={}, reports_dir=tmp_path, config=SimpleNamespace(study=SimpleNamespace(title="T"))
    )
    with pytest.raises(_Interrupted):
        build.write_tables_docx(study)
    assert written[0].parent == tmp_path
    assert written[0].suffix == ".docx"
    assert written[0] != target
    assert target.read_bytes() == b"PK previous"
    assert _left_in(tmp_path) == ["tables.docx"]


def test_docx_written_whole_replaces_the_previous_one(tmp_path, monkeypatch):
    target = tmp_path / "tables.docx"
    target.write_bytes(b"PK previous")

    def docx(tables, path, **kwargs):
        Path(path).write_bytes(b"PK new")
        return Path(path)

    monkeypatch.setattr(build, "write_docx", docx)
    study = SimpleNamespace(
        tables={}, reports_dir=tmp_path, config=SimpleNamespace(study=SimpleNamespace(title="T"))
    )
    assert build.write_tables_docx(study) == target
    assert target.read_bytes() == b"PK new"
    assert _left_in(tmp_path) == ["tables.docx"]


def test_interrupted_text_leaves_no_temporary_when_the_folder_is_new(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "open", _failing_open(open), raising=False)
    target = tmp_path / "new" / "manifest.json"
    with pytest.raises(_Interrupted):
        write_text_atomic(target, textwrap.dedent("{}\n") * 10)
    assert _left_in(tmp_path / "new") == []
