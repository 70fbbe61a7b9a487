"""One module per `liveaction` subcommand, each with `add_parser(subparsers)` and `run(args)`."""
