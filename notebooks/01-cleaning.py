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
# # 01 · Cleaning: from clinic exports to the analysis population
#
# What this notebook shows, for the study in `study_path`:
#
# * the patient flow (screened → included) as a table and as the report's flow diagram;
# * the accounting of every raw row: **rows read = rows kept + rows logged**, per file and sheet;
# * how many records each cleaning step excluded, corrected or flagged — **counts only**, so
#   this notebook can be shared (the row-level logs, with patient ids, are written by
#   `retro clean` under the study's `data/processed/` folder for the study team);
# * the data dictionary of the analysis tables, and a profile of every column: levels with
#   their counts, or statistics — never a patient's row, identifier, date or free text.
#
# Every number comes from `analysis` (`Study.load(...).clean`); nothing is computed here.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/01-cleaning.ipynb /tmp/01-cleaning.ipynb --cwd notebooks`
# (add `-p study_path ../studies/<other>.yaml` for another study). See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import HTML, Markdown, display

from analysis.clean.counts_ard import cleaning_ard
from analysis.clean.dictionary import column_profile, data_dictionary
from analysis.clean.read import write_parquet
from analysis.run.notebooks import display_figures, plan_figures
from analysis.run.study import Study

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
# `subgroup:` rows are subsets of the included patients declared by the study (`subgroups` in
# the study file). The diagram is the report's (`kind: flow_diagram` in `analysis.figures`).

# %%
display(clean.flow)

# %%
flow_stems = list(plan_figures(study.config, "flow_diagram"))
display_figures(study, flow_stems)
if not flow_stems:
    display(Markdown("The study's plan draws no flow diagram (`analysis.figures`)."))

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
# each table's HTML ids fixed (`set_uuid`) and shown as HTML (a Styler's plain-text form is
# its memory address): a rerun gives the same notebook, byte for byte
HTML(dictionary.style.hide(axis="index").set_uuid("dictionary").to_html())

# %% [markdown]
# ## Every column, profiled without showing a patient
#
# No patient row is shown: for each column of the analysis tables, how many values it has and
# how many are missing; for a column of controlled levels (a vocabulary, or yes/no) the count
# of each level; for a numeric column its mean, SD, minimum, median and maximum. Identifiers,
# dates and free text are only counted (`shown`), never printed, so this notebook can be
# shared.

# %%
profile = column_profile(clean.tables, study.config)
presence = profile[profile["level"].isna() & profile["stat"].isin(["n", "missing"])]
HTML(
    presence.pivot_table(
        index=["table", "column", "shown"], columns="stat", values="value", sort=False
    )
    .astype(int)[["n", "missing"]]
    .style.set_uuid("presence")
    .to_html()
)

# %%
statistics = profile[profile["stat"].isin(["mean", "sd", "min", "median", "max"])]
HTML(
    statistics.pivot_table(index=["table", "column"], columns="stat", values="value", sort=False)[
        ["mean", "sd", "min", "median", "max"]
    ]
    .style.format(precision=2)
    .set_uuid("statistics")
    .to_html()
)

# %% [markdown]
# Levels of every controlled column, with the number of rows (patients in `patients`, records
# in the other tables) at each level.

# %%
levels = profile.loc[profile["stat"] == "count", ["table", "column", "level", "value"]]
HTML(
    levels.rename(columns={"value": "rows"})
    .astype({"rows": int})
    .style.hide(axis="index")
    .set_uuid("levels")
    .to_html()
)

# %% [markdown]
# ## Numbers shown, for checking
#
# This notebook shows no results table: with `ard_out` set it writes the counts it shows, the
# patient flow and the rows read, kept and logged, as analysis-results rows (`cleaning_ard`);
# `retro notebooks` checks they equal the package's.

# %%
if ard_out:
    write_parquet(cleaning_ard(clean), ard_out)
