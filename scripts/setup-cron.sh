#!/usr/bin/env bash
# Switches on the traders' morning report: `riskdesk traders pipeline` at 07:00,
# Monday to Friday, from the user's crontab (docs/traders.md, "Pipeline and
# delivery"). Idempotent: the line is marked, and running the script again
# replaces the marked line instead of adding a second one; other lines stay.
#
#   scripts/setup-cron.sh [--bin PATH] [--dir DIR] [--config FILE] [--log FILE]
#                         [--dry-run | --remove]
#
#   --bin PATH     the riskdesk binary (default: `riskdesk` on PATH, else
#                  /usr/local/bin/riskdesk); must be executable
#   --dir DIR      the working directory the job runs in (default /srv/riskdesk)
#   --config FILE  riskdesk.json, passed as RISKDESK_CONFIG (default: none; the
#                  program then looks in DIR)
#   --log FILE     where the output goes (default /var/log/riskdesk/pipeline.log)
#   --dry-run      print the line that would be installed; change nothing
#   --remove       take the marked line out of the crontab
#
# Exit status: 0 done (or printed), 1 failed (crontab refused, a bad binary),
# 2 bad command line.
set -u

MARK="# riskdesk: traders' morning report (scripts/setup-cron.sh)"
SCHEDULE="0 7 * * 1-5"

usage() { sed -n '2,20s/^# \{0,1\}//p' "$0" >&2; exit 2; }
die() { echo "setup-cron: $*" >&2; exit 1; }

bin="" dir=/srv/riskdesk config="" log=/var/log/riskdesk/pipeline.log mode=install
while [ $# -gt 0 ]; do
    case $1 in
    --bin) [ $# -ge 2 ] || usage; bin=$2; shift ;;
    --dir) [ $# -ge 2 ] || usage; dir=$2; shift ;;
    --config) [ $# -ge 2 ] || usage; config=$2; shift ;;
    --log) [ $# -ge 2 ] || usage; log=$2; shift ;;
    --dry-run) mode=dry-run ;;
    --remove) mode=remove ;;
    -h | --help) usage ;;
    *) echo "setup-cron: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done

# cron runs the line through /bin/sh: quote every path for it
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# ... and % is special to cron (a newline): refused rather than escaped wrong
for v in "$bin" "$dir" "$config" "$log"; do
    case $v in *%* | *$'\n'*) die "'$v': a path with % or a newline cannot go into a crontab line" ;; esac
done

if [ "$mode" != remove ]; then
    if [ -z "$bin" ]; then
        bin=$(command -v riskdesk 2>/dev/null || true)
        [ -n "$bin" ] || bin=/usr/local/bin/riskdesk
    fi
    case $bin in /*) ;; *) bin="$(cd "$(dirname "$bin")" 2>/dev/null && pwd)/$(basename "$bin")" ;; esac
    [ -x "$bin" ] || die "$bin is not an executable riskdesk binary (give --bin PATH)"
    case $dir in /*) ;; *) die "--dir $dir: give an absolute path (cron starts in \$HOME)" ;; esac
    case $log in /*) ;; *) die "--log $log: give an absolute path" ;; esac
    env_part=""
    if [ -n "$config" ]; then
        case $config in /*) ;; *) die "--config $config: give an absolute path" ;; esac
        env_part="RISKDESK_CONFIG=$(q "$config") "
    fi
    line="$SCHEDULE cd $(q "$dir") && ${env_part}$(q "$bin") traders pipeline >>$(q "$log") 2>&1"
fi

if [ "$mode" = dry-run ]; then
    printf '%s\n%s\n' "$MARK" "$line"
    exit 0
fi

command -v crontab >/dev/null 2>&1 || die "no crontab command (install cron, or use the systemd timer in docs/traders.md)"

# the current crontab; "no crontab for USER" is an empty one
if ! current=$(crontab -l 2>/dev/null); then
    current=""
fi
# everything but our marked line (the marker and the line after it)
rest=$(printf '%s\n' "$current" | awk -v m="$MARK" '$0 == m {skip = 1; next} skip {skip = 0; next} {print}')
# drop the blank line an empty crontab leaves
rest=$(printf '%s\n' "$rest" | sed -e '/./,$!d')

if [ "$mode" = remove ]; then
    new=$rest
else
    if [ -n "$rest" ]; then new=$(printf '%s\n%s\n%s' "$rest" "$MARK" "$line"); else new=$(printf '%s\n%s' "$MARK" "$line"); fi
fi
printf '%s\n' "$new" | crontab - || die "crontab refused the new table"
if [ "$mode" = remove ]; then
    echo "setup-cron: the traders' morning report is off (its crontab line removed)"
else
    echo "setup-cron: installed: $line"
fi
