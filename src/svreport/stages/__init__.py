"""The computations of the pipeline's stages: ``clean`` -> ``validate`` -> ``metrics`` (the figures
ledger, with ``author_figures``; then ``variables`` and ``appendix1``) -> ``diagrams``. ``ledger``
reads and writes the ledger file. No stage knows about notebooks, runs or other years' folders."""
