"""Hostile folders and invocations (issue 12, classes 5 and 9): nothing is written where it must
not be, and every failure is located.

- an output folder that is read-only, on a read-only file system or a full disk, or blocked by a
  file where a folder should be (or a folder where a file goes) is one paragraph naming the
  path, the study-file key, what was being done and the fix; exit 2, no traceback, no partial
  output, the previous outputs kept byte for byte;
- the raw folder is only read: a read-only raw folder runs;
- ``retro synth`` refuses a raw folder holding a file it did not write, and writes nothing;
- a study file that is not one, and a bad command line, are located messages.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.run.cli import app
from tests.hostile._runs import (
    consistent,
    console_script,
    copy_study,
    flat,
    leftovers,
    tree,
    write_mini,
)

runner = CliRunner()
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> Path:
    """A mini study after a complete ``retro run`` (its root folder)."""
    root = tmp_path_factory.mktemp("done")
    res = runner.invoke(app, ["run", str(write_mini(root))])
    assert res.exit_code == 0, res.output
    assert consistent(root / "reports") == []
    return root


@pytest.fixture
def study(done, tmp_path) -> Path:
    """A fresh copy of the finished study; its study file."""
    return copy_study(done, tmp_path / "study")


def _state(root: Path) -> dict[str, dict[str, str]]:
    return {"processed": tree(root / "processed"), "reports": tree(root / "reports")}


def _refused(res, message: str) -> None:  # noqa: ANN001
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    text = flat(res.output)
    assert "error: " + flat(message) in text, text


# ------------------------------------------------------------ a file or folder in the way
@pytest.mark.parametrize(
    ("command", "blocked", "kind"),
    [
        ("run", "reports", "file"),  # paths.reports is a file
        ("clean", "processed", "file"),  # paths.processed is a file
        ("run", "reports/figures", "file"),  # a subfolder the run writes is a file
        ("tables", "reports/tables", "file"),
        ("run", "reports/report.pdf", "folder"),  # an output file's name is a folder
        ("run", "reports/manifest.json", "folder"),
        ("clean", "processed/patients.parquet", "folder"),
    ],
)
def test_something_in_the_way_is_located_and_nothing_changes(study, command, blocked, kind):
    root = study.parent.parent
    target = root / blocked
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    if kind == "file":
        target.write_text("not retro's", encoding="utf-8")
    else:
        (target / "keep").mkdir(parents=True)
    before = _state(root)
    res = runner.invoke(app, [command, str(study)])
    key = "paths." + blocked.split("/")[0]
    if kind == "file":
        code, why, fix = (
            "EEXIST" if "/" not in blocked else "ENOTDIR",
            f"{target} is a file where a folder is needed",
            "move or rename that file (retro does not delete files it did not write), or set "
            f"`{key}` to another folder; then rerun.",
        )
    else:
        code, why, fix = (
            "EISDIR",
            f"{target} is a folder where an output file goes",
            "move or rename that folder (retro does not delete folders it did not write), or "
            f"set `{key}` to another folder; then rerun.",
        )
    action = (
        "creating the output folder"
        if "/" not in blocked
        else "moving the new outputs into place; nothing was moved"
    )
    where = (
        f"It is the folder `{key}` of the study file."
        if "/" not in blocked
        else f"It lies in `{key}` of the study file ({root / key.removeprefix('paths.')})."
    )
    _refused(
        res,
        f"cannot write {target} ({action}): {why} [{code}]. {where} Nothing there was changed: "
        f"the previous outputs are kept. To fix it: {fix}",
    )
    assert _state(root) == before
    assert leftovers(root) == []


def test_a_file_in_place_of_a_parent_folder(study):
    root = study.parent.parent
    (root / "out").write_text("a file", encoding="utf-8")
    study.write_text(
        study.read_text(encoding="utf-8").replace("reports: reports", "reports: out/reports"),
        encoding="utf-8",
    )
    res = runner.invoke(app, ["figures", str(study)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    text = flat(res.output)
    assert f"cannot write {root / 'out' / 'reports'} (creating the output folder)" in text
    assert (
        f": {root / 'out'} is a file where a folder is needed [ENOTDIR]. It is the folder " in text
    )
    assert "`paths.reports` of the study file." in text
    assert (root / "out").read_text(encoding="utf-8") == "a file"


# ------------------------------------------------------------ folders that cannot be written
def _deny_writes(monkeypatch, folder: Path, code: int = errno.EACCES) -> None:  # noqa: ANN001
    """Every write, folder creation, rename or removal inside ``folder`` fails with ``code``
    (what a read-only folder does to a user who is not root; root is not stopped by chmod)."""
    folder = folder.resolve()

    def inside(p) -> bool:  # noqa: ANN001
        try:
            return Path(os.fspath(p)).resolve().is_relative_to(folder)
        except TypeError:
            return False

    def deny(p):  # noqa: ANN001, ANN202
        raise OSError(code, os.strerror(code), os.fspath(p))

    real = {
        "mkdir": os.mkdir,
        "open": builtins.open,
        "os_open": os.open,
        "replace": os.replace,
        "rename": os.rename,
        "unlink": os.unlink,
        "access": os.access,
    }

    def mkdir(p, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if inside(p) and not os.path.lexists(p):
            deny(p)
        return real["mkdir"](p, *a, **k)  # an existing folder: FileExistsError, as mkdir says

    def open_(file, mode="r", *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        writes = any(c in mode for c in "wax+")
        if writes and isinstance(file, str | os.PathLike) and inside(file):
            deny(file)
        return real["open"](file, mode, *a, **k)

    def os_open(p, flags, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(p):
            deny(p)
        return real["os_open"](p, flags, *a, **k)

    def two(name):  # noqa: ANN001, ANN202
        def move(src, dst, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
            if inside(src) or inside(dst):
                raise OSError(code, os.strerror(code), os.fspath(src), os.fspath(dst))
            return real[name](src, dst, *a, **k)

        return move

    def unlink(p, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        return deny(p) if inside(p) else real["unlink"](p, *a, **k)

    def access(p, mode, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if mode & os.W_OK and inside(p):
            return False
        return real["access"](p, mode, *a, **k)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(os, "replace", two("replace"))
    monkeypatch.setattr(os, "rename", two("rename"))
    monkeypatch.setattr(os, "unlink", unlink)
    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize(
    ("command", "folder", "code", "why", "fix"),
    [
        (
            "run",
            "reports",
            errno.EACCES,
            "permission denied ({folder} cannot be written by this user) [EACCES]",
            "make the folder writable (e.g. `chmod -R u+w {folder}`), or set `paths.reports` "
            "to a folder you can write; then rerun.",
        ),
        (
            "clean",
            "processed",
            errno.EPERM,
            "permission denied ({folder} cannot be written by this user) [EPERM]",
            "make the folder writable (e.g. `chmod -R u+w {folder}`), or set `paths.processed` "
            "to a folder you can write; then rerun.",
        ),
        (
            "run",
            "processed",
            errno.EROFS,
            "the file system holding it is read-only [EROFS]",
            "set `paths.processed` to a folder on a writable disk; then rerun.",
        ),
    ],
)
def test_a_folder_that_cannot_be_written(study, monkeypatch, command, folder, code, why, fix):
    root = study.parent.parent
    before = _state(root)
    _deny_writes(monkeypatch, root / folder, code)
    res = runner.invoke(app, [command, str(study)])
    monkeypatch.undo()
    _refused(  # the folder is named, not the staging folder retro tried to make in it
        res,
        f"cannot write {root / folder} (creating the output folder): "
        f"{why.format(folder=root / folder)}. It is the folder `paths.{folder}` of the study "
        f"file. Nothing there was changed: the previous outputs are kept. To fix it: "
        f"{fix.format(folder=root / folder)}",
    )
    assert _state(root) == before
    assert leftovers(root) == []


def test_a_subfolder_that_cannot_be_written_is_found_before_anything_moves(study, monkeypatch):
    root = study.parent.parent
    before = _state(root)
    real_access = os.access
    tables = (root / "reports" / "tables").resolve()

    def access(p, mode, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if mode & os.W_OK and Path(p).resolve() == tables:
            return False
        return real_access(p, mode, *a, **k)

    monkeypatch.setattr(os, "access", access)
    res = runner.invoke(app, ["run", str(study)])
    _refused(
        res,
        f"cannot write {tables} (moving the new outputs into place; nothing was moved): "
        f"permission denied ({root / 'reports'} cannot be written by this user) [EACCES].",
    )
    assert _state(root) == before
    assert leftovers(root) == []


@pytest.mark.skipif(ROOT_USER, reason="chmod does not stop root (simulated above)")
@pytest.mark.parametrize(("command", "folder"), [("run", "reports"), ("clean", "processed")])
def test_a_read_only_folder_for_real(study, command, folder):
    root = study.parent.parent
    before = _state(root)
    target = root / folder
    target.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        res = runner.invoke(app, [command, str(study)])
    finally:
        target.chmod(stat.S_IRWXU)
    _refused(res, f"cannot write {target}")
    assert "permission denied" in flat(res.output)
    assert _state(root) == before


# ------------------------------------------------------------ a full disk
def _half_then(code: int, *, errno_known: bool = True):  # noqa: ANN202
    """A writer that writes half a file and fails as a full disk does (no file named; a
    library may give no errno either, only the text)."""

    def write(target) -> None:  # noqa: ANN001
        with builtins.open(target, "wb") as fh:
            fh.write(b"half a file")
        if errno_known:
            raise OSError(code, os.strerror(code))
        raise OSError(f"Error writing bytes to file. Detail: [errno {code}] {os.strerror(code)}")

    return write


@pytest.mark.parametrize(
    ("command", "patch", "written", "why"),
    [
        # the report PDF, written in this process
        ("run", "pdf", "reports/report.pdf", "no space left on device (the disk is full)"),
        # a table's Word file
        ("run", "docx", "reports/tables/baseline.docx", "disk quota exceeded"),
        # a figure's PNG
        ("run", "png", "reports/figures/flow_diagram.png", "no space left on device"),
        # Parquet (pyarrow says it in words, without an errno)
        (
            "clean",
            "parquet",
            "processed/adverse_events.parquet",
            "error writing bytes to file. Detail: [errno 28] No space left on device",
        ),
    ],
)
def test_a_full_disk_is_located_and_keeps_the_previous_outputs(
    study, monkeypatch, command, patch, written, why
):
    import matplotlib.figure
    import weasyprint

    import analysis.clean.outputs
    import analysis.tables.office

    root = study.parent.parent
    before = _state(root)
    if patch == "pdf":
        fail = _half_then(errno.ENOSPC)
        monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda self, target, **k: fail(target))
    elif patch == "docx":
        real = analysis.tables.office.write_docx
        fail = _half_then(errno.EDQUOT)

        def docx(tables, path, **k):  # noqa: ANN001, ANN003, ANN202
            if Path(path).name == "baseline.docx":
                from analysis.write.atomic import atomic_path

                with atomic_path(path) as tmp:
                    fail(tmp)
            return real(tables, path, **k)

        monkeypatch.setattr(analysis.tables.office, "write_docx", docx)
    elif patch == "png":
        real_save = matplotlib.figure.Figure.savefig
        fail = _half_then(errno.ENOSPC)

        def savefig(self, fname, **k):  # noqa: ANN001, ANN003, ANN202
            if str(fname).endswith(".png") and "flow_diagram" in str(fname):
                return fail(fname)
            return real_save(self, fname, **k)

        monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    else:
        real_parquet = analysis.clean.outputs.write_parquet
        fail = _half_then(errno.ENOSPC, errno_known=False)

        def parquet(df, path):  # noqa: ANN001, ANN202
            if "adverse_events" in str(path):
                return fail(path)
            return real_parquet(df, path)

        monkeypatch.setattr(analysis.clean.outputs, "write_parquet", parquet)
    res = runner.invoke(app, [command, str(study)])
    key = written.split("/")[0]
    _refused(res, f"cannot write {root / written} (retro {command}, stage '")
    text = flat(res.output)
    assert why in text, text
    assert (
        f"It lies in `paths.{key}` of the study file ({root / key}). Nothing there was "
        "changed: the previous outputs are kept. To fix it:"
    ) in text
    assert _state(root) == before
    assert leftovers(root) == []


def test_moves_that_stop_half_way_say_which_outputs_are_new(study, monkeypatch):
    import analysis.write.staging

    root = study.parent.parent
    real = os.replace
    moves = {"n": 0}

    def replace(src, dst, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        if ".retro-staging-" in str(src) and ".retro-staging-" not in str(dst):
            moves["n"] += 1
            if moves["n"] == 3:
                raise OSError(errno.EIO, os.strerror(errno.EIO), os.fspath(src), os.fspath(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(analysis.write.staging.os, "replace", replace)
    res = runner.invoke(app, ["clean", str(study)])
    monkeypatch.undo()
    assert res.exit_code == 2, res.output
    text = flat(res.output)
    assert "moving the new outputs into place; 2 of 11 moved, the others are the previous ones" in (
        text
    )
    assert "[EIO]" in text
    assert "Nothing there was changed" not in text
    assert leftovers(root) == []


# ------------------------------------------------------------ the raw folder is only read
def test_a_read_only_raw_folder_runs_and_is_never_written(mini_study, monkeypatch):
    path = mini_study()
    raw = path.parent.parent / "raw"
    before = tree(raw)
    _deny_writes(monkeypatch, raw)
    res = runner.invoke(app, ["run", str(path)])
    monkeypatch.undo()
    assert res.exit_code == 0, res.output
    assert tree(raw) == before
    assert sorted(p.name for p in raw.iterdir()) == sorted(before)
    assert consistent(path.parent.parent / "reports") == []


@pytest.mark.skipif(ROOT_USER, reason="chmod does not stop root (simulated above)")
def test_a_read_only_raw_folder_for_real(mini_study):
    path = mini_study()
    raw = path.parent.parent / "raw"
    before = tree(raw)
    for p in [*raw.iterdir(), raw]:
        p.chmod(stat.S_IRUSR | (stat.S_IXUSR if p.is_dir() else 0))
    try:
        res = runner.invoke(app, ["run", str(path)])
    finally:
        raw.chmod(stat.S_IRWXU)
    assert res.exit_code == 0, res.output
    assert tree(raw) == before


# ------------------------------------------------------------ synth writes only its own files
@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    """A copy of the second shipped study (synthetic) whose twin writes two small files: the
    workbook the study reads and one more."""
    import analysis.datasets.low_dose_oral_minoxidil as twin

    (tmp_path / "studies").mkdir()
    shutil.copy(REPO / "studies" / "low_dose_oral_minoxidil.yaml", tmp_path / "studies")

    def write(config, out_dir):  # noqa: ANN001, ANN202
        out = Path(out_dir)
        (out / "sub").mkdir(parents=True, exist_ok=True)
        (out / "exportacao_ldom.xlsx").write_bytes(b"twin workbook")
        (out / "sub" / "doses.csv").write_bytes(b"id;dose\n1;0,5\n")
        return [out / "exportacao_ldom.xlsx", out / "sub" / "doses.csv"]

    monkeypatch.setattr(twin, "write_twin", write)
    return tmp_path / "studies" / "low_dose_oral_minoxidil.yaml"


def _synth(path: Path):  # noqa: ANN202
    return runner.invoke(app, ["synth", str(path)])


def _raw(path: Path) -> Path:
    return path.parent.parent / "data" / "raw" / "low_dose_oral_minoxidil"


@pytest.mark.parametrize(
    ("setup", "listed"),
    [
        # a real export copied into the synthetic study's raw folder
        (lambda raw: (raw / "real_export.csv").write_text("id\n1\n"), "real_export.csv (not "),
        # a synthetic file edited by hand after synth wrote it
        (
            lambda raw: (raw / "sub" / "doses.csv").write_bytes(b"id;dose\n1;5\n"),
            "sub/doses.csv (changed since synth wrote it)",
        ),
        # a real export in a subfolder
        (
            lambda raw: (
                (raw / "centre_c").mkdir() or (raw / "centre_c" / "x.sav").write_bytes(b"1")
            ),
            "centre_c/x.sav (not written by synth)",
        ),
        # a link (to a file synth would overwrite through it)
        (
            lambda raw: (raw / "link.csv").symlink_to(raw / "exportacao_ldom.xlsx"),
            "link.csv (not a regular file)",
        ),
    ],
)
def test_synth_refuses_a_folder_holding_files_it_did_not_write(synthetic, setup, listed):
    assert _synth(synthetic).exit_code == 0
    raw = _raw(synthetic)
    setup(raw)
    before = tree(raw)
    res = _synth(synthetic)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    text = flat(res.output)
    assert text.startswith(
        f"error: retro synth: the raw folder {raw} of study "
        f"'low_dose_oral_minoxidil' holds 1 file(s) that synth did not write: {listed}"
    ), text
    assert (
        "Synth writes nothing there, so that no real export is ever overwritten (there is no "
        "option to force it). If these are real exports, keep them and point a study file that "
        "says `synthetic: false` at them; to regenerate the synthetic twin here, first move "
        f"them out of {raw} (e.g. into a folder of their own), then rerun."
    ) in text
    assert tree(raw) == before
    assert leftovers(raw) == []


def test_synth_refuses_a_first_run_into_a_folder_of_real_exports(synthetic):
    raw = _raw(synthetic)
    raw.mkdir(parents=True)
    (raw / "exportacao_ldom.xlsx").write_bytes(b"a real workbook with the twin's name")
    res = _synth(synthetic)
    assert res.exit_code == 2
    assert (
        "holds 1 file(s) that synth did not write: exportacao_ldom.xlsx (not written by synth)"
        in flat(res.output)
    )
    assert (raw / "exportacao_ldom.xlsx").read_bytes() == b"a real workbook with the twin's name"
    assert sorted(p.name for p in raw.iterdir()) == ["exportacao_ldom.xlsx"]


def test_synth_replaces_its_own_files_and_ignores_system_files(synthetic):
    assert _synth(synthetic).exit_code == 0
    raw = _raw(synthetic)
    (raw / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    res = _synth(synthetic)
    assert res.exit_code == 0, res.output
    assert sorted(tree(raw)) == [
        ".DS_Store",
        ".synthetic-manifest.json",
        "exportacao_ldom.xlsx",
        "sub/doses.csv",
    ]


def test_synth_takes_a_folder_holding_exactly_its_files_without_a_manifest(tmp_path):
    # the real twin: a folder of exactly the bytes synth writes (as committed before manifests)
    (tmp_path / "studies").mkdir()
    shutil.copy(REPO / "studies" / "low_dose_oral_minoxidil.yaml", tmp_path / "studies")
    raw = tmp_path / "data" / "raw" / "low_dose_oral_minoxidil"
    raw.mkdir(parents=True)
    shipped = REPO / "data" / "raw" / "low_dose_oral_minoxidil" / "exportacao_ldom.xlsx"
    shutil.copy(shipped, raw)
    res = _synth(tmp_path / "studies" / "low_dose_oral_minoxidil.yaml")
    assert res.exit_code == 0, res.output
    assert sorted(tree(raw)) == [".synthetic-manifest.json", "exportacao_ldom.xlsx"]
    assert (raw / "exportacao_ldom.xlsx").read_bytes() == shipped.read_bytes()


# ------------------------------------------------------------ study files and command lines
def _bad_files(tmp: Path) -> dict[str, Path]:
    studies = tmp / "studies"
    studies.mkdir(exist_ok=True)
    text = write_mini(tmp).read_text(encoding="utf-8")
    files = {
        "empty": b"",
        "comments": b"# nothing here yet\n\n   \n",
        "binary": bytes(range(256)) * 4,
        "workbook": (
            REPO / "data" / "raw" / "low_dose_oral_minoxidil" / "exportacao_ldom.xlsx"
        ).read_bytes()[:4096],
        "nul": text.replace("title: Mini study", "title: Mini\0study").encode(),
        "latin1": text.replace("Mini study", "Mini étude").encode("latin-1"),
        "utf16": text.encode("utf-16"),
        "list": b"- study\n- paths\n",
    }
    out = {}
    for name, data in files.items():
        out[name] = studies / f"{name}.yaml"
        out[name].write_bytes(data)
    return out


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "study config not found: {path} (looked for "),
        ("folder", "{path} is a folder, not a study file (it holds "),
        ("empty", "{path}: the study file is empty (no keys, only blank lines or comments). Write"),
        ("comments", "{path}: the study file is empty (no keys, only blank lines or comments)."),
        ("binary", "{path}, line 2: the study file is not UTF-8 text (byte 0x80 at offset 128"),
        ("workbook", "{path}, line 1: the study file is not UTF-8 text (byte 0x"),
        ("nul", "{path}, line 3, column 14: the study file holds the control character U+0000"),
        ("latin1", "{path}, line 3: the study file is not UTF-8 text (byte 0xe9 at offset 34"),
        ("utf16", "{path}, line 1: the study file is UTF-16 text (it starts with a UTF-16"),
        ("list", "{path}: expected a mapping of top-level keys (`key: value` lines), found a list"),
        ("device", "{path} is not a regular file (a device, a pipe or a socket)"),
        ("pipe", "{path} is not a regular file (a device, a pipe or a socket)"),
    ],
)
def test_a_study_file_that_is_not_one_is_named(tmp_path, case, message):
    files = _bad_files(tmp_path)
    if case == "missing":
        path = tmp_path / "studies" / "nope.yaml"
    elif case == "folder":
        path = tmp_path / "studies"
    elif case == "device":
        path = Path(os.devnull)
    elif case == "pipe":
        path = tmp_path / "studies" / "pipe.yaml"
        os.mkfifo(path)  # reading it would wait for ever
    else:
        path = files[case]
    res = console_script("run", str(path), timeout=60)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert flat(res.stderr).startswith("error: " + flat(message.format(path=path)))


def test_a_study_file_with_a_byte_order_mark_is_read(tmp_path):
    path = write_mini(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    res = console_script("clean", str(path), timeout=120)
    assert res.returncode == 0, res.stderr
    assert "Rows read 22 = kept 20 + logged 2: balanced" in res.stdout


def test_a_path_with_spaces_and_accents(tmp_path):
    root = tmp_path / "Estudio ñandú é"
    path = write_mini(root)
    path = path.rename(path.with_name("mini étude.yaml"))
    res = console_script("clean", str(path), timeout=120)
    assert res.returncode == 0, res.stderr
    assert (root / "processed" / "patients.parquet").is_file()
    assert "Rows read 22 = kept 20 + logged 2: balanced" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate", "x.yaml"], "No such command 'frobnicate'."),
        (["run", "--frob", "x.yaml"], "No such option: --frob"),
        (["run", "x.yaml", "--suppress-below", "-1"], "Invalid value for '--suppress-below'"),
        (["run", "x.yaml", "--suppress-below", "abc"], "Invalid value for '--suppress-below'"),
        # 2**64 stopped the tables stage with an OverflowError after cleaning
        (
            ["report", "x.yaml", "--suppress-below", "18446744073709551616"],
            "Invalid value for '--suppress-below'",
        ),
        (["run", "x.yaml", "--jobs", "0"], "Invalid value for '--jobs'"),
        (["run"], "Missing argument 'study'."),
    ],
)
def test_a_bad_command_line_is_a_usage_message(args, message):
    res = console_script(*args, timeout=60)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr + res.stdout
    assert "Usage: retro " in res.stderr
    assert message in flat(res.stderr.replace("│", " "))


def test_the_module_entry_point_is_the_same_command(tmp_path):
    import sys

    res = subprocess.run(
        [sys.executable, "-m", "analysis", "clean", str(tmp_path / "nope.yaml")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert res.returncode == 2
    assert flat(res.stderr).startswith("error: study config not found:")
