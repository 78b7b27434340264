"""The migration runner: layouts and files (:mod:`.files`), history (:mod:`.history`), the runner
(:mod:`.runner`) and its result objects (:mod:`.results`). The public API is in :mod:`stanchion.db`."""
