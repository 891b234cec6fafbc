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
# # 05 · Time to treatment discontinuation
#
# Kaplan–Meier estimates of staying on treatment by therapy group (at the report's time
# points, with medians, log-rank test and Cox hazard ratios) and the Kaplan–Meier figure
# with the number at risk.
#
# The table is an `analysis` result (`Study.load(...).tables`): it shows itself as a
# formatted table with footnotes naming the variance, CI and test methods; its numbers are in
# `.frame`. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/05-time-to-event.ipynb /tmp/05-time-to-event.ipynb --cwd notebooks`.
# See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from analysis.ard import concat_ard
from analysis.figures import figure_theme, new_figure, plot_km
from analysis.io import write_parquet
from analysis.study import Study
from analysis.tables.study import options

# %% tags=["parameters"]
# Paths are relative to this notebook's folder (the working directory of Jupyter and papermill).
study_path = "../studies/dutasteride_mesotherapy.yaml"
ard_out = ""  # when set: write the ARD rows of the tables shown here to this Parquet file

# %%
study = Study.load(study_path)
tables = study.tables
Markdown(f"**{study.config.study.title}** (`{study.config.study.name}`)")

# %% [markdown]
# ## Time to discontinuation by therapy group
#
# Time runs from the first session; patients still on treatment are censored at their last
# contact.

# %%
tables["time_to_discontinuation"]

# %% [markdown]
# The figure uses the same confidence-interval transform as the table (`analysis.km_conf_type`
# in the study file).

# %%
with figure_theme():
    fig = new_figure(width="single", height=3.3)
    plot_km(
        study.patients,
        time="time_to_discontinuation_months",
        event="is_discontinued",
        by="therapy_group",
        conf_type=str(options(study.config)["km_conf_type"]),
        labels={"combined": "Combined therapy"},
        ax=fig.axes[0],
    )
    display(fig)

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the table above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
shown = ["time_to_discontinuation"]
if ard_out:
    write_parquet(concat_ard(tables[name].frame for name in shown), ard_out)
