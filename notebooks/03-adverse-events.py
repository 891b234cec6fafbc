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
# # 03 · Adverse events
#
# Every adverse-event table of the study's plan, in plan order — incidence by term
# (`kind: ae_incidence`), highest severity per patient (`ae_severity`), events by number of the
# exposure (`ae_by_exposure`), duration (`ae_duration`) — each followed by the figures the plan
# draws from it, and first the counting conventions those tables follow.
#
# The tables are `analysis` results (`Study.load(...).tables`): each shows itself as a
# formatted table with its title and footnotes (population, tests, CI methods); its numbers
# are in `.frame` (the analysis-results data, one number a row). The figures are the
# report's, drawn by `draw_figures`. Nothing is computed in this notebook.
#
# **Rerun**: in JupyterLab, *Kernel → Restart Kernel and Run All Cells*. Headless, from the
# repository root:
# `.venv/bin/papermill notebooks/03-adverse-events.ipynb /tmp/03-adverse-events.ipynb --cwd notebooks`
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
# ## How events are counted

# %%
shown = plan_tables(
    study.config, "ae_incidence", "ae_severity", "ae_by_exposure", "ae_duration"
)
end = (
    f"the last {exposure.singular}"
    if exposure.kind == "discrete"
    else f"the end of the last {exposure.singular} (while it is ongoing, the discontinuation date or else the last contact)"
)
rules = [
    "Only **treatment-emergent** events enter the tables: onset from "
    f"{exposure.first_exposure_words} to **{exposure.teae_days_after_last} days** after {end} "
    "(`exposure.teae_days_after_last` in the study file)."
]
if plan_tables(study.config, "ae_incidence"):
    rules.append(
        "**Incidence** counts *patients*, not events: a patient with the same event twice "
        "counts once in that row (and once in each category row); `[E]` is the number of "
        "events. The denominator `N` is every included patient of the column, with or without "
        "events. A table whose footnote names another unit of analysis (e.g. each "
        f"{exposure.singular} of a patient counted apart) counts that unit instead, and a "
        "table whose footnote names a condition counts only the events that meet it."
    )
if plan_tables(study.config, "ae_severity"):
    rules.append("**Severity**: each patient once, at the highest severity of their events.")
if plan_tables(study.config, "ae_by_exposure"):
    rules.append(
        f"**By {exposure.singular} number**: each event is attributed to the last "
        f"{exposure.singular} on or before its onset; the denominator is the patients who "
        f"received that {exposure.singular}."
    )
if plan_tables(study.config, "ae_duration"):
    rules.append(
        "**Duration** is per event; events without a recorded duration are missing, not zero."
    )
if shown:
    display(Markdown("\n".join(f"* {rule}" for rule in rules)))
else:
    display(Markdown("This study's plan has no adverse-event table."))

# %% [markdown]
# ## Adverse-event tables and figures

# %%
figures = plan_figures(study.config, "ae_incidence", "ae_by_exposure")
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
