import sys

from seefood.cli import main

sys.exit(main())
