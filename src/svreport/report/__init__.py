"""Rendering the Quarto project: ``sources`` writes the generated content from the pipeline's outputs and
the council's narrative; ``render`` runs one of two paths, ``quarto`` or ``pandoc`` (with Typst), with
``cache``, ``docx`` and ``pack``; ``shortcodes`` and ``narrative`` implement and check the documented
subset; ``starter`` starts a new council's or year's narrative."""
