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
# # 03 · Adverse events
#
# The adverse-event tables of the report — incidence by term, highest severity per patient,
# events by session number, duration — and the two adverse-event figures.
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table with footnotes naming the tests and CI methods; its numbers are in `.frame`.
# Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/03-adverse-events.ipynb /tmp/03-adverse-events.ipynb --cwd notebooks`.
# See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from analysis.ard import concat_ard
from analysis.figures import figure_theme, new_figure, plot_ae_by_exposure, plot_ae_incidence
from analysis.io import write_parquet
from analysis.study import Study

# %% tags=["parameters"]
# Paths are relative to this notebook's folder (the working directory of Jupyter and papermill).
study_path = "../studies/dutasteride_mesotherapy.yaml"
ard_out = ""  # when set: write the ARD rows of the tables shown here to this Parquet file

# %%
study = Study.load(study_path)
tables = study.tables
Markdown(f"**{study.config.study.title}** (`{study.config.study.name}`)")

# %% [markdown]
# ## How events are counted
#
# * Only **treatment-emergent** events enter the tables: onset from the first session up to
#   the number of days after the last session given below (`exposure.teae_days_after_last`
#   in the study file).
# * **Incidence** counts *patients*, not events: a patient with the same event twice counts
#   once in that row (and once in each category row); `[E]` is the number of events. The
#   denominator `N` is every included patient of the column, with or without events.
# * **Severity**: each patient once, at the highest severity of their events.
# * **By session**: each event is attributed to the last session on or before its onset;
#   the denominator is the patients who received that session.
# * **Duration** is per event; events without a recorded duration are missing, not zero.

# %%
Markdown(
    "Treatment-emergent window in this study: first session to "
    f"**{study.config.exposure.teae_days_after_last} days** after the last session."
)

# %% [markdown]
# ## Incidence by term

# %%
tables["ae_incidence"]

# %%
with figure_theme():
    fig = new_figure(width="single", height=3.2)
    plot_ae_incidence(tables["ae_incidence"].frame, by="sex", ax=fig.axes[0])
    display(fig)

# %% [markdown]
# ## Highest severity per patient

# %%
tables["ae_severity"]

# %% [markdown]
# ## Events by session number

# %%
tables["ae_by_exposure"]

# %%
with figure_theme():
    fig = new_figure(width="single", height=2.9)
    plot_ae_by_exposure(tables["ae_by_exposure"].frame, ax=fig.axes[0])
    display(fig)

# %% [markdown]
# ## Duration of events

# %%
tables["ae_duration"]

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the tables above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
shown = ["ae_incidence", "ae_severity", "ae_by_exposure", "ae_duration"]
if ard_out:
    write_parquet(concat_ard(tables[name].frame for name in shown), ard_out)
