/* The API's route tables, in matching order; one line each. A module
 * src/api/routes_NAME.c defines api_routes_NAME (see api_int.h). */
API_ROUTES(system)
API_ROUTES(accounts)
API_ROUTES(recs)
API_ROUTES(users)
API_ROUTES(trade)
API_ROUTES(slack)
API_ROUTES(perf)
API_ROUTES(replay)
API_ROUTES(audit)
API_ROUTES(hierarchy)
API_ROUTES(forking)
API_ROUTES(web)
