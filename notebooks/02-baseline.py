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
# # 02 · Baseline characteristics
#
# The two baseline tables of the report — by sex and by therapy group — with their footnotes
# (tests, summary statistics, standardized differences), and the first-year treatment
# schedule (interval between sessions) of the included patients.
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table here; its numbers are in `.frame` (the analysis-results data, one number a
# row). Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/02-baseline.ipynb /tmp/02-baseline.ipynb --cwd notebooks`.
# See `notebooks/README.md`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from analysis.ard import concat_ard
from analysis.figures import figure_theme, new_figure, plot_schedule_year1
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
# ## By sex

# %%
tables["baseline_sex"]

# %%
Markdown("\n".join(f"{i}. {note}" for i, note in enumerate(tables["baseline_sex"].footnotes, 1)))

# %% [markdown]
# ## By therapy group

# %%
tables["baseline_therapy_group"]

# %%
Markdown(
    "\n".join(
        f"{i}. {note}" for i, note in enumerate(tables["baseline_therapy_group"].footnotes, 1)
    )
)

# %% [markdown]
# ## First-year schedule
#
# Patients by interval between sessions in the first year (months); patients with a single
# session in the first year have no interval.

# %%
with figure_theme():
    fig = new_figure(width="single", height=2.5)
    plot_schedule_year1(study.patients, levels=study.config.derive.schedule_months, ax=fig.axes[0])
    display(fig)

# %% [markdown]
# ## Numbers shown, for checking
#
# With `ard_out` set, the analysis-results rows of the tables above are written to that
# Parquet file; `tests/notebooks` checks they equal the rows `retro tables` writes.

# %%
shown = ["baseline_sex", "baseline_therapy_group"]
if ard_out:
    write_parquet(concat_ard(tables[name].frame for name in shown), ard_out)
