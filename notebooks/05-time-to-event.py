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
# # 05 · Time to event
#
# The time-to-event tables of the study's plan (`kind: time_to_event`: Kaplan–Meier estimates
# at the report's time points, medians, log-rank test and Cox hazard ratios), each followed by
# its Kaplan–Meier figure with the number at risk (`kind: km`).
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table with its title and footnotes (population, tests, CI methods); its numbers
# are in `.frame` (the analysis-results data, one number a row). The figures are the
# report's, drawn by `draw_figures`. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/05-time-to-event.ipynb /tmp/05-time-to-event.ipynb --cwd notebooks`
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
# ## Time-to-event tables, Cox models and Kaplan–Meier figures
#
# The figures use the same confidence-interval transform as the tables
# (`analysis.options.km_conf_type` in the study file).

# %%
shown = plan_tables(study.config, "time_to_event", "cox")
figures = plan_figures(study.config, "km")
display(Markdown(f"Time runs from day 0, {exposure.day0_words}."))
if not shown:
    display(Markdown("This study's plan has no time-to-event table."))
display_tables(study, shown, figures=figures)
display_figures(study, [stem for stem, table in figures.items() if table not in shown])

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the tables above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
if ard_out:
    write_parquet(published(concat_ard(tables[name].frame for name in shown)), ard_out)
