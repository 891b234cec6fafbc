# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · The whole report, and the check of the manuscript's numbers
#
# Writes every output of the study (`run_study`, what `retro run` writes): the cleaned data
# (`paths.processed`; not when `reports_dir` is set), the figures (PNG 300 dpi, SVG, PDF), the
# report (`report.html`, `report.pdf`, `tables.docx`, `claims_check.csv`), each table as HTML /
# DOCX / XLSX / CSV, the ARD and `manifest.json`, into the study's reports folder
# (`paths.reports` in the study file, e.g. `reports/<study>/`). Then it shows the claims check: every number the
# manuscript states (`studies/<study>.claims.yaml`) against the number computed here.
# Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/06-report.ipynb /tmp/06-report.ipynb --cwd notebooks`
# (add `-p reports_dir /tmp/report` to write somewhere else, `-p pdf False` to skip the PDF).
# See `notebooks/README.md`.

# %%
from IPython.display import Markdown, display

from analysis.clean.read import write_parquet
from analysis.privacy import shareable_path
from analysis.run.outputs import run_study
from analysis.report.build import study_claims
from analysis.run.study import Study

# %% tags=["parameters"]
# Paths are relative to this notebook's folder (the working directory of Jupyter and papermill).
study_path = "../studies/dutasteride_mesotherapy.yaml"
ard_out = ""  # when set: write the ARD rows of the tables in the report to this Parquet file
reports_dir = ""  # when set: write the report here instead of the study's `paths.reports`
pdf = True  # report.pdf takes a few seconds more than the rest of the report

# %%
# with reports_dir set, only this run's output folder differs; the study file is unchanged
study = Study.load(study_path, reports_dir=reports_dir or None)
root = study.config.root  # paths are shown relative to the project folder, never absolute
Markdown(
    f"**{study.config.study.title}** (`{study.config.study.name}`): "
    f"writing to `{shareable_path(study.reports_dir, root)}`"
)

# %% [markdown]
# ## Figures, report and table files
#
# The report embeds the SVG figures; the manifest lists every file written here with its
# sha256, the study inputs and the command (the study file relative to this folder, as
# `study_path` is by default). They differ from those `retro run` writes only in that command.
# The report PDF, the figure files and the table files are written side by side (one process
# per core), with the same bytes as one after another.

# %%
study_file = "../" + shareable_path(study.config.path, root)  # as from notebooks/
written = run_study(
    study,
    command=f"notebooks/06-report.ipynb (study_path={study_file})",
    pdf=pdf,
    write_clean=not reports_dir,
)
for stem, paths in written.figures.items():
    print(f"{stem:<26}", ", ".join(p.name for p in paths))
for path in [*written.report, written.manifest]:
    print(shareable_path(path, root))

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
reports = shareable_path(study.reports_dir, root)
print(f"report, tables.docx, ARD, manifest: {reports}")
print(f"figures:                            {reports}/figures")
print(f"one file per table:                 {reports}/tables")

# %% [markdown]
# ## Numbers shown, for checking
#
# The report shows every table, so with `ard_out` set the whole analysis-results frame is
# written to that Parquet file; `tests/notebooks` checks it equals the one `retro tables`
# writes.

# %%
if ard_out:
    write_parquet(study.ard, ard_out)
