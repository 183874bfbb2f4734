"""Running the stages for a report year: ``steps`` (what each notebook calls), ``runner`` (papermill or
in-process, staging and publishing, the comparator year first), ``keys`` (skip what is unchanged) and
``manifest`` (the run record)."""
