"""`python -m stanchion` runs the same CLI as the `stanchion` console script."""

from stanchion.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
