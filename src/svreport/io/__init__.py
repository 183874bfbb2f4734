"""Reading inputs: the data contract (``contract``), the exports in any of their accepted forms
(``readers``) and the reference data (``reference``)."""
