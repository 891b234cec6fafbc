# Two commands do everything on a fresh machine with python3 (3.11+):
#   make report   set up .venv if needed, run the whole pipeline on every shipped study -> reports/
#   make test     set up .venv if needed, then lint, type-check and run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# every study file under studies/ (claims files aside); `make report STUDY=studies/x.yaml` runs one
STUDY  ?= $(filter-out %.claims.yaml,$(sort $(wildcard studies/*.yaml)))

.PHONY: report test clean-outputs system-deps docx-render-deps lint typecheck pytest bench

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	@touch $(STAMP)

# WeasyPrint (PDF report) needs the Pango libraries from the operating system, and subsets the
# fonts it embeds with HarfBuzz-Subset when present (about 0.5 s faster per report than its
# pure-Python fallback, same pages); both are installed with apt-get when run as root.
system-deps:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Pango for WeasyPrint (apt-get)"; \
	  apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	else \
	  echo "WeasyPrint needs Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" \
	       "(macOS: brew install pango)"; exit 1; \
	fi
	@if ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing HarfBuzz-Subset for WeasyPrint (apt-get)"; \
	  apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq libharfbuzz-subset0 >/dev/null) \
	  || echo "note: libharfbuzz-subset0 not installed; the PDF is made ~0.5 s slower"; \
	else \
	  echo "note: sudo apt-get install libharfbuzz-subset0 makes the PDF ~0.5 s faster"; \
	fi

# The report's browser and PDF tests (tests/unit/report/test_report_browser.py) drive headless
# Chromium and read the PDF with pdftotext; installed with apt-get when run as root, else the
# tests say what is missing and are skipped.
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Chromium for the report's browser test (apt-get)"; \
	  apt-get install -y -qq chromium >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
	  || echo "note: chromium not installed; the report's browser test will be skipped"; \
	else \
	  echo "note: sudo apt-get install chromium runs the report's browser test"; \
	fi
	@if command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -qq poppler-utils >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null) \
	  || echo "note: poppler-utils not installed; the report's PDF page test will be skipped"; \
	else \
	  echo "note: sudo apt-get install poppler-utils runs the report's PDF page test"; \
	fi

# Java for the Spark engine's tests (tests/unit/engine/test_spark_backend.py: the same numbers
# on Spark as on DuckDB; pyspark 4 needs Java 17+), installed with apt-get when run as root, else
# those tests say so and are skipped.
	@if command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Java for the Spark engine's tests (apt-get)"; \
	  apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 \
	  || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
	  || echo "note: Java not installed; the Spark engine's tests will be skipped"; \
	else \
	  echo "note: sudo apt-get install openjdk-17-jre-headless runs the Spark engine's tests"; \
	fi

# LibreOffice (Writer) and poppler-utils: the test that renders tables.docx to PDF and checks its
# pages (tests/unit/report/test_docx_render.py; skipped with a message without them).
docx-render-deps:
	@if command -v soffice >/dev/null && command -v pdfinfo >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing LibreOffice Writer and poppler-utils to check tables.docx (apt-get)"; \
	  (apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils \
	     fonts-liberation2 >/dev/null 2>&1 \
	   || (apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	       libreoffice-writer-nogui poppler-utils fonts-liberation2 >/dev/null)) \
	  || echo "note: LibreOffice not installed; the tables.docx rendering test is skipped"; \
	else \
	  echo "note: sudo apt-get install libreoffice-writer-nogui poppler-utils runs the" \
	       "tables.docx rendering test"; \
	fi

report: $(STAMP) system-deps
	@set -e; for study in $(STUDY); do echo "== $$study"; $(BIN)/retro run $$study; done

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/ruff format --check analysis tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy analysis benchmarks

pytest: $(STAMP) system-deps docx-render-deps
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,bench]'
	$(BIN)/python benchmarks/run_all.py

clean-outputs:
	rm -rf data/processed reports/*/
