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
# # 02 · Baseline characteristics
#
# Every baseline table of the study's plan (`kind: baseline`) and every table of frequencies
# (`kind: frequencies`), in plan order, with their footnotes (tests, summary statistics,
# standardized differences); then the treatment schedule figure when the plan has one
# (`kind: schedule`).
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table with its title and footnotes (population, tests, CI methods); its numbers
# are in `.frame` (the analysis-results data, one number a row). The figures are the
# report's, drawn by `draw_figures`. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/02-baseline.ipynb /tmp/02-baseline.ipynb --cwd notebooks`
# (add `-p study_path ../studies/<other>.yaml` for another study). See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from analysis.ard import concat_ard, published
from analysis.clean.read import write_parquet
from analysis.run.notebooks import display_figures, display_tables, plan_figures, plan_tables
from analysis.run.study import Study

# %% tags=["parameters"]
# Paths are relative to this notebook's folder (the working directory of Jupyter and papermill).
study_path = "../studies/dutasteride_mesotherapy.yaml"
ard_out = ""  # when set: write the ARD rows of the tables shown here to this Parquet file

# %%
study = Study.load(study_path)
tables = study.tables
exposure = study.config.exposure
Markdown(f"**{study.config.study.title}** (`{study.config.study.name}`)")

# %% [markdown]
# ## Baseline tables

# %%
shown = plan_tables(study.config, "baseline", "frequencies")
figures = plan_figures(study.config, "schedule")
if not shown:
    display(Markdown("This study's plan has no baseline or frequency table."))
display_tables(study, shown, figures=figures)

# %% [markdown]
# ## Treatment schedule
#
# Patients by their usual interval between two administrations of the treatment in the first
# year, drawn when the study's plan lists a figure of `kind: schedule`.

# %%
schedule = [stem for stem, table in figures.items() if table is None]
if schedule:
    display(
        Markdown(
            f"Patients with a single {exposure.singular} in the first year have no interval."
        )
    )
    display_figures(study, schedule)
else:
    display(Markdown(f"This study's plan draws no schedule of {exposure.plural_noun}."))

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the tables above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
if ard_out:
    write_parquet(published(concat_ard(tables[name].frame for name in shown)), ard_out)
