"""`retro notebooks`: reruns a folder of notebooks on a study and checks their numbers against
the package; a notebook whose numbers differ, or that fails, makes the command exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from typer.testing import CliRunner

from analysis.run.cli import app

runner = CliRunner()

PARAMETERS = 'study_path = ""\nard_out = ""'
SHOW_AE = """\
from analysis.write.parquet import write_parquet
from analysis.run.study import Study

study = Study.load(study_path)
frame = study.tables["ae_incidence"].frame.copy()
frame.loc[frame["stat"] == "n", "value"] += {shift}
if ard_out:
    write_parquet(frame, ard_out)
"""


def _notebook(folder: Path, name: str, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


def test_notebooks_are_rerun_and_their_numbers_checked(mini_study, tmp_path):
    study = mini_study()
    folder = tmp_path / "nbs"
    _notebook(folder, "01-ae.ipynb", SHOW_AE.format(shift=0))
    res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "01-ae.ipynb" in res.output and "yes" in res.output
    executed = study.parent.parent / "reports"
    copies = list(executed.rglob("notebooks/01-ae.ipynb"))
    assert len(copies) == 1
    outputs = [c for c in nbformat.read(copies[0], as_version=4).cells if c.cell_type == "code"]
    assert outputs[0].execution_count is not None  # an executed copy, kept for reviewers


def test_a_notebook_with_other_numbers_fails_the_command(mini_study, tmp_path):
    study = mini_study()
    folder = tmp_path / "nbs"
    _notebook(folder, "01-ae.ipynb", SHOW_AE.format(shift=0))
    _notebook(folder, "02-wrong.ipynb", SHOW_AE.format(shift=1))
    _notebook(folder, "03-broken.ipynb", "raise ValueError('no such table')")
    res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "2"])
    assert res.exit_code == 1, res.output
    lines = {line.split("│")[1].strip(): line for line in res.output.splitlines() if "│" in line}
    assert "yes" in lines["01-ae.ipynb"]
    assert "values differ" in lines["02-wrong.ipynb"]
    assert "ValueError" in lines["03-broken.ipynb"]


def test_executed_copies_show_no_path_of_the_machine_and_repeat_byte_for_byte(mini_study, tmp_path):
    # the copies under reports/<study>/notebooks/ may be shared: no absolute path (a user name
    # under /home), no temporary file, no time of execution; a rerun writes the same bytes
    study = mini_study()
    folder = tmp_path / "nbs"
    _notebook(folder, "01-ae.ipynb", SHOW_AE.format(shift=0) + "print(study_path)")
    copies = []
    for _ in range(2):
        res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "1"])
        assert res.exit_code == 0, res.output
        [copy] = (tmp_path / "reports").rglob("notebooks/01-ae.ipynb")
        copies.append(copy.read_bytes())
    text = copies[0].decode()
    assert str(tmp_path) not in text
    assert "retro-notebooks-" not in text  # the temporary ard_out
    nb = json.loads(text)
    assert nb["metadata"]["papermill"]["input_path"] == "nbs/01-ae.ipynb"
    assert nb["metadata"]["papermill"]["parameters"] == {"study_path": "../studies/mini.yaml"}
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"]  # the kernel's iopub / shell times
        times = cell["metadata"]["papermill"]
        assert times["start_time"] is times["end_time"] is times["duration"] is None
    assert copies[0] == copies[1]


def test_no_notebooks_is_an_error(mini_study, tmp_path):
    res = runner.invoke(app, ["notebooks", str(mini_study()), "--folder", str(tmp_path)])
    assert res.exit_code == 2
    assert "no notebooks" in res.output


def test_execute_notebooks_keeps_what_kernels_print_in_each_runs_log(tmp_path, capfd):
    from analysis.run.notebooks import execute_notebooks, kernel_for_this_python

    folder = tmp_path / "nbs"
    body = "import os, sys\nos.write(2, b'kernel-stderr-{n}\\n')\nprint('cell-output-{n}')"
    _notebook(folder, "01-a.ipynb", body.format(n=1))
    _notebook(folder, "02-b.ipynb", body.format(n=2) + "\nraise ValueError('boom')")
    runs = execute_notebooks(
        sorted(folder.glob("*.ipynb")),
        tmp_path / "out",
        parameters={"study_path": tmp_path / "s.yaml"},  # a Path is passed as text
        kernel=kernel_for_this_python(),
        jobs=2,
    )
    assert runs["01-a"].ok and runs["01-a"].errors == ()
    assert "kernel-stderr-1" in runs["01-a"].log
    assert not runs["02-b"].ok
    assert [e.split(": ", 1)[1] for e in runs["02-b"].errors] == ["ValueError: boom"]
    assert "kernel-stderr-2" in runs["02-b"].log
    printed = capfd.readouterr()
    assert "kernel-stderr" not in printed.out + printed.err
    executed = nbformat.read(runs["01-a"].output, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert f'study_path = "{tmp_path / "s.yaml"}"' in injected[0].source
    assert [o.get("text") for o in executed.cells[-1].outputs] == ["cell-output-1\n"]


def test_no_copy_is_in_the_shareable_folder_while_a_notebook_runs(tmp_path):
    # papermill wrote its copy into reports/<study>/notebooks/ as the cells ran, with this
    # machine's paths and times: an interrupted run left it there
    from analysis.run.notebooks import execute_notebooks, kernel_for_this_python

    folder, out = tmp_path / "nbs", tmp_path / "out"
    _notebook(folder, "01-a.ipynb", f"import os\nprint(sorted(os.listdir({str(out)!r})))")
    runs = execute_notebooks([folder / "01-a.ipynb"], out, kernel=kernel_for_this_python(), jobs=1)
    assert runs["01-a"].ok
    executed = nbformat.read(out / "01-a.ipynb", as_version=4)
    assert [o.get("text") for o in executed.cells[-1].outputs] == ["[]\n"]  # empty meanwhile
    assert sorted(p.name for p in out.iterdir()) == ["01-a.ipynb"]


def test_an_interrupt_of_the_command_alone_stops_the_notebooks(tmp_path):
    # SIGINT to the command's process only (kill -INT, timeout -s INT): it waited for every
    # notebook to finish
    import os
    import signal
    import threading
    import time

    import pytest

    from analysis.run.notebooks import execute_notebooks, kernel_for_this_python

    folder = tmp_path / "nbs"
    for name in ("01-a.ipynb", "02-b.ipynb", "03-c.ipynb"):
        _notebook(folder, name, "import time\ntime.sleep(300)")
    timer = threading.Timer(8, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        execute_notebooks(
            sorted(folder.glob("*.ipynb")), tmp_path / "out", kernel=kernel_for_this_python(),
            jobs=2,
        )  # fmt: skip
    timer.cancel()
    assert time.monotonic() - start < 120  # not the 300 s a notebook sleeps
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_cell_error_names_the_cell_as_written_and_prints_no_traceback(mini_study, tmp_path):
    # papermill adds cells to the executed copy (its parameters, two marks of the error): the
    # table said "cell 6" of a notebook whose fourth cell raised, and the terminal showed
    # papermill's traceback and the kernel's "[IPKernelApp] WARNING" lines
    study = mini_study()
    folder = tmp_path / "nbs"
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A title"),
        params,
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('unmapped label in row 12')"),
        nbformat.v4.new_code_cell("y = 2"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir()
    nbformat.write(nb, folder / "01-err.ipynb")
    res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "1"])
    assert res.exit_code == 1, res.output
    assert "01-err.ipynb: cell 4: ValueError: unmapped label in row 12" in res.output
    for noise in ("PapermillExecutionError", "Traceback", "IPKernelApp", "In [3]"):
        assert noise not in res.output, noise
    log = next(line for line in res.output.splitlines() if "kernels' logs" in line)
    assert "PapermillExecutionError" in Path(log.split(": ", 1)[1].strip()).read_text()


WRITES = """\
from analysis.write.parquet import write_parquet
from analysis.ard import concat_ard, published
from analysis.run.study import Study
from analysis.run.notebooks import plan_tables

study = Study.load(study_path)
shown = plan_tables(study.config, "baseline", "frequencies")[:{keep}]
if ard_out:
    write_parquet(published(concat_ard(study.tables[n].frame for n in shown)), ard_out)
"""
CLEANING = """\
from analysis.write.parquet import write_parquet
from analysis.clean.counts_ard import cleaning_ard
from analysis.run.study import Study

if ard_out:
    write_parquet(cleaning_ard(Study.load(study_path).clean), ard_out)
"""


def test_a_notebook_must_show_its_part_of_the_plan_and_one_that_checks_nothing_fails(
    mini_study, tmp_path
):
    # a probe's notebooks said "yes" with 0 ARD rows (the cell writing them deleted), with one
    # table of four, and 01-cleaning's counts were never compared
    from analysis.run.notebooks import plan_tables
    from analysis.studyfile.config import StudyConfig

    study = mini_study()
    baseline = plan_tables(StudyConfig.load(study), "baseline", "frequencies")
    assert baseline  # the generic plan's baseline table
    folder = tmp_path / "nbs"
    _notebook(folder, "01-cleaning.ipynb", CLEANING)
    _notebook(folder, "02-baseline.ipynb", WRITES.format(keep=0))  # shows none of its tables
    _notebook(folder, "04-response.ipynb", "x = 1")  # its last cell removed: writes nothing
    _notebook(folder, "07-extra.ipynb", "x = 1")  # no known part, writes nothing
    res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "2"])
    assert res.exit_code == 1, res.output
    lines = {line.split("│")[1].strip(): line for line in res.output.splitlines() if "│" in line}
    assert "yes: patient flow and rows accounted for" in lines["01-cleaning.ipynb"]
    assert f"NO: shows no {', '.join(baseline)}" in lines["02-baseline.ipynb"]
    assert "NO: wrote no numbers" in lines["04-response.ipynb"]
    assert "NO: not checked" in lines["07-extra.ipynb"]


def test_notebook_parts_name_every_shipped_notebook():
    from analysis.run.notebook_checks import NOTEBOOK_PARTS
    from tests.conftest import REPO

    shipped = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert sorted(NOTEBOOK_PARTS) == shipped


REPORT = """\
from analysis.write.parquet import write_parquet
from analysis.run.study import Study

if ard_out:
    write_parquet(Study.load(study_path).ard, ard_out)
"""


def test_a_claim_the_report_notebook_does_not_reproduce_fails_the_command(mini_study, tmp_path):
    # 06-report showed "claims check: 12/18 reproduced" and the command exited 0 (retro run: 1)
    from analysis.run.study import Study

    study = mini_study()
    n = int(Study.load(study).ard.query("table == 'baseline' and stat == 'N'")["value"].iloc[0])
    claims = """\
claims:
  - id: patients_included
    text: "{n} patients"
    source_ref: "the abstract"
    source: {{table: baseline, variable: N, stat: N}}
    expected: {n}
"""
    folder = tmp_path / "nbs"
    _notebook(folder, "06-report.ipynb", REPORT)
    claims_file = study.with_name("mini.claims.yaml")
    claims_file.write_text(claims.format(n=n))
    res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "claims check: 1/1 reproduced" in res.output
    claims_file.write_text(claims.format(n=n + 1))
    res = runner.invoke(app, ["notebooks", str(study), "--folder", str(folder), "--jobs", "1"])
    assert res.exit_code == 1, res.output
    assert "NO: claims check: 0/1 reproduced, not " in res.output
    said = f"mini.claims.yaml, line 2: claim 'patients_included' (N): expected {n + 1}, "
    assert said.replace(" ", "") in "".join(res.output.split()).replace("│", "")


def test_a_failed_run_keeps_the_copies_of_the_last_run_that_passed(mini_study, tmp_path):
    # a failed run replaced the good executed copies in reports/<study>/notebooks/ by error
    # copies, where every other command leaves the previous outputs as they were
    study = mini_study()
    folder = tmp_path / "nbs"
    _notebook(folder, "01-ae.ipynb", SHOW_AE.format(shift=0))
    args = ["notebooks", str(study), "--folder", str(folder), "--jobs", "1"]
    assert runner.invoke(app, args).exit_code == 0
    [good] = (tmp_path / "reports").rglob("notebooks/01-ae.ipynb")
    before = good.read_bytes()
    _notebook(folder, "01-ae.ipynb", SHOW_AE.format(shift=0) + "raise ValueError('boom')")
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert good.read_bytes() == before
    assert "could not be kept" not in res.output
    failed = good.parent.with_name("notebooks-failed") / "01-ae.ipynb"
    errors = [
        o for c in nbformat.read(failed, as_version=4).cells for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]  # fmt: skip
    assert [e["ename"] for e in errors] == ["ValueError"]
    assert not list(good.parent.glob(".retro-staging-*"))
    _notebook(folder, "01-ae.ipynb", SHOW_AE.format(shift=0))
    assert runner.invoke(app, args).exit_code == 0
    assert not failed.parent.exists()  # the copies of a failed run, once it passes again
