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
# # 01 · Cleaning: from clinic exports to the analysis population
#
# What this notebook shows, for the study in `study_path`:
#
# * the patient flow (screened → included) as a table and as the report's flow diagram;
# * the accounting of every raw row: **rows read = rows kept + rows logged**, per file and sheet;
# * how many records each cleaning step excluded, corrected or flagged — **counts only**, so
#   this notebook can be shared (the row-level logs, with patient ids, are written by
#   `retro clean` under the study's `data/processed/` folder for the study team);
# * the data dictionary of the analysis tables and a few patient rows without identifiers.
#
# Every number comes from `analysis` (`Study.load(...).clean`); nothing is computed here.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/01-cleaning.ipynb /tmp/01-cleaning.ipynb --cwd notebooks`
# (add `-p study_path ../studies/<other>.yaml` for another study). See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display
from matplotlib.figure import Figure

from analysis.ard import concat_ard
from analysis.dictionary import data_dictionary
from analysis.figures import DOUBLE_COLUMN_IN, figure_theme, flow_counts, plot_flow_diagram
from analysis.figures.study import flow_reasons
from analysis.io import write_parquet
from analysis.study import Study

# %% tags=["parameters"]
# Paths are relative to this notebook's folder (the working directory of Jupyter and papermill).
study_path = "../studies/dutasteride_mesotherapy.yaml"
ard_out = ""  # when set: write the ARD rows of the tables shown here to this Parquet file

# %%
study = Study.load(study_path)
clean = study.clean
Markdown(f"**{study.config.study.title}** (`{study.config.study.name}`)")

# %% [markdown]
# ## Patient flow
#
# One row per step; `n_excluded` patients leave at that step, `n_remaining` go on. The
# `subgroup:` rows are the response-assessable subsets of the included patients.

# %%
display(clean.flow)

# %%
with figure_theme():
    fig = Figure(figsize=(DOUBLE_COLUMN_IN, 4.4))
    ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
    plot_flow_diagram(flow_counts(clean, reasons=flow_reasons(study)), ax=ax)
    display(fig)

# %% [markdown]
# ## Every raw row accounted for
#
# Per raw file and sheet: rows read, rows kept in the analysis tables, rows written to the
# exclusion log. `balanced` is true when read = kept + logged.

# %%
accounting = clean.accounting()
display(accounting)

# %%
print(
    f"Rows read {accounting['rows_read'].sum()} = kept {accounting['kept'].sum()} + logged "
    f"{accounting['logged'].sum()}: "
    f"{'balanced' if accounting['balanced'].all() else 'NOT BALANCED'}"
)

# %% [markdown]
# ## What the cleaning steps did (counts only)
#
# Records **excluded** (or merged, for duplicates), by table and step. `patient_excluded` rows
# belong to patients who left the study at an inclusion step; `inclusion:*` rows are those
# patients themselves.

# %%
clean.exclusions.value_counts(["table", "step"], sort=False).rename("records").reset_index()

# %% [markdown]
# Values **corrected or flagged** in place (the record is kept), by table, check and action.

# %%
clean.audit.value_counts(["table", "check", "action"], sort=False).rename("records").reset_index()

# %% [markdown]
# ## Data dictionary
#
# Every column of the analysis tables: type, origin (raw column mapped through the study's
# vocabularies, derived, or provenance), definition and levels.

# %%
dictionary = data_dictionary(clean.tables, study.config)
dictionary.style.hide(axis="index")

# %% [markdown]
# ## A few analysis-ready patients, without identifiers
#
# Patient ids, dates and source-row references are left out, so the rows cannot be traced
# back to a person or a line of a clinic export.

# %%
identifying = ["patient_id", "source_row"] + [c for c in clean.patients if c.endswith("_date")]
clean.patients.drop(columns=identifying).head(5)

# %% [markdown]
# ## Numbers shown, for checking
#
# This notebook shows no results table, so with `ard_out` set it writes an empty
# analysis-results frame (tests compare the other notebooks' frames with `retro tables`).

# %%
shown: list[str] = []
if ard_out:
    write_parquet(concat_ard(study.tables[name].frame for name in shown), ard_out)
