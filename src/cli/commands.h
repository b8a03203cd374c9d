/* The subcommands, in the order `riskdesk help` lists them. One line each. */
CLI_COMMAND(version)
