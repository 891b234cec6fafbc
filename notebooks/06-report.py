# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · The whole report, and the check of the manuscript's numbers
#
# Draws every figure (`make_figures`: PNG 300 dpi, SVG, PDF) and writes the report
# (`write_report`: `report.html`, `report.pdf`, `tables.docx`, `claims_check.csv`,
# `manifest.json`) into the study's reports folder (`paths.reports` in the study file, e.g.
# `reports/dutasteride_mesotherapy/`), then shows the claims check: every number the
# manuscript states (`studies/<study>.claims.yaml`) against the number computed here.
#
# This is the report half of `retro run`; the command also writes the cleaned tables and
# each table as HTML / DOCX / XLSX / CSV. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/06-report.ipynb /tmp/06-report.ipynb --cwd notebooks`
# (add `-p reports_dir /tmp/report` to write somewhere else, `-p pdf False` to skip the PDF).
# See `notebooks/README.md`.

# %%
from pathlib import Path

from IPython.display import Markdown, display

from analysis.config import StudyConfig
from analysis.figures import make_figures
from analysis.io import write_parquet
from analysis.report.build import study_claims, write_report
from analysis.study import Study

# %% tags=["parameters"]
# Paths are relative to this notebook's folder (the working directory of Jupyter and papermill).
study_path = "../studies/dutasteride_mesotherapy.yaml"
ard_out = ""  # when set: write the ARD rows of the tables in the report to this Parquet file
reports_dir = ""  # when set: write the report here instead of the study's `paths.reports`
pdf = True  # report.pdf takes a few seconds more than the rest of the report

# %%
config = StudyConfig.load(study_path)
if reports_dir:
    # the study file is unchanged; only this run's output folder differs
    reports = config.paths.model_copy(update={"reports": str(Path(reports_dir).resolve())})
    config = config.model_copy(update={"paths": reports})
study = Study(config)
Markdown(
    f"**{study.config.study.title}** (`{study.config.study.name}`): "
    f"writing to `{study.reports_dir}`"
)

# %% [markdown]
# ## Figures

# %%
figures = make_figures(study)
for stem, paths in figures.items():
    print(f"{stem:<26}", ", ".join(p.name for p in paths))

# %% [markdown]
# ## Report
#
# The report embeds the SVG figures; the manifest lists every file written here with its
# sha256, the study inputs and the command.

# %%
svg = {stem: next(p for p in paths if p.suffix == ".svg") for stem, paths in figures.items()}
written = write_report(
    study,
    figures=svg,
    command=f"notebooks/06-report.ipynb (study_path={study_path})",
    outputs=[p for paths in figures.values() for p in paths],
    pdf=pdf,
)
for path in written:
    print(path)

# %% [markdown]
# ## Claims check
#
# One row per number the manuscript states: the expected value, the value computed from
# this run's analysis-results frame, the tolerance and whether it is reproduced.

# %%
claims = study_claims(study)
if claims is None:
    print("No claims file for this study (studies/<study>.claims.yaml).")
else:
    passed = int(claims["passed"].astype(bool).sum())
    print(f"claims check: {passed}/{len(claims)} reproduced")
    display(claims)

# %% [markdown]
# ## Where the outputs went

# %%
print(f"report, tables.docx, manifest: {study.reports_dir}")
print(f"figures:                       {study.reports_dir / 'figures'}")

# %% [markdown]
# ## Numbers shown, for checking
#
# The report shows every table, so with `ard_out` set the whole analysis-results frame is
# written to that Parquet file; `tests/notebooks` checks it equals the one `retro tables`
# writes.

# %%
if ard_out:
    write_parquet(study.ard, ard_out)
