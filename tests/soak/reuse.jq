# PID reuse check over one leaktop snapshot (docs/snapshot-format.md).
#
# A process's history must not begin before the process did: one that
# started after tick k+1 began cannot have been seen at tick k, so a
# history whose first tick is k belongs to an earlier holder of the PID.
#
#   jq -c --argjson hz HZ --slurpfile swapped FILE -f reuse.jq
#
# hz: clock ticks a second (getconf CLK_TCK); FILE holds one object,
# {"PID": [SECONDS, ...], ...}: when pidswap killed its process at that PID
# to start a new one there (seconds since boot), so the processes that
# took over a PID can be counted.  start_ticks count from boot
# and the ticks' monotonic_seconds from CLOCK_MONOTONIC: the same clock on
# a host that has not been suspended.  Prints one object:
#   {"processes", "checked", "reused", "wrong": [...]}.

# How far the clocks may disagree: start_ticks is rounded down to a tick.
def slack: 2 / $hz;

$swapped[0] as $swapped
| .tick as $now
| (.ticks | map({ key: (.tick | tostring), value: .monotonic_seconds }) | from_entries) as $mono
| .ticks[0].tick as $oldest
| [ .processes[] | select(.kernel_thread | not)
    | (.start_ticks / $hz) as $start
    | .history.first_tick as $first
    # the latest moment the process may have started at: the next tick's
    # start, or, for a history older than the listed ticks, the oldest one
    | (if $first >= $now then null
       elif $first < $oldest then $mono[$oldest | tostring]
       else $mono[($first + 1) | tostring] end) as $bound
    | { pid, comm, start: $start, first_tick: $first, bound: $bound,
        reused: any(($swapped[.pid | tostring] // [])[]; . <= $start + slack) } ]
| { processes: length,
    checked: map(select(.bound != null)) | length,
    reused: map(select(.reused)) | length,
    wrong: map(select(.bound != null and .start > .bound + slack)) }
