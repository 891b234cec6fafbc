"""Writing files safely, shared by every stage that writes.

Files written whole or not at all (``atomic``), a command's outputs staged and moved into place
(``staging``), byte-identical Office files (``ooxml``), user text shown literally in every
output (``safe_cells``), and a failed write said as one located paragraph (``output_errors``).
"""
