/*
 * cmd_perf_metrics.c - `riskdesk perf metrics`: performance metrics of one
 * return series, or of every account of a date,account,return file at once.
 * Reading is one pass (src/io/returns_csv.c); the accounts are computed on
 * all cores by rd_metrics_compute (src/core/metrics.c).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/metrics.h"
#include "riskdesk/returns_csv.h"
#include "riskdesk/banned.h"

#define CMD "perf metrics"
#define MAX_THREADS 16

struct job {
    const struct rd_returns_set *set;
    const struct rd_returns_set *bench;     /* NULL without --benchmark */
    const struct rd_metrics_params *params;
    struct rd_metrics_result *results;
    size_t first, last;                     /* accounts first .. last-1 */
    int json;                               /* also write their JSON into out */
    struct rd_buf out;
    int failed;
};

static int json_object(struct rd_buf *out, const char *account,
                       const struct rd_metrics_result *r);

static size_t longest_series(const struct rd_returns_set *s)
{
    size_t m = 1;

    for (size_t a = 0; a < s->naccounts; a++)
        if (s->offset[a + 1] - s->offset[a] > m)
            m = s->offset[a + 1] - s->offset[a];
    return m;
}

static void *work(void *arg)
{
    struct job *j = arg;
    const struct rd_returns_set *s = j->set, *b = j->bench;
    size_t maxn = longest_series(s);
    double *scratch = rd_malloc(2 * maxn * sizeof *scratch);
    double *aligned = b ? rd_malloc(maxn * sizeof *aligned) : NULL;

    if (!scratch || (b && !aligned)) {
        j->failed = 1;
        goto out;
    }
    for (size_t a = j->first; a < j->last; a++) {
        size_t lo = s->offset[a], n = s->offset[a + 1] - lo;

        if (b)
            rd_returns_align(s->days + lo, n, b->days, b->returns, b->nrows, aligned);
        rd_metrics_compute(s->returns + lo, b ? aligned : NULL, n, j->params, scratch,
                           &j->results[a]);
        if (j->json) {
            /* each account's JSON is formatted here, on this thread */
            if (s->multi && rd_buf_puts(&j->out, a ? ",\n" : "\n") != RD_OK)
                j->failed = 1;
            if (json_object(&j->out, s->multi ? s->names[a] : NULL, &j->results[a]) != RD_OK)
                j->failed = 1;
        }
    }
out:
    rd_free(scratch);
    rd_free(aligned);
    return NULL;
}

/* Computes every account (and with json, formats it) on up to `threads`
 * threads, each taking a contiguous range; then writes the JSON in order.
 * Returns 0 or -1 (out of memory). */
static int compute_all(const struct rd_returns_set *set, const struct rd_returns_set *bench,
                       const struct rd_metrics_params *params, struct rd_metrics_result *results,
                       int threads, int json, FILE *out)
{
    struct job jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0}, failed = 0;
    size_t na = set->naccounts;

    if ((size_t)threads > na / 16 + 1)
        threads = (int)(na / 16 + 1);
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct job){set, bench, params, results, na * (size_t)t / (size_t)threads,
                               na * (size_t)(t + 1) / (size_t)threads, json, {0}, 0};
        rd_buf_init(&jobs[t].out, (size_t)-1 / 2);
    }
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, work, &jobs[t]) == 0;
    work(&jobs[0]);
    for (int t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            work(&jobs[t]);     /* a thread that did not start: its share runs here */
    }
    for (int t = 0; t < threads; t++) {
        failed |= jobs[t].failed;
        if (json && !failed)
            fwrite(jobs[t].out.data ? jobs[t].out.data : "", 1, jobs[t].out.len, out);
        rd_buf_release(&jobs[t].out);
    }
    return failed ? -1 : 0;
}

/* ------------------------------------------------------------ output */

/* Shortest of %.15g / %.16g / %.17g that reads back to the same double. */
static void fmt_double(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            return;
    }
}

/* The JSON writers return RD_OK or the first rd_buf error (out of memory). */
static int json_value(struct rd_buf *out, double v)
{
    char b[40];

    if (isnan(v))
        return rd_buf_puts(out, "null");
    if (isinf(v))
        return rd_buf_puts(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    fmt_double(v, b, sizeof b);
    return rd_buf_puts(out, b);
}

static int json_string(struct rd_buf *out, const char *s)
{
    int rc = rd_buf_puts(out, "\"");

    for (; *s && rc == RD_OK; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            rc = rd_buf_printf(out, "\\%c", c);
        else if (c < 0x20)
            rc = rd_buf_printf(out, "\\u%04x", c);
        else
            rc = rd_buf_append(out, s, 1);
    }
    return rc == RD_OK ? rd_buf_puts(out, "\"") : rc;
}

static double field(const struct rd_metrics_result *r, size_t f)
{
    return *(const double *)(const void *)((const char *)r + rd_metrics_fields[f].offset);
}

static int json_object(struct rd_buf *out, const char *account,
                       const struct rd_metrics_result *r)
{
    int rc = rd_buf_puts(out, "{");

    if (account && rc == RD_OK) {
        rc = rd_buf_puts(out, "\"account\":");
        if (rc == RD_OK)
            rc = json_string(out, account);
        if (rc == RD_OK)
            rc = rd_buf_puts(out, ",");
    }
    for (size_t f = 0; f < rd_metrics_nfields && rc == RD_OK; f++) {
        rc = rd_buf_printf(out, "%s\"%s\":", f ? "," : "", rd_metrics_fields[f].name);
        if (rc == RD_OK)
            rc = json_value(out, field(r, f));
    }
    return rc == RD_OK ? rd_buf_puts(out, "}") : rc;
}

static void text_value(FILE *out, double v)
{
    if (isnan(v))
        fprintf(out, "%14s", "NaN");
    else if (isinf(v))
        fprintf(out, "%14s", v > 0 ? "Infinity" : "-Infinity");
    else
        fprintf(out, "%14.6g", v);
}

static void text_table(FILE *out, const struct rd_returns_set *set,
                       const struct rd_metrics_result *res, const char *period)
{
    for (size_t a = 0; a < set->naccounts; a++) {
        size_t n = set->offset[a + 1] - set->offset[a];

        if (set->multi)
            fprintf(out, "%saccount %s (%zu %s returns)\n", a ? "\n" : "", set->names[a], n,
                    period);
        else
            fprintf(out, "%zu %s returns\n", n, period);
        for (size_t f = 0; f < rd_metrics_nfields; f++) {
            fprintf(out, "  %-18s", rd_metrics_fields[f].name);
            text_value(out, field(&res[a], f));
            putc('\n', out);
        }
    }
}

/* ------------------------------------------------------------ options */

static int parse_rate(const char *opt, const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(*out))
        return cli_usage_error(CMD, "%s wants a number (a per-period rate such as 0.0001), "
                               "got '%s'", opt, s);
    return 0;
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

/* A header and nothing else is an error, like an empty file: a return file
 * without rows, an account file without accounts. A value file needs two
 * values for one return; with one or none the reader gives no rows. */
static int check_rows(const char *path, const struct rd_returns_set *s, struct rd_error *err)
{
    if (s->multi ? s->naccounts == 0 : s->nrows == 0 && !s->from_values)
        return rd_error_set(err, RD_EINVAL, "%s:1: no data rows (the header must be "
                            "followed by at least one row)", path);
    if (!s->multi && s->nrows == 0)
        return rd_error_set(err, RD_EINVAL, "%s:1: no data rows that give a return (a "
                            "value file needs at least two values)", path);
    return RD_OK;
}

static const char *returns_path, *bench_path, *period_name = "daily";
static struct rd_metrics_params params;
static enum rd_period period = RD_PERIOD_DAILY;
static int threads, params_ready;

static const struct option opts[] = {
    {"returns", required_argument, NULL, 'r'},     {"benchmark", required_argument, NULL, 'b'},
    {"risk-free", required_argument, NULL, 'f'},   {"required-return", required_argument, NULL, 'q'},
    {"period", required_argument, NULL, 'p'},      {"threads", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *v)
{
    char *end;
    long t;

    if (!params_ready) {
        rd_metrics_params_init(&params);
        params_ready = 1;
    }
    switch (val) {
    case 'r': returns_path = v; break;
    case 'b': bench_path = v; break;
    case 'f': return parse_rate("--risk-free", v, &params.risk_free) ? CLI_USAGE : CLI_OK;
    case 'q':
        /* sortino and downside risk only: omega keeps empyrical's default
         * required_return 0 (METRICS.md), its threshold comes from rf */
        return parse_rate("--required-return", v, &params.required_return) ? CLI_USAGE : CLI_OK;
    case 'p':
        if (rd_metrics_period_parse(v, &period) != 0)
            return cli_usage_error(CMD, "--period wants daily, weekly, monthly, quarterly or "
                                   "yearly, got '%s'", v);
        period_name = v;
        break;
    default:
        t = strtol(v, &end, 10);
        if (end == v || *end || t < 1 || t > MAX_THREADS)
            return cli_usage_error(CMD, "--threads wants 1 to %d, got '%s'", MAX_THREADS, v);
        threads = (int)t;
    }
    return CLI_OK;
}

static int run(struct cli_ctx *c)
{
    struct rd_returns_set set, bench;
    struct rd_metrics_result *results = NULL;
    struct rd_error err = {0};
    int json = c->json, rc = CLI_OK;

    if (!params_ready)
        rd_metrics_params_init(&params);
    if (!threads)
        threads = cpu_count();
    rd_returns_set_init(&set);
    rd_returns_set_init(&bench);
    if (!returns_path)
        return cli_usage_error(CMD, "--returns FILE is required");
    params.annualization = rd_metrics_annualization(period);

    if (rd_returns_csv_read(returns_path, &set, &err) != RD_OK ||
        check_rows(returns_path, &set, &err) != RD_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (bench_path) {
        if (rd_returns_csv_read(bench_path, &bench, &err) != RD_OK ||
            check_rows(bench_path, &bench, &err) != RD_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        if (bench.multi) {
            rd_error_set(&err, RD_EINVAL, "%s: a benchmark is one series: its header must be "
                         "'date,return' or 'date,value'", bench_path);
            rc = cli_fail(&err);
            goto out;
        }
    }
    results = rd_calloc(set.naccounts ? set.naccounts : 1, sizeof *results);
    if (json && set.multi)
        fputs("{\"accounts\":[", stdout);
    if (!results || compute_all(&set, bench_path ? &bench : NULL, &params, results,
                                threads, json, stdout) != 0) {
        rd_error_set(&err, RD_ENOMEM, "out of memory computing metrics");
        rc = cli_fail(&err);
        goto out;
    }
    if (!json)
        text_table(stdout, &set, results, period_name);
    else if (!set.multi)
        putchar('\n');
    else
        fputs("\n]}\n", stdout);
out:
    rd_free(results);
    rd_returns_set_release(&set);
    rd_returns_set_release(&bench);
    return rc;
}

const struct cli_cmd cli_cmd_perf_metrics = {
    .name = "perf metrics",
    .summary = "performance metrics (Sharpe, drawdown, VaR...) of return series",
    .usage =
        "usage: riskdesk perf metrics --returns FILE [--benchmark FILE] [--risk-free R]\n"
        "                             [--required-return Q] [--period P] [--json]\n"
        "                             [--threads N]\n"
        "\n"
        "Computes empyrical's metrics of per-period simple returns (docs/metrics.md).\n"
        "\n"
        "  --returns FILE        CSV with a header: date,return | date,value |\n"
        "                        date,account,return | date,account,value. Dates are\n"
        "                        YYYY-MM-DD, ascending per series; an empty or NaN\n"
        "                        return is missing. Values are turned into returns.\n"
        "                        '-' reads standard input.\n"
        "  --benchmark FILE      date,return or date,value; aligned by date (a date the\n"
        "                        benchmark lacks is NaN). Enables alpha, beta,\n"
        "                        information_ratio, tracking_error, up/down_capture.\n"
        "  --risk-free R         per-period risk-free rate (default 0): sharpe, alpha,\n"
        "                        omega (its threshold: omega's required_return stays\n"
        "                        at empyrical's default 0).\n"
        "  --required-return Q   per-period required return (default 0): sortino and\n"
        "                        downside_risk only.\n"
        "  --period P            daily (252), weekly (52), monthly (12), quarterly (4),\n"
        "                        yearly (1): the annualization factor.\n"
        "  --json                one JSON object of metrics; for a file with accounts\n"
        "                        {\"accounts\":[{\"account\":\"A\",...},...]}. NaN is null,\n"
        "                        infinities are \"Infinity\" / \"-Infinity\".\n"
        "  --threads N           threads for many accounts (default: all cores).\n",
    .takes = CLI_O_JSON,
    .options = opts,
    .option = option,
    .run = run,
};
