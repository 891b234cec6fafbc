"""Report assembly: HTML and PDF, methods text, claims check, provenance manifest."""
