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
# # 04 · Response and models
#
# The response tables of the study's plan (`kind: response`: response grade by group at the
# assessment month) with their figures (`response_bars`), then its models — proportional-odds
# models of an ordered grade (`proportional_odds`, with the Brant test of the assumption) and
# logistic models of a yes/no outcome (`logistic`) — each followed by its forest plot
# (`forest`). A study without response assessments or without models says so.
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table with its title and footnotes (population, tests, CI methods); its numbers
# are in `.frame` (the analysis-results data, one number a row). The figures are the
# report's, drawn by `draw_figures`. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/04-response.ipynb /tmp/04-response.ipynb --cwd notebooks`
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
# ## Response

# %%
response = plan_tables(study.config, "response")
figures = plan_figures(study.config, "response_bars", "forest")
if response:
    display_tables(study, response, figures=figures)
else:
    display(Markdown("This study has no response assessment (no `response` table in its plan)."))

# %% [markdown]
# ## Models
#
# Odds ratios > 1 mean the outcome (for an ordered grade: a higher grade) is more likely. For a
# proportional-odds model the last footnote is the Brant test: a small p-value (overall or
# for a covariate) questions the assumption that one odds ratio holds at every cut-point of
# the grade.

# %%
models = plan_tables(study.config, "proportional_odds", "logistic")
if models:
    display_tables(study, models, figures=figures)
else:
    display(Markdown("This study has no model (no `proportional_odds` or `logistic` table)."))
shown = response + models
display_figures(study, [stem for stem, table in figures.items() if table not in shown])

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the tables above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
if ard_out:
    write_parquet(published(concat_ard(tables[name].frame for name in shown)), ard_out)
