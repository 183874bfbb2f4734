"""Foundations every layer uses: errors, YAML, the council config, the project and its file layout, the
house style for printing figures, the shared vocabulary (units, measure codes), external tools' versions,
and the package's layers (``code``)."""
