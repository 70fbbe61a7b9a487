"""The frozen program's entry: the same `recognizer.cli:main` as the `liveaction` console script.

`freeze_support` lets worker processes started with "spawn" (training's data loaders on
some platforms) run as workers instead of starting the CLI again.
"""

import multiprocessing
import sys

from recognizer.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
