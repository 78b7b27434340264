"""The scaffolder: one API model (:mod:`stanchion.scaffold.ir`), stacks that render it, and ``verify``.

* :func:`stanchion.scaffold.new.new_project` writes a production-ready REST project for a stack.
* :func:`stanchion.scaffold.verify.verify_project` installs, checks, tests, boots and fuzzes one.
* ``stacks/<stack>/`` holds each stack's templates and emitter (loaded lazily by name).
"""
