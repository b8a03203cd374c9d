/* The subcommands, in the order `riskdesk help` lists them. One line each. */
CLI_COMMAND(version)
CLI_COMMAND(traders_pnl)
CLI_COMMAND(traders_gen)
CLI_COMMAND(perf_metrics)
