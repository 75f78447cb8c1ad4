from readertui.cli import main

raise SystemExit(main())
