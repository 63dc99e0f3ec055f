#!/bin/sh
# core.sleep - wait `seconds` (default 1), printing the optional `message` first.
# Input: dotenv lines on stdin. Exit 1 on an invalid duration.

INPUT=$(cat)

# param KEY: prints the value of KEY from $INPUT and succeeds, or fails when KEY is absent.
param() {
    printf '%s\n' "$INPUT" | awk -v want="$1" '
        function finish() {
            if (key == want) { printf "%s", val; found = 1; exit 0 }
            key = ""; val = ""; open = 0
        }
        function scan(s,    i, c) {
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (open == 1) {
                    if (c == "\047") open = 0; else val = val c
                } else if (open == 2) {
                    if (c == "\\" && i < length(s)) { i++; val = val substr(s, i, 1) }
                    else if (c == "\"") open = 0; else val = val c
                } else if (c == "\047") open = 1
                else if (c == "\"") open = 2
                else if (c == "\\" && i < length(s)) { i++; val = val substr(s, i, 1) }
                else val = val c
            }
        }
        {
            if (open) { val = val "\n"; scan($0); if (!open) finish(); next }
            if ($0 !~ /^[A-Za-z_][A-Za-z0-9_.-]*=/) next
            eq = index($0, "=")
            key = substr($0, 1, eq - 1); val = ""
            scan(substr($0, eq + 1))
            if (!open) finish()
        }
        END { if (!found && open) finish(); exit(found ? 0 : 1) }
    '
}

seconds=$(param seconds) || seconds=1
[ -n "$seconds" ] || seconds=1
case "$seconds" in
    *[!0-9.]* | *.*.* | .* | *.)
        echo "core.sleep: seconds must be a non-negative number, got '$seconds'" >&2
        exit 1
        ;;
esac
whole=${seconds%%.*}
if [ "$whole" -gt 3600 ] 2>/dev/null; then
    echo "core.sleep: seconds must be at most 3600, got '$seconds'" >&2
    exit 1
fi

if message=$(param message) && [ -n "$message" ]; then
    printf '%s\n' "$message"
fi
sleep "$seconds" || { echo "core.sleep: sleep $seconds failed" >&2; exit 1; }
printf 'Slept for %s seconds\n' "$seconds"
