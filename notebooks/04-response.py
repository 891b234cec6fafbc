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
# # 04 · Response at 12 months
#
# Response grade at 12 months by sex within therapy group, the proportional-odds model of the
# grade (with the Brant test of its proportional-odds assumption), the two logistic models of
# adverse events, the response figure and the forest plot of the proportional-odds model.
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table with footnotes naming the population, tests and CI methods; its numbers are
# in `.frame`. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/04-response.ipynb /tmp/04-response.ipynb --cwd notebooks`.
# See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from analysis.ard import concat_ard
from analysis.figures import (
    DOUBLE_COLUMN_IN,
    figure_theme,
    new_figure,
    plot_forest,
    plot_response_by_sex_therapy,
)
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
# ## Response grade by sex and therapy group

# %%
tables["response"]

# %%
with figure_theme():
    fig = new_figure(width="single", height=3.1)
    plot_response_by_sex_therapy(
        study.patients, within_labels={"combined": "Combined therapy"}, ax=fig.axes[0]
    )
    display(fig)

# %% [markdown]
# ## Proportional-odds model of the response grade
#
# Odds ratios > 1 mean a better grade is more likely. The last footnote is the Brant test:
# a small p-value (overall or for a covariate) questions the assumption that one odds ratio
# holds at every cut-point of the grade.

# %%
tables["po_model"]

# %%
Markdown("\n".join(f"* {note}" for note in tables["po_model"].footnotes if "Brant" in note))

# %%
with figure_theme():
    fig = new_figure(width=DOUBLE_COLUMN_IN, height=2.3)
    plot_forest(
        tables["po_model"].frame,
        xlabel="Odds ratio of a better response (95% CI)",
        ax=fig.axes[0],
    )
    display(fig)

# %% [markdown]
# ## Logistic models: any adverse event, and pain

# %%
tables["logistic_any_ae"]

# %%
tables["logistic_pain"]

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the tables above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
shown = ["response", "po_model", "logistic_any_ae", "logistic_pain"]
if ard_out:
    write_parquet(concat_ard(tables[name].frame for name in shown), ard_out)
